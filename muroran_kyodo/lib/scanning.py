"""Every uploaded file is checked by ClamAV (clamd, `lib.clamd`) before anyone opens it.

- At upload the form's check (`uploads.validate_image`, `uploads.validate_document`) ends with
  `scan_upload(file)`: a virus is refused next to the field and the file is never stored;
  when clamd cannot be reached the file is accepted and waits as pending.
- When a file is stored, the default storage (`lib.storage.ScannedFileSystemStorage`) calls
  `record_stored`: one `FileScan` row per storage name, clean when these bytes were just found
  clean (or are scanned now), pending otherwise. Every FileField of every app is covered, the
  admin's uploads included.
- `serve_private_file` (and every other download) asks `refusal(request, field_file)`: only a
  clean file is opened; pending (or no row at all: stored before scanning began) gives a page
  saying the file waits for the virus check; infected gives 404.
- `manage.py scan_uploads` (cron, every 10 minutes) scans what waits (`scan_waiting`).

Without CLAMD_ADDRESS scanning is off: allowed with DEBUG only (the demo), where files are
recorded "unscanned" and served; with DEBUG off they wait as pending and the deploy check
(muroran_kyodo.E010) refuses the configuration.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.mail import mail_admins
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import clamd
from .models import FileScan

State = FileScan.State
security_log = logging.getLogger("muroran_kyodo.security")
logger = logging.getLogger(__name__)

# How long a clean verdict on some bytes is remembered in this process, so that the storage
# does not scan again what the form's check has just scanned.
_REMEMBER_SECONDS = 15 * 60
_REMEMBER_MAX = 256
_recent_clean: OrderedDict[str, float] = OrderedDict()
_recent_lock = threading.Lock()


# --- settings ----------------------------------------------------------------------------------


def address() -> str:
    return str(getattr(settings, "CLAMD_ADDRESS", "") or "")


def timeout() -> float:
    return float(getattr(settings, "CLAMD_TIMEOUT", 10))


def scanning_off_allowed() -> bool:
    """Scanning is off (no CLAMD_ADDRESS) and that is allowed: DEBUG only."""
    return not address() and bool(settings.DEBUG)


def quarantine_root() -> Path:
    """Where infected files go: UPLOAD_QUARANTINE_ROOT, else `<MEDIA_ROOT>-quarantine` beside
    MEDIA_ROOT (outside every storage name)."""
    configured = str(getattr(settings, "UPLOAD_QUARANTINE_ROOT", "") or "")
    if configured:
        return Path(configured)
    media = Path(settings.MEDIA_ROOT)
    return media.with_name(media.name + "-quarantine")


# --- at upload ---------------------------------------------------------------------------------


def digest(file: IO[bytes]) -> str:
    """The SHA-256 of the whole file; its position is restored."""
    position = file.tell()
    file.seek(0)
    sha = hashlib.sha256()
    while chunk := file.read(clamd.CHUNK_BYTES):
        sha.update(chunk)
    file.seek(position)
    return sha.hexdigest()


def _remember_clean(key: str) -> None:
    with _recent_lock:
        _recent_clean[key] = time.monotonic()
        _recent_clean.move_to_end(key)
        while len(_recent_clean) > _REMEMBER_MAX:
            _recent_clean.popitem(last=False)


def forget_verdicts() -> None:
    """Forget the clean verdicts remembered (tests: each starts with none)."""
    with _recent_lock:
        _recent_clean.clear()


def _recently_clean(key: str) -> bool:
    with _recent_lock:
        at = _recent_clean.get(key)
        return at is not None and time.monotonic() - at < _REMEMBER_SECONDS


def security_event(event: str, **detail: Any) -> None:
    """One line of the audit log (logger "muroran_kyodo.security", the shape of
    accounts.security_events; the shared layer may not import accounts, and a form's check
    has no request)."""
    security_log.warning(
        json.dumps(
            {"event": event, "at": timezone.now().isoformat(), "detail": detail},
            ensure_ascii=False,
            default=str,
        )
    )


def scan_upload(file: IO[bytes]) -> None:
    """Scan an upload in a form's check. Raises ValidationError when clamd finds a virus (the
    file is then never stored) or refuses the file as too long to check; returns quietly when
    the file is clean, when scanning is off, and when clamd cannot be reached (the file is
    then stored as pending and `scan_uploads` checks it later)."""
    if not address():
        return
    name = os.path.basename(getattr(file, "name", "") or "")
    try:
        verdict = clamd.scan(file, address=address(), timeout=timeout())
    except clamd.ClamdSizeLimit as error:
        logger.error("clamd refused an upload as too long (StreamMaxLength): %s", error)
        raise ValidationError(
            _(
                "This file is too large to be checked for viruses. Make it smaller (for "
                "example, split it or lower the image resolution) and choose it again."
            ),
            code="too_large_to_scan",
        ) from error
    except clamd.ClamdUnavailable as error:
        logger.warning("upload accepted unscanned, it waits as pending: %s", error)
        return
    if verdict.infected:
        security_event("upload.virus_refused", signature=verdict.signature, file_name=name)
        raise ValidationError(
            _(
                "A virus was found in this file, so it was not accepted. Check the file with "
                "your antivirus software, then choose a clean copy."
            ),
            code="infected",
        )
    _remember_clean(digest(file))


# --- when a file is stored ---------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What is known of a file about to be stored."""

    state: str
    signature: str = ""
    note: str = ""
    attempts: int = 0
    scanned: bool = False


