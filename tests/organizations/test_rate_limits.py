"""Rate limits of the registry (settings.RATE_LIMITS, muroran_kyodo/lib/ratelimit.py): over the
limit the form comes back with `LIMITED` and everything typed, nothing is saved and nobody is
e-mailed; another account is not affected."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override

from muroran_kyodo.lib import ratelimit
from organizations.models import Invitation, Membership, Organization
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"organizations:{name}", args=args)


def limited() -> str:
    with override("ja"):
        return escape(str(ratelimit.LIMITED))


def _limits(settings, action, **rates):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: rates}


def _register(client, **overrides):
    data = {**factories.organization_form_data(**overrides), "_submit": "1"}
    return client.post(url("register"), data)


def test_registrations_over_the_limit_come_back_with_what_was_typed(
    client, resident, member, settings, django_capture_on_commit_callbacks
):
    _limits(settings, "organizations.register", user="1/h")
    factories.sign_in(client, resident)
    assert _register(client).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, description="二つ目の会の説明です。")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["step"] == "input"
    assert limited() in html
    assert "二つ目の会の説明です。" in html
    assert Organization.objects.count() == 1
    assert mail.outbox == []
    # Another account registers as usual.
    factories.sign_in(client, member)
    assert _register(client).status_code == 302
    assert Organization.objects.count() == 2


def _invite(client, organization, email):
    return client.post(url("invite", organization.pk), {"email": email, "role": "member"})


def test_invitations_over_the_limit_of_the_account_are_refused_on_the_manage_page(
    client, organization, representative, settings, django_capture_on_commit_callbacks
):
    _limits(settings, "organizations.invite", user="2/h")
    contact = factories.make_user("contact@example.jp")
    factories.add_member(organization, contact, Membership.Role.CONTACT)
    factories.sign_in(client, representative)
    for n in range(2):
        assert _invite(client, organization, f"person{n}@example.jp").status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, organization, "third@example.jp")

    html = response.content.decode()
    assert response.status_code == 200
    assert limited() in html
    assert 'value="third@example.jp"' in html
    assert Invitation.objects.count() == 2
    assert mail.outbox == []
    # The organisation's contact person has a limit of their own.
    factories.sign_in(client, contact)
    assert _invite(client, organization, "third@example.jp").status_code == 302
    assert Invitation.objects.count() == 3


def test_one_address_is_invited_only_so_often_whoever_invites_it(
    client, organization, representative, other_organization, other_member, settings
):
    _limits(settings, "organizations.invite", email="1/h")
    factories.sign_in(client, representative)
    assert _invite(client, organization, "target@example.jp").status_code == 302

    factories.sign_in(client, other_member)
    response = _invite(client, other_organization, "TARGET@example.jp")

    assert response.status_code == 200
    assert limited() in response.content.decode()
    assert Invitation.objects.filter(organization=other_organization).count() == 0
    # Another address is not affected.
    assert _invite(client, other_organization, "someone@example.jp").status_code == 302
