"""One function per e-mail the registry sends."""

from __future__ import annotations

from django.urls import reverse

from muroran_kyodo.lib.mail import absolute_url, send

from .models import Invitation, Membership, Organization


def _manager_addresses(organization: Organization) -> list[str]:
    return list(
        Membership.objects.managers()
        .filter(organization=organization, user__is_active=True)
        .values_list("user__email", flat=True)
    )


def registered(organization: Organization, user) -> None:
    send(
        "organization_registered",
        [user.email],
        {
            "organization": organization,
            "user": user,
            "url": absolute_url(reverse("organizations:manage", args=[organization.pk])),
        },
    )


def status_changed(organization: Organization, *, old: str, reason: str) -> None:
    send(
        "organization_status_changed",
        _manager_addresses(organization),
        {
            "organization": organization,
            "old": Organization.Status(old).label,
            "new": Organization.Status(organization.status).label,
            "reason": reason,
            "url": absolute_url(reverse("organizations:manage", args=[organization.pk])),
        },
    )


def invitation(invitation: Invitation) -> None:
    send(
        "organization_invitation",
        [invitation.email],
        {
            "invitation": invitation,
            "organization": invitation.organization,
            "url": absolute_url(reverse("organizations:invitation", args=[invitation.token])),
        },
    )


def member_removed(organization: Organization, user) -> None:
    send("organization_member_removed", [user.email], {"organization": organization, "user": user})
