"""Write paths of the documents attached to an application: checked (`attachments`), stored
under a private path, added and removed only while the group may still change them."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..attachments import clean_document, document_size
from ..models import Application, Attachment, AttachmentType
from ..permissions import may_change_documents

if TYPE_CHECKING:
    from django.core.files import File

    from muroran_kyodo.lib.typing import User, UserLike


def attachment_add(
    *, application: Application, attachment_type: AttachmentType, file: File, by: User
) -> Attachment:
    """Check the file (`attachments.clean_document`) and store it privately: an image
    re-encoded, any other document as uploaded. A group adds application documents while the
    application is a draft or returned, and report documents while the grant is running;
    staff at any time (paper documents scanned in)."""
    if not may_change_documents(by, application, attachment_type):
        raise ValidationError(_("The documents of this application can no longer be changed."))
    original = os.path.basename(getattr(file, "name", "") or "document")[-200:]
    # What is stored: the document as uploaded, or an image re-encoded (metadata dropped).
    stored, content_type = clean_document(file)
    attachment = Attachment(
        application=application,
        type=attachment_type,
        original_name=original,
        content_type=content_type,
        size=document_size(stored),
        uploaded_by=by,
    )
    with transaction.atomic():
        attachment.file.save(original, stored, save=False)
        attachment.save()
    return attachment


def attachment_remove(*, attachment: Attachment, by: UserLike) -> None:
    if not may_change_documents(by, attachment.application, attachment.type):
        raise ValidationError(_("The documents of this application can no longer be changed."))
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
