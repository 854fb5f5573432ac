"""allauth's forms with identifiers NFKC-normalised before validation, so an address typed in
full-width characters (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ) works. Kept apart from forms.py, which
allauth imports while building these classes."""

from allauth.account import forms as allauth_forms

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
