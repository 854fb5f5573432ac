# ruff: noqa: F811 (the fixtures imported from other test modules are the parameters)
"""An application's document when the upload storage is full or read-only: the refusal next to
the file field, no attachment recorded, no file."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from muroran_kyodo.lib.models import FileScan
from subsidies.models import Attachment
from tests.storage_faults import REFUSAL, storage_fails  # noqa: F401 (fixture)
from tests.subsidies import factories as sf
from tests.subsidies.test_virus_check import CLEAN_PDF, _stored_files, _upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_document_is_refused_next_to_the_field(
    programme,
    organization,
    member,
    storage_fails,
):
    draft = sf.make_application(
        programme=programme, organization=organization, applicant=member, attachments=False
    )
    client = Client(raise_request_exception=False)
    client.force_login(member)
    response = _upload(client, draft, CLEAN_PDF)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(REFUSAL in message for message in form.errors["file"])
    assert REFUSAL in response.content.decode()
    assert not Attachment.objects.exists()
    assert not FileScan.objects.exists()
    assert _stored_files(django_settings) == []
