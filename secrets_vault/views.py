"""The portal's secrets pages: thin views over ``secrets_vault.selectors`` and ``services``.

Organization secrets need ``secrets:read`` / ``secrets:write``; personal secrets are their
owner's alone, for any member. The selectors and services check that per secret, so the views
only turn their errors into pages: a field error onto its field, ``NotFound`` into 404,
``NotPermitted`` into 403. Views that take secret values hide them from error reports, and no
page renders a value back.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from identity.authorization import may
from identity.errors import DomainError, NotFound, NotPermitted
from identity.views.base import OrganizationPortalMixin

from . import selectors, services
from .certificates import MAX_PEM_BYTES, parse_certificate
from .form_fields import read_upload_text
from .forms import FORMS, TYPE_DESCRIPTIONS, SecretFilterForm
from .models import SecretStatus, SecretType

PAGE_SIZE = 25
SENSITIVE_FIELDS = ("value", "header_value", "client_id", "client_secret", "pair_value", "certificate", "private_key")
hide_secret_fields = method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")


def _raise_http(error):
    if isinstance(error, NotFound):
        raise Http404(error.message) from error
    if isinstance(error, NotPermitted):
        raise PermissionDenied(error.message) from error


class VaultView(OrganizationPortalMixin, View):
    """The organization and principal come from the mixin; permissions are checked per secret."""

    permission_required = None

    def may_read_organization(self):
        return may(self.principal, selectors.READ)

    def may_write_organization(self):
        return may(self.principal, selectors.WRITE)

    def url(self, name, *args):
        return reverse(f"vault:{name}", args=[self.request.organization.slug, *args])

    def get_secret(self, permission=selectors.READ):
        try:
            return selectors.secret_get(principal=self.principal, secret_id=self.kwargs["pk"], permission=permission)
        except DomainError as error:
            _raise_http(error)
            raise

    def render(self, template, context, status=200):
        context = {
            "organization": self.request.organization,
            "may_read_organization": self.may_read_organization(),
            "may_write_organization": self.may_write_organization(),
            **context,
        }
        response = render(self.request, f"secrets_vault/{template}", context, status=status)
        response["Cache-Control"] = "no-store"
        return response


class SecretListView(VaultView):
    """The organization's secrets, or with ``personal`` the caller's own ("My secrets")."""

    personal = False

    def get(self, request, org):
        if not self.personal and not self.may_read_organization():
            # A member keeps personal secrets only: that is their secrets page.
            return redirect(self.url("secret_list_personal"))
        filters = SecretFilterForm(request.GET)
        now = timezone.now()
        try:
            queryset = selectors.secret_list(principal=self.principal, personal=self.personal, now=now, **filters.filters())
        except DomainError as error:
            _raise_http(error)
            raise
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return self.render(
            "secret_list.html",
            {
                "personal": self.personal,
                "filters": filters,
                "page": page,
                "rows": [(secret, secret.display_status(now)) for secret in page],
                # Personal secrets are their owner's to change; organization ones need secrets:write.
                "may_edit": self.personal or self.may_write_organization(),
                "query": query.urlencode(),
                "filtered": any(filters.filters().values()) if filters.is_valid() else False,
            },
        )


class SecretRegisterChooseView(VaultView):
    """Step one of "Register Secret": the type."""

    def get(self, request, org):
        personal = request.GET.get("personal") == "1"
        types = [(value, label, TYPE_DESCRIPTIONS[value]) for value, label in SecretType.choices]
        return self.render("secret_register_choose.html", {"types": types, "personal": personal})


@hide_secret_fields
class SecretRegisterView(VaultView):
    """Step two of "Register Secret": the type's own form."""

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("type") not in FORMS:
            raise Http404("No such type of secret.")
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None, files=None):
        form_class = FORMS[self.kwargs["type"]]
        initial = {"personal": self.request.GET.get("personal") == "1"}
        return form_class(data, files, initial=initial, may_write_organization=self.may_write_organization())

    def show(self, form, status=200):
        return self.render(
            "secret_register.html",
            {
                "form": form,
                "retype_fields": form.retype_labels(),
                "type": self.kwargs["type"],
                "type_label": SecretType(self.kwargs["type"]).label,
                "list_url": self.url("secret_list_personal" if form.initial.get("personal") else "secret_list"),
            },
            status=status,
        )

    def get(self, request, org, type):
        return self.show(self.form())

    def post(self, request, org, type):
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            try:
                secret = services.secret_create(
                    organization=request.organization, actor=self.principal, **form.service_kwargs()
                )
            except DomainError as error:
                _raise_http(error)
                form.apply_domain_error(error)
            else:
                message = f"Secret “{secret.name}” registered."
                if secret.type == SecretType.CERTIFICATE:
                    message += f" Expiration Date {secret.expires_at:%Y-%m-%d}, read from the certificate."
                messages.success(request, message)
                return redirect(self.url("secret_detail", secret.pk))
        return self.show(form, status=400)