def check_before_storing(content: IO[bytes]) -> Finding:
    """Before a file is stored: clean when these bytes were found clean moments ago (by the
    form's check), else scanned now; pending when clamd cannot be reached or refuses it;
    unscanned when scanning is off in the demo (pending when it is off in production)."""
    if not address():
        state = State.UNSCANNED if settings.DEBUG else State.PENDING
        return Finding(state, note="scanning is off (CLAMD_ADDRESS is empty)")
    if _recently_clean(digest(content)):
        return Finding(State.CLEAN, scanned=True)
    try:
        verdict = clamd.scan(content, address=address(), timeout=timeout())
    except clamd.ClamdError as error:
        return Finding(State.PENDING, note=_note(error), attempts=1)
    if verdict.infected:
        return Finding(State.INFECTED, signature=verdict.signature[:200], attempts=1, scanned=True)
    return Finding(State.CLEAN, attempts=1, scanned=True)


def record_stored(storage: Storage, name: str, finding: Finding) -> None:
    """Record the state of a file just stored under `name`; an infected one is moved to the
    quarantine at once and the staff are told once the transaction commits."""
    FileScan.objects.update_or_create(
        name=name,
        defaults={
            "state": finding.state,
            "signature": finding.signature,
            "note": finding.note,
            "attempts": finding.attempts,
            "scanned_at": timezone.now() if finding.scanned else None,
            "stored_at": timezone.now(),
        },
    )
    if finding.state == State.INFECTED:
        place, problem = _quarantined(storage, name)
        transaction.on_commit(lambda: alert_infected(name, finding.signature, place, problem))


def _note(error: Exception) -> str:
    if isinstance(error, clamd.ClamdSizeLimit):
        return f"too long for clamd (StreamMaxLength): {error}"[:300]
    return f"not scanned: {error}"[:300]


def forget(name: str) -> None:
    """A file deleted from the storage: its row goes, except an infected one (the record of
    what was found)."""
    FileScan.objects.filter(name=name).exclude(state=State.INFECTED).delete()


def quarantine(storage: Storage, name: str) -> Path | None:
    """Move a stored file out of the storage into the quarantine directory (mode 0600), where
    nothing serves it; None when it was already gone."""
    root = quarantine_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = root / f"{timezone.now():%Y%m%d-%H%M%S}-{name.replace('/', '__')}"
    try:
        source = storage.open(name, "rb")
    except FileNotFoundError:
        return None
    # Created 0600 and never over another: nobody but the portal's user reads it.
    try:
        with (
            source,
            os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out,
        ):
            shutil.copyfileobj(source, out)
    except OSError:
        target.unlink(missing_ok=True)  # no half copy left behind (a full disk)
        raise
    storage.delete(name)
    return target


def _quarantined(storage: Storage, name: str) -> tuple[Path | None, str]:
    """`quarantine`, and what went wrong when the quarantine could not take the file (full,
    read-only): the file then stays in the storage, recorded infected, so never served; the
    staff's alert says it must be moved by hand. The scan run goes on."""
    try:
        return quarantine(storage, name), ""
    except OSError as error:
        logger.warning("infected file %s not moved to the quarantine: %s", name, error)
        return None, f"{type(error).__name__}: {error}"


def alert_infected(name: str, signature: str, place: Path | None, problem: str = "") -> None:
    """Tell the staff: a line in the audit log and an e-mail to ADMINS (ADMIN_EMAILS)."""
    security_event(
        "upload.virus_found",
        name=name,
        signature=signature,
        quarantined=str(place or ""),
        **({"not_moved": problem} if problem else {}),
    )
    if problem:
        where = (
            f"NOT MOVED ({problem}). The file is still in the storage, refused to everyone; "
            f"move it out by hand (into {quarantine_root()})."
        )
    else:
        where = str(place or "(the file was already gone)")
    mail_admins(
        f"Virus found in an uploaded file: {signature}",
        "\n".join(
            [
                "ClamAV found a virus in a stored upload. It is no longer served and was moved "
                "out of the storage."
                if not problem
                else "ClamAV found a virus in a stored upload. It is no longer served.",
                "",
                f"File (storage name): {name}",
                f"Signature: {signature}",
                f"Quarantined at: {where}",
                "",
                "Find the record that holds this file (the admin's list of virus checks of "
                "files shows every file found infected) and contact whoever uploaded it.",
            ]
        ),
        fail_silently=True,
    )


