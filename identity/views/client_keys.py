"""Client keys in the portal: "Regenerate Client Keys", then "Save" with a grace period; "Retire".

As in Itential, "Regenerate Client Keys" shows the new keys before they are valid, with "Download
Client Keys"; only "Save" applies them. Until then the pair exists nowhere but sealed in this
person's session (``identity.one_time``): not in the database, not in a log. Leaving the page
without saving changes nothing, and the sealed pair expires on its own. The POST that generates
the pair redirects to the page that shows it (post/redirect/get): reloading that page or coming
Back shows the key no more and makes no other, but still lets the person save the pair they saw.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from identity import one_time, services
from identity.credential_forms import ClientKeySaveForm
from identity.credential_usage import client_keys_csv, token_url_for, usage_example
from identity.errors import DomainError
from identity.services.client_keys import new_client_key_pair

from .service_credentials import CredentialPage


def _pending(credential):
    return f"client_key_pending:{credential.pk}"


@method_decorator(never_cache, name="dispatch")
class ClientKeyRegenerateView(CredentialPage):
    """GET: what regenerating does; POST: a new pair, sealed for the new keys page."""

    template_name = "identity/confirm_delete.html"

    def get(self, request, *args, **kwargs):
        credential = self.get_object()
        return self.render({
            "object": credential, "name": credential.name, "verb": "Regenerate Client Keys",
            "consequence": (
                "New client keys are shown, not yet valid: download them, then Save. You choose then how "
                "long the current key keeps working. Leaving without saving changes nothing."
            ),
        })

    @method_decorator(sensitive_variables("client_secret"))
    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        try:
            services.service_credential_check_regenerate(credential=credential, actor=self.principal)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(self.detail_url(credential))
        client_id, client_secret = new_client_key_pair()
        one_time.seal(request, _pending(credential), {"client_id": client_id, "client_secret": client_secret, "shown": False})
        return redirect(self.org_url("portal:service_credential_new_keys", pk=credential.pk))


@method_decorator(never_cache, name="dispatch")
class ClientKeyNewKeysView(CredentialPage):
    """GET: the pending keys (the secret on the first visit only); POST ("Save"): apply them."""

    template_name = "identity/service_credentials/new_keys.html"

    def get(self, request, *args, **kwargs):
        credential = self.get_object()
        pending = one_time.take(request, _pending(credential))
        context = {"credential": credential, "pending": pending is not None}
        if pending is not None:
            context["form"] = ClientKeySaveForm(initial={"client_id": pending["client_id"]})
            context["client_id"] = pending["client_id"]
            if not pending["shown"]:
                context.update(self.shown_once(credential, pending))
            # Kept for "Save", marked shown: a reload says it was shown and shows it no more.
            one_time.seal(request, _pending(credential), dict(pending, shown=True))
        response = self.render(context)
        response["Cache-Control"] = "no-store"
        return response

    def shown_once(self, credential, pending):
        client_id, client_secret, token_url = pending["client_id"], pending["client_secret"], token_url_for(self.request)
        return {
            "client_secret": client_secret,
            "token_url": token_url,
            "usage_example": usage_example(
                credential=credential, token_url=token_url, client_secret=client_secret, client_id=client_id
            ),
            "csv": client_keys_csv(credential=credential, client_secret=client_secret, token_url=token_url, client_id=client_id),
            "csv_filename": f"{credential.name}-client-keys.csv",
        }

    @method_decorator(sensitive_variables("pending"))
    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        form = ClientKeySaveForm(request.POST)
        pending = one_time.take(request, _pending(credential))
        if pending is None or not form.is_valid() or form.cleaned_data["client_id"] != pending["client_id"]:
            messages.error(request, "These client keys expired or were replaced: nothing changed. Regenerate them again.")
            return redirect(self.detail_url(credential))
        try:
            services.service_credential_regenerate_secret(
                credential=credential, actor=self.principal, grace_period=form.cleaned_data["grace_period"],
                client_id=pending["client_id"], client_secret=pending["client_secret"],
            )
        except DomainError as error:
            messages.error(request, f"{error.message} Nothing changed.")
            return redirect(self.detail_url(credential))
        grace = dict(form.fields["grace_period"].choices)[form.cleaned_data["grace_period"]]
        if form.cleaned_data["grace_period"] == "0":
            messages.success(request, f"New client keys saved for “{credential.name}”: the previous key stopped working.")
        else:
            messages.success(request, f"New client keys saved for “{credential.name}”: the previous key keeps working for {grace}.")
        return redirect(self.detail_url(credential))


@method_decorator(require_POST, name="dispatch")
class ClientKeyRetireView(CredentialPage):
    """POST only, from the credential's keys table: that key stops working now, with its tokens."""

    def post(self, request, *args, **kwargs):
        credential = self.get_object()
        client_id = kwargs["client_id"]
        try:
            services.service_credential_retire_key(credential=credential, actor=self.principal, client_id=client_id)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Client key {client_id} retired: it and its tokens stopped working.")
        return redirect(self.detail_url(credential))
