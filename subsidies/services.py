"""Write paths of the subsidy. Views, admin actions and commands call these; nothing else changes
an application's status, its decided or confirmed amount, or its payments.

State diagram (who acts in brackets; staff may always act for the group):

    draft ─submit[group]→ submitted ─accept[staff]→ accepted ─start review[staff]→ under_review
    submitted/accepted ─return[staff, reason]→ returned ─submit[group]→ submitted
    draft/submitted/returned/accepted/under_review ─withdraw[group]→ withdrawn
    under_review ─adopt[staff, amount ≤ request, within budget]→ adopted
    under_review ─reject[staff, reason]→ rejected
    adopted ─grant[staff]→ granted (変更承認 via ChangeRequest while granted)
    granted ─report[group]→ reported ─return report[staff, reason]→ granted
    reported ─confirm amount[staff]→ confirmed ─pay balance[staff]→ paid ─close[staff]→ closed
    confirmed ─repayment received[staff]→ repaid ─close[staff]→ closed
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.mail import site_language_text
from muroran_kyodo.lib.models import next_value
from organizations.models import Membership, Organization

from . import emails, money
from .eligibility import actual_budget, validate_submission
from .models import (
    Application,
    ApplicationStatusChange,
    AttachmentType,
    BudgetStage,
    ChangeRequest,
    Channel,
    Consultation,
    Criterion,
    ExpenseLine,
    IncomeLine,
    Payment,
    Programme,
    Repayment,
    ReviewAssignment,
    Score,
)
from .permissions import can_act_for, can_score, is_subsidy_staff

S = Application.Status
STAFF = "staff"
GROUP = "group"

# (from, to) → who may make the change: "staff", or "group" (a member of the applicant
# organisation; staff may always act for the group, e.g. keying in a paper submission).
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): GROUP,
    (S.RETURNED, S.SUBMITTED): GROUP,
    (S.DRAFT, S.WITHDRAWN): GROUP,
    (S.SUBMITTED, S.WITHDRAWN): GROUP,
    (S.RETURNED, S.WITHDRAWN): GROUP,
    (S.ACCEPTED, S.WITHDRAWN): GROUP,
    (S.UNDER_REVIEW, S.WITHDRAWN): GROUP,
    (S.SUBMITTED, S.ACCEPTED): STAFF,
    (S.SUBMITTED, S.RETURNED): STAFF,
    (S.ACCEPTED, S.RETURNED): STAFF,
    (S.ACCEPTED, S.UNDER_REVIEW): STAFF,
    (S.UNDER_REVIEW, S.ADOPTED): STAFF,
    (S.UNDER_REVIEW, S.REJECTED): STAFF,
    (S.ADOPTED, S.GRANTED): STAFF,
    (S.GRANTED, S.REPORTED): GROUP,
    (S.REPORTED, S.GRANTED): STAFF,  # the completion report returned for changes
    (S.REPORTED, S.CONFIRMED): STAFF,
    (S.CONFIRMED, S.PAID): STAFF,
    (S.CONFIRMED, S.REPAID): STAFF,
    (S.PAID, S.CLOSED): STAFF,
    (S.REPAID, S.CLOSED): STAFF,
}
REASON_REQUIRED = {
    (S.SUBMITTED, S.RETURNED),
    (S.ACCEPTED, S.RETURNED),
    (S.UNDER_REVIEW, S.REJECTED),
    (S.REPORTED, S.GRANTED),
}


class TransitionError(Exception):
    """The change is not allowed from the application's current status."""


def may_act(user, application: Application, who: str) -> bool:
    return is_subsidy_staff(user) or (who == GROUP and can_act_for(user, application))


def allowed_targets(application: Application, user) -> list[str]:
    """The statuses `user` may move this application to now (for buttons and admin actions)."""
    return [
        new
        for (old, new), who in ALLOWED_TRANSITIONS.items()
        if old == application.status and may_act(user, application, who)
    ]


