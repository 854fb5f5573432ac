"""開示・訂正: the person's submissions and their opinions (`muroran_kyodo.personal_data`)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import PersonalRecord
from muroran_kyodo.lib.retention import given_without_email

from .models import Submission


def records(*, email: str, name: str = "") -> list[PersonalRecord]:
    found = Q(email__iexact=email) | Q(user__email__iexact=email) if email else Q(pk__in=[])
    found |= given_without_email(name, name_field="name", email_field="email")
    submissions = (
        Submission.objects.filter(found).select_related("case", "user").prefetch_related("opinions")
    )
    return [
        PersonalRecord(
            kind=_("Public comment submission"),
            title=submission.number,
            admin_url=reverse("admin:publiccomment_submission_change", args=[submission.pk]),
            data={
                "number": submission.number,
                "case": submission.case.title,
                "received_at": submission.received_at,
                "channel": submission.get_channel_display(),
                "submitted_as": submission.get_kind_display(),
                "name": submission.name,
                "organization_name": submission.organization_name,
                "address": submission.address,
                "phone": submission.phone,
                "email": submission.email,
                "account": submission.user.email if submission.user else "",
                "eligibility": submission.get_eligibility_display(),
                "anonymised_at": submission.anonymised_at,
                "opinions": [
                    {
                        "text": opinion.text,
                        "published_text": opinion.published_text,
                        "withheld": opinion.withheld,
                    }
                    for opinion in submission.opinions.all()
                ],
            },
        )
        for submission in submissions
    ]
