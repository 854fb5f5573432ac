"""A record chosen by an id beyond the database's integers is a choice that does not exist, not a
server error (muroran_kyodo/apps.py; found by tests/fuzz on SQLite, where Django's lookup raised
OverflowError)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.urls import reverse

from subsidies.models import Programme
from tests import factories

pytestmark = pytest.mark.django_db

BEYOND = "9" * 30


class Choices(forms.Form):
    one = forms.ModelChoiceField(queryset=Group.objects.all())
    many = forms.ModelMultipleChoiceField(queryset=Group.objects.all())


def test_a_form_says_the_choice_is_not_available():
    form = Choices({"one": BEYOND, "many": [BEYOND]})
    assert not form.is_valid()
    assert form.errors.as_data()["one"][0].code == "invalid_choice"
    assert form.errors.as_data()["many"][0].code == "invalid_choice"


def test_the_admin_programme_form_comes_back_with_the_error(client):
    superuser = factories.make_user("root@example.jp", staff=True, superuser=True)
    factories.with_second_factor(client, superuser)
    client.raise_request_exception = True
    response = client.post(
        reverse("admin:subsidies_programme_add"),
        {
            "title": "補助金",
            "eligible_actor_types": [BEYOND],
            "required_attachment_types": [BEYOND],
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert errors["eligible_actor_types"][0].code == "invalid_choice"
    assert not Programme.objects.exists()