def transition(
    *,
    application: Application,
    new: str,
    by,
    reason: str = "",
    changes: dict | None = None,
    inside=None,
) -> Application:
    """Change an application's status.

    1. check (old, new) is in ALLOWED_TRANSITIONS, `by` may make it, and a reason is given
       where one is required;
    2. in one transaction: run `inside()` (further checks and locks of the named services),
       compare-and-set the status with the other `changes`, so that a concurrent change fails
       instead of being overwritten;
    3. write the history row (old, new, by, at, reason);
    4. e-mail the group once the transaction commits.
    """
    old = application.status
    who = ALLOWED_TRANSITIONS.get((old, new))
    if who is None:
        raise TransitionError(
            _("This application cannot go from “%(old)s” to “%(new)s”.")
            % {"old": S(old).label, "new": S(new).label}
        )
    if not may_act(by, application, who):
        raise PermissionDenied
    if (old, new) in REASON_REQUIRED and not reason.strip():
        raise ValidationError({"reason": _("Write the reason, so the group knows why.")})

    now = timezone.now()
    with transaction.atomic():
        extra = dict(changes or {})
        if inside is not None:
            extra.update(inside() or {})
        fields = {"status": new, "status_changed_at": now, **extra}
        if Application.objects.filter(pk=application.pk, status=old).update(**fields) != 1:
            raise TransitionError(
                _("Someone else changed this application just now. Reload and try again.")
            )
        ApplicationStatusChange.objects.create(
            application=application, old_status=old, new_status=new, by=by, at=now, reason=reason
        )
        for field, value in fields.items():
            setattr(application, field, value)
        transaction.on_commit(lambda: emails.status_changed(application, old=old, reason=reason))
    return application


# --- the group ----------------------------------------------------------------------------------


def application_create(*, application: Application, by) -> Application:
    """Save a new draft. Nothing is checked but who may act: a draft keeps whatever the group
    typed, and the rules are checked when it is submitted."""
    if not (is_subsidy_staff(by) or can_act_for(by, application)):
        raise PermissionDenied
    application.status = S.DRAFT
    if application.applicant_id is None:
        application.applicant = by
    with transaction.atomic():
        application.save()
        ApplicationStatusChange.objects.create(
            application=application, old_status="", new_status=S.DRAFT, by=by
        )
    return application


def _replace_lines(application: Application, stage: str, income_lines, expense_lines) -> None:
    """Replace the budget lines of one stage (None: leave that table as it is)."""
    for model, lines in ((IncomeLine, income_lines), (ExpenseLine, expense_lines)):
        if lines is None:
            continue
        model.objects.filter(application=application, stage=stage).delete()
        lines = list(lines)
        for order, line in enumerate(lines, 1):
            line.pk = None
            line.application = application
            line.stage = stage
            line.sort_order = order
        model.objects.bulk_create(lines)


def application_update(
    *,
    application: Application,
    by,
    values: dict,
    partners=None,
    income_lines=None,
    expense_lines=None,
) -> Application:
    """Save the group's plan while it may change it (draft, returned): the fields in `values`
    (already checked by the form, each on its own), the partner organisations and the plan's
    budget lines (unsaved IncomeLine/ExpenseLine; None leaves a table as it is), all or nothing.

    The application row is locked, and submission locks it too, so a submission never checks
    lines that are being replaced. Raises TransitionError when it stopped being editable.
    """
    if not (is_subsidy_staff(by) or can_act_for(by, application)):
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .filter(pk=application.pk, status__in=Application.EDITABLE)
            .first()
        )
        if locked is None:
            raise TransitionError(
                _("Someone else changed this application just now. Reload and try again.")
            )
        if values:
            Application.objects.filter(pk=application.pk).update(
                **values, updated_at=timezone.now()
            )
        if partners is not None:
            application.partner_organizations.set(partners)
        _replace_lines(application, BudgetStage.PLAN, income_lines, expense_lines)
    for field, value in values.items():
        setattr(application, field, value)
    return application


def _receipt_number(programme: Programme) -> str:
    year = programme.fiscal_year
    return f"HS-{year}-{next_value(f'subsidies.HS.{year}'):05d}"


