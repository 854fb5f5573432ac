"""The admin shows second factors read only (accounts/admin.py AuthenticatorAdmin): no add
form, no edit of the stored secret; a lost one is deleted."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = factories.make_user("root@example.jp", staff=True, superuser=True)
    return factories.with_second_factor(client, user)


@pytest.fixture
def authenticator():
    clerk = factories.make_user("clerk@example.jp")
    return Authenticator.objects.create(
        user=clerk, type=Authenticator.Type.TOTP, data={"secret": "stored-secret"}
    )


def test_no_authenticator_can_be_added_in_the_admin(superuser_client):
    url = reverse("admin:mfa_authenticator_add")
    assert superuser_client.get(url).status_code == 403
    response = superuser_client.post(url, {"user": "1", "type": "totp", "data": "{}"})
    assert response.status_code == 403


def test_the_stored_secret_is_neither_shown_nor_changed(superuser_client, authenticator):
    url = reverse("admin:mfa_authenticator_change", args=[authenticator.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert "stored-secret" not in page.content.decode()
    superuser_client.post(url, {"data": '{"secret": "' + "9" * 100_000 + '"}', "type": "totp"})
    authenticator.refresh_from_db()
    assert authenticator.data == {"secret": "stored-secret"}


def test_a_lost_authenticator_is_deleted(superuser_client, authenticator):
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()


# --- user sessions (allauth.usersessions), read only in the admin too -------------------------


@pytest.fixture
def signed_in_elsewhere():
    from allauth.usersessions.models import UserSession
    from django.test import Client

    resident = factories.make_user("hanako@example.jp")
    browser = factories.sign_in(Client(), resident)
    session = UserSession.objects.create(
        user=resident, session_key=browser.session.session_key, ip="192.0.2.5", user_agent="phone"
    )
    return browser, session


def test_no_session_is_added_or_edited_in_the_admin(superuser_client, signed_in_elsewhere):
    _browser, session = signed_in_elsewhere
    url = reverse("admin:usersessions_usersession_add")
    assert superuser_client.get(url).status_code == 403
    change = reverse("admin:usersessions_usersession_change", args=[session.pk])
    assert superuser_client.get(change).status_code == 200
    superuser_client.post(change, {"data": "9" * 100_000, "ip": "198.51.100.1"})
    session.refresh_from_db()
    assert session.ip == "192.0.2.5"


def test_deleting_a_session_in_the_admin_signs_that_browser_out(
    superuser_client, signed_in_elsewhere
):
    browser, session = signed_in_elsewhere
    assert browser.get("/mypage/").status_code == 200
    url = reverse("admin:usersessions_usersession_delete", args=[session.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    response = browser.get("/mypage/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
