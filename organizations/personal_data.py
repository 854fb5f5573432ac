"""開示・訂正: the person's memberships of organisations (`muroran_kyodo.personal_data`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import PersonalRecord

from .models import Membership


def records(*, email: str, name: str = "") -> list[PersonalRecord]:
    if not email:
        return []
    memberships = Membership.objects.filter(user__email__iexact=email).select_related(
        "organization"
    )
    return [
        PersonalRecord(
            kind=_("Membership of an organisation"),
            title=str(membership.organization),
            admin_url=reverse("admin:organizations_membership_change", args=[membership.pk]),
            data={
                "organization": str(membership.organization),
                "role": membership.get_role_display(),
                "joined_at": membership.joined_at,
            },
        )
        for membership in memberships
    ]
