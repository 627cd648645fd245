"""Service credentials in the portal: the four-step wizard, the keys shown once, and the life cycle.

Creating, editing and every status change go through ``identity.services`` (as the API does);
these views only turn forms into calls and results into pages.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from formtools.wizard.views import SessionWizardView

from identity import selectors, services
from identity.credential_forms import (
    AUTH_METHOD_CHOICES,
    TOKEN_LIFETIME_CHOICES,
    VALIDITY_CHOICES,
    CredentialAccessForm,
    CredentialDetailsForm,
    CredentialExpirationForm,
    CredentialRevokeForm,
    CredentialSummaryForm,
)
from identity.credential_selectors import credential_reach, with_roles_and_groups
from identity.credential_usage import token_url_for
from identity.error_mapping import apply_domain_error
from identity.errors import DomainError
from identity.models import Group, ServiceCredential
from identity.services.client_keys import keys_still_used_near_their_end, live_client_keys
from identity.services.credential_access import grants_view
from identity.services.validation import query_text

from .base import OrganizationPortalMixin, PortalDeleteView, PortalListView, PortalObjectView
from .one_time_pages import WizardReplayGuard, show_client_keys_once, wizard_finished

LIST = "portal:service_credential_list"
KIND = "service_credentials"
STEP_TITLES = {
    "details": "Name and description",
    "expiration": "Expiration",
    "access": "Groups and resources",
    "summary": "Summary",
}
# Which wizard step holds the field a service error names, to send the person back there.
FIELD_STEPS = {
    "name": "details", "description": "details", "token_endpoint_auth_method": "details", "jwks": "details",
    "public_key": "details", "validity": "expiration", "token_lifetime": "expiration",
}


class ReachedFromResources:
    """Pages a person reaches with ``service_credentials:read`` (or ``:write``) on a resource, not only
    organization-wide. ``service_credential_list`` finds the credentials they see; the page's own
    ``credential_reach``, asked once a request, decides whether it opens and what it offers."""

    @property
    def reach(self):
        if not hasattr(self, "_reach"):
            self._reach = credential_reach(self.principal)
        return self._reach

    def allowed(self, principal):
        return self.reach.may_read


class ServiceCredentialListView(ReachedFromResources, PortalListView):
    kind, list_url_name, template_name = KIND, LIST, "identity/service_credentials/list.html"

    def objects(self):
        return with_roles_and_groups(selectors.service_credential_list(
            principal=self.principal,
            status=self.request.GET.get("status", "") if self.request.GET.get("status") in ServiceCredential.Status.values else "",
            search=query_text(self.request.GET, "search"),
        ))

    def extra_context(self):
        return {
            "statuses": ServiceCredential.Status.choices, "status": self.request.GET.get("status", ""),
            "sees_all": self.reach.sees_all,
        }


class _StepFailed(Exception):
    """The service refused the save: go back to the step it concerns, with everything kept."""

    def __init__(self, step, error):
        super().__init__(step)
        self.step, self.error = step, error


@method_decorator(never_cache, name="dispatch")
class ServiceCredentialCreateWizard(OrganizationPortalMixin, WizardReplayGuard, SessionWizardView):
    permission_required = f"{KIND}:write"
    form_list = [
        ("details", CredentialDetailsForm),
        ("expiration", CredentialExpirationForm),
        ("access", CredentialAccessForm),
        ("summary", CredentialSummaryForm),
    ]
    template_name = "identity/service_credentials/wizard.html"

    def resource_paths(self):
        if not hasattr(self, "_resource_paths"):
            self._resource_paths = selectors.resource_paths(principal=self.principal)
        return self._resource_paths

    def get_form_kwargs(self, step=None):
        if step == "details":
            return {"organization": self.organization}
        if step == "access":
            return {"organization": self.organization, "actor": self.principal, "resource_paths": self.resource_paths()}
        return {}

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context.update(
            steps=[(name, STEP_TITLES[name]) for name in self.get_form_list()],
            step_title=STEP_TITLES[self.steps.current],
            list_url=self.org_url(LIST),
        )
        if self.steps.current == "access":
            context["resource_paths"] = self.resource_paths()
        if self.steps.current == "summary":
            context["summary"] = self._summary()
        return context

    def _summary(self):
        data = self.get_all_cleaned_data()
        paths = {pk: path for pk, _, path in self.resource_paths()}
        groups = Group.objects.filter(organization=self.organization, pk__in=data.get("groups") or []).order_by("name")
        return {
            "name": data.get("name"),
            "description": data.get("description"),
            "auth_method": dict(AUTH_METHOD_CHOICES).get(data.get("auth_method")),
            "keys": len((data.get("key_set") or {}).get("keys", [])),
            "validity": dict(VALIDITY_CHOICES).get(data.get("validity")),
            "token_lifetime": dict(TOKEN_LIFETIME_CHOICES).get(data.get("token_lifetime")),
            "groups": [group.name for group in groups],
            "bound_resource": paths.get(getattr(data.get("bound_resource"), "pk", None)),
            "grants": [
                (paths.get(grant["resource"]), grant.get("role"), grant["permissions"])
                for grant in data.get("resource_grants") or []
            ],
        }

    def render_goto_step(self, goto_step, **kwargs):
        # "Back" keeps what was typed on this step too; it is validated again on "Next".
        if self.request.POST.get(f"{self.get_prefix(self.request)}-current_step") == self.steps.current:
            form = self.get_form(data=self.request.POST, files=self.request.FILES)
            self.storage.set_step_data(self.steps.current, self.process_step(form))
        return super().render_goto_step(goto_step, **kwargs)

    def render_done(self, form, **kwargs):
        # The storage is reset only after a successful done(), so a refusal keeps every step.
        try:
            return super().render_done(form, **kwargs)
        except _StepFailed as failed:
            self.storage.current_step = failed.step
            step_form = self.get_form(step=failed.step, data=self.storage.get_step_data(failed.step))
            step_form.is_valid()
            apply_domain_error(step_form, failed.error)
            return self.render(step_form)

    def done(self, form_list, form_dict=None, **kwargs):
        details, expiration, access = (form_dict[step].cleaned_data for step in ("details", "expiration", "access"))
        try:
            credential, client_secret = services.service_credential_create(
                organization=self.organization,
                actor=self.principal,
                name=details["name"],
                description=details["description"],
                token_endpoint_auth_method=details["auth_method"],
                jwks=details.get("key_set"),
                validity=expiration["validity"],
                token_lifetime=expiration["token_lifetime"],
                groups=list(access["groups"]),
                resource_grants=access["resource_grants"],
                bound_resource=access["bound_resource"],
            )
        except DomainError as error:
            field = next(iter(error.field_errors), None)
            raise _StepFailed(FIELD_STEPS.get(field, "access"), error) from error
        wizard_finished(self.request, credential)
        return show_client_keys_once(self.request, credential, client_secret, heading=f"Service credential “{credential.name}” created")


class CredentialPage(PortalObjectView):
    kind, list_url_name = KIND, LIST

    def queryset(self):
        return selectors.service_credential_list(principal=self.principal)

    def describe(self, credential):
        return credential.name

    def detail_url(self, credential):
        return self.org_url("portal:service_credential_detail", pk=credential.pk)


class ServiceCredentialDetailView(ReachedFromResources, CredentialPage):
    template_name = "identity/service_credentials/detail.html"

    def get_permission_required(self):
        return f"{KIND}:read"

    def get(self, request, *args, **kwargs):
        credential = self.get_object()
        paths = {pk: path for pk, _, path in selectors.resource_paths(principal=self.principal)}
        grants = [(paths.get(g["resource"], "?"), g["role"], g["permissions"]) for g in grants_view(credential)]
        client_keys = live_client_keys(credential)
        return self.render({
            "credential": credential,
            "client_keys": client_keys,
            "keys_still_used": keys_still_used_near_their_end(client_keys),
            "grants": grants,
            "bound_resource_path": paths.get(credential.bound_resource_id),
            "token_url": token_url_for(request),
            "token_lifetime": dict(TOKEN_LIFETIME_CHOICES)[credential.token_lifetime],
            "revoke_form": CredentialRevokeForm(credential=credential),
            "may_edit_access": self.reach.may_manage,
        })


class ServiceCredentialAccessView(ReachedFromResources, CredentialPage):
    """Only groups and resource grants change after creation; a project admin changes only theirs.

    Grants where the actor may not manage them are shown read-only and kept as they are when the
    page is saved; groups change only for an organization-wide ``service_credentials:write``.
    """

    template_name = "identity/service_credentials/access.html"

    def allowed(self, principal):
        return self.reach.may_manage

    def make_form(self, credential, data=None):
        every_path = selectors.resource_paths(principal=self.principal)
        paths = [row for row in every_path if self.reach.manages(row[0])]
        form = CredentialAccessForm(
            data, organization=self.organization, actor=self.principal, resource_paths=paths,
            with_bound_resource=False, credential=credential, groups_editable=self.reach.everywhere_write,
            unreachable={label for pk, label, _ in every_path if not self.reach.manages(pk)},
            initial=CredentialAccessForm.initial_for(credential, paths),
        )
        all_paths = {pk: path for pk, _, path in every_path}
        kept = [
            (all_paths.get(grant["resource"], "?"), grant["role"], grant["permissions"])
            for grant in form.current if not self.reach.manages(grant["resource"])
        ]
        return form, paths, kept

    def show(self, credential, form, paths, kept, status=200):
        context = {"credential": credential, "form": form, "resource_paths": paths, "kept_grants": kept}
        return self.render(context, status=status)

    def get(self, request, *args, **kwargs):
        credential = self.get_object()
        return self.show(credential, *self.make_form(credential))

    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        form, paths, kept = self.make_form(credential, request.POST)
        if form.is_valid():
            try:
                services.service_credential_update(
                    credential=credential, actor=self.principal,
                    groups=list(form.cleaned_data["groups"]) if self.reach.everywhere_write else None,
                    resource_grants=form.cleaned_data["resource_grants"], only_within_reach=not self.reach.everywhere_write,
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, f"Groups and resources of “{credential.name}” saved.")
                return redirect(self.detail_url(credential))
        return self.show(credential, form, paths, kept, status=400)


class ServiceCredentialStatusView(CredentialPage):
    """POST: disable or enable, from the detail page or the list's Enabled toggle. GET on disable is
    its confirmation page, for browsers without <dialog> (the detail page's fallback link)."""

    http_method_names = ["get", "post"]
    template_name = "identity/service_credentials/disable.html"
    action = None
    operations = {"disable": services.service_credential_disable, "enable": services.service_credential_enable}
    done_words = {"disable": "disabled: its tokens stopped working", "enable": "enabled"}

    def get(self, request, *args, **kwargs):
        if self.action != "disable":
            return self.http_method_not_allowed(request, *args, **kwargs)
        return self.render({"credential": self.get_object()})

    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        try:
            self.operations[self.action](credential=credential, actor=self.principal)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"“{credential.name}” {self.done_words[self.action]}.")
        return redirect(self.detail_url(credential) if request.POST.get("back") == "detail" else self.list_url())


class ServiceCredentialRevokeView(CredentialPage):
    template_name = "identity/service_credentials/revoke.html"

    def show(self, credential, form, status=200):
        return self.render({"credential": credential, "form": form}, status=status)

    def get(self, request, *args, **kwargs):
        credential = self.get_object()
        return self.show(credential, CredentialRevokeForm(credential=credential))

    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        form = CredentialRevokeForm(request.POST, credential=credential)
        if form.is_valid():
            try:
                services.service_credential_revoke(credential=credential, actor=self.principal, confirm_name=form.cleaned_data["name"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, f"“{credential.name}” revoked: every token it issued stopped working.")
                return redirect(self.detail_url(credential))
        return self.show(credential, form, status=400)


class ServiceCredentialDeleteView(CredentialPage, PortalDeleteView):
    consequence = (
        "The credential, its client key and its tokens are removed for good; pipelines using it get "
        "invalid_client. The audit log keeps its history."
    )

    def delete(self, credential):
        services.service_credential_delete(credential=credential, actor=self.principal)
