"""Who may do what with subsidy applications, as plain functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import PermissionDenied

from accounts.permissions import acts_as_staff
from organizations.models import Membership
from organizations.permissions import is_member

if TYPE_CHECKING:
    from django.db.models import Manager

    from muroran_kyodo.lib.typing import User, UserLike
    from organizations.models import Organization

STAFF_GROUPS = ("地域生活課",)


# What the checks read of the subsidy's models, as protocols that `Application`, `Attachment`,
# `ReviewAssignment` and `AttachmentType` satisfy (mypy checks that at every call). Not the
# models themselves: `subsidies.models` imports this module (`ApplicationQuerySet.visible_to`),
# and import-linter counts an import under TYPE_CHECKING too, so `from .models import …` here
# would break the contract of no import cycles within a package.
class _Statuses(Protocol):
    @property
    def GRANTED(self) -> str: ...


class _Stages(Protocol):
    @property
    def REPORT(self) -> str: ...


class ApplicationLike(Protocol):
    @property
    def Status(self) -> type[_Statuses]: ...
    @property
    def organization(self) -> Organization: ...
    @property
    def organization_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def review_assignments(self) -> Manager[Any]: ...
    @property
    def is_editable(self) -> bool: ...
    @property
    def is_under_review(self) -> bool: ...


class AttachmentLike(Protocol):
    @property
    def application(self) -> ApplicationLike: ...


class ReviewAssignmentLike(Protocol):
    @property
    def application(self) -> ApplicationLike: ...
    @property
    def reviewer_id(self) -> int: ...


class AttachmentTypeLike(Protocol):
    @property
    def Stage(self) -> type[_Stages]: ...
    @property
    def stage(self) -> str: ...


def is_subsidy_staff(user: UserLike | None) -> bool:
    """City staff who run the subsidy: 地域生活課, or superusers."""
    if user is None or not acts_as_staff(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=STAFF_GROUPS).exists()


def can_cancel_grant(user: UserLike | None) -> bool:
    """交付決定の取消 is for subsidy staff holding the cancel_grant permission (the 地域生活課
    group has it, migration 0007), or superusers."""
    return is_subsidy_staff(user) and user is not None and user.has_perm("subsidies.cancel_grant")


def can_act_for(user: UserLike | None, application: ApplicationLike) -> bool:
    """Any member of the applicant organisation acts for it (drafts, submits, reports)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_member(user, application.organization)


def is_assigned_reviewer(user: UserLike | None, application: ApplicationLike) -> bool:
    """An assigned reviewer (審査委員) who has given the second factor in this session.

    On the web `accounts.middleware` marks the request's user with `second_factor_passed`;
    until the code is given a reviewer reads and scores nothing (the reviewer's pages send them
    to give it first: `subsidies.second_factor`). Outside a request the mark is absent."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if not getattr(user, "second_factor_passed", True):
        return False
    return application.review_assignments.filter(reviewer=user).exists()


def reviews_only(user: UserLike | None, application: ApplicationLike) -> bool:
    """The user is assigned to review the application and sees it only as its reviewer (not as
    a member of the group, not as staff): the pages then need the reviewer's second factor."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    # The group's membership first: it is memoised on the organisation, the page reads it too.
    if can_act_for(user, application) or is_subsidy_staff(user):
        return False
    return application.review_assignments.filter(reviewer=user).exists()


def can_view_application(user: UserLike | None, application: ApplicationLike) -> bool:
    """The group's members, the reviewers assigned to it, and staff."""
    return (
        is_subsidy_staff(user)
        or can_act_for(user, application)
        or is_assigned_reviewer(user, application)
    )


def can_view_attachment(user: UserLike | None, attachment: AttachmentLike) -> bool:
    return can_view_application(user, attachment.application)


def can_score(user: UserLike | None, assignment: ReviewAssignmentLike) -> bool:
    """Only the assigned reviewer scores, and only while the application is under review."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if not getattr(user, "second_factor_passed", True):
        return False
    return assignment.reviewer_id == user.pk and assignment.application.is_under_review


def reviewer_conflict(reviewer: User, application: ApplicationLike) -> bool:
    """A reviewer who belongs to the applicant organisation may not review it."""
    return Membership.objects.filter(
        organization_id=application.organization_id, user=reviewer
    ).exists()


# Who makes a change of an application's status: staff, or the group (a member of the applicant
# organisation; staff may always act for the group, e.g. keying in a paper submission).
STAFF = "staff"
GROUP = "group"


def may_act(user: UserLike | None, application: ApplicationLike, who: str) -> bool:
    """Whether `user` may make a change that `who` ("staff" or "group") makes."""
    return is_subsidy_staff(user) or (who == GROUP and can_act_for(user, application))


def can_edit_application(user: UserLike | None, application: ApplicationLike) -> bool:
    """The group's members (and staff) change the plan, budget and documents of its application."""
    return is_subsidy_staff(user) or can_act_for(user, application)


def can_book_consultation(user: UserLike | None, organization: Organization) -> bool:
    return is_subsidy_staff(user) or is_member(user, organization)


class ConsultationLike(Protocol):
    @property
    def organization(self) -> Organization: ...


def can_view_consultation(user: UserLike | None, consultation: ConsultationLike) -> bool:
    """A prior consultation (its 受付票): any member of the organisation, as for its
    applications, and the subsidy staff; reviewers and everyone else not."""
    if is_subsidy_staff(user):
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_member(user, consultation.organization)


def may_change_documents(
    user: UserLike | None, application: ApplicationLike, attachment_type: AttachmentTypeLike
) -> bool:
    """A group adds and removes application documents while it may change the application,
    and report documents while the grant runs; staff at any time (paper scanned in). Someone
    who may not act for the group at all is refused (PermissionDenied)."""
    if is_subsidy_staff(user):
        return True
    if not can_act_for(user, application):
        raise PermissionDenied
    if attachment_type.stage == attachment_type.Stage.REPORT:
        return application.status == application.Status.GRANTED
    return application.is_editable
