"""Uploaded images and documents, for every app: check them by content, extension and size,
store what is safe to store, and serve private files only through a view that has already
checked permission.

    photo = clean_image(upload)  # in a form's clean_<field>: the re-encoded photo is stored
    file, content_type = clean_document(upload)  # a document (an image in it re-encoded)
    return serve_private_file(request, report.photo, content_type=..., download_name="...")

The browser's declared content type and the file name are not trusted: the first bytes decide
what a file is, and the name must agree with them. Images are decoded under a pixel limit and
re-encoded (pixels only); PDFs are searched for active content (`uploads_pdf`), Office files'
archives checked before anything in them is read (`uploads_office`).

`validate_image` and `validate_document` are the checks, each ending with the content type
found; `clean_image` and `clean_document` call them, then give what is stored. Both checks
end with the virus check (`scanning.scan_upload`), and a file is served only once it is found
clean.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

from . import scanning
from .uploads_office import check_office
from .uploads_pdf import check_pdf

DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024

JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def _extension(file: IO[bytes]) -> str:
    name = getattr(file, "name", "") or ""
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def validate_image(file: IO[bytes], *, max_bytes: int | None = None) -> str:
    """Check an uploaded photo and return its content type (image/jpeg or image/png).

    1. size: at most `max_bytes` (default settings.UPLOAD_MAX_IMAGE_BYTES, else 5 MiB);
    2. content: a JPEG or a PNG by its first bytes, whatever its name;
    3. the name ends in .jpg/.jpeg for a JPEG and .png for a PNG;
    4. the image itself (`check_image_content`): its size in pixels from the header, then the
       whole picture decoded, so that a cut-off or damaged file is refused.
    Raises ValidationError with a message that says what to do. What is stored is not this
    file but `clean_image`'s re-encoding of it.
    """
    if max_bytes is None:
        max_bytes = getattr(settings, "UPLOAD_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES)
    if document_size(file) > max_bytes:
        raise ValidationError(
            _("The photo is too large: at most %(size)s MB.") % {"size": _megabytes(max_bytes)},
            code="too_large",
        )

    content_type = detect_image_type(file)
    extension = _extension(file)
    if content_type is None or extension not in EXTENSIONS:
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
    check_image_content(file, content_type)
    scanning.scan_upload(file)
    return content_type


def clean_image(upload: IO[bytes], *, max_bytes: int | None = None) -> UploadedFile:
    """`validate_image`, then the photo re-encoded: what a form stores instead of the upload.

    A new in-memory upload with the same name (its base name) and the content type found. The
    re-encoding keeps the pixels only: the EXIF orientation is applied to them, a colour
    profile is converted to sRGB, and every piece of metadata is dropped (EXIF with GPS, XMP,
    comments, PNG text chunks, the ICC profile itself) together with anything hidden in or
    after the image (an HTML/JPEG or HTML/PNG polyglot comes out a plain image)."""
    content_type = validate_image(upload, max_bytes=max_bytes)
    return reencode_image(upload, content_type)


# --- the image itself: decoded under a pixel limit, re-encoded -----------------------------------

DEFAULT_MAX_IMAGE_PIXELS = 40_000_000


def _image_error(code: str, **params: Any) -> ValidationError:
    if code == "too_many_pixels":
        message = _(
            "The image is too large in pixels (%(width)s×%(height)s): at most %(pixels)s pixels "
            "in all. Make it smaller and choose it again."
        ) % {
            "width": params.get("width", "?"),
            "height": params.get("height", "?"),
            "pixels": f"{params['limit']:,}",
        }
    elif code == "truncated":
        message = _(
            "The image is incomplete (the file was cut off). Save it again and choose it again."
        )
    else:
        message = _(
            "The image could not be read. Save it again as JPEG or PNG and choose it again."
        )
    return ValidationError(message, code=code)


def _png_ends(file: IO[bytes]) -> bool:
    """Whether the PNG's chunks, walked by their lengths, reach IEND before the file ends
    (Pillow decodes a PNG cut off after its pixel data without a word)."""
    file.seek(8)
    while True:
        header = file.read(8)
        if len(header) < 8:
            return False
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND":
            return True
        # The chunk's data and its CRC: a seek past the end shows up as a short next header.
        file.seek(length + 4, 1)


# JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic): they carry the size.
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _declared_size(file: IO[bytes], content_type: str) -> tuple[int, int] | None:
    """Width and height as the header declares them, read without decoding anything (PNG:
    IHDR; JPEG: the first start-of-frame segment); None when the header does not say."""
    file.seek(0)
    if content_type == PNG:
        header = file.read(24)
        return struct.unpack(">II", header[16:24]) if len(header) == 24 else None
    file.seek(2)
    while True:
        marker = file.read(2)
        while marker[:1] == b"\xff" and marker[1:2] == b"\xff":  # fill bytes
            marker = marker[1:] + file.read(1)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        if marker[1] in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            continue
        length_bytes = file.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if marker[1] in _JPEG_FRAMES:
            frame = file.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return width, height
        if marker[1] in (0xD9, 0xDA) or length < 2:  # end of image, start of scan
            return None
        file.seek(length - 2, 1)


def _open_image(file: IO[bytes], content_type: str) -> Image.Image:
    """The image decoded, its size in pixels checked from the header before any pixel is
    decoded. Every failure of the decoder (Pillow raises many kinds) becomes a refusal."""
    limit = getattr(settings, "UPLOAD_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    declared = _declared_size(file, content_type)
    if declared and declared[0] * declared[1] > limit:
        raise _image_error("too_many_pixels", width=declared[0], height=declared[1], limit=limit)
    file.seek(0)
    if content_type == PNG and not _png_ends(file):
        raise _image_error("truncated")
    file.seek(0)
    # Pillow reads a copy: closing an image may close the file it was given.
    data = file.read()
    file.seek(0)

    def failed(error: Exception) -> ValidationError:
        # A JPEG without its end-of-image marker was cut off; Pillow says so for the rest.
        cut = "truncated" in str(error) or (content_type == JPEG and b"\xff\xd9" not in data)
        return _image_error("truncated" if cut else "undecodable")

    try:
        image = Image.open(io.BytesIO(data), formats=["JPEG" if content_type == JPEG else "PNG"])
    except Image.DecompressionBombError:
        raise _image_error("too_many_pixels", limit=limit) from None
    except Exception as error:  # any decoder failure is a file we cannot read
        raise failed(error) from None
    width, height = image.size
    if width * height > limit:
        image.close()
        raise _image_error("too_many_pixels", width=width, height=height, limit=limit)
    try:
        image.load()
    except Exception as error:
        image.close()
        raise failed(error) from None
    return image


def check_image_content(file: IO[bytes], content_type: str) -> None:
    """Refuse an image too large in pixels, cut off or that does not decode. The file's
    position is left at the start."""
    try:
        _open_image(file, content_type).close()
    finally:
        file.seek(0)


def _to_srgb(image: Image.Image) -> Image.Image:
    """The pixels in sRGB when the image carries a colour profile (a phone's Display P3, a
    camera's Adobe RGB), so they look the same once the profile is dropped. A profile that
    cannot be read is ignored."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(
            image,
            source,
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def reencode_image(file: IO[bytes], content_type: str) -> UploadedFile:
    """The image decoded again and written anew in its format (JPEG quality 90, PNG
    optimised), with the pixels only (see `clean_image`)."""
    image = _open_image(file, content_type)
    try:
        transparency = image.info.get("transparency")
        try:
            ImageOps.exif_transpose(image, in_place=True)
        except Exception:  # an EXIF block Pillow cannot parse: the pixels stay as they are
            pass
        image = _to_srgb(image)
        out = io.BytesIO()
        if content_type == JPEG:
            if image.mode not in ("L", "RGB"):
                image = image.convert("RGB")
            image.info = {}
            image.save(out, "JPEG", quality=90, optimize=True)
        else:
            image.info = {}
            options: dict[str, Any] = {"optimize": True}
            if transparency is not None and image.mode in ("P", "L", "RGB"):
                options["transparency"] = transparency
            try:
                image.save(out, "PNG", **options)
            except (OSError, ValueError, KeyError):
                out = io.BytesIO()
                image.convert("RGBA").save(out, "PNG", optimize=True)
    except ValidationError:
        raise
    except Exception:  # the encoder refusing what the decoder gave (an odd mode, memory)
        raise _image_error("undecodable") from None
    finally:
        image.close()
        file.seek(0)
    name = os.path.basename(getattr(file, "name", "") or "") or (
        "image.jpg" if content_type == JPEG else "image.png"
    )
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


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


_HTML_HEAD = re.compile(rb"<\s*(html|script|!doctype)", re.IGNORECASE)


def validate_document(file: IO[bytes], *, max_bytes: int | None = None) -> str:
    """Check an uploaded document (PDF, JPEG, PNG, .docx, .xlsx) and return its content type;
    ValidationError says what to do.

    1. size: at most `max_bytes` (settings.UPLOAD_MAX_DOCUMENT_BYTES, else 10 MiB), not empty;
    2. content: what the first bytes say it is, among the five; the name must agree;
    3. an image: decoded under the pixel limit (`check_image_content`; `clean_document` stores
       it re-encoded);
    4. anything else: no HTML in its first kilobyte (a page a browser might render), then a PDF
       without active content or encryption (`uploads_pdf`), an Office archive without a bomb,
       unsafe names, macros or embedded files (`uploads_office`).
    """
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
    extension = _extension(file)
    if DOCUMENT_EXTENSIONS.get(extension) != content_type:
        expected = [ext for ext, kind in DOCUMENT_EXTENSIONS.items() if kind == content_type]
        raise ValidationError(
            _("The file's name does not match its content. Rename it to end in %(expected)s.")
            % {"expected": " / ".join(expected)},
            code="extension_mismatch",
        )
    if content_type in (JPEG, PNG):
        check_image_content(file, content_type)
    else:
        _check_document_content(file, content_type)
    # The virus check last: a file the checks above refuse gets their precise message (ClamAV's
    # own PDF heuristics would call a hidden JavaScript action "infected" too).
    scanning.scan_upload(file)
    return content_type


def _check_document_content(file: IO[bytes], content_type: str) -> None:
    position = file.tell()
    file.seek(0)
    head = file.read(1024)
    file.seek(position)
    if _HTML_HEAD.search(head):
        raise ValidationError(
            _(
                "The file looks like a web page (HTML), not a document. Attach a PDF, JPEG, "
                "PNG, Word (.docx) or Excel (.xlsx) file."
            ),
            code="html",
        )
    if content_type == PDF:
        check_pdf(file)
    else:
        check_office(file)


def clean_document(file: IO[bytes], *, max_bytes: int | None = None) -> tuple[IO[bytes], str]:
    """`validate_document`, then what to store and its content type: an image re-encoded as
    `clean_image` does (metadata and anything hidden dropped), any other document as it is
    (its position at the start)."""
    content_type = validate_document(file, max_bytes=max_bytes)
    if content_type in (JPEG, PNG):
        return reencode_image(file, content_type), content_type
    file.seek(0)
    return file, content_type
