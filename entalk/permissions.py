"""Who may do what with enとーく, as plain functions.

A group's request is seen and answered by whoever made it (the signed-in representative of an
informal group) and, for an organisation of the registry, by its 代表者 and 担当者; by nobody
else but the staff who run enとーく (the permission to change requests, with the second
factor on the web). Follow-ups belong to a department: its staff (members of the department's
group holding the permission to change follow-ups) see and change only theirs; the enとーく
staff open them and see them all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.permissions import acts_as_staff, staff_with_permission
from organizations.models import Membership
from organizations.permissions import can_manage_members

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import UserLike

    from .models import FollowUp, Request

REQUEST_PERMISSION = "entalk.change_request"
FOLLOW_UP_PERMISSION = "entalk.change_followup"


def is_entalk_staff(user: UserLike | None) -> bool:
    """Staff who run enとーく: requests, the mayor's diary, records."""
    return staff_with_permission(user, REQUEST_PERMISSION)


def can_act_for(user: UserLike | None, request: Request) -> bool:
    """The group's side of a request: who made it, or a 代表者・担当者 of its organisation."""
    if user is None or not user.is_authenticated:
        return False
    if request.user_id is not None and request.user_id == user.pk:
        return True
    organization = request.organization if request.organization_id else None
    return organization is not None and can_manage_members(user, organization)


def can_view_request(user: UserLike | None, request: Request) -> bool:
    return can_act_for(user, request) or is_entalk_staff(user)


def requests_of(user: UserLike | None, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The requests `user` acts for: another group's id gives 404."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    # A UNION of two index lookups rather than an OR across the membership join, which reads
    # every request and needs DISTINCT (Registration.objects.of_user does the same).
    requests = queryset.model._default_manager.order_by()
    own = requests.filter(user=user)
    managed = requests.filter(
        organization__in=Membership.objects.filter(
            user=user, role__in=Membership.MANAGING_ROLES
        ).values("organization_id")
    )
    return queryset.filter(pk__in=own.values("pk").union(managed.values("pk"), all=True))


def department_ids_of(user: UserLike | None) -> set[int] | None:
    """The departments whose follow-ups `user` changes; None means every department (a
    superuser). Cached on the user object for the request."""
    if user is None or not user.is_authenticated or not acts_as_staff(user):
        return set()
    if user.is_superuser:
        return None
    cached = getattr(user, "_entalk_departments", None)
    if cached is None:
        from .models import Department

        cached = set(Department.objects.filter(group__user=user).values_list("pk", flat=True))
        user._entalk_departments = cached  # type: ignore[attr-defined]
    return cached


def can_change_follow_up(user: UserLike | None, follow_up: FollowUp) -> bool:
    """Staff of the follow-up's department holding the permission, or a superuser."""
    if not staff_with_permission(user, FOLLOW_UP_PERMISSION):
        return False
    departments = department_ids_of(user)
    return departments is None or follow_up.department_id in departments


def may_act(user: UserLike | None, request: Request, who: str) -> bool:
    """The request workflow's check: "staff", "group", or "either"."""
    if who == "staff":
        return is_entalk_staff(user)
    if who == "group":
        return can_act_for(user, request)
    return who == "either" and (is_entalk_staff(user) or can_act_for(user, request))


def may_change_follow_up(user: UserLike | None, follow_up: FollowUp, who: str) -> bool:
    return who == "department" and can_change_follow_up(user, follow_up)
