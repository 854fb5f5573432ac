"""Write paths of the committee: staff assign reviewers, reviewers save their score sheets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import emails
from ..models import Application, Criterion, ReviewAssignment, Score
from ..permissions import can_score, is_subsidy_staff, reviewer_conflict

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike

S = Application.Status
REVIEWABLE = (S.ACCEPTED, S.UNDER_REVIEW)


def check_assignment(*, application: Application, reviewer: User, by: UserLike) -> None:
    """Whether `by` may assign `reviewer` to the application now; raises with the reason."""
    if not is_subsidy_staff(by):
        raise PermissionDenied
    if application.status not in REVIEWABLE:
        raise ValidationError(
            _("Reviewers can be assigned once the application is accepted, until the decision.")
        )
    if not reviewer.is_active:
        raise ValidationError({"reviewer": _("This account is not active.")})
    if reviewer_conflict(reviewer, application):
        raise ValidationError(
            {
                "reviewer": _(
                    "%(reviewer)s is a member of %(organization)s and cannot review its "
                    "application."
                )
                % {"reviewer": reviewer, "organization": application.organization}
            }
        )


def assign_reviewer(*, application: Application, reviewer: User, by: User) -> ReviewAssignment:
    """Staff assign a committee member; never one who belongs to the applicant organisation.
    The reviewer is e-mailed the application and the link to the score sheet."""
    check_assignment(application=application, reviewer=reviewer, by=by)
    try:
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(
                application=application, reviewer=reviewer, assigned_by=by
            )
            # The reviewer is told once the assignment (and the caller's transaction) commits.
            emails.reviewer_assigned(assignment)
            return assignment
    except IntegrityError:
        raise ValidationError(
            {"reviewer": _("This reviewer is already assigned to the application.")}
        ) from None


def score_save(
    *,
    assignment: ReviewAssignment,
    criterion: Criterion,
    score: int,
    comment: str = "",
    by: User,
) -> Score:
    """A reviewer scores one criterion (1-5); scoring again replaces the score."""
    application = assignment.application
    if not can_score(by, assignment):
        raise PermissionDenied
    # Checked again here: the reviewer may have joined the organisation after being assigned.
    if reviewer_conflict(by, application):
        raise PermissionDenied
    if criterion.programme_id != application.programme_id:
        raise ValidationError({"criterion": _("This criterion does not belong to the programme.")})
    if not (isinstance(score, int) and 1 <= score <= 5):
        raise ValidationError({"score": _("Give a score from 1 to 5.")})
    result, _created = Score.objects.update_or_create(
        assignment=assignment, criterion=criterion, defaults={"score": score, "comment": comment}
    )
    return result


def scores_save(
    *, assignment: ReviewAssignment, scores: Iterable[tuple[Criterion, int, str]], by: User
) -> list[Score]:
    """A reviewer's whole score sheet: `scores` is (criterion, score, comment) for each
    criterion. The application row is locked and its status read afresh, so a decision taken
    since the sheet was opened closes the review instead of racing it; every score is written
    or none."""
    with transaction.atomic():
        assignment.application.status = (
            Application.objects.select_for_update()
            .filter(pk=assignment.application_id)
            .values_list("status", flat=True)
            .get()
        )
        return [
            score_save(
                assignment=assignment, criterion=criterion, score=score, comment=comment, by=by
            )
            for criterion, score, comment in scores
        ]
