"""TOTP secrets and recovery-code seeds encrypted at rest (issue 13).

allauth stores them in `Authenticator.data` and passes each through the MFA adapter's
`encrypt()`/`decrypt()`. Here they are Fernet tokens under `settings.MFA_ENCRYPTION_KEYS`, a
key of their own (not SECRET_KEY): the first key encrypts, every key decrypts, so a new key is
put first, `manage.py rotate_mfa_keys` re-encrypts, and the old key is then dropped. A value
that is not a token under one of the keys raises InvalidToken: nothing is read in clear.
"""

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


def multi_fernet(keys=None) -> MultiFernet:
    keys = settings.MFA_ENCRYPTION_KEYS if keys is None else keys
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(text: str, keys=None) -> str:
    return multi_fernet(keys).encrypt(text.encode()).decode()


def decrypt(token: str, keys=None) -> str:
    return multi_fernet(keys).decrypt(token.encode()).decode()


def _map_secrets(data: dict, fn) -> dict:
    """`data` with `fn` applied to each secret allauth keeps in it (TOTP `secret`,
    recovery-code `seed` and `migrated_codes`)."""
    data = dict(data)
    for field in ("secret", "seed"):
        if isinstance(data.get(field), str):
            data[field] = fn(data[field])
    if isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [fn(code) for code in data["migrated_codes"]]
    return data


def encrypt_clear_data(data: dict, keys=None) -> dict:
    """Encrypt the secrets in `data` that are not already tokens under `keys` (the migration)."""
    fernet = multi_fernet(keys)

    def fn(value):
        try:
            fernet.decrypt(value.encode())
        except InvalidToken:
            return fernet.encrypt(value.encode()).decode()
        return value

    return _map_secrets(data, fn)


def rotate_data(data: dict, keys=None) -> dict:
    """Re-encrypt the secrets in `data` with the first key (InvalidToken if one is not a token
    under any key)."""
    fernet = multi_fernet(keys)
    return _map_secrets(data, lambda value: fernet.rotate(value.encode()).decode())


class EncryptingMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)


@register(Tags.security)
def mfa_encryption_keys_valid(app_configs, **kwargs):
    try:
        multi_fernet()
    except (ValueError, TypeError):
        return [
            Error(
                "MFA_ENCRYPTION_KEYS holds a value that is not a Fernet key.",
                hint='Make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"',
                id="accounts.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def mfa_encryption_key_from_environment(app_configs, **kwargs):
    if not settings.MFA_ENCRYPTION_KEYS_FROM_ENV:
        return [
            Warning(
                "MFA_ENCRYPTION_KEYS is not set: TOTP secrets and recovery-code seeds are "
                "encrypted with a key derived from SECRET_KEY, for the local demo only.",
                hint='Set MFA_ENCRYPTION_KEYS to a key of its own: python -c "from '
                'cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
                id="accounts.W001",
            )
        ]
    return []
