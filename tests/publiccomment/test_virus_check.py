"""The virus check of a パブリックコメント case's documents: uploaded in the admin (a virus
refused on the inline's field), shown to staff with its state and no link that would bypass
the check, and the public download served only once the file is found clean."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from muroran_kyodo.lib.models import FileScan
from publiccomment.models import Case, Document
from tests import clamav
from tests.publiccomment.results import add_document
from tests.publiccomment.test_admin import _case_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

State = FileScan.State


@pytest.fixture(autouse=True)
def _the_fake_clamd(settings, fake_clamd):
    """The fake, even where CLAMD_ADDRESS names a real clamd (CI): these tests make it fail."""
    settings.CLAMD_ADDRESS = fake_clamd.address


def test_a_virus_uploaded_in_the_admin_is_refused_on_the_field(comment_staff_client, settings):
    infected = SimpleUploadedFile("案.pdf", clamav.eicar_pdf(), "application/pdf")
    response = comment_staff_client.post(
        reverse("admin:publiccomment_case_add"), _case_form(**{"documents-0-file": infected})
    )
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.errors
    assert "ウイルスが検出" in str(errors)
    assert not Case.objects.filter(title="室蘭市景観計画（案）").exists()
    assert not FileScan.objects.exists()


def test_staff_see_the_state_and_no_link_to_the_file(comment_staff_client, case, settings):
    settings.CLAMD_ADDRESS = clamav.closed_address()
    document = add_document(case)
    page = comment_staff_client.get(reverse("admin:publiccomment_case_change", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "ウイルス検査: ウイルス検査待ち（未検査）" in html
    file_name = document.file.name.rsplit("/", 1)[-1]
    assert file_name in html
    assert f'href="{document.file.name}"' not in html
    assert 'href="private/' not in html


def test_the_public_download_waits_for_the_check(client, case, settings):
    up = settings.CLAMD_ADDRESS
    settings.CLAMD_ADDRESS = clamav.closed_address()
    document = add_document(case)
    waiting = client.get(document.get_absolute_url())
    assert waiting.status_code == 503
    assert "このファイルはウイルス検査を待っています" in waiting.content.decode()

    settings.CLAMD_ADDRESS = up
    call_command("scan_uploads", stdout=io.StringIO())
    assert client.get(document.get_absolute_url()).status_code == 200


def test_an_infected_public_document_is_never_served(client, case, settings):
    up = settings.CLAMD_ADDRESS
    settings.CLAMD_ADDRESS = clamav.closed_address()
    document = Document.objects.create(
        case=case,
        kind=Document.Kind.DRAFT,
        title="計画（案）本文",
        file=SimpleUploadedFile("x.pdf", clamav.eicar_pdf()),
        original_name="計画.pdf",
        content_type="application/pdf",
        size=1,
    )
    settings.CLAMD_ADDRESS = up
    call_command("scan_uploads", stdout=io.StringIO())
    assert FileScan.objects.get(name=document.file.name).state == State.INFECTED
    response = client.get(document.get_absolute_url())
    assert response.status_code == 404
