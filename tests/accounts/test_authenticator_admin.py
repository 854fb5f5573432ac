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
