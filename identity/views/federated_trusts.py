"""A credential's federated trusts in the portal: list, add (with platform presets), remove, and
"Test a token", which says which rule a pasted token would fail and issues nothing."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from identity.errors import DomainError
from identity.federation_forms import PRESETS, FederatedTrustForm, TestTokenForm, trust_error_field
from identity.oauth.federation import RULES
from identity.services import credential_keys

from .service_credentials import CredentialPage

RULE_LABELS = {
    "format": "A signed JWT", "issuer": "Issuer", "signature": "Signature", "expiry": "Expiry (exp, nbf)",
    "audience": "Audience", "subject": "Subject", "claims": "Claims", "jti": "Used once (jti)",
}


@method_decorator(never_cache, name="dispatch")
class FederatedTrustsView(CredentialPage):
    """GET: the trusts with the add and test forms; POST: add a trust (``service_credentials:write``)."""

    template_name = "identity/service_credentials/federated_trusts.html"

    def get_permission_required(self):
        return "service_credentials:write" if self.request.method == "POST" else "service_credentials:read"

    def page(self, credential, *, form=None, test_form=None, verdict=None, status=200):
        return self.render({
            "credential": credential,
            "trusts": credential.federated_trusts or [],
            "form": form or FederatedTrustForm(),
            "test_form": test_form or TestTokenForm(),
            "presets": PRESETS,
            "verdict": verdict,
            "rules": _rule_rows(verdict) if verdict is not None else None,
        }, status=status)

    def get(self, request, *args, **kwargs):
        return self.page(self.get_object())

    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        form = FederatedTrustForm(request.POST)
        if not form.is_valid():
            return self.page(credential, form=form, status=400)
        trusts = list(credential.federated_trusts or []) + [form.trust()]
        try:
            credential_keys.service_credential_set_federated_trusts(credential=credential, actor=self.principal, federated_trusts=trusts)
        except DomainError as error:
            form.add_error(trust_error_field(error), error.field_errors.get("federated_trusts", [error.message])[0])
            return self.page(credential, form=form, status=400 if error.status_code == 400 else error.status_code)
        messages.success(request, "Federated trust added.")
        return redirect(self.org_url("portal:service_credential_federated_trusts", pk=credential.pk))


class FederatedTrustRemoveView(CredentialPage):
    """POST: remove the trust at ``index`` (1-based, as listed)."""

    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        trusts = list(credential.federated_trusts or [])
        index = kwargs["index"]
        if 1 <= index <= len(trusts):
            del trusts[index - 1]
            try:
                credential_keys.service_credential_set_federated_trusts(credential=credential, actor=self.principal, federated_trusts=trusts)
                messages.success(request, "Federated trust removed.")
            except DomainError as error:
                messages.error(request, error.message)
        return redirect(self.org_url("portal:service_credential_federated_trusts", pk=credential.pk))


@method_decorator([never_cache, sensitive_post_parameters("token")], name="dispatch")
class FederatedTokenTestView(FederatedTrustsView):
    """POST: the rules, in order, for a pasted token; nothing is issued or recorded."""

    def get_permission_required(self):
        return "service_credentials:read"

    def get(self, request, *args, **kwargs):
        return redirect(self.org_url("portal:service_credential_federated_trusts", pk=self.kwargs["pk"]))

    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        test_form = TestTokenForm(request.POST)
        if not test_form.is_valid():
            return self.page(credential, test_form=test_form, status=400)
        verdict = credential_keys.service_credential_test_token(
            credential=credential, actor=self.principal, token=test_form.cleaned_data["token"]
        )
        return self.page(credential, test_form=TestTokenForm(), verdict=verdict)


def _rule_rows(verdict):
    """``(label, state, message)`` per rule: passed, failed (with why) or not reached."""
    rows = []
    for rule in RULES:
        if rule in verdict.passed:
            rows.append((RULE_LABELS[rule], "passed", ""))
        elif verdict.failure is not None and verdict.failure.rule == rule:
            rows.append((RULE_LABELS[rule], "failed", verdict.failure.message))
        else:
            rows.append((RULE_LABELS[rule], "not checked", ""))
    return rows
