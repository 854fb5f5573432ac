"""TOTP secrets and recovery-code seeds are encrypted at rest (accounts/mfa_adapter.py)."""

import importlib
import io
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.checks import Warning
from django.core.management import call_command
from django.db import connection

from accounts import mfa_adapter
from tests import factories


def _code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_totp_secret_and_recovery_seed_are_not_stored_in_clear(db):
    user = factories.make_user()
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    stored = Authenticator.objects.get(pk=totp.instance.pk).data["secret"]
    assert stored != secret and secret not in stored
    assert mfa_adapter.decrypt(stored) == secret
    seed = Authenticator.objects.get(pk=codes.instance.pk).data["seed"]
    assert mfa_adapter.decrypt(seed) != seed
    assert len(codes.generate_codes()) > 0


def test_a_clear_value_fails_loudly(db):
    with pytest.raises(InvalidToken):
        mfa_adapter.decrypt(generate_totp_secret())


def test_sign_in_with_a_totp_code_still_works(client, db):
    user = factories.make_user()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate")
    response = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_rotation(db, settings):
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [key_a]
    user = factories.make_user()
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    expected_codes = codes.generate_codes()

    settings.MFA_ENCRYPTION_KEYS = [key_b, key_a]
    out = io.StringIO()
    call_command("rotate_mfa_keys", stdout=out)
    assert "2 authenticators" in out.getvalue()

    settings.MFA_ENCRYPTION_KEYS = [key_b]
    totp.instance.refresh_from_db()
    assert mfa_adapter.decrypt(totp.instance.data["secret"]) == secret
    assert TOTP(totp.instance).validate_code(_code(secret))
    codes.instance.refresh_from_db()
    assert RecoveryCodes(codes.instance).generate_codes() == expected_codes
    settings.MFA_ENCRYPTION_KEYS = [key_a]
    with pytest.raises(InvalidToken):
        mfa_adapter.decrypt(totp.instance.data["secret"])


def test_the_migration_encrypts_clear_secrets(db):
    user = factories.make_user()
    secret = generate_totp_secret()
    totp = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    codes = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": "ab" * 40, "used_mask": 0},
    )
    migration = importlib.import_module("accounts.migrations.0004_encrypt_mfa_secrets")

    class SchemaEditor:
        pass

    editor = SchemaEditor()
    editor.connection = connection
    migration.encrypt_clear_secrets(apps, editor)
    migration.encrypt_clear_secrets(apps, editor)  # again: already-encrypted values stay

    totp.refresh_from_db()
    codes.refresh_from_db()
    assert totp.data["secret"] != secret
    assert mfa_adapter.decrypt(totp.data["secret"]) == secret
    assert mfa_adapter.decrypt(codes.data["seed"]) == "ab" * 40
    assert codes.data["used_mask"] == 0


def test_deploy_check_warns_without_a_key_of_its_own(settings):
    settings.MFA_ENCRYPTION_KEYS_FROM_ENV = False
    warnings = mfa_adapter.mfa_encryption_key_from_environment(None)
    assert [(type(w), w.id) for w in warnings] == [(Warning, "accounts.W001")]
    settings.MFA_ENCRYPTION_KEYS_FROM_ENV = True
    assert mfa_adapter.mfa_encryption_key_from_environment(None) == []


def test_check_rejects_a_key_that_is_not_a_fernet_key(settings):
    settings.MFA_ENCRYPTION_KEYS = ["not-a-key"]
    assert [e.id for e in mfa_adapter.mfa_encryption_keys_valid(None)] == ["accounts.E001"]


def test_manage_py_check_deploy_warns_in_production_without_a_key():
    pytest.importorskip("redis", reason="the redis package is needed for CACHE_URL=redis://")
    from tests.muroran_kyodo.test_settings import PRODUCTION, _run

    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **{**PRODUCTION, "MFA_ENCRYPTION_KEYS": ""},
    )
    assert result.returncode != 0
    assert "accounts.W001" in result.stdout + result.stderr
