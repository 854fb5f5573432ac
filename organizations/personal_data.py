"""開示・訂正: the person's memberships of organisations, and the invitations sent to the
person's e-mail address (which hold it even when no account has it)
(`muroran_kyodo.personal_data`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import PersonalRecord

from .models import Invitation, Membership


def records(*, email: str, name: str = "") -> list[PersonalRecord]:
    if not email:
        return []
    memberships = Membership.objects.filter(user__email__iexact=email).select_related(
        "organization"
    )
    invitations = Invitation.objects.filter(email__iexact=email).select_related("organization")
    found = [
        PersonalRecord(
            kind=_("Invitation to an organisation"),
            title=str(invitation.organization),
            admin_url=reverse("admin:organizations_invitation_change", args=[invitation.pk]),
            data={
                "organization": str(invitation.organization),
                "email": invitation.email,
                "role": invitation.get_role_display(),
                "sent_at": invitation.created_at,
                "expires_at": invitation.expires_at,
                "accepted_at": invitation.accepted_at,
                "withdrawn_at": invitation.revoked_at,
            },
        )
        for invitation in invitations
    ]
    return found + [
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
