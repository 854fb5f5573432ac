"""An admin list's action posted with a selection that is no id of the model (text, a number
beyond the database's integers, a NUL) answers with the list and a message, never a server error,
and changes nothing (found by tests/fuzz: Django's admin filtered pk__in= with the raw values)."""

import pytest
from django.urls import reverse

from organizations.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(db):
    return factories.make_organization(name="御前水の会", status=Organization.Status.PENDING)


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999999", "1\x00"])
def test_an_action_on_a_selection_that_is_no_id_is_the_list_again(staff_client, pending, bad):
    url = reverse("admin:organizations_organization_changelist")

    response = staff_client.post(
        url,
        {"action": "verify", "_selected_action": [str(pending.pk), bad], "index": "0"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[0][0] == url
    messages = [str(m) for m in response.context["messages"]]
    assert any("選択" in m for m in messages), messages
    assert Organization.objects.get(pk=pending.pk).status == Organization.Status.PENDING


def test_an_action_on_a_proper_selection_still_runs(staff_client, pending):
    staff_client.post(
        reverse("admin:organizations_organization_changelist"),
        {"action": "verify", "_selected_action": [str(pending.pk)], "index": "0"},
    )

    assert Organization.objects.get(pk=pending.pk).status == Organization.Status.VERIFIED
