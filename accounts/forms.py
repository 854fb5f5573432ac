from django import forms
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import KanaField, PhoneField, PostalCodeField, nfkc, validate_name

from .models import User


def _autocomplete(token: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": token})


class NameFieldsMixin(forms.Form):
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=50,
        validators=[validate_name],
        widget=_autocomplete("family-name"),
    )
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=50,
        validators=[validate_name],
        widget=_autocomplete("given-name"),
    )
    family_name_kana = KanaField(label=_("Family name (katakana)"), max_length=100)
    given_name_kana = KanaField(label=_("Given name (katakana)"), max_length=100)
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=50,
        validators=[validate_name],
        help_text=_("Shown on the site instead of your legal name; a nickname is fine."),
        widget=_autocomplete("nickname"),
    )


class SignupProfileForm(NameFieldsMixin):
    """The extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    def signup(self, request, user):
        for name in (
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "display_name",
        ):
            setattr(user, name, self.cleaned_data[name])
        user.save()


class ProfileForm(forms.ModelForm):
    family_name_kana = KanaField(label=_("Family name (katakana)"), max_length=100)
    given_name_kana = KanaField(label=_("Given name (katakana)"), max_length=100)
    phone = PhoneField(label=_("Phone"), required=False)
    postal_code = PostalCodeField(label=_("Postal code"), required=False)
    district = forms.ModelChoiceField(
        label=_("District"),
        # The 町名 list belongs to the registry, which sits above accounts: reach it through
        # the user's foreign key rather than by importing it.
        queryset=User._meta.get_field("district").related_model.objects.all(),
        required=False,
        empty_label=_("(not chosen)"),
    )

    class Meta:
        model = User
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "display_name",
            "phone",
            "postal_code",
            "address",
            "district",
        ]
        widgets = {
            "family_name": _autocomplete("family-name"),
            "given_name": _autocomplete("given-name"),
            "display_name": _autocomplete("nickname"),
            "address": _autocomplete("street-address"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("family_name", "given_name", "display_name"):
            self.fields[name].required = True


class UnlockRequestForm(forms.Form):
    """The address locked out: the unlock link goes to the account with this address."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get("email"):
            data = self.data.copy()
            data["email"] = nfkc(data["email"]).strip()
            self.data = data
