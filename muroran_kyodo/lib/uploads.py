"""Uploaded images and documents, for every app: check them by content, extension and size,
and serve private files only through a view that has already checked permission.

    content_type = validate_image(upload)  # in a form's clean_<field>
    return serve_private_file(request, report.photo, content_type=..., download_name="...")

The browser's declared content type and the file name are not trusted: the first bytes decide
what a file is, and the name must agree with them. Both checks end with the virus check
(`scanning.scan_upload`), and a file is served only once it is found clean.
"""

from __future__ import annotations

import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from . import scanning

DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024

JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A JPEG ends with the end-of-image marker FF D9; some cameras pad or append a little after it,
# so it is looked for in the last bytes rather than at the very end.
_JPEG_TAIL = 1024
_PNG_TAIL = 64


def detect_image_type(file: IO[bytes]) -> str | None:
    """The content type of a JPEG or PNG image, read from its first bytes; None for anything
    else. `file` is an open file or an UploadedFile; its position is restored."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    # The 8-byte signature, then the first chunk: length 13 and type IHDR.
    if head[:8] == _PNG_SIGNATURE and head[8:16] == b"\x00\x00\x00\x0dIHDR":
        return PNG
    return None


def _tail(file: IO[bytes], length: int) -> bytes:
    position = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(max(0, size - length))
    tail = file.read()
    file.seek(position)
    return tail


def _megabytes(limit: int) -> str:
    size = limit / (1024 * 1024)
    if size == int(size):
        return str(int(size))
    if size >= 0.1:
        return f"{size:.1f}"
    return f"{size:.6f}".rstrip("0").rstrip(".") or "0"


def validate_image(file: IO[bytes], *, max_bytes: int | None = None) -> str:
    """Check an uploaded photo and return its content type (image/jpeg or image/png).

    1. size: at most `max_bytes` (default settings.UPLOAD_MAX_IMAGE_BYTES, else 5 MiB);
    2. content: a JPEG (FF D8 FF … FF D9) or a PNG (signature, IHDR … IEND), so that a text file
       or a cut-off upload is refused whatever its name;
    3. the name ends in .jpg/.jpeg for a JPEG and .png for a PNG.
    Raises ValidationError with a message that says what to do.
    """
    if max_bytes is None:
        max_bytes = getattr(settings, "UPLOAD_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES)
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, 2)
        file.seek(position)
    if size > max_bytes:
        raise ValidationError(
            _("The photo is too large: at most %(size)s MB.") % {"size": _megabytes(max_bytes)},
            code="too_large",
        )

    content_type = detect_image_type(file)
    if content_type is None:
        raise ValidationError(_("The photo must be a JPEG or PNG image."), code="not_an_image")
    if content_type == JPEG and b"\xff\xd9" not in _tail(file, _JPEG_TAIL):
        raise ValidationError(
            _("The photo is incomplete (the file was cut off). Save it again and choose it again."),
            code="truncated",
        )
    if content_type == PNG and b"IEND" not in _tail(file, _PNG_TAIL):
        raise ValidationError(
            _("The photo is incomplete (the file was cut off). Save it again and choose it again."),
            code="truncated",
        )

    name = getattr(file, "name", "") or ""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ValidationError(_("The photo must be a JPEG or PNG image."), code="not_an_image")
    if EXTENSIONS[extension] != content_type:
        raise ValidationError(
            _(
                "The file's name ends in “%(extension)s” but it is a %(kind)s image. Rename it "
                "to end in %(expected)s and choose it again."
            )
            % {
                "extension": extension,
                "kind": "JPEG" if content_type == JPEG else "PNG",
                "expected": ".jpg" if content_type == JPEG else ".png",
            },
            code="extension_mismatch",
        )
    scanning.scan_upload(file)
    return content_type


def serve_private_file(
    request: HttpRequest, field_file: FieldFile, *, content_type: str, download_name: str
) -> FileResponse | HttpResponse:
    """A stored private file as a response, for a view that has checked permission.

    Only a file found clean by the virus check is opened (`scanning.refusal`): one not yet
    checked gives a page saying so (503), one found infected 404. The content type is the one detected from the content (never guessed from the name), and
    the headers keep browsers from sniffing it, caches from keeping it, and it from running
    anything. 404 when the field is empty or the file is gone from the storage.
    """
    name = field_file.name  # a FieldFile is true when it has a name: this only tells mypy
    if not field_file or not name:
        raise Http404
    refused = scanning.refusal(request, field_file)
    if refused is not None:
        return refused
    try:
        handle = field_file.storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=False, filename=download_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


# --- documents: PDF, images, Word and Excel ----------------------------------------------------

DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCUMENT_EXTENSIONS = {
    ".pdf": PDF,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": PNG,
    ".docx": DOCX,
    ".xlsx": XLSX,
}
_OFFICE_PART = {DOCX: "word/", XLSX: "xl/"}


def document_size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, 2)
        file.seek(position)
    return int(size)


def detect_document_type(file: IO[bytes]) -> str | None:
    """PDF (with its %%EOF), JPEG, PNG, Word (.docx) or Excel (.xlsx), read from the content;
    None for anything else. The file's position is restored."""
    position = file.tell()
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    if head.startswith(b"%PDF-"):
        return PDF if b"%%EOF" in _tail(file, 1024) else None
    image = detect_image_type(file)
    if image:
        return image
    if head.startswith(b"PK\x03\x04"):
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


def validate_document(file: IO[bytes], *, max_bytes: int | None = None) -> str:
    """Check an uploaded document (PDF, JPEG, PNG, .docx, .xlsx) by its size, its content and
    its name, and return its content type; ValidationError says what to do."""
    if max_bytes is None:
        max_bytes = getattr(settings, "UPLOAD_MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES)
    size = document_size(file)
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large: at most %(size)s MB.")
            % {"size": f"{max_bytes / (1024 * 1024):g}"},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type = detect_document_type(file)
    if content_type is None:
        raise ValidationError(
            _("Attach a PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) file."), code="bad_type"
        )
    name = getattr(file, "name", "") or ""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if DOCUMENT_EXTENSIONS.get(extension) != content_type:
        expected = [ext for ext, kind in DOCUMENT_EXTENSIONS.items() if kind == content_type]
        raise ValidationError(
            _("The file's name does not match its content. Rename it to end in %(expected)s.")
            % {"expected": " / ".join(expected)},
            code="extension_mismatch",
        )
    scanning.scan_upload(file)
    return content_type
