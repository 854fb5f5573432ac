"""Who may do what in the partner programme, as plain functions."""

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


def can_handle(user, request_or_model) -> bool:
    """Staff of the department a request is routed to (the group named like its DEPARTMENT), or
    a superuser. Takes a request or a request model."""
    if not acts_as_staff(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=request_or_model.DEPARTMENT).exists()


def can_act_or_staff(user, registration: Registration) -> bool:
    """Programme staff, or someone who acts for the registration."""
    return is_partner_staff(user) or can_act_for(user, registration)


def can_manage_for(user, registration: Registration) -> bool:
    """For a registration of an organisation, only its managers (or staff) may register or
    change it; for a person or group, anyone (the other checks decide)."""
    if not registration.organization_id or is_partner_staff(user):
        return True
    return can_manage_members(user, registration.organization)
