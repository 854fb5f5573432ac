"""accounts.password_validation.ContextWordsValidator (ASVS 5.0 6.2.11), and no composition
rule (6.2.5): through allauth's sign-up form, as a resident meets it."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.password_validation import ContextWordsValidator


@pytest.mark.parametrize(
    "password",
    [
        "Muroran2026!",
        "室蘭市協働1234",
        "ＭＵＲＯＲＡＮ１２３４５",
        "kyodo-portal-99",
        "muroran kyodo 2027",
    ],
)
def test_the_city_and_site_names_with_numbers_are_refused(password):
    with pytest.raises(ValidationError) as error:
        ContextWordsValidator().validate(password)
    assert error.value.error_list[0].code == "password_context_word"


@pytest.mark.parametrize(
    "password",
    ["muroran no umi wa aoi desu", "白鳥大橋を歩いて室蘭港へ", "correct horse battery staple"],
)
def test_a_passphrase_that_contains_a_word_among_others_is_accepted(password):
    ContextWordsValidator().validate(password)


def test_a_long_password_of_digits_only_is_accepted():
    """No composition rules: the length and the common-password list do the work."""
    validate_password("80417263951846")


@pytest.mark.django_db
def test_the_sign_up_form_refuses_it_next_to_the_field(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.jp",
            "password1": "Muroran2026!",
            "password2": "Muroran2026!",
            "family_name": "室蘭",
            "given_name": "太郎",
        },
    )
    assert response.status_code == 200
    assert "password_context_word" in {
        e.code for e in response.context["form"].errors.as_data().get("password1", [])
    }
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="new@example.jp").exists()
