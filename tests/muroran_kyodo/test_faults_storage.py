# ruff: noqa: F811 (the fixtures imported from other test modules are the parameters)
"""The upload storage full or read-only (lib/storage.py): a save is `StorageUnavailable` with
its message and leaves no scan row; the quarantine full: an infected file stays refused to
everyone, the staff are told to move it, no half copy is left, the scan run goes on."""

from __future__ import annotations

import errno
import logging

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import RequestFactory

from muroran_kyodo.lib import scanning
from muroran_kyodo.lib.faults import StorageUnavailable
from muroran_kyodo.lib.models import FileScan
from subsidies.models import Attachment
from tests import clamav
from tests.storage_faults import storage_fails  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

State = FileScan.State


@pytest.fixture(autouse=True)
def _the_fake_clamd(settings, fake_clamd):
    settings.CLAMD_ADDRESS = fake_clamd.address


def test_a_save_the_storage_refuses_is_storage_unavailable(storage_fails, caplog):
    with caplog.at_level(logging.WARNING), pytest.raises(StorageUnavailable) as refused:
        default_storage.save("private/test/doc.pdf", ContentFile(clamav.pdf(b"clean")))
    assert refused.value.os_error.errno == storage_fails.errno
    assert refused.value.code == "storage_unavailable"
    assert "何も記録されていません" in refused.value.messages[0]
    assert not FileScan.objects.exists()
    lines = [r for r in caplog.records if r.name == "muroran_kyodo.lib.storage"]
    assert len(lines) == 1 and lines[0].exc_info is None


def test_a_full_quarantine_leaves_the_virus_refused_and_tells_the_staff(
    settings, monkeypatch, fake_clamd, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("Portal admins", "security@city.muroran.example.jp")]
    settings.CLAMD_ADDRESS = clamav.closed_address()  # stored while clamd is down: pending
    virus = default_storage.save("private/test/virus.pdf", ContentFile(clamav.eicar_pdf()))
    clean = default_storage.save("private/test/clean.pdf", ContentFile(clamav.pdf(b"ok")))
    settings.CLAMD_ADDRESS = fake_clamd.address

    def full(source, out):
        out.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scanning.shutil, "copyfileobj", full)
    with django_capture_on_commit_callbacks(execute=True):
        run = scanning.scan_waiting(default_storage)
    assert run.infected == [virus] and run.clean == 1  # the run went on to the clean file
    assert FileScan.objects.get(name=virus).state == State.INFECTED
    assert FileScan.objects.get(name=clean).state == State.CLEAN
    assert default_storage.exists(virus)  # not moved ...
    with pytest.raises(Http404):  # ... and never served
        scanning.refusal(RequestFactory().get("/"), Attachment(file=virus).file)
    quarantine = scanning.quarantine_root()
    assert not quarantine.exists() or not list(quarantine.iterdir())  # no half copy
    assert len(mail.outbox) == 1
    assert "NOT MOVED" in mail.outbox[0].body and "No space left" in mail.outbox[0].body
