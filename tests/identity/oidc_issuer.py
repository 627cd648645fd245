"""A local OIDC issuer for tests: discovery document and JWKS over HTTP on 127.0.0.1, keys it can
rotate, tokens shaped like GitHub Actions' and Kubernetes', and a count of what was fetched."""

import datetime
import ipaddress
import json
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from jwcrypto import jwk, jwt


def self_signed_certificate(directory):
    """``(certificate.pem, key.pem)`` for 127.0.0.1, its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "issuer.pem", directory / "issuer.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_file), str(key_file)


class LocalIssuer:
    def __init__(self, tls_files=None):
        self.keys = [jwk.JWK.generate(kty="RSA", size=2048, kid="issuer-key-1")]
        self.hits = {}
        self.extra_documents = {}
        self.redirects = {}
        self.delay = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                issuer.hits[self.path] = issuer.hits.get(self.path, 0) + 1
                time.sleep(issuer.delay)
                if self.path in issuer.redirects:
                    self.send_response(302)
                    self.send_header("Location", issuer.redirects[self.path])
                    self.end_headers()
                    return
                body = issuer.document(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls_files is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls_files)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def document(self, path):
        if path == "/.well-known/openid-configuration":
            return json.dumps({"issuer": self.url, "jwks_uri": self.url + "/jwks"}).encode()
        if path == "/jwks":
            return json.dumps(self.jwks()).encode()
        return self.extra_documents.get(path)

    def jwks(self):
        return {"keys": [json.loads(key.export_public()) for key in self.keys]}

    def rotate(self, kid):
        """A new signing key replaces the old one, as an issuer rotating its keys."""
        self.keys = [jwk.JWK.generate(kty="RSA", size=2048, kid=kid)]
        return self.keys[0]

    def sign(self, claims, key=None, alg="RS256"):
        key = key or self.keys[0]
        token = jwt.JWT(header={"alg": alg, "kid": key.get("kid"), "typ": "JWT"}, claims=claims)
        token.make_signed_token(key)
        return token.serialize()

    def github_token(self, *, audience="portcullis", repository="acme/deploy", ref="refs/heads/main", **overrides):
        """Claims as GitHub Actions puts them in its OIDC token."""
        now = int(time.time())
        owner = repository.split("/")[0]
        claims = {
            "jti": str(uuid.uuid4()),
            "sub": f"repo:{repository}:ref:{ref}",
            "aud": audience,
            "ref": ref,
            "repository": repository,
            "repository_owner": owner,
            "event_name": "push",
            "ref_type": "branch",
            "workflow": "deploy",
            "iss": self.url,
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + 300,
        }
        claims.update(overrides)
        return self.sign({k: v for k, v in claims.items() if v is not None})

    def kubernetes_token(self, *, namespace="ci", service_account="deployer", audience="portcullis", **overrides):
        """Claims as a Kubernetes projected service-account token carries them."""
        now = int(time.time())
        claims = {
            "aud": [audience],
            "exp": now + 3600,
            "iat": now,
            "nbf": now,
            "iss": self.url,
            "jti": str(uuid.uuid4()),
            "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": service_account, "uid": str(uuid.uuid4())}},
            "sub": f"system:serviceaccount:{namespace}:{service_account}",
        }
        claims.update(overrides)
        return self.sign({k: v for k, v in claims.items() if v is not None})

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_issuer(settings):
    """A running issuer, listed as insecure (plain HTTP on a loopback address) for this test."""
    with LocalIssuer() as issuer:
        settings.PORTCULLIS_FEDERATION_INSECURE_ISSUERS = [issuer.url]
        yield issuer


@pytest.fixture
def unlisted_issuer():
    """A running issuer the operator did not list: Portcullis must not fetch from it."""
    with LocalIssuer() as issuer:
        yield issuer
