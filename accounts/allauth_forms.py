"""allauth's forms with identifiers NFKC-normalised before validation, so an address typed in
full-width characters (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ) works, and its passkey sign-in form with a
refusal of its own. Kept apart from forms.py, which allauth imports while building these
classes."""

from allauth.account import forms as allauth_forms
from allauth.mfa.webauthn.forms import LoginWebAuthnForm
from django import forms
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import nfkc


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


class PasskeyLoginForm(LoginWebAuthnForm):
    """Signing in with a passkey alone (MFA_FORMS["login_webauthn"]). allauth refuses a passkey
    it cannot match to an account, or whose signature or user verification fails, with its
    generic "Incorrect code." (the TOTP wording); the person is told what happened instead."""

    def clean_credential(self):
        try:
            return super().clean_credential()
        # KeyError: fido2 reads a credential's "rawId" without looking first, and allauth turns
        # only its TypeError/ValueError into a form error; a post without it was a 500.
        except (forms.ValidationError, KeyError) as error:
            raise forms.ValidationError(
                _(
                    "This passkey could not sign you in: it is not registered to an account on "
                    "this portal, or it could not be verified. Sign in with your e-mail address "
                    "and password."
                ),
                code="passkey_refused",
            ) from error
