"""Who may do what in the registry, as plain functions."""

from __future__ import annotations

from accounts.permissions import acts_as_staff

from .models import Membership, Organization


def can_verify(user) -> bool:
    """City staff verify organisations (in the admin)."""
    return acts_as_staff(user)


def membership_of(user, organization: Organization) -> Membership | None:
    if not (user and user.is_authenticated):
        return None
    cache = getattr(organization, "_membership_cache", {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(organization=organization, user=user).first()
        organization._membership_cache = cache
    return cache[user.pk]


def is_member(user, organization: Organization) -> bool:
    return membership_of(user, organization) is not None


def can_manage_members(user, organization: Organization) -> bool:
    """代表者 and 担当者 edit the profile and invite or remove members."""
    membership = membership_of(user, organization)
    return membership is not None and membership.role in Membership.MANAGING_ROLES


def can_view_private(user, organization: Organization) -> bool:
    """Members list, invitations, verification history: members and staff only."""
    return can_verify(user) or is_member(user, organization)
