"""An admin form with an autocomplete field, posted with a value that is no id (text, a number
beyond the database's integers, a NUL), comes back with the field's error, never a server error,
and saves nothing (found by tests/fuzz: Django's widget looked the value up as it was)."""

import pytest
from django.urls import reverse

from subsidies.models import ReviewAssignment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bad", ["abc", "1.5", "99999999999999999999999", "1\x00"])
def test_an_autocomplete_value_that_is_no_id_is_a_form_error(staff_client, bad):
    before = ReviewAssignment.objects.count()

    response = staff_client.post(
        reverse("admin:subsidies_reviewassignment_add"), {"application": bad, "reviewer": bad}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert ReviewAssignment.objects.count() == before
