"""Retention of applications that came to nothing (`manage.py apply_retention`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from muroran_kyodo.lib.retention import claim, cutoff

from ..models import Application, Attachment

S = Application.Status
# Final states of an application that was never granted: 不採択 and 取下げ.
CLOSED_WITHOUT_GRANT = (S.REJECTED, S.WITHDRAWN)


def rejected_applications_anonymise(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> int:
    """Delete the attachments (the member list, estimates, anything a group uploaded, which may
    name people) of applications not adopted or withdrawn more than
    RETENTION["REJECTED_APPLICATION_DAYS"] ago, and record `anonymised_at`. The application's
    plan, budget and decision stay for the figures; it has no contact fields of its own (the
    applicant is an account, the group an organisation of the registry). Steps: claim the
    applications not yet anonymised (skipping those another run holds); delete the attachment
    rows; delete their files from the storage once the transaction commits. Returns how many
    applications (a dry run: would be)."""
    now = now or timezone.now()
    before = cutoff(now=now, days=settings.RETENTION["REJECTED_APPLICATION_DAYS"])
    due = Application.objects.filter(status__in=CLOSED_WITHOUT_GRANT, status_changed_at__lt=before)
    with transaction.atomic():
        ids = claim(due, dry_run=dry_run)
        if dry_run or not ids:
            return len(ids)
        attachments = Attachment.objects.filter(application_id__in=ids)
        files = [(a.file.storage, a.file.name) for a in attachments.only("pk", "file")]
        attachments.delete()
        changed = Application.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
            anonymised_at=now
        )

        def delete_files() -> None:
            for storage, name in files:
                if name:
                    storage.delete(name)

        transaction.on_commit(delete_files)
        return changed
