"""Attachments: checked by content, extension and size, stored under a private path without the
uploader's file name, changed only by the group while it may, and by staff."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from subsidies import attachments, permissions, services
from subsidies.models import Application, Attachment, AttachmentType, ReviewAssignment
from tests import factories
from tests.images import tiny_jpeg, tiny_png
from tests.subsidies import factories as sf

pytestmark = pytest.mark.django_db

S = Application.Status
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def _office(prefix):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{prefix}document.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture
def application(organization, member):
    programme = sf.make_programme()
    return sf.make_application(
        programme=programme, organization=organization, applicant=member, attachments=False
    )


def _type(code="plan"):
    return AttachmentType.objects.get(code=code)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("企画書.pdf", PDF, "application/pdf"),
        ("photo.JPG", None, "image/jpeg"),
        ("map.png", None, "image/png"),
        ("budget.xlsx", _office("xl/"), attachments.XLSX),
        ("plan.docx", _office("word/"), attachments.DOCX),
    ],
)
def test_documents_of_the_allowed_types_are_stored_privately(
    application, member, name, content, content_type
):
    if content is None:
        content = tiny_jpeg() if content_type == "image/jpeg" else tiny_png()
    attachment = services.attachment_add(
        application=application,
        attachment_type=_type(),
        file=SimpleUploadedFile(name, content),
        by=member,
    )
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert attachment.file.name.startswith("private/subsidies/")
    assert name.rsplit(".", 1)[0] not in attachment.file.name
    with attachment.file.open("rb") as stored:
        data = stored.read()
    assert attachment.size == len(data)
    if content_type.startswith("image/"):
        # An image is stored re-encoded: the same picture, written anew.
        with Image.open(io.BytesIO(data)) as kept, Image.open(io.BytesIO(content)) as sent:
            assert (kept.format, kept.size) == (sent.format, sent.size)
    else:
        assert data == content


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("plan.pdf", b"just some text, not a pdf", "bad_type"),
        ("plan.pdf", b"%PDF-1.7\ncut off here", "bad_type"),
        ("plan.pdf", b"", "empty"),
        ("plan.exe", b"MZ\x90\x00", "bad_type"),
        ("plan.zip", b"PK\x03\x04 not really a zip", "bad_type"),
        ("plan.jpg", PDF, "extension_mismatch"),
        ("plan", PDF, "extension_mismatch"),
    ],
)
def test_wrong_files_are_refused(application, member, name, content, code):
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            application=application,
            attachment_type=_type(),
            file=SimpleUploadedFile(name, content),
            by=member,
        )
    assert error.value.code == code
    assert not Attachment.objects.exists()


def test_a_file_too_large_is_refused(application, member, settings):
    settings.UPLOAD_MAX_DOCUMENT_BYTES = len(PDF) - 1
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            application=application,
            attachment_type=_type(),
            file=SimpleUploadedFile("plan.pdf", PDF),
            by=member,
        )
    assert error.value.code == "too_large"


def test_an_outsider_cannot_attach(application, other_member):
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            application=application,
            attachment_type=_type(),
            file=SimpleUploadedFile("plan.pdf", PDF),
            by=other_member,
        )


def test_documents_are_frozen_once_submitted_but_staff_may_add(application, member, staff):
    Application.objects.filter(pk=application.pk).update(status=S.SUBMITTED)
    application.refresh_from_db()
    with pytest.raises(ValidationError):
        services.attachment_add(
            application=application,
            attachment_type=_type(),
            file=SimpleUploadedFile("plan.pdf", PDF),
            by=member,
        )
    services.attachment_add(
        application=application,
        attachment_type=_type(),
        file=SimpleUploadedFile("plan.pdf", PDF),
        by=staff,
    )


def test_report_documents_are_added_while_the_grant_runs(application, member):
    Application.objects.filter(pk=application.pk).update(status=S.GRANTED, decided_amount=1)
    application.refresh_from_db()
    services.attachment_add(
        application=application,
        attachment_type=_type("receipts"),
        file=SimpleUploadedFile("receipts.pdf", PDF),
        by=member,
    )
    with pytest.raises(ValidationError):
        services.attachment_add(
            application=application,
            attachment_type=_type("plan"),
            file=SimpleUploadedFile("plan.pdf", PDF),
            by=member,
        )


def test_remove_deletes_the_row_and_the_file(
    application, member, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        application=application,
        attachment_type=_type(),
        file=SimpleUploadedFile("plan.pdf", PDF),
        by=member,
    )
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(attachment=attachment, by=member)
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


def test_who_may_view_an_attachment(application, member, representative, staff, other_member):
    attachment = sf.attach(application, "plan")
    reviewer, stranger = factories.make_user(), factories.make_user()
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    for user in (member, representative, staff, reviewer):
        assert permissions.can_view_attachment(user, attachment), user
    for user in (other_member, stranger):
        assert not permissions.can_view_attachment(user, attachment), user
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.can_view_attachment(AnonymousUser(), attachment)
