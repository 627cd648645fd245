"""Fetching someone else's keys: HTTPS and public addresses only unless the issuer is listed,
redirects checked hop by hop, size and time limits, one shared cache."""

import socket

import pytest

from identity.oauth import remote_keys
from tests.identity.oidc_issuer import LocalIssuer, local_issuer, self_signed_certificate, unlisted_issuer  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["http://example.com/jwks", "ftp://example.com/jwks", "https://user:pw@example.com/", "jwks", "https://exa mple.com/"])
def test_only_plain_https_urls_are_fetched(url):
    with pytest.raises(remote_keys.RemoteKeysError):
        remote_keys.fetch_json(url)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.0.1", "::1", "fe80::1", "0.0.0.0"])
def test_a_host_resolving_to_a_private_address_is_not_fetched(monkeypatch, address):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(family, socket.SOCK_STREAM, 6, "", (address, 443))])
    with pytest.raises(remote_keys.RemoteKeysError, match="private"):
        remote_keys.fetch_json("https://keys.example.com/jwks")


def test_an_unlisted_loopback_server_is_never_contacted(unlisted_issuer):
    with pytest.raises(remote_keys.RemoteKeysError):
        remote_keys.issuer_keys(unlisted_issuer.url)
    assert unlisted_issuer.hits == {}


def test_a_listed_issuer_is_fetched_through_its_discovery_document(local_issuer):
    keys = remote_keys.issuer_keys(local_issuer.url)
    assert [key["kid"] for key in keys["keys"]] == ["issuer-key-1"]
    assert local_issuer.hits == {"/.well-known/openid-configuration": 1, "/jwks": 1}


def test_keys_are_cached_in_the_shared_cache(local_issuer):
    remote_keys.issuer_keys(local_issuer.url)
    remote_keys.issuer_keys(local_issuer.url, kid="issuer-key-1")
    assert local_issuer.hits["/jwks"] == 1


def test_redirects_are_followed_through_the_same_checks(local_issuer, unlisted_issuer):
    local_issuer.redirects["/moved"] = "/jwks"
    assert remote_keys.jwks_uri_keys(local_issuer.url + "/moved")["keys"]
    local_issuer.redirects["/away"] = unlisted_issuer.url + "/jwks"
    with pytest.raises(remote_keys.RemoteKeysError):
        remote_keys.jwks_uri_keys(local_issuer.url + "/away")
    assert unlisted_issuer.hits == {}


def test_a_body_over_the_size_limit_is_refused(local_issuer):
    local_issuer.extra_documents["/big"] = b'{"keys": [' + b'{"kty": "RSA"},' * 10000 + b'{}]}'
    with pytest.raises(remote_keys.RemoteKeysError, match="KiB"):
        remote_keys.jwks_uri_keys(local_issuer.url + "/big")


def test_a_body_nested_too_deep_is_not_json_to_us(local_issuer):
    local_issuer.extra_documents["/deep"] = b"[" * 30_000 + b"]" * 30_000
    with pytest.raises(remote_keys.RemoteKeysError, match="did not answer JSON"):
        remote_keys.jwks_uri_keys(local_issuer.url + "/deep")


def test_a_slow_server_is_given_up_on(local_issuer, monkeypatch):
    monkeypatch.setattr(remote_keys, "TIMEOUT_SECONDS", 0.3)
    local_issuer.delay = 1
    with pytest.raises(remote_keys.RemoteKeysError, match="too long"):
        remote_keys.jwks_uri_keys(local_issuer.url + "/jwks")


def test_a_discovery_document_naming_another_issuer_is_refused(local_issuer):
    local_issuer.extra_documents["/other/.well-known/openid-configuration"] = b'{"issuer": "https://evil.example", "jwks_uri": "x"}'
    with pytest.raises(remote_keys.RemoteKeysError, match="another issuer"):
        remote_keys.issuer_keys(local_issuer.url + "/other")


def test_tls_is_verified_against_the_bundle_ssl_cert_file_names(tmp_path, monkeypatch, settings):
    cert_file, key_file = self_signed_certificate(tmp_path)
    with LocalIssuer(tls_files=(cert_file, key_file)) as issuer:
        settings.PORTCULLIS_FEDERATION_INSECURE_ISSUERS = [issuer.url]
        # The system's bundle does not know this certificate.
        with pytest.raises(remote_keys.RemoteKeysError, match="certificate"):
            remote_keys.fetch_jwks(issuer.url + "/jwks", insecure=True)
        monkeypatch.setenv("SSL_CERT_FILE", cert_file)
        assert remote_keys.fetch_jwks(issuer.url + "/jwks", insecure=True)["keys"]
