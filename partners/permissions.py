"""Who may do what with partner registrations, as plain functions."""

from __future__ import annotations

from accounts.permissions import acts_as_staff
from organizations.permissions import can_manage_members

from .models import Registration

STAFF_GROUPS = ("地域生活課",)


def is_partner_staff(user) -> bool:
    """City staff who run the programme: 地域生活課, or superusers."""
    if not acts_as_staff(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=STAFF_GROUPS).exists()


def can_act_for(user, registration: Registration) -> bool:
    """The account that registered, or a manager of the registered organisation."""
    if not (user and user.is_authenticated):
        return False
    if registration.organization_id:
        return can_manage_members(user, registration.organization)
    return registration.user_id == user.pk
