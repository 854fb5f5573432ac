"""allauth's MFA model carries Japanese labels on the admin index (allauth declares no
verbose_name, so without `AccountsConfig.ready` the index shows "Authenticators")."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils.translation import override

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_admin_index_in_japanese_shows_no_authenticators(client):
    factories.with_second_factor(client, factories.make_user(staff=True, superuser=True))
    page = client.get(reverse("admin:index")).content.decode()
    assert 'lang="ja"' in page
    assert "Authenticator" not in page
    assert "二段階認証の手段" in page


def test_the_model_labels_are_translated():
    with override("ja"):
        assert str(Authenticator._meta.verbose_name) == "二段階認証の手段"
        assert str(Authenticator._meta.verbose_name_plural) == "二段階認証の手段"
    with override("en"):
        assert str(Authenticator._meta.verbose_name_plural) == "authenticators"
