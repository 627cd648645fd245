"""A client key is shown once, at creation, and never again: responses, database, logs, audit."""

import io
import logging

import pytest
from django.core.management import call_command

from identity.models import AuditEvent

pytestmark = pytest.mark.django_db


def database_dump():
    out = io.StringIO()
    call_command("dumpdata", "--natural-foreign", stdout=out)
    return out.getvalue()


def test_a_planted_client_key_never_appears_again(token_client, organization, caplog):
    caplog.set_level(logging.DEBUG)
    base = f"/api/v1/orgs/{organization.slug}/service-credentials/"
    created = token_client.post(base, {"name": "leak-check"}, format="json").json()
    secret, pk = created["client_secret"], created["id"]
    # A regeneration answers a new client id with the new key (the previous pair stops working).
    regenerated_keys = token_client.post(f"{base}{pk}/regenerate-secret/").json()
    regenerated, client_id = regenerated_keys["client_secret"], regenerated_keys["client_id"]

    import base64
    from django.test import Client

    basic = "Basic " + base64.b64encode(f"{client_id}:{regenerated}".encode()).decode()
    token_response = Client().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic)
    access_token = token_response.json()["access_token"]
    Client().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic.replace("Basic ", "Basic x"))
    later = [
        token_client.get(base).content,
        token_client.get(f"{base}{pk}/").content,
        token_client.post(f"{base}{pk}/disable/").content,
    ]
    dump = database_dump()
    audit = " ".join(str(e.details) + str(e) for e in AuditEvent.objects.all())
    for planted in (secret, regenerated, access_token):
        assert all(planted.encode() not in body for body in later)
        assert planted not in dump
        assert planted not in caplog.text
        assert planted not in audit
