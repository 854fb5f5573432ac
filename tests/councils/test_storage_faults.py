# ruff: noqa: F811 (the fixtures imported from other test modules are the parameters)
"""A staff upload in the admin when the upload storage is full or read-only: the 503 page saying
the file was not saved, and nothing of the form recorded (the admin's transaction)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from councils.models import Council
from tests.councils import factories as cf
from tests.councils.test_admin_councils import _change_data, _url
from tests.storage_faults import PAGE, storage_fails  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_an_admin_upload_gives_the_503_page_and_records_nothing(staff_client, storage_fails):
    council = cf.make_council(title="基本計画の協議会")
    page = staff_client.get(_url("change", council.pk))
    data = _change_data(
        page,
        title="名前を変えた協議会",
        **{
            "materials-TOTAL_FORMS": 1,
            "materials-0-title": "基本計画（素案）",
            "materials-0-file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
            "materials-0-position": 1,
        },
    )
    staff_client.raise_request_exception = False
    response = staff_client.post(_url("change", council.pk), data)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert PAGE in response.content.decode()
    assert "何も記録されていません" in response.content.decode()
    council.refresh_from_db()
    assert council.title == "基本計画の協議会"
    assert not council.materials.exists()
    assert Council.objects.count() == 1
