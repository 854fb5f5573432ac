"""What an upload may hold, by content (muroran_kyodo.lib.uploads): photos decoded under a pixel
limit and re-encoded with their pixels only; PDFs without active content or encryption; Office
archives without bombs, unsafe names, macros or embedded files. Every hostile file is built
here (tests/images.py, tests/hostile_files.py)."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageCms

from muroran_kyodo.lib.uploads import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    clean_document,
    clean_image,
    validate_document,
    validate_image,
)
from tests import hostile_files as hostile
from tests.images import (
    _chunk,
    html_jpeg_polyglot,
    html_png_polyglot,
    huge_png,
    jpeg_with_gps,
    pillow_image,
    real_jpeg,
    real_png,
    tiny_jpeg,
    tiny_png,
)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def image_refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        clean_image(upload(name, content))
    return refused.value


def document_refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        validate_document(upload(name, content))
    return refused.value


# --- photos: decoded, re-encoded ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "fmt"),
    [
        ("photo.jpg", real_jpeg(), JPEG, "JPEG"),
        ("photo.png", real_png(), PNG, "PNG"),
        ("tiny.jpg", tiny_jpeg(), JPEG, "JPEG"),
        ("tiny.png", tiny_png(), PNG, "PNG"),
    ],
)
def test_a_photo_comes_back_re_encoded_in_its_format(name, content, content_type, fmt):
    cleaned = clean_image(upload(name, content, "text/html"))
    assert (cleaned.name, cleaned.content_type) == (name, content_type)
    data = cleaned.read()
    assert cleaned.size == len(data)
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == fmt
        assert stored.size == Image.open(io.BytesIO(content)).size


@pytest.mark.parametrize(
    ("name", "content"), [("photo.png", html_png_polyglot()), ("photo.jpg", html_jpeg_polyglot())]
)
def test_an_html_image_polyglot_is_stored_without_its_html(name, content):
    assert b"<script" in content  # what the probe sent: a valid image carrying a page
    data = clean_image(upload(name, content)).read()
    assert b"<script" not in data.lower()
    assert b"<html" not in data.lower()
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.size == (40, 20)
        assert "Comment" not in stored.info and "comment" not in stored.info


def test_exif_and_gps_are_dropped_and_the_orientation_applied():
    content = jpeg_with_gps(size=(40, 20), orientation=6)
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif().get_ifd(0x8825)  # the GPS position is there before
    data = clean_image(upload("photo.jpg", content)).read()
    assert b"Exif" not in data
    assert b"TestCamera" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
        # Orientation 6: the picture is turned 90° clockwise; the red left half is on top.
        assert stored.size == (20, 40)
        red, _green, blue = stored.convert("RGB").getpixel((10, 5))
        assert red > 200 and blue < 60
        red, _green, blue = stored.convert("RGB").getpixel((10, 35))
        assert blue > 200 and red < 60


def test_a_colour_profile_is_converted_to_srgb_and_dropped():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    content = pillow_image("JPEG", icc_profile=profile)
    data = clean_image(upload("photo.jpg", content)).read()
    with Image.open(io.BytesIO(data)) as stored:
        assert "icc_profile" not in stored.info


def test_png_text_and_transparency(tmp_path):
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    out = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "山田 花子")
    image.save(out, "PNG", pnginfo=info, transparency=0)
    data = clean_image(upload("icon.png", out.getvalue())).read()
    with Image.open(io.BytesIO(data)) as stored:
        assert "Author" not in stored.info
        assert stored.info.get("transparency") == 0


def test_a_50000_by_50000_png_is_refused_from_its_header_cheaply(monkeypatch):
    content = huge_png(50_000, 50_000)
    assert len(content) < 200
    # Not timed: no pixel is decoded (Pillow decodes in Image.load).
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self) or None)
    with translation.override("ja"):
        error = image_refusal("huge.png", content)
    assert decoded == []
    assert error.code == "too_many_pixels"
    assert error.messages == [
        "画像の画素数が大きすぎます（50000×50000）。画素数は合計 40,000,000 画素までです。"
        "縮小してから、もう一度選んでください。"
    ]


def test_a_jpeg_declaring_too_many_pixels_is_refused(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 40 * 20 - 1
    error = image_refusal("photo.jpg", real_jpeg((40, 20)))
    assert error.code == "too_many_pixels"
    assert "40×20" in error.messages[0]
    settings.UPLOAD_MAX_IMAGE_PIXELS = 40 * 20
    assert clean_image(upload("photo.jpg", real_jpeg((40, 20))))


def test_a_huge_image_is_refused_even_above_pillows_own_limit(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 10**12  # Pillow's decompression-bomb check answers
    assert image_refusal("huge.png", huge_png(50_000, 50_000)).code in {
        "too_many_pixels",
        "undecodable",
    }


def _noise_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((128, 128), 64).convert("RGB").save(out, "JPEG")
    return out.getvalue()


NOISE_JPEG = _noise_jpeg()
IDAT = _chunk(b"IDAT", zlib.compress(b"\x00\x80"))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.jpg", NOISE_JPEG[: len(NOISE_JPEG) // 2], "truncated"),
        ("photo.png", real_png((64, 64))[:-12], "truncated"),  # IEND gone
        ("photo.png", real_png((64, 64))[:60], "truncated"),
        ("photo.png", tiny_png().replace(IDAT, _chunk(b"IDAT", b"not zlib")), "undecodable"),
        (
            "photo.jpg",
            b"\xff\xd8\xff\xe0" + b"<html><script>x</script>" * 20 + b"\xff\xd9",
            "undecodable",
        ),
    ],
)
def test_cut_off_or_damaged_images_are_refused_with_a_message(name, content, code):
    with translation.override("ja"):
        error = image_refusal(name, content)
    assert error.code == code
    assert "もう一度選んでください" in error.messages[0]


def test_validate_image_still_answers_the_content_type():
    assert validate_image(upload("photo.jpg", real_jpeg())) == JPEG


# --- documents: images among them ----------------------------------------------------------------


def test_an_image_attached_as_a_document_is_stored_re_encoded():
    stored, content_type = clean_document(upload("地図.png", html_png_polyglot()))
    assert content_type == PNG
    assert stored.name == "地図.png"
    assert b"<script" not in stored.read()


def test_an_image_document_too_large_in_pixels_is_refused():
    assert document_refusal("地図.png", huge_png()).code == "too_many_pixels"


def test_a_pdf_document_is_stored_as_uploaded():
    content = hostile.clean_pdf()
    file = upload("案.pdf", content)
    stored, content_type = clean_document(file)
    assert (stored, content_type) == (file, PDF)
    assert stored.read() == content


# --- PDF ------------------------------------------------------------------------------------------


def test_a_plain_pdf_that_opens_at_its_first_page_is_accepted():
    assert validate_document(upload("案.pdf", hostile.clean_pdf())) == PDF


def test_a_pdf_with_a_javascript_open_action_is_refused():
    with translation.override("ja"):
        error = document_refusal("案.pdf", hostile.javascript_pdf())
    assert error.code == "pdf_active"
    assert error.messages == [
        "このPDFには、開いたときに動作するもの（JavaScript）が含まれているため、受け付けられ"
        "ません。「Microsoft Print to PDF」などで新しいPDFに印刷し、それを添付してください。"
    ]


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    content = hostile.object_stream_pdf()
    assert b"JavaScript" not in content and b"/JS" not in content
    assert document_refusal("案.pdf", content).code == "pdf_active"


@pytest.mark.parametrize("filters", [b"[/ASCIIHexDecode /FlateDecode]", b"/LZWDecode"])
def test_javascript_hidden_behind_other_filters_is_found(filters):
    content = hostile.object_stream_pdf(filters=filters)
    assert b"JavaScript" not in content
    assert document_refusal("案.pdf", content).code == "pdf_active"


def test_the_lzw_decoder_reads_the_example_of_the_pdf_reference():
    from muroran_kyodo.lib.uploads_pdf import _Budget, _lzw

    assert _lzw(bytes.fromhex("800B6050220C0C8501"), _Budget(100)) == b"-----A---B"
    assert hostile.lzw(b"-----A---B") == bytes.fromhex("800B6050220C0C8501")


@pytest.mark.parametrize(
    "entries",
    [
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"/OpenAction << /S /#4A#61#76#61#53#63#72#69#70#74 /#4a#53 (app.alert(1)) >>",
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
        b"/Names << /EmbeddedFiles 9 0 R >>",
        b"/AA << /O << /S /URI /URI (http://example.com/) >> >>",
        b"/AA 9 0 R",
        b"/AcroForm << /XFA 9 0 R >>",
        b"/Names << /RichMedia 9 0 R >>",
    ],
)
def test_pdfs_with_active_content_are_refused(entries):
    assert document_refusal("案.pdf", hostile.pdf_with_catalog(entries)).code == "pdf_active"


def test_an_empty_additional_actions_dictionary_is_accepted():
    assert validate_document(upload("案.pdf", hostile.pdf_with_catalog(b"/AA << >>"))) == PDF


def test_names_in_image_data_are_not_read():
    # A scanned page: its JPEG data may hold any bytes, /JS included; it is never decoded.
    image = b"\xff\xd8\xff\xe0 /JS /JavaScript /Launch \xff\xd9"
    content = hostile.pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        *hostile.PAGES,
        hostile.stream(image, b"/Type /XObject /Subtype /Image /Filter /DCTDecode"),
    )
    assert validate_document(upload("scan.pdf", content)) == PDF


def test_an_encrypted_pdf_is_refused_with_what_to_do():
    content = hostile.pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        *hostile.PAGES,
        b"<< /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >>",
        trailer=b"<< /Root 1 0 R /Encrypt 5 0 R >>",
    )
    with translation.override("ja"):
        error = document_refusal("案.pdf", content)
    assert error.code == "pdf_encrypted"
    assert "保護を解除したPDF" in error.messages[0]


def test_a_pdf_that_inflates_past_the_cap_is_refused(settings):
    settings.UPLOAD_MAX_PDF_INFLATED_BYTES = 2 * 1024 * 1024
    assert validate_document(upload("案.pdf", hostile.inflating_pdf(1))) == PDF
    assert document_refusal("案.pdf", hostile.inflating_pdf(3)).code == "pdf_bomb"


def test_a_pdf_that_inflates_past_50_mb_is_refused_by_default():
    assert document_refusal("案.pdf", hostile.inflating_pdf(51)).code == "pdf_bomb"


def test_a_compressed_stream_that_is_not_compressed_data_is_refused():
    content = hostile.pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        *hostile.PAGES,
        hostile.stream(b"/JS (app.alert(1))", b"/Filter /FlateDecode"),
    )
    assert document_refusal("案.pdf", content).code == "pdf_damaged"


def test_a_damaged_end_of_a_compressed_stream_keeps_what_came_before():
    data = zlib.compress(b"6 0 " + hostile.JS_ACTION)[:-6] + b"garbage"
    content = hostile.pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        *hostile.PAGES,
        hostile.stream(data, b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode"),
    )
    assert document_refusal("案.pdf", content).code == "pdf_active"


def _stored_html_docx() -> bytes:
    """A .docx whose first entry, stored uncompressed, starts with a web page."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", b"<html><script>alert(1)</script></html>")
        archive.writestr("word/document.xml", b"<document/>")
    return buffer.getvalue()


