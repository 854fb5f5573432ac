"""The portal's user: e-mail login, normalised addresses, names that stay private."""

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction

from accounts.models import User
from tests import factories


@pytest.mark.django_db
def test_create_user_normalises_a_full_width_address_to_lower_case_ascii():
    user = User.objects.create_user("ＨＡＮＡＫＯ＠Ｅｘａｍｐｌｅ．ｊｐ", "kyodo-pass-2026")
    user.refresh_from_db()
    assert user.email == "hanako@example.jp"
    assert user.check_password("kyodo-pass-2026")
    assert not user.is_staff
    assert not user.is_superuser
    assert user.is_active


@pytest.mark.django_db
def test_create_user_without_an_address_is_refused():
    with pytest.raises(ValueError):
        User.objects.create_user("", "kyodo-pass-2026")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_create_superuser_is_always_staff_and_superuser():
    admin = User.objects.create_superuser("Admin@Example.JP", "kyodo-pass-2026", is_staff=False)
    admin.refresh_from_db()
    assert admin.email == "admin@example.jp"
    assert admin.is_staff
    assert admin.is_superuser


@pytest.mark.django_db
def test_user_without_a_password_cannot_sign_in():
    user = User.objects.create_user("nopass@example.jp")
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_email_is_unique_whatever_its_case():
    User.objects.create(email="Hanako@Example.jp")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypasses the manager's normalisation on purpose: the database itself refuses it.
        User.objects.create(email="hanako@example.jp")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_sign_in_by_email_ignores_case_and_full_width(resident):
    assert authenticate(email="RESIDENT@example.jp", password=factories.PASSWORD) == resident
    assert (
        authenticate(email="ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ", password=factories.PASSWORD)
        == resident
    )
    assert authenticate(email="resident@example.jp", password="wrong-password") is None


@pytest.mark.django_db
def test_clean_normalises_an_address_typed_in_the_admin():
    user = User(email="ＳＴＡＦＦ＠city.muroran.example.jp")
    user.clean()
    assert user.email == "staff@city.muroran.example.jp"


def test_public_name_is_the_display_name_never_the_legal_name():
    user = User(
        email="hanako@example.jp", family_name="輪西", given_name="花子", display_name="はなこ"
    )
    assert user.public_name == "はなこ"
    nameless = User(email="hanako@example.jp", family_name="輪西", given_name="花子")
    assert nameless.public_name == ""
    assert "輪西" not in nameless.public_name
    assert "hanako" not in nameless.public_name


def test_full_names_are_family_name_first():
    user = User(
        email="hanako@example.jp",
        family_name="輪西",
        given_name="花子",
        family_name_kana="ワニシ",
        given_name_kana="ハナコ",
    )
    assert user.get_full_name() == "輪西 花子"
    assert user.get_full_name_kana() == "ワニシ ハナコ"
    assert str(user) == "輪西 花子"


def test_a_user_without_names_is_shown_by_address_in_staff_screens():
    user = User(email="hanako@example.jp")
    assert str(user) == "hanako@example.jp"
    assert user.get_short_name() == "hanako"


def test_short_name_prefers_display_name_then_given_name():
    assert (
        User(email="a@example.jp", given_name="花子", display_name="はなこ").get_short_name()
        == "はなこ"
    )
    assert User(email="a@example.jp", given_name="花子").get_short_name() == "花子"
