"""A Word (.docx) or Excel (.xlsx) file's archive, checked from its central directory before it
is accepted (`uploads.validate_document` calls `check_office`); nothing is ever extracted.

Refused: more entries than settings.UPLOAD_MAX_ARCHIVE_ENTRIES (2,000); more uncompressed
bytes in all than settings.UPLOAD_MAX_ARCHIVE_BYTES (100 MB); an entry over 1 MB compressed
more than settings.UPLOAD_MAX_COMPRESSION_RATIO (100:1) — a “zip bomb” —; an entry name that is
absolute, goes up (`..`), has a backslash, a drive letter or a NUL; an encrypted entry or a
compression Office does not use; macros (vbaProject.bin, a macro-enabled content type); an
archive or an OLE object inside (embedded files and objects: another archive, a .bin object).
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_MAX_ENTRIES = 2000
DEFAULT_MAX_ARCHIVE_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
_CONTENT_TYPES_READ = 1024 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")
_ARCHIVE_SUFFIXES = (
    ".zip",
    ".docx",
    ".docm",
    ".xlsx",
    ".xlsm",
    ".xlsb",
    ".pptx",
    ".pptm",
    ".jar",
    ".7z",
    ".rar",
    ".gz",
    ".cab",
)
# The first bytes of what an Office file must not carry inside: an archive (ZIP, 7-Zip, RAR,
# gzip, cabinet) or an OLE compound file (old Office files, embedded objects, macros).
_EMBEDDED_MAGIC = (
    b"PK\x03\x04",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!",
    b"\x1f\x8b",
    b"MSCF",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _unsafe_name(info: zipfile.ZipInfo) -> bool:
    # orig_filename is the name as stored; zipfile cuts `filename` at a NUL.
    name = info.orig_filename
    return (
        "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or bool(_DRIVE.match(name))
        or ".." in name.split("/")
    )


def check_office(file: IO[bytes]) -> None:
    """Refuse an Office archive that is too large once expanded, hides a bomb, an unsafe name,
    a password, macros or an embedded file (ValidationError saying what to do). The file's
    position is restored."""
    max_entries = getattr(settings, "UPLOAD_MAX_ARCHIVE_ENTRIES", DEFAULT_MAX_ENTRIES)
    max_bytes = getattr(settings, "UPLOAD_MAX_ARCHIVE_BYTES", DEFAULT_MAX_ARCHIVE_BYTES)
    max_ratio = getattr(settings, "UPLOAD_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO)
    position = file.tell()
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > max_entries:
                raise ValidationError(
                    _(
                        "The file has too many parts (at most %(count)s). Save it as PDF and "
                        "attach that."
                    )
                    % {"count": f"{max_entries:,}"},
                    code="archive_entries",
                )
            if sum(info.file_size for info in entries) > max_bytes:
                raise ValidationError(
                    _(
                        "The file expands to more than %(size)s MB when opened. Make it smaller "
                        "or save it as PDF, and attach that."
                    )
                    % {"size": _megabytes(max_bytes)},
                    code="archive_too_large",
                )
            for info in entries:
                _check_entry(archive, info, max_ratio)
            _check_content_types(archive)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError):
        raise ValidationError(
            _("The file is damaged and cannot be checked. Save it again and attach it."),
            code="archive_damaged",
        ) from None
    finally:
        file.seek(position)


def _check_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_ratio: int) -> None:
    if _unsafe_name(info):
        raise ValidationError(
            _(
                "The file contains a part with an unsafe name (%(name)s). Save it again from "
                "Word or Excel and attach it."
            )
            % {"name": info.orig_filename.replace("\x00", "\\0")[:80]},
            code="archive_unsafe_name",
        )
    if info.flag_bits & 0x1:
        raise ValidationError(
            _("The file is protected with a password. Attach a file without a password."),
            code="archive_encrypted",
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValidationError(
            _("The file is damaged and cannot be checked. Save it again and attach it."),
            code="archive_damaged",
        )
    if info.file_size > RATIO_CHECKED_FROM and info.file_size > max_ratio * max(
        info.compress_size, 1
    ):
        raise ValidationError(
            _(
                "The file contains a part compressed unusually strongly (a possible “zip "
                "bomb”). Save it as PDF and attach that."
            ),
            code="archive_ratio",
        )
    lowered = info.filename.lower()
    if lowered.rsplit("/", 1)[-1] == "vbaproject.bin":
        raise _macros()
    if info.is_dir() or info.file_size == 0:
        return
    with archive.open(info) as entry:
        head = entry.read(8)
    if lowered.endswith(_ARCHIVE_SUFFIXES) or head.startswith(_EMBEDDED_MAGIC):
        raise ValidationError(
            _(
                "The file contains an embedded file or object (%(name)s), which cannot be "
                "accepted. Remove it, or save the file as PDF, and attach that."
            )
            % {"name": info.filename[:80]},
            code="archive_embedded",
        )


def _check_content_types(archive: zipfile.ZipFile) -> None:
    try:
        with archive.open("[Content_Types].xml") as entry:
            types = entry.read(_CONTENT_TYPES_READ).lower()
    except KeyError:
        return
    if b"macroenabled" in types or b"vbaproject" in types:
        raise _macros()


def _macros() -> ValidationError:
    return ValidationError(
        _(
            "The file contains macros, which cannot be accepted. Save it as .docx or .xlsx "
            "without macros and attach it."
        ),
        code="archive_macros",
    )