STORED_HTML_DOCX = _stored_html_docx()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("案.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n"),
        ("案.pdf", b"%PDF-1.4\n<!DOCTYPE html>\n%%EOF\n"),
        ("案.docx", STORED_HTML_DOCX),
    ],
)
def test_an_html_head_in_a_document_is_refused(name, content):
    with translation.override("ja"):
        error = document_refusal(name, content)
    assert error.code == "html"
    assert "ウェブページ" in error.messages[0]


# --- Office archives ---------------------------------------------------------------------------


def test_plain_word_and_excel_files_are_accepted():
    assert validate_document(upload("概要.docx", hostile.office())) == DOCX
    assert validate_document(upload("予算.xlsx", hostile.office(kind="xlsx"))) == XLSX


def test_a_docx_that_inflates_to_200_mb_is_refused_before_anything_is_read(monkeypatch):
    content = hostile.inflating_docx(200)
    assert len(content) < 300_000
    # Counted, not timed: every byte any entry is inflated to goes through ZipExtFile.read.
    inflated = []
    read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = read(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    with translation.override("ja"):
        error = document_refusal("概要.docx", content)
    assert sum(inflated) < 1024 * 1024  # from the central directory, not by inflating it
    assert error.code == "archive_too_large"
    assert "100 MB" in error.messages[0]


def test_one_entry_compressed_too_strongly_is_refused_under_the_total(settings):
    assert document_refusal("概要.docx", hostile.inflating_docx(3)).code == "archive_ratio"
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10_000
    assert validate_document(upload("概要.docx", hostile.inflating_docx(3))) == DOCX


def test_the_archive_limits_come_from_the_settings(settings):
    settings.UPLOAD_MAX_ARCHIVE_BYTES = 2 * 1024 * 1024
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10_000
    assert document_refusal("概要.docx", hostile.inflating_docx(3)).code == "archive_too_large"
    settings.UPLOAD_MAX_ARCHIVE_ENTRIES = 3
    many = hostile.office({f"word/part{i}.xml": b"<x/>" for i in range(2)})
    assert document_refusal("概要.docx", many).code == "archive_entries"


@pytest.mark.parametrize(
    "entry",
    ["../evil.xml", "word/../../evil.xml", "/etc/passwd", "word\\..\\evil.xml", "C:evil.xml"],
)
def test_entries_with_unsafe_names_are_refused(entry):
    content = hostile.office({entry: b"<x/>"})
    with translation.override("ja"):
        error = document_refusal("概要.docx", content)
    assert error.code == "archive_unsafe_name"
    assert "安全でない名前" in error.messages[0]


def test_an_entry_name_with_a_nul_is_refused():
    content = hostile.office({"word/aXb.xml": b"<x/>"}).replace(b"word/aXb.xml", b"word/a\0b.xml")
    assert document_refusal("概要.docx", content).code == "archive_unsafe_name"


def test_an_encrypted_entry_is_refused():
    content = hostile.with_entry_flag(hostile.office(), b"word/document.xml", 0x1)
    assert document_refusal("概要.docx", content).code == "archive_encrypted"


@pytest.mark.parametrize(
    ("entries", "content_types"),
    [
        ({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}, b"<Types/>"),
        (
            {},
            b'<Types><Override PartName="/word/document.xml" ContentType="application/'
            b'vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        ),
    ],
)
def test_macros_are_refused(entries, content_types):
    content = hostile.office(entries, content_types=content_types)
    assert document_refusal("概要.docx", content).code == "archive_macros"


@pytest.mark.parametrize(
    "entries",
    [
        {"word/embeddings/book.xlsx": hostile.office(kind="xlsx")},
        {"word/embeddings/data.bin": hostile.office()},  # an archive under another name
        {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100},
        {"word/media/a.gz": b"\x1f\x8b\x08\x00"},
    ],
)
def test_embedded_archives_and_objects_are_refused(entries):
    assert document_refusal("概要.docx", hostile.office(entries)).code == "archive_embedded"


def test_a_damaged_archive_is_refused_not_a_500():
    content = hostile.office()
    damaged = content.replace(b"PK\x01\x02", b"PK\x01\x03", 1)
    assert document_refusal("概要.docx", damaged).code in {"bad_type", "archive_damaged"}
