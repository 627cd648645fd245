"""Choosing an organization, and an organization's landing page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from identity.navigation import navigation_for
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
    """The first page of the navigation the person may open."""

    def get(self, request, *args, **kwargs):
        entries = navigation_for(request)
        if not entries:
            raise Http404("Nothing here you may open.")
        return redirect(entries[0]["url"])