def application_submit(*, application: Application, by, now=None) -> Application:
    """Submit a draft, or resubmit after 差戻し.

    1. lock the organisation's row, so that two submissions of the same group to a
       once-per-group track cannot both pass the check;
    2. check every rule (eligibility.submission_errors), all messages at once;
    3. the receipt number HS-<年度>-<n> on the first submission, kept on resubmission.
    """
    now = now or timezone.now()

    def inside():
        # The application row first (a plan being saved holds it), then the organisation's.
        Application.objects.select_for_update().filter(pk=application.pk).first()
        Organization.objects.select_for_update().filter(pk=application.organization_id).first()
        validate_submission(application, by=by, now=now)
        changes = {"submitted_at": now}
        if not application.number:
            changes["number"] = _receipt_number(application.programme)
        return changes

    reason = ""
    if application.channel != Channel.WEB:
        reason = site_language_text(
            gettext_lazy("Received by %(channel)s"),
            channel=site_language_text(Channel(application.channel).label),
        )
    return transition(application=application, new=S.SUBMITTED, by=by, reason=reason, inside=inside)


def application_withdraw(*, application, by, reason=""):
    return transition(application=application, new=S.WITHDRAWN, by=by, reason=reason)


def application_report(
    *,
    application: Application,
    by,
    summary: str,
    participants: int | None,
    effects: str = "",
    income_lines=None,
    expense_lines=None,
) -> Application:
    """File the completion report (実績報告): what was done, and the actual income and
    expenses - `income_lines`/`expense_lines` (unsaved lines) replace those of stage “actual”
    in the same transaction; None keeps the ones entered before - which must balance; the
    report's required documents must be attached. A refused report leaves the lines filed
    before as they were."""

    def inside():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        _replace_lines(application, BudgetStage.ACTUAL, income_lines, expense_lines)
        errors: dict[str, list[str]] = {}
        if not summary.strip():
            errors["report_summary"] = [_("Describe what the project did.")]
        budget = actual_budget(application)
        if budget.expenses == 0:
            errors["expense_lines"] = [_("Enter the actual expenses, by expense item.")]
        if not budget.balanced:
            errors["income_lines"] = [
                _("Actual income (¥%(income)s) and expenses (¥%(expenses)s) must be equal.")
                % {"income": f"{budget.income:,}", "expenses": f"{budget.expenses:,}"}
            ]
        present = set(application.attachments.values_list("type_id", flat=True))
        missing = [
            t
            for t in application.programme.required_attachment_types.all()
            if t.stage == AttachmentType.Stage.REPORT and t.pk not in present
        ]
        if missing:
            errors["attachments"] = [
                _("Attach the following documents: %(documents)s.")
                % {"documents": "、".join(str(t) for t in missing)}
            ]
        if errors:
            raise ValidationError(errors)
        return {
            "report_summary": summary,
            "report_participants": participants,
            "report_effects": effects,
            "reported_at": timezone.now(),
        }

    return transition(application=application, new=S.REPORTED, by=by, inside=inside)


def consultation_book(
    *,
    organization: Organization,
    programme: Programme,
    held_on: dt.date,
    topic: str,
    by,
    held: bool = False,
) -> Consultation:
    """事前相談: a member books a consultation with 地域生活課, or staff record one. It counts
    for a programme that requires it once staff have marked it held (`held`, staff only)."""
    from organizations.permissions import is_member

    if not (is_subsidy_staff(by) or is_member(by, organization)):
        raise PermissionDenied
    if not topic.strip():
        raise ValidationError({"topic": _("Write what you would like to consult about.")})
    if held and not is_subsidy_staff(by):
        raise PermissionDenied
    return Consultation.objects.create(
        organization=organization,
        programme=programme,
        held_on=held_on,
        topic=topic,
        held=held,
        recorded_by=by,
    )


def consultation_mark_held(*, consultation: Consultation, by, note: str = "") -> Consultation:
    """Staff record that a booked consultation took place (on or before today)."""
    if not is_subsidy_staff(by):
        raise PermissionDenied
    if consultation.held_on > timezone.localdate():
        raise ValidationError(
            {"held_on": _("A consultation can be marked held on or after its date.")}
        )
    changes = {"held": True}
    if note:
        changes["staff_note"] = note
    Consultation.objects.filter(pk=consultation.pk).update(**changes)
    for field, value in changes.items():
        setattr(consultation, field, value)
    return consultation


# --- staff ------------------------------------------------------------------------------------


def application_accept(*, application, by, reason=""):
    return transition(application=application, new=S.ACCEPTED, by=by, reason=reason)


def application_return(*, application, by, reason):
    return transition(application=application, new=S.RETURNED, by=by, reason=reason)


