"""Who counts as city staff outside the admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import UserLike


def acts_as_staff(user: UserLike | None) -> bool:
    """An active staff account that may use its staff powers now.

    On the web, staff powers on the public pages (reading any group's documents, acting for a
    group) need the same second factor as the admin: `AdminSecondFactorMiddleware` marks the
    request's user with `second_factor_passed` (an authenticator of the account's own, given
    in this session); until then the account is treated as an ordinary resident there. Outside a request (services called by the admin's actions,
    commands, tests) the mark is absent and the account's staff flag decides.
    """
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and getattr(user, "second_factor_passed", True)
    )


def staff_with_permission(user: UserLike | None, permission: str) -> bool:
    """Staff powers of one department on the public pages: `acts_as_staff` and the model
    permission that department's group holds in the admin (superusers hold them all)."""
    return acts_as_staff(user) and bool(user and (user.is_superuser or user.has_perm(permission)))
