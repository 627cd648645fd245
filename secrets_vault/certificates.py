"""Reading an uploaded PEM certificate and its optional private key into non-secret facts.

Errors name the form field they belong to (``certificate`` or ``private_key``); the payload
validator prefixes them with ``value.`` for the API.
"""

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from identity.errors import InvalidInput

MAX_PEM_BYTES = 64 * 1024
SUPPORTED_KEY_TYPES = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    serial: str
    fingerprint_sha256: str
    not_before: datetime
    not_after: datetime
    has_private_key: bool

    def as_metadata(self):
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "fingerprint_sha256": self.fingerprint_sha256,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "has_private_key": self.has_private_key,
        }


def _invalid(field, message):
    return InvalidInput(f"{field}: {message}", field_errors={field: [message]})


def _as_bytes(field, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes):
        raise _invalid(field, "Give the PEM text.")
    if len(data) > MAX_PEM_BYTES:
        raise _invalid(field, f"The file is too large (at most {MAX_PEM_BYTES // 1024} KiB).")
    if not data.strip():
        raise _invalid(field, "This field is required.")
    return data


def parse_certificate(certificate, private_key=None):
    """Check a PEM certificate (and key, when given, matching it); returns ``CertificateInfo``."""
    cert_bytes = _as_bytes("certificate", certificate)
    try:
        cert = x509.load_pem_x509_certificate(cert_bytes)
    except ValueError as error:
        raise _invalid("certificate", "This is not a valid PEM certificate.") from error
    if private_key not in (None, "", b""):
        _check_private_key(_as_bytes("private_key", private_key), cert)
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        has_private_key=private_key not in (None, "", b""),
    )


def _check_private_key(key_bytes, cert):
    try:
        key = serialization.load_pem_private_key(key_bytes, password=None)
    except TypeError as error:
        raise _invalid("private_key", "Encrypted private keys are not supported; upload the key without a passphrase.") from error
    except (ValueError, Exception) as error:  # cryptography raises several types for broken input
        raise _invalid("private_key", "This is not a valid PEM private key.") from error
    if not isinstance(key, SUPPORTED_KEY_TYPES):
        raise _invalid("private_key", "Only RSA, EC and Ed25519 private keys are supported.")
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise _invalid("private_key", "This private key does not match the certificate.")
