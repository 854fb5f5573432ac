"""The shared image validator (content, extension, size) and the private-file response."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile, FileField
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from muroran_kyodo.lib.storage import ScannedFileSystemStorage
from muroran_kyodo.lib.uploads import serve_private_file, validate_image
from tests.images import tiny_jpeg, tiny_png


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def refusal(file, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_image(file, **kwargs)
    return caught.value


@pytest.mark.parametrize("name", ["photo.jpg", "photo.jpeg", "PHOTO.JPG"])
def test_a_jpeg_is_accepted_by_content_and_name(name):
    assert validate_image(upload(name, tiny_jpeg())) == "image/jpeg"


def test_a_png_is_accepted():
    assert validate_image(upload("photo.png", tiny_png())) == "image/png"


def test_the_file_position_is_left_at_the_start():
    file = upload("photo.png", tiny_png())
    validate_image(file)
    assert file.read() == tiny_png()


def test_a_text_file_named_jpg_is_refused():
    with translation.override("en"):
        error = refusal(upload("photo.jpg", b"Hello, this is not a photo.\n" * 10))
    assert error.code == "not_an_image"
    assert error.messages == ["The photo must be a JPEG or PNG image."]


def test_a_png_named_jpg_is_refused_with_what_to_do():
    error = refusal(upload("photo.jpg", tiny_png()))
    assert error.code == "extension_mismatch"
    assert ".jpg" in error.messages[0] and ".png" in error.messages[0]


def test_a_jpeg_with_another_extension_is_refused():
    assert refusal(upload("photo.gif", tiny_jpeg())).code == "not_an_image"
    assert refusal(upload("photo", tiny_jpeg())).code == "not_an_image"


def test_a_truncated_jpeg_is_refused():
    data = tiny_jpeg()
    error = refusal(upload("photo.jpg", data[: len(data) // 2]))
    assert error.code == "truncated"


def test_a_truncated_png_is_refused():
    data = tiny_png()
    assert refusal(upload("photo.png", data[:-12])).code == "truncated"


def test_an_oversized_file_is_refused_with_the_limit_in_megabytes():
    big = tiny_jpeg()[:-2] + b"\x00" * (5 * 1024 * 1024) + b"\xff\xd9"
    with translation.override("en"):
        error = refusal(upload("photo.jpg", big))
    assert error.code == "too_large"
    assert error.messages == ["The photo is too large: at most 5 MB."]


def test_the_limit_comes_from_the_setting_or_the_argument(settings):
    data = tiny_png()
    settings.UPLOAD_MAX_IMAGE_BYTES = len(data) - 1
    assert refusal(upload("photo.png", data)).code == "too_large"
    assert validate_image(upload("photo.png", data), max_bytes=len(data)) == "image/png"


# --- serve_private_file -------------------------------------------------------------------------


@pytest.fixture
def stored(tmp_path, db):
    # The site's storage: the file is virus-checked (the fake clamd) and recorded clean.
    storage = ScannedFileSystemStorage(location=tmp_path)
    name = storage.save("private/test/abc123.png", upload("x.png", tiny_png()))
    return FieldFile(None, FileField(storage=storage), name)


def test_a_private_file_is_served_with_safe_headers(stored):
    request = RequestFactory().get("/")
    response = serve_private_file(
        request, stored, content_type="image/png", download_name="report-1.png"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Disposition"] == 'inline; filename="report-1.png"'
    assert b"".join(response.streaming_content) == tiny_png()


def test_a_missing_or_empty_file_is_404(stored):
    request = RequestFactory().get("/")
    stored.storage.delete(stored.name)
    with pytest.raises(Http404):
        serve_private_file(request, stored, content_type="image/png", download_name="x.png")
    empty = FieldFile(None, FileField(storage=stored.storage), "")
    with pytest.raises(Http404):
        serve_private_file(request, empty, content_type="image/png", download_name="x.png")
