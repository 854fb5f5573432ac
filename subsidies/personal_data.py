"""開示・訂正: the applications the person submitted for their group
(`muroran_kyodo.personal_data`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import PersonalRecord

from .models import Application


def records(*, email: str, name: str = "") -> list[PersonalRecord]:
    if not email:
        return []
    applications = (
        Application.objects.filter(applicant__email__iexact=email)
        .select_related("programme", "organization")
        .prefetch_related("attachments__type")
    )
    return [
        PersonalRecord(
            kind=_("Subsidy application"),
            title=application.number or application.title,
            admin_url=reverse("admin:subsidies_application_change", args=[application.pk]),
            data={
                "number": application.number,
                "programme": str(application.programme),
                "organization": str(application.organization),
                "title": application.title,
                "status": application.get_status_display(),
                "submitted_at": application.submitted_at,
                "decided_at": application.decided_at,
                "anonymised_at": application.anonymised_at,
                "attachments": [
                    {"document": str(attachment.type), "file_name": attachment.original_name}
                    for attachment in application.attachments.all()
                ],
            },
        )
        for application in applications
    ]
