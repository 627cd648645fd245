"""The pages that show a secret once, reached by a redirect after the POST that made it.

The POST seals the new client key or service token in the session (``identity.one_time``) and
redirects here; the first GET shows it, with ``Cache-Control: no-store``. Reloading the page or
coming Back to it finds nothing left, and says the material was shown once: nothing is made again
and no form is replayed.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from identity import one_time, selectors
from identity.credential_usage import client_keys_csv, token_url_for, usage_example

from .base import PortalObjectView

# The last credential the wizard made in this session: a summary POST replayed after the wizard
# finished (Back, then "resubmit") is sent to that credential's keys page instead of an empty step.
WIZARD_FINISHED_KEY = "portcullis_wizard_finished"


def _credential_keys(credential_pk):
    return f"service_credential_keys:{credential_pk}"


def _service_token(token_pk):
    return f"service_token:{token_pk}"


def show_client_keys_once(request, credential, client_secret, *, heading):
    """After the POST that made a client key: seal it for the keys page and go there."""
    one_time.seal(request, _credential_keys(credential.pk), {"client_secret": client_secret, "heading": heading})
    return redirect("portal:service_credential_keys", org=request.organization.slug, pk=credential.pk)


def show_service_token_once(request, service_token, plaintext):
    one_time.seal(request, _service_token(service_token.pk), {"token": plaintext})
    return redirect("portal:service_token_created", org=request.organization.slug, pk=service_token.pk)


def wizard_finished(request, credential):
    request.session[WIZARD_FINISHED_KEY] = credential.pk


class WizardReplayGuard:
    """For the credential wizard: a step posted after the wizard finished or its session data expired
    (Back to the summary, then "resubmit") goes to the keys page or a fresh start, never to an
    empty step 1 full of errors."""

    def post(self, *args, **kwargs):
        posted_step = self.request.POST.get(f"{self.get_prefix(self.request)}-current_step")
        nothing_stored = not self.storage.data.get(self.storage.step_data_key)
        if nothing_stored and posted_step and posted_step != self.steps.first and "wizard_goto_step" not in self.request.POST:
            finished = self.request.session.get(WIZARD_FINISHED_KEY)
            if finished is not None:
                return redirect("portal:service_credential_keys", org=self.request.organization.slug, pk=finished)
            messages.info(self.request, "This form had expired: nothing was saved. Start again.")
            return redirect(self.request.path)
        return super().post(*args, **kwargs)


class ShownOncePage(PortalObjectView):
    """GET only: the sealed material on the first visit, "shown once" on every later one."""

    template_name = None
    gone_template_name = None

    def material_name(self, obj):
        raise NotImplementedError

    def context(self, obj, material):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        material = one_time.take(request, self.material_name(obj))
        if material is None:
            response = self.render({"object": obj}, template_name=self.gone_template_name)
        else:
            response = self.render(self.context(obj, material))
        response["Cache-Control"] = "no-store"
        return response


class ServiceCredentialKeysView(ShownOncePage):
    kind, list_url_name = "service_credentials", "portal:service_credential_list"
    template_name = "identity/service_credentials/keys.html"
    gone_template_name = "identity/service_credentials/keys_shown.html"

    def queryset(self):
        return selectors.service_credential_list(principal=self.principal)

    def material_name(self, credential):
        return _credential_keys(credential.pk)

    def context(self, credential, material):
        client_secret, token_url = material["client_secret"], token_url_for(self.request)
        return {
            "credential": credential,
            "heading": material["heading"],
            "client_secret": client_secret,
            "token_url": token_url,
            "usage_example": usage_example(credential=credential, token_url=token_url, client_secret=client_secret),
            "csv": client_keys_csv(credential=credential, client_secret=client_secret, token_url=token_url),
            "csv_filename": f"{credential.name}-client-keys.csv",
        }

    def render(self, context, status=200, template_name=None):
        context.setdefault("detail_url", reverse(
            "portal:service_credential_detail", kwargs={"org": self.organization.slug, "pk": self.kwargs["pk"]}
        ))
        return super().render(context, status=status, template_name=template_name)


class ServiceTokenCreatedView(ShownOncePage):
    kind, list_url_name = "service_tokens", "portal:service_token_list"
    template_name = "identity/service_tokens/created.html"
    gone_template_name = "identity/service_tokens/created_shown.html"

    def queryset(self):
        return selectors.service_token_list(principal=self.principal)

    def material_name(self, service_token):
        return _service_token(service_token.pk)

    def context(self, service_token, material):
        return {"service_token": service_token, "token": material["token"]}
