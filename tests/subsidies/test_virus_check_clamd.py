"""The virus check against the real ClamAV daemon (Debian's clamd with the EICAR test
signatures, tests/clamav.py): CI starts one and sets CLAMD_ADDRESS and REQUIRE_CLAMD=1; without
it these tests start their own when clamd is installed, else they are skipped (CI fails).

The EICAR text travels inside a small valid PDF, so that it passes the content checks as a real
upload does; clamd finds it by the body signature (`.ndb`) of the test database."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from muroran_kyodo.lib import clamd
from muroran_kyodo.lib.models import FileScan
from subsidies.models import Attachment, AttachmentType
from tests import clamav
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

State = FileScan.State
CLEAN_PDF = clamav.pdf(b"BT /F1 12 Tf (plan) Tj ET")


@pytest.fixture
def real(settings, real_clamd):
    settings.CLAMD_ADDRESS = real_clamd
    return real_clamd


@pytest.fixture
def draft(programme, organization, member):
    return sf.make_application(
        programme=programme, organization=organization, applicant=member, attachments=False
    )


@pytest.fixture
def group(client, member):
    client.force_login(member)
    return client


def _upload(client, application, content):
    return client.post(
        reverse("subsidies:application_documents", args=[application.pk]),
        {
            "type": AttachmentType.objects.get(code="plan").pk,
            "file": SimpleUploadedFile("企画書.pdf", content),
        },
    )


def _download(client, attachment):
    return client.get(reverse("subsidies:attachment", args=[attachment.pk]))


def test_clamd_finds_the_test_signatures(real):
    assert clamd.ping(real)
    found = clamd.scan(io.BytesIO(clamav.EICAR), address=real, timeout=10)
    assert found.infected
    assert found.signature.startswith("Eicar-Test-Signature")
    assert clamd.scan(io.BytesIO(clamav.eicar_pdf()), address=real, timeout=10).infected
    assert not clamd.scan(io.BytesIO(CLEAN_PDF), address=real, timeout=10).infected


def test_a_virus_in_a_pdf_is_refused_by_the_form(real, group, draft):
    response = _upload(group, draft, clamav.eicar_pdf())
    assert response.status_code == 200
    assert "ウイルスが検出されたため" in response.content.decode()
    assert not Attachment.objects.filter(application=draft).exists()
    assert not FileScan.objects.exists()


def test_a_clean_pdf_is_accepted_and_served(real, group, draft):
    assert _upload(group, draft, CLEAN_PDF).status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert FileScan.objects.get(name=attachment.file.name).state == State.CLEAN
    assert b"".join(_download(group, attachment).streaming_content) == CLEAN_PDF


def test_accepted_while_clamd_was_down_then_scanned(real, group, draft, settings):
    settings.CLAMD_ADDRESS = clamav.closed_address()
    assert _upload(group, draft, CLEAN_PDF).status_code == 302
    assert _upload(group, draft, clamav.eicar_pdf()).status_code == 302
    clean, infected = Attachment.objects.filter(application=draft).order_by("pk")
    assert _download(group, clean).status_code == 503
    assert _download(group, infected).status_code == 503

    settings.CLAMD_ADDRESS = real
    out = io.StringIO()
    call_command("scan_uploads", stdout=out)
    assert "1 file(s) clean, 1 infected, 0 still waiting" in out.getvalue()
    assert b"".join(_download(group, clean).streaming_content) == CLEAN_PDF
    assert _download(group, infected).status_code == 404
    scan = FileScan.objects.get(name=infected.file.name)
    assert scan.state == State.INFECTED
    assert scan.signature.startswith("Eicar-Test-Signature")
    assert not infected.file.storage.exists(infected.file.name)
