"""Write paths of the money after the report: 額の確定, advances (概算払), the balance (支払) and
repayments (返還). Each status change goes through the application's workflow."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import money
from ..eligibility import actual_budget
from ..models import Application, Payment, Repayment
from ..permissions import is_subsidy_staff
from .applications import WORKFLOW, _lock

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User

S = Application.Status


def paid_total(application: Application) -> int:
    return application.payments.aggregate(total=Sum("amount"))["total"] or 0


def confirmable_amount(application: Application) -> int:
    """min(decided amount, the formula on the actual eligible expenses)."""
    budget = actual_budget(application)
    formula = money.category_eligible_amount(application.category, budget.eligible_expenses)
    return min(application.decided_amount or 0, formula)


def application_confirm_amount(
    *, application: Application, by: User, today: dt.date | None = None
) -> Application:
    """額の確定: confirmed = min(decided, formula on the actual eligible expenses).

    If the group was paid more in advance (概算払) than the confirmed amount, the difference
    is recorded as a repayment (返還) due, in the same transaction.
    """
    today = today or timezone.localdate()
    WORKFLOW.check(application, new=S.CONFIRMED, by=by)
    with transaction.atomic():
        _lock(application)
        confirmed = confirmable_amount(application)
        overpaid = paid_total(application) - confirmed
        if overpaid > 0:
            Repayment.objects.create(
                application=application, amount=overpaid, requested_on=today, recorded_by=by
            )
        return WORKFLOW.apply(
            application,
            new=S.CONFIRMED,
            by=by,
            changes={"confirmed_amount": confirmed, "confirmed_at": timezone.now()},
        )


def check_advance(*, application: Application, amount: int) -> None:
    """An advance is paid after the grant and before 額の確定, at most the amount decided."""
    if application.status not in (S.GRANTED, S.REPORTED):
        raise ValidationError(
            _(
                "An advance can be paid once the grant is decided and before the amount is "
                "confirmed."
            )
        )
    if amount <= 0 or paid_total(application) + amount > (application.decided_amount or 0):
        raise ValidationError(
            {"amount": _("Advances cannot add up to more than the amount decided.")}
        )


def payment_record_advance(
    *, application: Application, by: User, amount: int, paid_on: dt.date
) -> Payment:
    """概算払: money paid before the amount is confirmed (the row is locked, so that two
    advances keyed in at once cannot together pass the limit)."""
    if not is_subsidy_staff(by):
        raise PermissionDenied
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        check_advance(application=current, amount=amount)
        return Payment.objects.create(
            application=current,
            kind=Payment.Kind.ADVANCE,
            amount=amount,
            paid_on=paid_on,
            recorded_by=by,
        )


def application_pay(*, application: Application, by: User, paid_on: dt.date) -> Application:
    """支払: pay the balance (confirmed − advances). With nothing left to pay it only records
    that the group has received everything."""
    WORKFLOW.check(application, new=S.PAID, by=by)
    with transaction.atomic():
        _lock(application)
        balance = (application.confirmed_amount or 0) - paid_total(application)
        if balance < 0:
            raise ValidationError(
                _("The group was paid more than the confirmed amount: record the repayment.")
            )
        if balance > 0:
            Payment.objects.create(
                application=application,
                kind=Payment.Kind.SETTLEMENT,
                amount=balance,
                paid_on=paid_on,
                recorded_by=by,
            )
        return WORKFLOW.apply(application, new=S.PAID, by=by)


def application_record_repayment(
    *, application: Application, by: User, repaid_on: dt.date
) -> Application:
    """返還: the group has paid back what it received above the confirmed amount."""
    WORKFLOW.check(application, new=S.REPAID, by=by)
    with transaction.atomic():
        updated = Repayment.objects.filter(
            application=application, kind=Repayment.Kind.OVERPAID, repaid_on__isnull=True
        ).update(repaid_on=repaid_on, recorded_by=by)
        if updated != 1:
            raise ValidationError(_("No repayment is due for this application."))
        return WORKFLOW.apply(application, new=S.REPAID, by=by)


def repayment_received(*, repayment: Repayment, by: User, repaid_on: dt.date) -> Application:
    """The repayment of one row of the admin's list received: after 額の確定 the application
    moves to “repaid” (`application_record_repayment`); after 取消 or 中止・廃止 it stays where
    it is and only the receipt is recorded (once: compare-and-set on the unpaid row)."""
    if repayment.kind == Repayment.Kind.OVERPAID:
        return application_record_repayment(
            application=repayment.application, by=by, repaid_on=repaid_on
        )
    if not is_subsidy_staff(by):
        raise PermissionDenied
    updated = Repayment.objects.filter(pk=repayment.pk, repaid_on__isnull=True).update(
        repaid_on=repaid_on, recorded_by=by
    )
    if updated != 1:
        raise ValidationError(_("This repayment has already been received."))
    return repayment.application
