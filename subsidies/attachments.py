"""What a document attached to an application may be: checked by content, extension and size
(`services.attachment_add` stores it under a private path).

Allowed: PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) — what groups make 企画書・予算書・名簿
with. The first bytes decide what a file is; the name must agree with them.
"""

from __future__ import annotations

import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from muroran_kyodo.lib.uploads import JPEG, PNG, detect_image_type

DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {
    ".pdf": PDF,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": PNG,
    ".docx": DOCX,
    ".xlsx": XLSX,
}
_OFFICE_PART = {DOCX: "word/", XLSX: "xl/"}


def document_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, 2)
        file.seek(position)
    return size


def _head_and_tail(file, length=1024) -> tuple[bytes, bytes]:
    position = file.tell()
    file.seek(0)
    head = file.read(16)
    file.seek(max(0, document_size(file) - length))
    tail = file.read()
    file.seek(position)
    return head, tail


def detect_document_type(file) -> str | None:
    head, tail = _head_and_tail(file)
    if head.startswith(b"%PDF-"):
        return PDF if b"%%EOF" in tail else None
    image = detect_image_type(file)
    if image:
        return image
    if head.startswith(b"PK\x03\x04"):
        position = file.tell()
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            file.seek(position)
        if "[Content_Types].xml" in names:
            for content_type, prefix in _OFFICE_PART.items():
                if any(name.startswith(prefix) for name in names):
                    return content_type
    return None


def validate_document(file, *, max_bytes: int | None = None) -> str:
    """Check an uploaded document and return its content type; ValidationError says what to do."""
    if max_bytes is None:
        max_bytes = getattr(settings, "UPLOAD_MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES)
    if document_size(file) > max_bytes:
        raise ValidationError(
            _("The file is too large: at most %(size)s MB.")
            % {"size": f"{max_bytes / (1024 * 1024):g}"},
            code="too_large",
        )
    if document_size(file) == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type = detect_document_type(file)
    if content_type is None:
        raise ValidationError(
            _("Attach a PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) file."), code="bad_type"
        )
    name = getattr(file, "name", "") or ""
    extension = os.path.splitext(name)[1].lower()
    if EXTENSIONS.get(extension) != content_type:
        expected = [ext for ext, kind in EXTENSIONS.items() if kind == content_type]
        raise ValidationError(
            _("The file's name does not match its content. Rename it to end in %(expected)s.")
            % {"expected": " / ".join(expected)},
            code="extension_mismatch",
        )
    return content_type
