"""Logging in and out, and setting a first password: Django's own views, with the portal's
templates and a POST-only logout."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class PortalLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PortalLogoutView(auth_views.LogoutView):
    """Django's LogoutView only accepts POST: a link or an image tag cannot log anyone out."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are logged out.")
        return response


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link an Account Holder created by the platform gets: choose a password, then log in.

    Django's reset view checks the token (once, until ``PASSWORD_RESET_TIMEOUT``) and moves it out
    of the address bar into the session before showing the form, so it leaks into no Referer.
    """

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("portal:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set: log in with it.")
        return response