@hide_secret_fields
class SecretDetailView(VaultView):
    """Where the secret is used, then its edit form; a certificate's facts; its actions."""

    def form(self, secret, data=None, files=None):
        form_class = FORMS[secret.type]
        initial = {
            "name": secret.name,
            "header_name": secret.metadata.get("header_name", ""),
            "expires_at": secret.expires_at.date() if secret.expires_at else None,
        }
        return form_class(data, files, initial=initial, editing=True, secret=secret)

    def show(self, secret, form, status=200):
        may_edit = secret.is_personal or self.may_write_organization()
        return self.render(
            "secret_detail.html",
            {
                "secret": secret,
                "status": secret.display_status(),
                "usages": selectors.secret_usages(secret=secret),
                "form": form if may_edit else None,
                "retype_fields": form.retype_labels(),
                "may_edit": may_edit,
                "inactive": secret.status == SecretStatus.INACTIVE,
                "list_url": self.url("secret_list_personal" if secret.is_personal else "secret_list"),
            },
            status=status,
        )

    def get(self, request, org, pk):
        secret = self.get_secret()
        return self.show(secret, self.form(secret))

    def post(self, request, org, pk):
        secret = self.get_secret(selectors.WRITE)
        form = self.form(secret, request.POST, request.FILES)
        if form.is_valid():
            try:
                secret = services.secret_update(secret=secret, actor=self.principal, **form.service_kwargs())
            except DomainError as error:
                _raise_http(error)
                form.apply_domain_error(error)
            else:
                messages.success(request, f"Secret “{secret.name}” saved.")
                return redirect(self.url("secret_detail", secret.pk))
        return self.show(secret, form, status=400)


class SecretStatusView(VaultView):
    """POST: "Deactivate" or "Activate". GET of deactivate: its confirmation page (the detail
    page opens the same confirmation as a dialog when the browser can)."""

    operation = None

    def get(self, request, org, pk):
        if self.operation != "deactivate":
            return redirect(self.url("secret_detail", self.kwargs["pk"]))
        secret = self.get_secret(selectors.WRITE)
        return self.render("secret_deactivate.html", {"secret": secret, "usages": selectors.secret_usages(secret=secret)})

    def post(self, request, org, pk):
        secret = self.get_secret(selectors.WRITE)
        if self.operation == "deactivate":
            services.secret_deactivate(secret=secret, actor=self.principal)
            messages.success(request, f"Secret “{secret.name}” deactivated: reading its value now fails.")
        else:
            services.secret_activate(secret=secret, actor=self.principal)
            messages.success(request, f"Secret “{secret.name}” activated.")
        return redirect(self.url("secret_detail", secret.pk))


class SecretDeleteView(VaultView):
    """"Delete Secret": a confirmation page, then the secret is gone from every list."""

    def get(self, request, org, pk):
        secret = self.get_secret(selectors.WRITE)
        # Who reads it today will fail from now on: the page says so before anyone confirms.
        return self.render(
            "secret_delete.html",
            {
                "secret": secret,
                "usages": selectors.secret_usages(secret=secret),
                "retention_days": settings.PORTCULLIS_SECRET_RETENTION_DAYS,
            },
        )

    def post(self, request, org, pk):
        secret = self.get_secret(selectors.WRITE)
        services.secret_delete(secret=secret, actor=self.principal)
        messages.success(request, f"Secret “{secret.name}” deleted.")
        return redirect(self.url("secret_list_personal" if secret.is_personal else "secret_list"))


@hide_secret_fields
class CertificateInspectView(VaultView):
    """POST a certificate file, get its non-secret facts: the register form shows its expiry."""

    def post(self, request, org):
        upload = request.FILES.get("certificate")
        if upload is None:
            return JsonResponse({"error": "Choose a certificate file."}, status=400)
        try:
            info = parse_certificate(read_upload_text(upload, max_bytes=MAX_PEM_BYTES))
        except DomainError as error:
            messages_ = [m for ms in error.field_errors.values() for m in ms] or [error.message]
            return JsonResponse({"error": messages_[0]}, status=400)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        return JsonResponse({**info.as_metadata(), "expires_on": info.not_after.strftime("%Y-%m-%d")})
