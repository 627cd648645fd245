"""The encryptor: fresh nonces, ciphertext bound to its row, rotation, failing closed."""

import pytest
from django.core.management import call_command

from identity.errors import DomainError
from secrets_vault import housekeeping, services
from secrets_vault.checks import check_encryption_keys
from secrets_vault.crypto import DecryptionFailed, Encryptor, VaultNotConfigured, get_encryptor, key_id_of, parse_key
from secrets_vault.models import Secret

from .conftest import OLD_KEY, SENTINEL, TEST_KEY, make_secret


def test_each_encryption_uses_a_fresh_nonce():
    encryptor = Encryptor([parse_key(TEST_KEY)])
    first = encryptor.encrypt(b"same", b"ad")
    second = encryptor.encrypt(b"same", b"ad")
    assert first[1] != second[1] and first[2] != second[2]
    assert first[0] == key_id_of(parse_key(TEST_KEY)) and len(first[0]) == 8


def test_ciphertext_moved_to_another_row_fails_to_decrypt(organization, holder_principal):
    one = make_secret(organization, holder_principal, name="one")
    two = make_secret(organization, holder_principal, name="two", value={"header_name": "X", "value": "other"})
    Secret.objects.filter(pk=two.pk).update(ciphertext=one.ciphertext, nonce=one.nonce, key_id=one.key_id)
    two.refresh_from_db()
    with pytest.raises(DecryptionFailed):
        services.secret_read_value(secret=two, actor=holder_principal)
    assert services.secret_read_value(secret=one, actor=holder_principal)["value"] == SENTINEL


def test_ciphertext_moved_to_another_organization_fails(organization, other_organization, holder_principal):
    secret = make_secret(organization, holder_principal)
    associated = f"portcullis.secret.v1|{other_organization.pk}|{secret.pk}|{secret.type}".encode()
    with pytest.raises(DecryptionFailed):
        get_encryptor().decrypt(secret.key_id, secret.nonce, secret.ciphertext, associated)


def test_rotation_keeps_every_secret_readable(organization, holder_principal, settings, capsys):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [OLD_KEY]
    secrets = [make_secret(organization, holder_principal, name=f"s{n}", value={"header_name": "X", "value": f"v{n}"}) for n in range(7)]
    old_id = secrets[0].key_id
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY, OLD_KEY]
    call_command("rotate_encryption_key", "--batch-size", "3")
    out = capsys.readouterr()
    assert "Re-encrypted 7 secret(s)" in out.out
    assert "7/7 (100%)" in out.err
    assert not Secret.objects.filter(key_id=old_id).exists()
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]
    for n, secret in enumerate(secrets):
        secret.refresh_from_db()
        assert services.secret_read_value(secret=secret, actor=holder_principal)["value"] == f"v{n}"


def test_an_interrupted_rotation_resumes(organization, holder_principal, settings, monkeypatch):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [OLD_KEY]
    for n in range(6):
        make_secret(organization, holder_principal, name=f"s{n}")
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY, OLD_KEY]
    real_write = housekeeping._write_ciphertexts
    calls = []

    def crash_on_second_batch(secrets):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return real_write(secrets)

    monkeypatch.setattr(housekeeping, "_write_ciphertexts", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        housekeeping.secrets_rotate_encryption_key(batch_size=2)
    current = get_encryptor().current_key_id
    assert Secret.objects.filter(key_id=current).count() == 2
    monkeypatch.setattr(housekeeping, "_write_ciphertexts", real_write)
    assert housekeeping.secrets_rotate_encryption_key(batch_size=2) == (4, 4)
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]
    for secret in Secret.objects.all():
        assert services.secret_read_value(secret=secret, actor=holder_principal)["value"] == SENTINEL


def test_a_dropped_key_gives_a_clear_error(organization, holder_principal, settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [OLD_KEY]
    secret = make_secret(organization, holder_principal)
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]
    with pytest.raises(VaultNotConfigured, match="no longer lists"):
        services.secret_read_value(secret=secret, actor=holder_principal)


def test_with_no_key_reading_and_writing_fail_closed(organization, holder_principal, settings):
    secret = make_secret(organization, holder_principal)
    settings.PORTCULLIS_ENCRYPTION_KEYS = []
    with pytest.raises(VaultNotConfigured, match=r"no encryption key configured \(PORTCULLIS_ENCRYPTION_KEYS\)"):
        services.secret_read_value(secret=secret, actor=holder_principal)
    with pytest.raises(VaultNotConfigured):
        make_secret(organization, holder_principal, name="new")


def test_rotate_command_without_a_key_exits_with_a_clear_error(settings):
    from django.core.management.base import CommandError

    settings.PORTCULLIS_ENCRYPTION_KEYS = []
    with pytest.raises(CommandError, match="PORTCULLIS_ENCRYPTION_KEYS"):
        call_command("rotate_encryption_key")


def test_a_malformed_key_is_a_clear_error(settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = ["short"]
    with pytest.raises(DomainError, match="key #1"):
        get_encryptor()
    assert [e.id for e in check_encryption_keys(None)] == ["portcullis.E011"]


def test_the_system_check_reports_a_missing_key(settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    assert [e.id for e in check_encryption_keys(None)] == ["portcullis.E010"]
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]
    assert check_encryption_keys(None) == []
