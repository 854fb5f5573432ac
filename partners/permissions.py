"""Who may do what in the partner programme, as plain functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import acts_as_staff
from organizations.permissions import can_manage_members

from .models import PartnerRequest, Registration

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import UserLike

STAFF_GROUPS = ("地域生活課",)


def is_partner_staff(user: UserLike | None) -> bool:
    """City staff who run the programme: 地域生活課, or superusers."""
    if user is None or not acts_as_staff(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=STAFF_GROUPS).exists()


def can_act_for(user: UserLike | None, registration: Registration) -> bool:
    """The account that registered, or a manager of the registered organisation."""
    if not (user and user.is_authenticated):
        return False
    if registration.organization_id:
        # Never None once organization_id is set (a missing row raises); the stub says Optional.
        organization = registration.organization
        return organization is not None and can_manage_members(user, organization)
    return registration.user_id == user.pk


def can_handle(
    user: UserLike | None, request_or_model: PartnerRequest | type[PartnerRequest]
) -> bool:
    """Staff of the department a request is routed to (the group named like its DEPARTMENT), or
    a superuser. Takes a request or a request model."""
    if user is None or not acts_as_staff(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=request_or_model.DEPARTMENT).exists()


def can_act_or_staff(user: UserLike | None, registration: Registration) -> bool:
    """Programme staff, or someone who acts for the registration."""
    return is_partner_staff(user) or can_act_for(user, registration)


def can_manage_for(user: UserLike | None, registration: Registration) -> bool:
    """For a registration of an organisation, only its managers (or staff) may register or
    change it; for a person or group, anyone (the other checks decide)."""
    if not registration.organization_id or is_partner_staff(user):
        return True
    organization = registration.organization
    return organization is not None and can_manage_members(user, organization)
