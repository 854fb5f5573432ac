"""開示・訂正: the person's sign-ups to まちづくり協議会 sessions, as an account holder or a
guest (`muroran_kyodo.personal_data`)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import PersonalRecord
from muroran_kyodo.lib.retention import given_without_email

from .models import Signup


def records(*, email: str, name: str = "") -> list[PersonalRecord]:
    found = Q(email__iexact=email) | Q(user__email__iexact=email) if email else Q(pk__in=[])
    found |= given_without_email(name, name_field="name", email_field="email")
    signups = (
        Signup.objects.filter(found)
        .select_related("session", "user", "district")
        .prefetch_related("status_changes")
    )
    return [
        PersonalRecord(
            kind=_("Council sign-up"),
            title=str(signup.session),
            admin_url=reverse("admin:councils_signup_change", args=[signup.pk]),
            data={
                "session": str(signup.session),
                "account": signup.user.email if signup.user else "",
                "name": signup.name,
                "email": signup.email,
                "phone": signup.phone,
                "district": str(signup.district or ""),
                "age": signup.age,
                "status": signup.get_status_display(),
                "created_at": signup.created_at,
                "attended_at": signup.attended_at,
                "needs": {
                    "childcare": signup.need_childcare,
                    "mobility": signup.need_mobility,
                    "interpreting": signup.get_need_interpreting_display(),
                    "note": signup.needs_note,
                },
                "anonymised_at": signup.anonymised_at,
                "history": [
                    {
                        "at": change.at,
                        "status": change.get_new_status_display(),
                        "reason": change.reason,
                    }
                    for change in signup.status_changes.all()
                ],
            },
        )
        for signup in signups
    ]
