"""Choosing an organization, and an organization's home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views import View

from identity.authorization import may
from identity.home_selectors import EXPIRING_WITHIN_DAYS, expiring_items, live_counts, recent_activity
from identity.selectors import organizations_for_user

from .base import OrganizationPortalMixin


@login_required
def home(request):
    """One organization: go straight to it. Several: choose. None: say what to do."""
    organizations = list(organizations_for_user(request.user).order_by("name"))
    if len(organizations) == 1:
        return redirect("portal:organization_home", org=organizations[0].slug)
    return render(request, "identity/choose_organization.html", {"organizations": organizations})


class OrganizationHomeView(OrganizationPortalMixin, View):
    """What needs attention (what expires in the next 30 days), what changed lately, what is live,
    and the quick actions the person may take. Every member may open it; each part shows only
    what they may read."""

    def get(self, request, *args, **kwargs):
        principal = request.principal
        return render(request, "identity/home.html", {
            "expiring": expiring_items(principal=principal),
            "expiring_days": EXPIRING_WITHIN_DAYS,
            "activity": recent_activity(principal=principal),
            "may_read_audit": may(principal, "audit_events:read"),
            "counts": live_counts(principal=principal),
            "may_create_credential": may(principal, "service_credentials:write"),
            "may_create_token": may(principal, "service_tokens:write"),
            "may_register_secret": may(principal, "secrets:write"),
        })