def application_start_review(*, application, by, reason=""):
    return transition(application=application, new=S.UNDER_REVIEW, by=by, reason=reason)


def _lock_budget_room(application: Application, amount: int) -> None:
    """Lock the programme's row, then check that `amount` fits in what its budget has left.

    Every decision of the programme takes the same lock first, so two staff deciding at the
    same moment are serialised and the second sees the first one's amount.
    """
    programme = Programme.objects.select_for_update().get(pk=application.programme_id)
    used = (
        Application.objects.decided()
        .filter(programme=programme)
        .exclude(pk=application.pk)
        .aggregate(total=Sum("decided_amount"))["total"]
        or 0
    )
    if used + amount > programme.total_budget:
        raise ValidationError(
            {
                "decided_amount": _(
                    "The programme's budget has ¥%(left)s left, less than ¥%(amount)s."
                )
                % {"left": f"{programme.total_budget - used:,}", "amount": f"{amount:,}"}
            }
        )


def application_adopt(
    *, application: Application, by, amount: int, conditions: str = "", reason: str = ""
) -> Application:
    """採択 with the amount decided (≤ the request) and its conditions, within the budget."""
    if amount <= 0:
        raise ValidationError({"decided_amount": _("Enter the amount decided.")})
    if amount > application.requested_amount:
        raise ValidationError(
            {
                "decided_amount": _(
                    "The amount decided cannot be more than the ¥%(requested)s requested."
                )
                % {"requested": f"{application.requested_amount:,}"}
            }
        )

    def inside():
        _lock_budget_room(application, amount)
        return {
            "decided_amount": amount,
            "conditions": conditions,
            "decision_reason": reason,
            "decided_at": timezone.now(),
        }

    return transition(application=application, new=S.ADOPTED, by=by, reason=reason, inside=inside)


def application_reject(*, application, by, reason):
    return transition(
        application=application,
        new=S.REJECTED,
        by=by,
        reason=reason,
        changes={"decision_reason": reason, "decided_at": timezone.now()},
    )


def application_grant(*, application, by, reason=""):
    """交付決定: the formal grant decision that follows the selection."""
    return transition(application=application, new=S.GRANTED, by=by, reason=reason)


def application_return_report(*, application, by, reason):
    return transition(application=application, new=S.GRANTED, by=by, reason=reason)


def paid_total(application: Application) -> int:
    return application.payments.aggregate(total=Sum("amount"))["total"] or 0


def confirmable_amount(application: Application) -> int:
    """min(decided amount, the formula on the actual eligible expenses)."""
    budget = actual_budget(application)
    formula = money.category_eligible_amount(application.category, budget.eligible_expenses)
    return min(application.decided_amount or 0, formula)


def application_confirm_amount(
    *, application: Application, by, today: dt.date | None = None
) -> Application:
    """額の確定: confirmed = min(decided, formula on the actual eligible expenses).

    If the group was paid more in advance (概算払) than the confirmed amount, the difference
    is recorded as a repayment (返還) due, in the same transaction.
    """
    today = today or timezone.localdate()

    def inside():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        confirmed = confirmable_amount(application)
        overpaid = paid_total(application) - confirmed
        if overpaid > 0:
            Repayment.objects.create(
                application=application, amount=overpaid, requested_on=today, recorded_by=by
            )
        return {"confirmed_amount": confirmed, "confirmed_at": timezone.now()}

    return transition(application=application, new=S.CONFIRMED, by=by, inside=inside)


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
    *, application: Application, by, amount: int, paid_on: dt.date
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


def application_pay(*, application: Application, by, paid_on: dt.date) -> Application:
    """支払: pay the balance (confirmed − advances). With nothing left to pay it only records
    that the group has received everything."""

    def inside():
        Application.objects.select_for_update().filter(pk=application.pk).first()
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
        return {}

    return transition(application=application, new=S.PAID, by=by, inside=inside)


def application_record_repayment(
    *, application: Application, by, repaid_on: dt.date
) -> Application:
    """返還: the group has paid back what it received above the confirmed amount."""

    def inside():
        updated = Repayment.objects.filter(application=application, repaid_on__isnull=True).update(
            repaid_on=repaid_on, recorded_by=by
        )
        if updated != 1:
            raise ValidationError(_("No repayment is due for this application."))
        return {}

    return transition(application=application, new=S.REPAID, by=by, inside=inside)


