"""The virus check of an application's documents, through the group's real upload form and the
permission-checked download, with a fake clamd (tests/clamav.py): a virus is refused next to
the field and never stored; while clamd is down a file is accepted but waits unserved until
`manage.py scan_uploads` finds it clean; a virus found then is never served."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from muroran_kyodo.lib.models import FileScan
from subsidies.models import Attachment, AttachmentType
from tests import clamav, factories
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

State = FileScan.State


@pytest.fixture(autouse=True)
def _the_fake_clamd(settings, fake_clamd):
    """The fake, even where CLAMD_ADDRESS names a real clamd (CI): these tests make it fail."""
    settings.CLAMD_ADDRESS = fake_clamd.address


CLEAN_PDF = clamav.pdf(b"BT /F1 12 Tf (plan) Tj ET")
VIRUS_REFUSED = (
    "A virus was found in this file, so it was not accepted. Check the file with your "
    "antivirus software, then choose a clean copy."
)
TOO_LONG = (
    "This file is too large to be checked for viruses. Make it smaller (for example, split it "
    "or lower the image resolution) and choose it again."
)
WAITING = "This file is waiting for the virus check"


def _ja(msgid: str) -> str:
    with override("ja"):
        return escape(gettext(msgid))


@pytest.fixture
def draft(programme, organization, member):
    return sf.make_application(
        programme=programme, organization=organization, applicant=member, attachments=False
    )


@pytest.fixture
def group(client, member):
    client.force_login(member)
    return client


def _upload(client, application, content, name="企画書.pdf"):
    return client.post(
        reverse("subsidies:application_documents", args=[application.pk]),
        {
            "type": AttachmentType.objects.get(code="plan").pk,
            "file": SimpleUploadedFile(name, content),
        },
    )


def _download(client, attachment):
    return client.get(reverse("subsidies:attachment", args=[attachment.pk]))


def _stored_files(settings) -> list:
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def test_a_clean_document_is_scanned_once_and_served(group, draft, fake_clamd):
    response = _upload(group, draft, CLEAN_PDF)
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    scan = FileScan.objects.get(name=attachment.file.name)
    assert scan.state == State.CLEAN
    assert scan.scanned_at is not None
    # The form's check scanned it; the storage remembered the verdict rather than scan again.
    assert fake_clamd.scanned == [CLEAN_PDF]
    download = _download(group, attachment)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CLEAN_PDF


def test_a_virus_is_refused_next_to_the_field_and_never_stored(group, draft, settings, caplog):
    with caplog.at_level(logging.WARNING, logger="muroran_kyodo.security"):
        response = _upload(group, draft, clamav.eicar_pdf(), name="ウイルス.pdf")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [gettext(VIRUS_REFUSED)]
    assert _ja(VIRUS_REFUSED) in response.content.decode()
    assert not Attachment.objects.filter(application=draft).exists()
    assert not FileScan.objects.exists()
    assert _stored_files(settings) == []
    events = [json.loads(r.getMessage()) for r in caplog.records]
    assert [e["event"] for e in events] == ["upload.virus_refused"]
    assert events[0]["detail"] == {"signature": "Eicar-Test-Signature", "file_name": "ウイルス.pdf"}


def test_the_japanese_message_of_a_virus(group, draft):
    response = _upload(group, draft, clamav.eicar_pdf())
    with override("ja"):
        message = gettext(VIRUS_REFUSED)
    assert message != VIRUS_REFUSED  # translated
    assert "ウイルス" in message
    assert escape(message) in response.content.decode()


def test_while_clamd_is_down_a_document_waits_then_is_served_once_clean(
    group, draft, settings, fake_clamd
):
    up = settings.CLAMD_ADDRESS
    settings.CLAMD_ADDRESS = clamav.closed_address()
    response = _upload(group, draft, CLEAN_PDF)
    assert response.status_code == 302  # the site keeps working
    attachment = Attachment.objects.get(application=draft)
    scan = FileScan.objects.get(name=attachment.file.name)
    assert scan.state == State.PENDING
    assert scan.note.startswith("not scanned: cannot connect to clamd")

    waiting = _download(group, attachment)
    assert waiting.status_code == 503
    assert waiting["Retry-After"] == "600"
    assert waiting["Content-Type"].startswith("text/html")
    assert _ja(WAITING) in waiting.content.decode()
    assert CLEAN_PDF not in waiting.content

    # clamd still down: the cron says so and fails; the file keeps waiting.
    with pytest.raises(CommandError, match="clamd could not scan"):
        call_command("scan_uploads", stdout=io.StringIO())
    assert FileScan.objects.get(pk=scan.pk).state == State.PENDING
    assert _download(group, attachment).status_code == 503

    settings.CLAMD_ADDRESS = up
    out = io.StringIO()
    call_command("scan_uploads", stdout=out)
    assert "1 file(s) clean, 0 infected, 0 still waiting" in out.getvalue()
    scan.refresh_from_db()
    assert (scan.state, scan.attempts) == (State.CLEAN, 3)
    download = _download(group, attachment)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CLEAN_PDF


def test_a_virus_found_by_the_cron_is_never_served(
    group, draft, settings, staff, django_capture_on_commit_callbacks, caplog
):
    settings.ADMINS = [("Portal admins", "security@city.muroran.example.jp")]
    up = settings.CLAMD_ADDRESS
    settings.CLAMD_ADDRESS = clamav.closed_address()
    assert _upload(group, draft, clamav.eicar_pdf()).status_code == 302
    attachment = Attachment.objects.get(application=draft)
    name = attachment.file.name

    settings.CLAMD_ADDRESS = up
    out = io.StringIO()
    with (
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING, logger="muroran_kyodo.security"),
    ):
        call_command("scan_uploads", stdout=out)
    assert f"INFECTED, moved to the quarantine: {name}" in out.getvalue()
    scan = FileScan.objects.get(name=name)
    assert (scan.state, scan.signature) == (State.INFECTED, "Eicar-Test-Signature")
    # Out of the storage, into the quarantine beside MEDIA_ROOT, readable by the owner only.
    assert not attachment.file.storage.exists(name)
    quarantined = list((settings.MEDIA_ROOT.parent / "media-quarantine").iterdir())
    assert [path.read_bytes() for path in quarantined] == [clamav.eicar_pdf()]
    assert quarantined[0].stat().st_mode & 0o777 == 0o600
    # The staff are told: an e-mail to ADMINS and a line of the audit log.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["security@city.muroran.example.jp"]
    assert name in mail.outbox[0].body
    assert "upload.virus_found" in caplog.text

    assert _download(group, attachment).status_code == 404
    factories.with_second_factor(group, staff)
    assert _download(group, attachment).status_code == 404
    # A second run finds nothing more to do and sends nothing.
    call_command("scan_uploads", stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_a_file_too_long_for_clamd_is_refused_saying_why(group, draft, fake_clamd):
    fake_clamd.behave("scan", stream_max=100)
    response = _upload(group, draft, CLEAN_PDF)
    assert response.status_code == 200
    assert _ja(TOO_LONG) in response.content.decode()
    assert not Attachment.objects.filter(application=draft).exists()


def test_the_cron_reports_files_too_long_for_clamd(group, draft, settings, fake_clamd):
    up = settings.CLAMD_ADDRESS
    settings.CLAMD_ADDRESS = clamav.closed_address()
    _upload(group, draft, CLEAN_PDF)
    settings.CLAMD_ADDRESS = up
    fake_clamd.behave("scan", stream_max=100)
    with pytest.raises(CommandError, match="StreamMaxLength"):
        call_command("scan_uploads", stdout=io.StringIO())
    scan = FileScan.objects.get()
    assert scan.state == State.PENDING
    assert scan.note.startswith("too long for clamd (StreamMaxLength)")


def test_staff_see_the_virus_check_in_the_admin(client, staff, draft, settings):
    settings.CLAMD_ADDRESS = clamav.closed_address()
    sf.attach(draft, "plan", content=CLEAN_PDF)
    factories.with_second_factor(client, staff)
    page = client.get(reverse("admin:subsidies_application_change", args=[draft.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert _ja("virus check") in html
    assert _ja("Waiting for the virus check") in html
