"""Who may do what in the registry, as plain functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import staff_with_permission

from .models import REGISTRY_PERMISSION, Membership, Organization

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import UserLike


def can_verify(user: UserLike | None) -> bool:
    """The registry's staff (地域生活課, or whoever has its change permission; superusers)
    verify organisations and see every group's private pages. Staff of another department
    are residents here, as they are in the registry's admin."""
    return staff_with_permission(user, REGISTRY_PERMISSION)


def membership_of(user: UserLike | None, organization: Organization) -> Membership | None:
    if not (user and user.is_authenticated):
        return None
    cache: dict[int, Membership | None] = getattr(organization, "_membership_cache", {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(organization=organization, user=user).first()
        # A per-instance memo of ours: the model declares no such field, so the stub has none.
        organization._membership_cache = cache  # type: ignore[attr-defined]
    return cache[user.pk]


def is_member(user: UserLike | None, organization: Organization) -> bool:
    return membership_of(user, organization) is not None


def can_manage_members(user: UserLike | None, organization: Organization) -> bool:
    """代表者 and 担当者 edit the profile and invite or remove members."""
    membership = membership_of(user, organization)
    return membership is not None and membership.role in Membership.MANAGING_ROLES


def can_view_private(user: UserLike | None, organization: Organization) -> bool:
    """Members list, invitations, verification history: members and staff only."""
    return can_verify(user) or is_member(user, organization)
