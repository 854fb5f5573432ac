"""Profile and sign-up forms: names with a katakana reading, loose but checked contact details,
identifiers typed in full width."""

import pytest
from django.utils import translation

from accounts.allauth_forms import LoginForm, ResetPasswordForm, SignupForm
from accounts.forms import ProfileForm, SignupProfileForm
from accounts.models import User
from tests import factories

PROFILE = {
    "family_name": "輪西",
    "given_name": "花子",
    "family_name_kana": "ワニシ",
    "given_name_kana": "ハナコ",
    "display_name": "はなこ",
    "phone": "",
    "postal_code": "",
    "address": "",
    "district": "",
}

SIGNUP = factories.SIGNUP_DATA


def _profile_form(user, **changes):
    return ProfileForm(data={**PROFILE, **changes}, instance=user)


# --- ProfileForm -----------------------------------------------------------------------------


def test_profile_form_normalises_what_was_typed_and_saves(resident):
    district = factories.district("輪西町")
    form = _profile_form(
        resident,
        family_name_kana="わにし",
        given_name_kana="ﾊﾅｺ",
        phone="０１４３－２２－１１１１",
        postal_code="０５１８５１１",
        address="室蘭市輪西町1-1",
        district=str(district.pk),
    )
    assert form.is_valid(), form.errors
    form.save()
    resident.refresh_from_db()
    assert resident.family_name_kana == "ワニシ"
    assert resident.given_name_kana == "ハナコ"
    assert resident.phone == "0143-22-1111"
    assert resident.postal_code == "051-8511"
    assert resident.address == "室蘭市輪西町1-1"
    assert resident.district == district


def test_profile_form_refuses_kanji_in_the_kana_fields(resident):
    form = _profile_form(resident, family_name_kana="輪西", given_name_kana="Hanako")
    assert not form.is_valid()
    assert form.has_error("family_name_kana", code="not_kana")
    assert form.has_error("given_name_kana", code="not_kana")


def test_profile_form_refuses_a_bad_postal_code_and_phone(resident):
    form = _profile_form(resident, postal_code="051-851", phone="12345")
    assert not form.is_valid()
    assert form.has_error("postal_code", code="invalid_postal_code")
    assert form.has_error("phone", code="invalid_phone")
    assert set(form.errors) == {"postal_code", "phone"}


def test_profile_form_requires_names_and_display_name_in_japanese(resident):
    with translation.override("ja"):
        form = _profile_form(
            resident, family_name="", given_name="", display_name="", family_name_kana=""
        )
        assert not form.is_valid()
        for name in ("family_name", "given_name", "display_name", "family_name_kana"):
            assert form.errors[name] == ["このフィールドは必須です。"], name


def test_profile_form_leaves_contact_details_optional(resident):
    form = _profile_form(resident)
    assert form.is_valid(), form.errors


def test_profile_form_cannot_change_email_or_staff_flags(resident):
    form = _profile_form(resident, email="evil@example.jp", is_staff="on", is_superuser="on")
    assert form.is_valid(), form.errors
    form.save()
    resident.refresh_from_db()
    assert resident.email == "resident@example.jp"
    assert not resident.is_staff
    assert not resident.is_superuser


def test_profile_form_offers_muroran_districts(resident):
    names = {str(choice[1]) for choice in _profile_form(resident).fields["district"].choices}
    assert {"輪西町", "白鳥台", "幸町"} <= names


# --- Sign-up ---------------------------------------------------------------------------------


def test_signup_profile_form_asks_for_names_readings_and_display_name():
    assert list(SignupProfileForm().fields) == [
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "display_name",
    ]


@pytest.mark.django_db
def test_signup_form_has_email_names_and_passwords_and_no_username():
    fields = list(SignupForm().fields)
    assert "username" not in fields
    assert {
        "email",
        "password1",
        "password2",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "display_name",
    } == set(fields)


@pytest.mark.django_db
def test_signup_form_accepts_a_full_width_address_and_converts_the_readings():
    form = SignupForm(
        data={
            **SIGNUP,
            "email": "ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ",
            "family_name_kana": "わにし",
            "given_name_kana": "ﾊﾅｺ",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "hanako@example.jp"
    assert form.cleaned_data["family_name_kana"] == "ワニシ"
    assert form.cleaned_data["given_name_kana"] == "ハナコ"


@pytest.mark.django_db
def test_signup_form_refuses_kanji_in_the_reading():
    form = SignupForm(data={**SIGNUP, "family_name_kana": "輪西"})
    assert not form.is_valid()
    assert form.has_error("family_name_kana", code="not_kana")


@pytest.mark.django_db
def test_signup_form_applies_the_password_rules_in_japanese():
    with translation.override("ja"):
        form = SignupForm(data={**SIGNUP, "password1": "short", "password2": "short"})
        assert not form.is_valid()
        assert "このパスワードは短すぎます。最低 10 文字以上必要です。" in form.errors["password1"]


@pytest.mark.django_db
def test_signup_profile_form_writes_the_names_on_the_user():
    user = User.objects.create_user("new@example.jp", "kyodo-pass-2026")
    form = SignupProfileForm(data={**SIGNUP, "given_name_kana": "はなこ"})
    assert form.is_valid(), form.errors
    form.signup(request=None, user=user)
    user.refresh_from_db()
    assert (user.family_name, user.given_name) == ("輪西", "花子")
    assert (user.family_name_kana, user.given_name_kana) == ("ワニシ", "ハナコ")
    assert user.display_name == "はなこ"


# --- Other allauth forms: full-width identifiers ---------------------------------------------


@pytest.mark.django_db
def test_login_form_normalises_a_full_width_address_before_validation():
    form = LoginForm(data={"login": "ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ", "password": "x"})
    assert form.data["login"] == "resident@example.jp"


@pytest.mark.django_db
def test_reset_password_form_normalises_a_full_width_address():
    form = ResetPasswordForm(data={"email": "ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "resident@example.jp"


def test_nfkc_mixin_leaves_the_callers_data_untouched():
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"login": "ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ", "password": "x"})
    LoginForm(data=data)
    assert data["login"] == "ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ"


def test_name_fields_tell_the_browser_what_to_fill_in():
    from accounts.forms import SignupProfileForm

    form = SignupProfileForm()
    html = str(form["family_name"]) + str(form["given_name"]) + str(form["display_name"])
    assert 'autocomplete="family-name"' in html
    assert 'autocomplete="given-name"' in html
    assert 'autocomplete="nickname"' in html
