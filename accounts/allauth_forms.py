"""allauth's forms with identifiers NFKC-normalised before validation, so an address typed in
full-width characters (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ) works, and its passkey sign-in form with a
refusal of its own. Kept apart from forms.py, which allauth imports while building these
classes."""

from allauth.account import forms as allauth_forms
from allauth.core import context as allauth_context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.webauthn.forms import (
    AddWebAuthnForm,
    LoginWebAuthnForm,
    ReauthenticateWebAuthnForm,
)
from django import forms
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.cache import reachable
from muroran_kyodo.lib.jp import nfkc

from .security_events import record


class NfkcDataMixin:
    nfkc_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            data = self.data.copy()
            for name in self.nfkc_fields:
                key = self.add_prefix(name)
                if data.get(key):
                    data[key] = nfkc(data[key])
            self.data = data


class SignupForm(NfkcDataMixin, allauth_forms.SignupForm):
    nfkc_fields = ("email",)


class LoginForm(NfkcDataMixin, allauth_forms.LoginForm):
    nfkc_fields = ("login",)

    @property
    def locked_email(self) -> str:
        """The address this browser was just locked out of (accounts.lockout): the sign-in
        page then offers to e-mail the unlock link."""
        return str(getattr(self.request, "login_locked_email", "") or "")


class ResetPasswordForm(NfkcDataMixin, allauth_forms.ResetPasswordForm):
    nfkc_fields = ("email",)


class AddEmailForm(NfkcDataMixin, allauth_forms.AddEmailForm):
    nfkc_fields = ("email",)


# fido2 reads what the browser posted for a passkey with KeyError ("rawId" missing) or ValueError
# ("id does not match rawId", a field that is not base64url) on a malformed payload, and allauth
# turns only some of these into a form error: the rest were a 500.
MALFORMED_CREDENTIAL = (KeyError, ValueError)


class PasskeyLoginForm(LoginWebAuthnForm):
    """Signing in with a passkey alone (MFA_FORMS["login_webauthn"]). allauth refuses a passkey
    it cannot match to an account, or whose signature or user verification fails, with its
    generic "Incorrect code." (the TOTP wording); the person is told what happened instead, and
    the refusal goes to the audit log (`passkey_login_failed`)."""

    def clean_credential(self):
        try:
            return super().clean_credential()
        except (forms.ValidationError, *MALFORMED_CREDENTIAL) as error:
            # allauth records nothing when a passkey sign-in fails (no account is known yet).
            credential = self.cleaned_data.get("credential")
            credential_id = credential.get("id") if isinstance(credential, dict) else None
            record(
                "passkey_login_failed",
                allauth_context.request,
                credential_id=str(credential_id)[:100] if credential_id else "",
            )
            raise forms.ValidationError(
                _(
                    "This passkey could not sign you in: it is not registered to an account on "
                    "this portal, or it could not be verified. Sign in with your e-mail address "
                    "and password."
                ),
                code="passkey_refused",
            ) from error


class PasskeyReauthenticateForm(ReauthenticateWebAuthnForm):
    """Confirming with a passkey (MFA_FORMS["reauthenticate_webauthn"]): a malformed credential
    is refused like a wrong one."""

    def clean_credential(self):
        try:
            return super().clean_credential()
        except MALFORMED_CREDENTIAL as error:
            raise get_mfa_adapter().validation_error("incorrect_code") from error


class PasskeyAddForm(AddWebAuthnForm):
    """Adding a passkey (MFA_FORMS["add_webauthn"]): a malformed credential is refused like one
    that does not verify."""

    def clean(self):
        try:
            return super().clean()
        except MALFORMED_CREDENTIAL as error:
            raise get_mfa_adapter().validation_error("incorrect_code") from error


class _CodeCountedMixin:
    """The second factor's code (an authenticator app's or a recovery code) is checked only
    while its failures can be counted (allauth's `login_failed` limit, in the shared cache):
    with the cache unreachable the form refuses, as the password's does (accounts.lockout)."""

    def clean_code(self):
        if not reachable():
            from .lockout import SIGN_IN_UNAVAILABLE

            raise forms.ValidationError(SIGN_IN_UNAVAILABLE, code="sign_in_unavailable")
        return super().clean_code()  # type: ignore[misc]


class SecondFactorForm(_CodeCountedMixin, mfa_forms.AuthenticateForm):
    pass


class SecondFactorReauthenticateForm(_CodeCountedMixin, mfa_forms.ReauthenticateForm):
    pass
