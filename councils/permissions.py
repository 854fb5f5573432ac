"""Who may do what with the councils (まちづくり協議会), as plain functions.

Councils, sessions and sign-ups belong to a department: its staff (members of the department's
group holding the permission to change sessions, with the second factor on the web) see and
change only theirs; a superuser sees them all. The needs a person gave (childcare, mobility,
interpreting) are seen by those staff and by the person; nobody else. The facilitator pool is
kept by the staff holding the permission to change facilitators (企画課)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.permissions import acts_as_staff, staff_with_permission

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import UserLike

    from .models import Council, Session, Signup

SESSION_PERMISSION = "councils.change_session"
POOL_PERMISSION = "councils.change_facilitator"


def department_ids_of(user: UserLike | None) -> set[int] | None:
    """The departments whose councils `user` runs; None means every department (a superuser).
    Cached on the user object for the request."""
    if user is None or not user.is_authenticated or not acts_as_staff(user):
        return set()
    if user.is_superuser:
        return None
    cached = getattr(user, "_councils_departments", None)
    if cached is None:
        from .models import Department

        cached = set(Department.objects.filter(group__user=user).values_list("pk", flat=True))
        user._councils_departments = cached  # type: ignore[attr-defined]
    return cached


def is_council_staff(user: UserLike | None) -> bool:
    """Staff of a department running councils (the second factor included on the web)."""
    return staff_with_permission(user, SESSION_PERMISSION)


def can_manage_department(user: UserLike | None, department_id: int | None) -> bool:
    if department_id is None or not is_council_staff(user):
        return False
    departments = department_ids_of(user)
    return departments is None or department_id in departments


def can_manage_council(user: UserLike | None, council: Council) -> bool:
    return can_manage_department(user, council.department_id)


def can_manage_session(user: UserLike | None, session: Session) -> bool:
    return can_manage_department(user, session.department_id)


def is_owner(user: UserLike | None, record: Any) -> bool:
    """The person a sign-up or a pool entry belongs to."""
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(record, "user_id", None) is not None
        and record.user_id == user.pk
    )


def can_see_needs(user: UserLike | None, signup: Signup) -> bool:
    """The needs given with a sign-up: the staff of the session's department, and the person
    on their own sign-up's page."""
    return is_owner(user, signup) or can_manage_session(user, signup.session)


def _scoped(user: UserLike | None, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
    if not is_council_staff(user):
        return queryset.none()
    departments = department_ids_of(user)
    if departments is None:
        return queryset
    return queryset.filter(**{f"{field}__in": departments})


def councils_managed_by(user: UserLike | None, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return _scoped(user, queryset, "department_id")


def sessions_managed_by(user: UserLike | None, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return _scoped(user, queryset, "department_id")


def signups_managed_by(user: UserLike | None, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return _scoped(user, queryset, "session__department_id")


def is_pool_keeper(user: UserLike | None) -> bool:
    """Staff who keep the facilitator pool and run the training (企画課)."""
    return staff_with_permission(user, POOL_PERMISSION)


def signups_of(user: UserLike | None, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The person's own sign-ups: another person's id gives 404."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(user=user)


def can_manage(user: UserLike | None, record: Any) -> bool:
    """The staff side of any councils record: its department's staff; the pool's keepers for
    a pool entry."""
    from .models import Assignment, Council, Facilitator, Session, Signup

    if isinstance(record, Council):
        return can_manage_council(user, record)
    if isinstance(record, Session):
        return can_manage_session(user, record)
    if isinstance(record, Signup | Assignment):
        return can_manage_session(user, record.session)
    if isinstance(record, Facilitator):
        return is_pool_keeper(user)
    return False


def may_act(user: UserLike | None, record: Any, who: str) -> bool:
    """The workflows' check: "staff" (can_manage), "person" (the owner), or "either"."""
    if who == "staff":
        return can_manage(user, record)
    if who == "person":
        return is_owner(user, record)
    return who == "either" and (can_manage(user, record) or is_owner(user, record))
