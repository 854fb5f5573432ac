"""A case's documents are checked by their content (muroran_kyodo.lib.uploads.validate_document):
PDF, images, Word and Excel, the name agreeing with the content."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from muroran_kyodo.lib.uploads import DOCX, PDF, XLSX, validate_document
from tests.images import tiny_png

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
PNG_BYTES = tiny_png()


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("案.pdf", PDF_BYTES, PDF),
        ("概要.docx", _office("word/document.xml"), DOCX),
        ("資料.xlsx", _office("xl/workbook.xml"), XLSX),
        ("地図.png", PNG_BYTES, "image/png"),
    ],
)
def test_documents_that_are_what_they_say(name, content, expected):
    assert validate_document(SimpleUploadedFile(name, content)) == expected


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("案.pdf", b"%PDF-1.7\ncut off", "bad_type"),
        ("案.pdf", b"hello", "bad_type"),
        ("案.docx", PDF_BYTES, "extension_mismatch"),
        ("案.zip", _office("other/thing.xml"), "bad_type"),
        ("空.pdf", b"", "empty"),
    ],
)
def test_documents_that_are_not(name, content, code):
    with pytest.raises(ValidationError) as refused:
        validate_document(SimpleUploadedFile(name, content))
    assert refused.value.code == code


def test_a_document_over_the_limit_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_document(SimpleUploadedFile("案.pdf", PDF_BYTES), max_bytes=10)
    assert refused.value.code == "too_large"