def application_close(*, application, by, reason=""):
    return transition(application=application, new=S.CLOSED, by=by, reason=reason)


# --- 変更承認 -------------------------------------------------------------------------------------


def change_request_create(
    *, application: Application, by, description: str, new_amount: int | None = None
) -> ChangeRequest:
    """The group asks to change the plan or budget of a granted project."""
    if not (is_subsidy_staff(by) or can_act_for(by, application)):
        raise PermissionDenied
    if application.status != S.GRANTED:
        raise ValidationError(
            _("Changes can be requested after the grant decision and before the report.")
        )
    if not description.strip():
        raise ValidationError({"description": _("Describe what changes and why.")})
    if new_amount is not None and not (0 < new_amount <= application.requested_amount):
        raise ValidationError(
            {
                "new_amount": _(
                    "The new amount must be between ¥1 and the ¥%(requested)s requested."
                )
                % {"requested": f"{application.requested_amount:,}"}
            }
        )
    try:
        with transaction.atomic():
            return ChangeRequest.objects.create(
                application=application,
                description=description,
                new_amount=new_amount,
                requested_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("A change request is already waiting for the city's answer.")
        ) from None


def change_request_decide(
    *, change_request: ChangeRequest, by, approve: bool, response: str = ""
) -> ChangeRequest:
    """Staff approve or refuse a change request.

    1. compare-and-set the request from “requested”;
    2. on approval with a new amount: lock the programme, check the budget, set the
       application's decided amount;
    3. a history row on the application (its status stays “granted”) and an e-mail on commit.
    """
    if not is_subsidy_staff(by):
        raise PermissionDenied
    if not approve and not response.strip():
        raise ValidationError({"response": _("Write the reason, so the group knows why.")})
    application = change_request.application
    new_status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REFUSED
    now = timezone.now()
    with transaction.atomic():
        if (
            ChangeRequest.objects.filter(
                pk=change_request.pk, status=ChangeRequest.Status.REQUESTED
            ).update(status=new_status, decided_by=by, decided_at=now, response=response)
            != 1
        ):
            raise TransitionError(_("This change request has already been answered."))
        if approve and change_request.new_amount is not None:
            _lock_budget_room(application, change_request.new_amount)
            if (
                Application.objects.filter(pk=application.pk, status=S.GRANTED).update(
                    decided_amount=change_request.new_amount
                )
                != 1
            ):
                raise TransitionError(
                    _("Someone else changed this application just now. Reload and try again.")
                )
            application.decided_amount = change_request.new_amount
        ApplicationStatusChange.objects.create(
            application=application,
            old_status=application.status,
            new_status=application.status,
            by=by,
            at=now,
            reason=site_language_text(
                gettext_lazy("Change request %(result)s: %(response)s"),
                result=site_language_text(ChangeRequest.Status(new_status).label),
                response=response,
            ),
        )
        change_request.status, change_request.decided_by = new_status, by
        change_request.decided_at, change_request.response = now, response
        transaction.on_commit(lambda: emails.change_request_decided(change_request))
    return change_request


# --- review -------------------------------------------------------------------------------------

REVIEWABLE = (S.ACCEPTED, S.UNDER_REVIEW)


def reviewer_conflict(reviewer, application: Application) -> bool:
    """A reviewer who belongs to the applicant organisation may not review it."""
    return Membership.objects.filter(
        organization_id=application.organization_id, user=reviewer
    ).exists()


def check_assignment(*, application: Application, reviewer, by) -> None:
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


def assign_reviewer(*, application: Application, reviewer, by) -> ReviewAssignment:
    """Staff assign a committee member; never one who belongs to the applicant organisation."""
    check_assignment(application=application, reviewer=reviewer, by=by)
    try:
        with transaction.atomic():
            return ReviewAssignment.objects.create(
                application=application, reviewer=reviewer, assigned_by=by
            )
    except IntegrityError:
        raise ValidationError(
            {"reviewer": _("This reviewer is already assigned to the application.")}
        ) from None


def score_save(
    *, assignment: ReviewAssignment, criterion: Criterion, score: int, comment: str = "", by
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


def scores_save(*, assignment: ReviewAssignment, scores, by) -> list[Score]:
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
