"""Write paths of a grant that ends early: 交付決定の取消 (the city cancels it for misuse or a
breach of its conditions) and 中止・廃止 (the group asks to stop the project, the city approves
or refuses). Each is a transition of `services.applications.WORKFLOW`, with its history row and
the e-mail to the applicant.

Either way the unpaid part of the grant is freed for the programme's budget: `kept_amount`
records what had been paid, and `ApplicationQuerySet.budget_used` counts that instead of the
amount decided. What the group must pay back is a `Repayment` of kind “cancelled” (amount at
most what it was paid and has not already been asked to repay, with its due date); staff record
its receipt in the admin's repayments.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Application, Repayment
from ..permissions import can_cancel_grant
from .applications import WORKFLOW, _lock
from .payments import paid_total

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike

S = Application.Status


def repayable(application: Application) -> int:
    """What the group was paid and has not already been asked to pay back."""
    asked = application.repayments.aggregate(total=Sum("amount"))["total"] or 0
    return max(paid_total(application) - asked, 0)


def _end_grant(
    application: Application,
    *,
    by: User,
    new: str,
    reason: str,
    repayment_amount: int,
    repayment_due_on: dt.date | None,
    today: dt.date,
) -> Application:
    """Inside the caller's transaction, with the application's row locked: check and record
    the repayment, then the transition with what stays counted against the budget."""
    errors: dict[str, list[str]] = {}
    limit = repayable(application)
    if repayment_amount < 0:
        errors["repayment_amount"] = [_("The repayment cannot be negative.")]
    elif repayment_amount > limit:
        errors["repayment_amount"] = [
            _(
                "The repayment cannot be more than the ¥%(limit)s the group was paid and has "
                "not already been asked to repay."
            )
            % {"limit": f"{limit:,}"}
        ]
    if repayment_amount > 0 and repayment_due_on is None:
        errors["repayment_due_on"] = [_("Enter the date by which the group must repay.")]
    elif repayment_due_on is not None and repayment_due_on < today:
        errors["repayment_due_on"] = [_("The due date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    if repayment_amount > 0:
        Repayment.objects.create(
            application=application,
            kind=Repayment.Kind.CANCELLED,
            amount=repayment_amount,
            requested_on=today,
            due_on=repayment_due_on,
            recorded_by=by,
        )
    return WORKFLOW.apply(
        application,
        new=new,
        by=by,
        reason=reason,
        changes={"kept_amount": paid_total(application), "ended_at": timezone.now()},
    )


def application_cancel_grant(
    *,
    application: Application,
    by: User,
    reason: str,
    repayment_amount: int = 0,
    repayment_due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Application:
    """交付決定の取消: from the grant decision until the application is settled, by staff with
    the cancel_grant permission, the reason required.

    1. lock the application's row (a payment keyed in meanwhile holds it);
    2. the repayment (≤ paid and not yet asked back) with its due date, if any;
    3. the transition: history row, `kept_amount` = paid, e-mail to the applicant.
    """
    if not can_cancel_grant(by):
        raise PermissionDenied(_("Only staff allowed to cancel grant decisions can do this."))
    WORKFLOW.check(application, new=S.CANCELLED, by=by, reason=reason)
    with transaction.atomic():
        _lock(application)
        return _end_grant(
            application,
            by=by,
            new=S.CANCELLED,
            reason=reason,
            repayment_amount=repayment_amount,
            repayment_due_on=repayment_due_on,
            today=today or timezone.localdate(),
        )


def application_request_stop(*, application: Application, by: UserLike, reason: str) -> Application:
    """中止・廃止の申請: the group asks to stop its granted project, saying why."""
    return WORKFLOW.apply(application, new=S.STOP_REQUESTED, by=by, reason=reason)


def application_refuse_stop(*, application: Application, by: UserLike, reason: str) -> Application:
    """The city refuses to let the project stop: it is granted again, the reason required."""
    return WORKFLOW.apply(application, new=S.GRANTED, by=by, reason=reason)


def application_approve_stop(
    *,
    application: Application,
    by: User,
    reason: str = "",
    repayment_amount: int = 0,
    repayment_due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Application:
    """中止・廃止の承認: the project stops; an advance already paid may be asked back."""
    WORKFLOW.check(application, new=S.STOPPED, by=by, reason=reason)
    with transaction.atomic():
        _lock(application)
        return _end_grant(
            application,
            by=by,
            new=S.STOPPED,
            reason=reason,
            repayment_amount=repayment_amount,
            repayment_due_on=repayment_due_on,
            today=today or timezone.localdate(),
        )
