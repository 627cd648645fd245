"""The invitation link: the invited person, signed in, accepts or declines.

The page says nothing about the invitation to anyone else who opens the link, and every answer
(unknown, someone else's, expired, already used) is a plain message rather than an error page.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from identity.errors import DomainError
from identity.services.invitations import (
    ensure_may_answer,
    invitation_accept,
    invitation_by_token,
    invitation_decline,
)

TEMPLATE = "identity/invitations/answer.html"


@method_decorator(never_cache, name="dispatch")
class InvitationView(LoginRequiredMixin, View):
    def refusal(self, error):
        return render(self.request, TEMPLATE, {"refusal": error.message}, status=error.status_code)

    def get(self, request, token):
        invitation = invitation_by_token(token)
        try:
            ensure_may_answer(invitation, request.user)
        except DomainError as error:
            return self.refusal(error)
        return render(request, TEMPLATE, {"invitation": invitation})

    def post(self, request, token):
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                membership = invitation_accept(token=token, user=request.user)
            elif answer == "decline":
                invitation_decline(token=token, user=request.user)
            else:
                return redirect(request.path)
        except DomainError as error:
            return self.refusal(error)
        if answer == "decline":
            messages.success(request, "Invitation declined.")
            return redirect("portal:home")
        organization = membership.organization
        messages.success(request, f"Welcome to {organization.name}: you are a member as {membership.role.name}.")
        return redirect("portal:organization_home", org=organization.slug)
