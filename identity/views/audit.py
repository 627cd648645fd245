"""The audit log: who did what, when, from where; filtered and paginated."""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django.views import View

from identity import selectors
from identity.forms import AuditFilterForm

from .base import OrganizationPortalMixin, paginate

PAGE_SIZE = 50


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) if day else None


class AuditLogView(OrganizationPortalMixin, View):
    permission_required = "audit_events:read"

    def get(self, request, *args, **kwargs):
        form = AuditFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        until = filters.get("until")
        events = selectors.audit_event_list(
            organization=self.organization,
            action=filters.get("action", ""),
            actor=filters.get("actor", ""),
            since=_start_of(filters.get("since")),
            until=_start_of(until + datetime.timedelta(days=1)) if until else None,
        ).order_by("-created_at", "-pk")
        return render(request, "identity/audit_log.html", {"form": form, "page": paginate(request, events, PAGE_SIZE)})
