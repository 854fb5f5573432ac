"""Who may do what with パブリックコメント, as plain functions.

Anyone may read a case once it is announced and submit while it is open, with or without an
account. A submitter sees their own submissions (マイページ, the receipt); nobody else does,
except staff holding the app's permissions (the department that owns the case, or the
coordinating 企画課, through the admin's groups)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from accounts.permissions import staff_with_permission

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import UserLike


class SubmissionLike(Protocol):
    @property
    def user_id(self) -> int | None: ...


def is_comment_staff(user: UserLike | None) -> bool:
    """Staff who run public comment cases: the permission to change cases (and the second
    factor, on the web)."""
    return staff_with_permission(user, "publiccomment.change_case")


def can_view_submission(user: UserLike | None, submission: SubmissionLike) -> bool:
    """The submitter's own (signed in when they sent it), or staff who may see submissions."""
    if user is None or not user.is_authenticated:
        return False
    if submission.user_id is not None and submission.user_id == user.pk:
        return True
    return staff_with_permission(user, "publiccomment.view_submission")


def may_act(user: UserLike | None, case: object, who: str) -> bool:
    """The case workflow's check: every transition is the staff's."""
    return who == "staff" and is_comment_staff(user)
