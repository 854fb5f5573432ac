"""Changing what protects an account asks for the password again unless it was given less than
ACCOUNT_REAUTHENTICATION_TIMEOUT (300 s) ago: adding or removing an e-mail address (allauth's
ACCOUNT_REAUTHENTICATION_REQUIRED), the second factor (allauth.mfa, always). The password change
form asks for the current password itself. As allauth does it, the sign-in itself does not count:
the first such change of a session asks once, the next ones within five minutes do not."""

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from tests import factories

REAUTHENTICATE = "/accounts/reauthenticate/?next=%2Faccounts%2Femail%2F"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _sign_in(client, user):
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def _reauthenticate(client):
    response = client.post("/accounts/reauthenticate/", {"password": factories.PASSWORD})
    assert response.status_code == 302


def _add_email(client):
    return client.post("/accounts/email/", {"action_add": "", "email": "second@example.jp"})


def test_adding_an_email_address_asks_for_the_password_first(client, resident, clock):
    _sign_in(client, resident)
    clock.shift(dt.timedelta(hours=2))
    response = _add_email(client)
    assert response.status_code == 302
    assert response["Location"] == REAUTHENTICATE
    assert not EmailAddress.objects.filter(email="second@example.jp").exists()


def test_a_wrong_password_does_not_reauthenticate(client, resident, clock):
    _sign_in(client, resident)
    response = client.post("/accounts/reauthenticate/", {"password": "not-my-password"})
    assert response.status_code == 200
    assert _add_email(client)["Location"] == REAUTHENTICATE
    assert not EmailAddress.objects.filter(email="second@example.jp").exists()


def test_an_email_address_can_be_added_right_after_giving_the_password(client, resident, clock):
    _sign_in(client, resident)
    _reauthenticate(client)
    clock.shift(dt.timedelta(minutes=4))
    response = _add_email(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/email/"
    assert EmailAddress.objects.filter(user=resident, email="second@example.jp").exists()


def test_the_password_given_more_than_five_minutes_ago_no_longer_counts(client, resident, clock):
    _sign_in(client, resident)
    _reauthenticate(client)
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    response = _add_email(client)
    assert response["Location"] == REAUTHENTICATE
    assert not EmailAddress.objects.filter(email="second@example.jp").exists()


def test_removing_an_email_address_in_an_old_session_asks_for_the_password(client, resident, clock):
    EmailAddress.objects.create(user=resident, email="old@example.jp", verified=True)
    _sign_in(client, resident)
    clock.shift(dt.timedelta(hours=2))
    response = client.post("/accounts/email/", {"action_remove": "", "email": "old@example.jp"})
    assert response["Location"] == REAUTHENTICATE
    assert EmailAddress.objects.filter(email="old@example.jp").exists()


def test_the_second_factor_cannot_be_set_up_in_an_old_session_without_the_password(
    client, resident, clock
):
    _sign_in(client, resident)
    clock.shift(dt.timedelta(hours=2))
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    _reauthenticate(client)
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_an_old_session_cannot_change_the_password_without_the_current_one(client, resident, clock):
    _sign_in(client, resident)
    clock.shift(dt.timedelta(hours=2))
    new = {"password1": "brand-new-pass-77", "password2": "brand-new-pass-77"}
    response = client.post("/accounts/password/change/", new)
    assert response.status_code == 200
    assert response.context["form"].has_error("oldpassword")
    resident.refresh_from_db()
    assert resident.check_password(factories.PASSWORD)
    response = client.post("/accounts/password/change/", {**new, "oldpassword": factories.PASSWORD})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("brand-new-pass-77")
