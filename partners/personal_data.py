"""開示・訂正: the person's partner registrations, with their shift sign-ups and activity
reports (`muroran_kyodo.personal_data`)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import PersonalRecord
from muroran_kyodo.lib.retention import given_without_email

from .models import Registration


def records(*, email: str, name: str = "") -> list[PersonalRecord]:
    found = Q(contact_email__iexact=email) | Q(user__email__iexact=email) if email else Q(pk__in=[])
    found |= given_without_email(name, name_field="contact_name", email_field="contact_email")
    registrations = (
        Registration.objects.filter(found)
        .select_related("user", "organization", "district")
        .prefetch_related("signups__shift__opportunity", "reports")
    )
    return [
        PersonalRecord(
            kind=_("Partner registration"),
            title=registration.number,
            admin_url=reverse("admin:partners_registration_change", args=[registration.pk]),
            data={
                "number": registration.number,
                "programme": registration.get_programme_display(),
                "kind": registration.get_kind_display(),
                "account": registration.user.email if registration.user else "",
                "organization": str(registration.organization or ""),
                "group_name": registration.group_name,
                "contact_name": registration.contact_name,
                "contact_kana": registration.contact_kana,
                "contact_phone": registration.contact_phone,
                "contact_email": registration.contact_email,
                "contact_postal_code": registration.contact_postal_code,
                "contact_address": registration.contact_address,
                "district": str(registration.district),
                "skills": registration.skills,
                "status": registration.get_status_display(),
                "created_at": registration.created_at,
                "signups": [
                    {
                        "shift": str(signup.shift),
                        "status": signup.get_status_display(),
                        "attended": signup.attended,
                        "hours": signup.hours,
                    }
                    for signup in registration.signups.all()
                ],
                "reports": [
                    {
                        "activity_date": report.activity_date,
                        "participants": report.participants,
                        "notes": report.notes,
                        "photo": bool(report.photo),
                    }
                    for report in registration.reports.all()
                ],
            },
        )
        for registration in registrations
    ]
