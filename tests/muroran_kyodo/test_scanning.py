"""The virus check of stored files (muroran_kyodo/lib/scanning.py, lib/storage.py) with a fake
clamd: every file the storage stores gets its state, whatever stored it; only clean files are
served; scanning off is for the demo only; two cron runs at once scan each file once."""

from __future__ import annotations

import io
import threading

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import Http404
from django.test import RequestFactory

from muroran_kyodo.lib import scanning
from muroran_kyodo.lib.models import FileScan
from subsidies.models import Attachment
from tests import clamav

pytestmark = pytest.mark.django_db

State = FileScan.State


@pytest.fixture(autouse=True)
def _the_fake_clamd(settings, fake_clamd):
    """The fake, even where CLAMD_ADDRESS names a real clamd (CI): these tests make it fail."""
    settings.CLAMD_ADDRESS = fake_clamd.address


CLEAN = clamav.pdf(b"clean")


def _save(content: bytes, name: str = "private/test/doc.pdf") -> str:
    return default_storage.save(name, ContentFile(content))


def _refusal(name: str):
    field_file = Attachment(file=name).file
    return scanning.refusal(RequestFactory().get("/"), field_file)


def test_a_file_stored_without_the_form_check_is_scanned_by_the_storage(fake_clamd):
    name = _save(CLEAN)
    scan = FileScan.objects.get(name=name)
    assert (scan.state, scan.attempts) == (State.CLEAN, 1)
    assert fake_clamd.scanned == [CLEAN]
    assert _refusal(name) is None


def test_a_virus_stored_without_the_form_check_is_quarantined_at_once(
    settings, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("Portal admins", "security@city.muroran.example.jp")]
    with django_capture_on_commit_callbacks(execute=True):
        name = _save(clamav.eicar_pdf())
    scan = FileScan.objects.get(name=name)
    assert scan.state == State.INFECTED
    assert not default_storage.exists(name)
    assert len(list((settings.MEDIA_ROOT.parent / "media-quarantine").iterdir())) == 1
    assert len(mail.outbox) == 1
    assert "Eicar-Test-Signature" in mail.outbox[0].subject
    with pytest.raises(Http404):
        _refusal(name)


def test_clamd_down_at_save_leaves_the_file_pending_and_unserved(settings):
    settings.CLAMD_ADDRESS = clamav.closed_address()
    name = _save(CLEAN)
    scan = FileScan.objects.get(name=name)
    assert (scan.state, scan.attempts) == (State.PENDING, 1)
    response = _refusal(name)
    assert response.status_code == 503
    assert response["Retry-After"] == "600"
    assert "ウイルス検査を待っています" in response.content.decode()


def test_a_file_without_a_row_waits(fake_clamd):
    name = _save(CLEAN)
    FileScan.objects.filter(name=name).delete()  # stored before scanning began
    assert _refusal(name).status_code == 503


def test_a_pending_file_gone_from_the_storage_is_not_found(settings):
    settings.CLAMD_ADDRESS = clamav.closed_address()
    name = _save(CLEAN)
    default_storage.delete(name)
    with pytest.raises(Http404):
        _refusal(name)


def test_deleting_a_file_forgets_its_row_but_not_what_was_found():
    clean = _save(CLEAN)
    infected = _save(clamav.eicar_pdf())
    default_storage.delete(clean)
    default_storage.delete(infected)
    assert list(FileScan.objects.values_list("name", "state")) == [(infected, State.INFECTED)]


def test_uploads_have_no_public_url():
    with pytest.raises(ValueError, match="no public URL"):
        default_storage.url("private/test/doc.pdf")


def test_the_demo_without_a_scanner_records_unscanned_and_serves(settings):
    settings.CLAMD_ADDRESS = ""
    settings.DEBUG = True
    name = _save(clamav.eicar_pdf())  # nothing can tell
    assert FileScan.objects.get(name=name).state == State.UNSCANNED
    assert _refusal(name) is None
    # Turned to production without a scanner: nothing unscanned is served.
    settings.DEBUG = False
    assert _refusal(name).status_code == 503


