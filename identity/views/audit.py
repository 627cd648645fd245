"""The audit log: who did what, when, from where; filtered, paginated, and exported as CSV."""

import csv
import datetime

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from identity import selectors
from identity.audit_targets import TARGET_KINDS, describe_targets
from identity.forms import AuditFilterForm

from .base import OrganizationPortalMixin, paginate

PAGE_SIZE = 50
CSV_BATCH = 2000
CSV_COLUMNS = ["time", "actor", "actor_kind", "action", "target_kind", "target", "target_id", "ip_address", "request_id"]
# A spreadsheet runs a cell starting with one of these as a formula: such text is quoted.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) if day else None


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_rows(events):
    """The header, then one row per event. Audit events hold no secret; ``details`` is left out
    all the same, so an export carries only what the page shows."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=CSV_BATCH):
        kind = TARGET_KINDS.get(event.target_type)
        yield writer.writerow([_cell(value) for value in (
            event.created_at.isoformat(timespec="seconds"),
            event.actor_name,
            event.actor_kind,
            event.action,
            kind.label if kind else event.target_type,
            event.target_name,
            event.target_id,
            event.ip_address,
            event.request_id,
        )])


class AuditLogView(OrganizationPortalMixin, View):
    permission_required = "audit_events:read"

    def get(self, request, *args, **kwargs):
        form = AuditFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        until = filters.get("until")
        events = selectors.audit_event_list(
            principal=self.principal,
            action=filters.get("action", ""),
            actor=filters.get("actor", ""),
            since=_start_of(filters.get("since")),
            until=_start_of(until + datetime.timedelta(days=1)) if until else None,
        ).order_by("-created_at", "-pk")
        if request.GET.get("format") == "csv":
            response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
            stamp = timezone.now().strftime("%Y%m%d-%H%M")
            response["Content-Disposition"] = f'attachment; filename="audit-{self.organization.slug}-{stamp}.csv"'
            response["Cache-Control"] = "no-store"
            return response
        page = paginate(request, events, PAGE_SIZE)
        query = request.GET.copy()
        query.pop("page", None)
        query["format"] = "csv"
        return render(
            request,
            "identity/audit_log.html",
            {
                "form": form,
                "page": page,
                "rows": describe_targets(page.object_list, organization=self.organization),
                "csv_url": f"{request.path}?{query.urlencode()}",
            },
        )