# --- when a file is served ---------------------------------------------------------------------


def state_of(name: str) -> str:
    """The file's state; pending when it has no row (stored before scanning began)."""
    state = FileScan.objects.filter(name=name).values_list("state", flat=True).first()
    return str(state) if state is not None else State.PENDING


def servable(state: str) -> bool:
    if state == State.CLEAN:
        return True
    if state == State.INFECTED:
        return False
    # Unscanned files, and in the demo without a scanner the files that nothing will scan.
    return scanning_off_allowed()


RETRY_AFTER_SECONDS = 600


def refusal(request: HttpRequest, field_file: FieldFile) -> HttpResponse | None:
    """None when the file may be opened; otherwise the response to give instead: 404 for a
    file found infected (nothing about it is told), and for a file not yet checked a page
    (503, Retry-After) saying it waits for the virus check."""
    state = state_of(field_file.name or "")
    if servable(state):
        return None
    if state == State.INFECTED or not field_file.storage.exists(field_file.name or ""):
        raise Http404
    response = render(request, "uploads/scan_pending.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "private, no-store"
    return response


def state_label(field_file: FieldFile | None) -> str:
    """The state in words, for the staff (admin)."""
    if not field_file or not field_file.name:
        return ""
    state = state_of(field_file.name)
    if state == State.UNSCANNED and not settings.DEBUG:
        state = State.PENDING
    return str(State(state).label)


# --- the cron: manage.py scan_uploads ----------------------------------------------------------


class ScanningNotConfigured(Exception):
    """CLAMD_ADDRESS is empty and DEBUG is off."""


@dataclass
class ScanRun:
    added: int = 0
    clean: int = 0
    infected: list[str] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unavailable: str = ""
    waiting: int = 0


def file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, model_field.name)
        for model in apps.get_models()
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.FileField)
    ]


def add_missing_rows(state: str = State.PENDING) -> int:
    """A row for every stored file of every FileField that has none (stored before scanning
    began, or its row lost); returns how many were added."""
    added = 0
    known = FileScan.objects.values("name")
    for model, name in file_fields():
        names = (
            model._base_manager.exclude(**{name: ""})
            .exclude(**{f"{name}__isnull": True})
            .exclude(**{f"{name}__in": known})
            .values_list(name, flat=True)
            .distinct()
        )
        rows = [FileScan(name=value, state=state) for value in names.iterator()]
        created = FileScan.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        added += len(created)
    return added


def scan_waiting(storage: Storage) -> ScanRun:
    """Scan every file waiting (pending, unscanned, no row), one row at a time under its row
    lock (skip_locked: a second run at the same time takes other rows), written with a
    compare-and-set so that on SQLite, where rows are not locked, a file is handled once.
    Stops at the first sign of clamd being down; the files stay pending."""
    run = ScanRun()
    if not address():
        if not settings.DEBUG:
            raise ScanningNotConfigured("CLAMD_ADDRESS is empty: nothing can be scanned.")
        run.added = add_missing_rows(State.UNSCANNED)
        return run
    run.added = add_missing_rows()
    waiting = [State.PENDING, State.UNSCANNED]
    last_pk = 0
    while True:
        with transaction.atomic():
            row = (
                FileScan.objects.select_for_update(skip_locked=True)
                .filter(state__in=waiting, pk__gt=last_pk)
                .order_by("pk")
                .first()
            )
            if row is None:
                break
            last_pk = row.pk
            if not _scan_row(storage, row, run):
                break
    run.waiting = FileScan.objects.filter(state__in=waiting).count()
    return run


def _scan_row(storage: Storage, row: FileScan, run: ScanRun) -> bool:
    """Scan one row's file; False when clamd is down (stop the run)."""
    current = FileScan.objects.filter(pk=row.pk, state=row.state)
    now = timezone.now()
    try:
        with storage.open(row.name, "rb") as handle:
            verdict = clamd.scan(handle, address=address(), timeout=timeout())
    except FileNotFoundError:
        current.update(note="the file is missing from the storage", attempts=row.attempts + 1)
        run.missing.append(row.name)
        return True
    except clamd.ClamdSizeLimit as error:
        current.update(note=_note(error), attempts=row.attempts + 1)
        run.too_long.append(row.name)
        return True
    except clamd.ClamdUnavailable as error:
        current.update(note=_note(error), attempts=row.attempts + 1)
        run.unavailable = str(error)
        return False
    if verdict.infected:
        changed = current.update(
            state=State.INFECTED,
            signature=verdict.signature[:200],
            scanned_at=now,
            note="",
            attempts=row.attempts + 1,
        )
        if changed:
            place, problem = _quarantined(storage, row.name)
            name, signature = row.name, verdict.signature
            transaction.on_commit(lambda: alert_infected(name, signature, place, problem))
            run.infected.append(row.name)
        return True
    if current.update(state=State.CLEAN, scanned_at=now, note="", attempts=row.attempts + 1):
        run.clean += 1
    return True
