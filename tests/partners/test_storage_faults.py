# ruff: noqa: F811 (the fixtures imported from other test modules are the parameters)
"""A report's photo when the upload storage is full or read-only: the form again with a clear
message and what was typed, no report saved, no file."""

from __future__ import annotations

from django.test import Client

from partners.models import ActivityReport
from tests.partners.test_reports import (  # noqa: F401 (fixtures)
    _media,
    form_data,
    new_url,
    place,
    png,
    registration,
    stored_files,
)
from tests.storage_faults import REFUSAL, storage_fails  # noqa: F401 (fixture)


def test_a_report_photo_is_refused_on_the_form(
    resident, registration, place, _media, storage_fails
):
    client = Client(raise_request_exception=False)
    client.force_login(resident)
    data = {**form_data(place), "notes": "ベンチの下のごみも拾いました。", "photo": png()}
    response = client.post(new_url(registration), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSAL in page
    assert "ベンチの下のごみも拾いました。" in page  # what was typed is kept
    assert not ActivityReport.objects.exists()
    assert stored_files(_media) == []