def test_production_without_a_scanner_stores_files_pending(settings):
    settings.CLAMD_ADDRESS = ""
    name = _save(CLEAN)
    assert FileScan.objects.get(name=name).state == State.PENDING
    assert _refusal(name).status_code == 503
    with pytest.raises(CommandError, match="CLAMD_ADDRESS is empty"):
        call_command("scan_uploads", stdout=io.StringIO())


def test_the_cron_in_the_demo_without_a_scanner_records_files_unscanned(settings):
    from tests.subsidies import factories as sf

    settings.CLAMD_ADDRESS = ""
    settings.DEBUG = True
    attachment = _an_attachment(sf)
    FileScan.objects.all().delete()
    out = io.StringIO()
    call_command("scan_uploads", stdout=out)
    assert "Scanning is off" in out.getvalue()
    assert FileScan.objects.get(name=attachment.file.name).state == State.UNSCANNED


def test_the_cron_scans_files_of_every_model_stored_before_scanning_began(fake_clamd):
    from tests.subsidies import factories as sf

    attachment = _an_attachment(sf)
    FileScan.objects.all().delete()
    fake_clamd.scanned.clear()
    out = io.StringIO()
    call_command("scan_uploads", stdout=out)
    assert "1 file(s) clean, 0 infected, 0 still waiting (1 found without a record)" in (
        out.getvalue()
    )
    assert FileScan.objects.get(name=attachment.file.name).state == State.CLEAN
    assert fake_clamd.scanned == [CLEAN]


def test_the_cron_reports_a_file_missing_from_the_storage():
    name = _save(CLEAN)
    default_storage.delete(name)
    FileScan.objects.create(name=name)  # a row left behind
    err = io.StringIO()
    call_command("scan_uploads", stdout=io.StringIO(), stderr=err)
    assert f"Missing from the storage, not scanned: {name}" in err.getvalue()


def _an_attachment(sf):
    from tests import factories

    member = factories.make_user("scan-member@example.jp")
    organization = factories.make_organization(name="輪西の会", representative=member)
    application = sf.make_application(
        programme=sf.make_programme(),
        organization=organization,
        applicant=member,
        attachments=False,
    )
    return sf.attach(application, "plan", content=CLEAN)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="row locks (select_for_update skip_locked) need PostgreSQL: DATABASE_URL",
)
def test_two_runs_at_once_scan_each_file_once(settings, fake_clamd):
    up = settings.CLAMD_ADDRESS
    settings.CLAMD_ADDRESS = clamav.closed_address()
    names = [_save(clamav.pdf(b"file %d" % n), f"private/test/{n}.pdf") for n in range(8)]
    settings.CLAMD_ADDRESS = up
    fake_clamd.scanned.clear()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            call_command("scan_uploads", stdout=io.StringIO())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(FileScan.objects.values_list("state", flat=True)) == {State.CLEAN}
    assert FileScan.objects.filter(name__in=names, attempts=2).count() == 8  # down once, once up
    assert len(fake_clamd.scanned) == 8  # each file scanned by one run only


def test_superusers_list_the_virus_checks_read_only(client, staff):
    from django.urls import reverse

    from tests import factories

    infected = _save(clamav.eicar_pdf())
    admin_user = factories.make_user("admin@city.muroran.example.jp", superuser=True)
    factories.with_second_factor(client, admin_user)
    url = reverse("admin:muroran_kyodo_filescan_changelist")
    page = client.get(url, {"state__exact": "infected"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "ファイルのウイルス検査" in html
    assert infected in html
    assert "ウイルス検出（公開停止）" in html
    assert "Eicar-Test-Signature" in html
    scan = FileScan.objects.get(name=infected)
    assert client.get(reverse("admin:muroran_kyodo_filescan_add")).status_code == 403
    change = client.post(
        reverse("admin:muroran_kyodo_filescan_change", args=[scan.pk]), {"state": "clean"}
    )
    assert change.status_code == 403
    assert FileScan.objects.get(pk=scan.pk).state == State.INFECTED

    factories.with_second_factor(client, staff)  # a department's clerk: no such permission
    assert client.get(url).status_code == 403
