"""Write paths of an application's life up to the completion report: its workflow, the draft,
submission, the staff's decisions within the budget, and the report.

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
    granted ─ask to stop[group, reason]→ stop_asked ─approve[staff]→ stopped (中止・廃止承認)
    stop_asked ─refuse[staff, reason]→ granted
    granted … closed, stop_asked ─cancel[staff with cancel_grant, reason]→ cancelled (取消)

(取消 and 中止・廃止 are in `services.endings`.)

Every change is `WORKFLOW.apply(...)` (the shared workflow: allowed map, who may act,
compare-and-set, history, e-mail on commit). A named function that needs locks or further
checks takes them in its own `transaction.atomic()` around the call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.mail import site_language_text
from muroran_kyodo.lib.models import next_value
from muroran_kyodo.lib.workflow import TransitionError, Workflow
from organizations.models import CollaborationForm, Organization

from .. import emails
from ..eligibility import (
    actual_budget,
    consultation_for,
    missing_documents,
    report_errors,
    validate_submission,
)
from ..models import (
    DECLARATIONS,
    Application,
    ApplicationStatusChange,
    AttachmentType,
    BudgetStage,
    Channel,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    Programme,
)
from ..permissions import GROUP, STAFF, can_edit_application, may_act

if TYPE_CHECKING:
    import datetime as dt

    from muroran_kyodo.lib.typing import User, UserLike

S = Application.Status
# A budget table: the income or the expense lines of an application.
Line = TypeVar("Line", IncomeLine, ExpenseLine)

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
    # 中止・廃止: the group asks to stop the project, 地域生活課 approves or refuses.
    (S.GRANTED, S.STOP_REQUESTED): GROUP,
    (S.STOP_REQUESTED, S.STOPPED): STAFF,
    (S.STOP_REQUESTED, S.GRANTED): STAFF,
    # 交付決定の取消 (misuse, breach of the conditions), from the decision until settled; the
    # named function also asks for the cancel_grant permission.
    **{(old, S.CANCELLED): STAFF for old in Application.CANCELLABLE},
}
REASON_REQUIRED = {
    (S.SUBMITTED, S.RETURNED),
    (S.ACCEPTED, S.RETURNED),
    (S.UNDER_REVIEW, S.REJECTED),
    (S.REPORTED, S.GRANTED),
    (S.GRANTED, S.STOP_REQUESTED),
    (S.STOP_REQUESTED, S.GRANTED),
    *((old, S.CANCELLED) for old in Application.CANCELLABLE),
}
CHANGED_MEANWHILE = gettext_lazy(
    "Someone else changed this application just now. Reload and try again."
)


def _notify(application: Application, *, old: str, reason: str) -> None:
    emails.status_changed(application, old=old, reason=reason)


WORKFLOW = Workflow(
    model=Application,
    history=ApplicationStatusChange,
    allowed=ALLOWED_TRANSITIONS,
    may=may_act,
    notify=_notify,
    reason_required=REASON_REQUIRED,
    not_allowed=gettext_lazy("This application cannot go from “%(old)s” to “%(new)s”."),
    changed_meanwhile=CHANGED_MEANWHILE,
    reason_missing=gettext_lazy("Write the reason, so the group knows why."),
)


def allowed_targets(application: Application, user: UserLike) -> list[str]:
    """The statuses `user` may move this application to now (for buttons and admin actions)."""
    return WORKFLOW.targets(application, user)


def transition(
    *,
    application: Application,
    new: str,
    by: UserLike,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
) -> Application:
    """The bare change of status through the workflow, without the further checks of the
    named functions below (which views, admin actions and commands call)."""
    return WORKFLOW.apply(application, new=new, by=by, reason=reason, changes=changes)


def subsidy_collaboration_form() -> CollaborationForm | None:
    """協働の形態 “補助” of the registry's taxonomy (seeded by organizations' migration)."""
    return CollaborationForm.objects.filter(code="subsidy").first()


def _lock(application: Application) -> None:
    """Lock the application's row (a plan being saved, or a payment, holds it)."""
    Application.objects.select_for_update().filter(pk=application.pk).first()


# --- the group ----------------------------------------------------------------------------------


def application_create(*, application: Application, by: User) -> Application:
    """Save a new draft. Nothing is checked but who may act: a draft keeps whatever the group
    typed, and the rules are checked when it is submitted."""
    if not can_edit_application(by, application):
        raise PermissionDenied
    application.status = S.DRAFT
    if application.applicant_id is None:
        application.applicant = by
    # The guideline lists this subsidy under the collaboration form 補助: not the group's choice.
    application.collaboration_form = subsidy_collaboration_form()
    with transaction.atomic():
        application.save()
        WORKFLOW.record_history(application, old="", new=S.DRAFT, by=by)
    return application


def _replace_lines(
    application: Application,
    stage: str,
    income_lines: Iterable[IncomeLine] | None,
    expense_lines: Iterable[ExpenseLine] | None,
) -> None:
    """Replace the budget lines of one stage (None: leave that table as it is)."""
    _replace_table(IncomeLine, application, stage, income_lines)
    _replace_table(ExpenseLine, application, stage, expense_lines)


def _replace_table(
    model: type[Line], application: Application, stage: str, lines: Iterable[Line] | None
) -> None:
    """Replace the lines of one table (income or expenses) of one stage; None: leave it."""
    if lines is None:
        return
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
    by: UserLike,
    values: dict[str, Any],
    partners: Iterable[Organization] | None = None,
    income_lines: Iterable[IncomeLine] | None = None,
    expense_lines: Iterable[ExpenseLine] | None = None,
) -> Application:
    """Save the group's plan while it may change it (draft, returned): the fields in `values`
    (already checked by the form, each on its own), the partner organisations and the plan's
    budget lines (unsaved IncomeLine/ExpenseLine; None leaves a table as it is), all or nothing.

    The application row is locked, and submission locks it too, so a submission never checks
    lines that are being replaced. Raises TransitionError when it stopped being editable.
    """
    if not can_edit_application(by, application):
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .filter(pk=application.pk, status__in=Application.EDITABLE)
            .first()
        )
        if locked is None:
            raise TransitionError(CHANGED_MEANWHILE)
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


def open_window_for(
    application: Application, now: dt.datetime | None = None
) -> IntakeWindow | None:
    """The window a draft is submitted in: its own while open, else the programme's window
    open now (a draft started in 第1期 and finished in 第2期), else its own. Reads only."""
    now = now or timezone.now()
    window = application.window
    if application.status != S.DRAFT or (window is not None and window.is_open(now)):
        return window
    return (
        IntakeWindow.objects.open(now)
        .filter(programme=application.programme_id)
        .order_by("closes_at")
        .first()
    ) or window


def application_move_to_open_window(
    *, application: Application, by: UserLike, now: dt.datetime | None = None
) -> Application:
    """A draft started in 第1期 and finished in 第2期 is submitted in the window open now: the
    group's submission moves it there (compare-and-set on the draft)."""
    if not can_edit_application(by, application):
        raise PermissionDenied
    window = open_window_for(application, now)
    if (
        window is not None
        and window.pk != application.window_id
        and Application.objects.filter(pk=application.pk, status=S.DRAFT).update(window=window) == 1
    ):
        application.window = window
    return application


def _receipt_number(programme: Programme) -> str:
    year = programme.fiscal_year
    return f"HS-{year}-{next_value(f'subsidies.HS.{year}'):05d}"


def application_submit(
    *,
    application: Application,
    by: UserLike,
    now: dt.datetime | None = None,
    declarations: Mapping[str, bool] | None = None,
) -> Application:
    """Submit a draft, or resubmit after 差戻し.

    1. lock the application's row (a plan being saved holds it), then the organisation's, so
       that two submissions of the same group to a once-per-group track cannot both pass;
    2. the declarations ticked on the confirmation page (`declarations`, field → ticked; None:
       those recorded on the application, as staff keyed them in from the paper form);
    3. check every rule (eligibility.submission_errors), all messages at once;
    4. record the declarations with the time, the 事前相談 the application rests on, and the
       receipt number HS-<年度>-<n> on the first submission, kept on resubmission.
    """
    now = now or timezone.now()
    reason = ""
    if application.channel != Channel.WEB:
        reason = site_language_text(
            gettext_lazy("Received by %(channel)s"),
            channel=site_language_text(Channel(application.channel).label),
        )
    WORKFLOW.check(application, new=S.SUBMITTED, by=by, reason=reason)
    with transaction.atomic():
        _lock(application)
        Organization.objects.select_for_update().filter(pk=application.organization_id).first()
        if declarations is not None:
            for field, _statement in DECLARATIONS:
                setattr(application, field, bool(declarations.get(field)))
        validate_submission(application, by=by, now=now)
        changes: dict[str, object] = {
            "submitted_at": now,
            "declared_at": now,
            "consultation": consultation_for(application, now),
            **{field: getattr(application, field) for field, _statement in DECLARATIONS},
        }
        if not application.number:
            changes["number"] = _receipt_number(application.programme)
        return WORKFLOW.apply(application, new=S.SUBMITTED, by=by, reason=reason, changes=changes)


def application_withdraw(
    *, application: Application, by: UserLike, reason: str = ""
) -> Application:
    return WORKFLOW.apply(application, new=S.WITHDRAWN, by=by, reason=reason)


def application_report(
    *,
    application: Application,
    by: UserLike,
    summary: str,
    participants: int | None,
    effects: str = "",
    income_lines: Iterable[IncomeLine] | None = None,
    expense_lines: Iterable[ExpenseLine] | None = None,
) -> Application:
    """File the completion report (実績報告): what was done, and the actual income and
    expenses - `income_lines`/`expense_lines` (unsaved lines) replace those of stage “actual”
    in the same transaction; None keeps the ones entered before - which must balance; the
    report's required documents must be attached. A refused report leaves the lines filed
    before as they were."""
    WORKFLOW.check(application, new=S.REPORTED, by=by)
    with transaction.atomic():
        _lock(application)
        _replace_lines(application, BudgetStage.ACTUAL, income_lines, expense_lines)
        errors = report_errors(
            actual_budget(application),
            missing_documents(application, AttachmentType.Stage.REPORT),
        )
        if not summary.strip():
            errors = {"report_summary": [_("Describe what the project did.")], **errors}
        if errors:
            raise ValidationError(errors)
        return WORKFLOW.apply(
            application,
            new=S.REPORTED,
            by=by,
            changes={
                "report_summary": summary,
                "report_participants": participants,
                "report_effects": effects,
                "reported_at": timezone.now(),
            },
        )


# --- staff ------------------------------------------------------------------------------------


def application_accept(*, application: Application, by: UserLike, reason: str = "") -> Application:
    return WORKFLOW.apply(application, new=S.ACCEPTED, by=by, reason=reason)


def application_return(*, application: Application, by: UserLike, reason: str) -> Application:
    return WORKFLOW.apply(application, new=S.RETURNED, by=by, reason=reason)


def application_start_review(
    *, application: Application, by: UserLike, reason: str = ""
) -> Application:
    return WORKFLOW.apply(application, new=S.UNDER_REVIEW, by=by, reason=reason)


def _lock_budget_room(application: Application, amount: int) -> None:
    """Lock the programme's row, then check that `amount` fits in what its budget has left.

    Every decision of the programme takes the same lock first, so two staff deciding at the
    same moment are serialised and the second sees the first one's amount.
    """
    programme = Programme.objects.select_for_update().get(pk=application.programme_id)
    used = Application.objects.filter(programme=programme).exclude(pk=application.pk).budget_used()
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
    *, application: Application, by: UserLike, amount: int, conditions: str = "", reason: str = ""
) -> Application:
    """採択 with the amount decided (≤ the request) and its conditions, within the budget:
    the programme's row is locked for the check and the write."""
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
    WORKFLOW.check(application, new=S.ADOPTED, by=by, reason=reason)
    with transaction.atomic():
        _lock_budget_room(application, amount)
        return WORKFLOW.apply(
            application,
            new=S.ADOPTED,
            by=by,
            reason=reason,
            changes={
                "decided_amount": amount,
                "conditions": conditions,
                "decision_reason": reason,
                "decided_at": timezone.now(),
            },
        )


def application_reject(*, application: Application, by: UserLike, reason: str) -> Application:
    return WORKFLOW.apply(
        application,
        new=S.REJECTED,
        by=by,
        reason=reason,
        changes={"decision_reason": reason, "decided_at": timezone.now()},
    )


def application_grant(*, application: Application, by: UserLike, reason: str = "") -> Application:
    """交付決定: the formal grant decision that follows the selection."""
    return WORKFLOW.apply(application, new=S.GRANTED, by=by, reason=reason)


def application_return_report(
    *, application: Application, by: UserLike, reason: str
) -> Application:
    return WORKFLOW.apply(application, new=S.GRANTED, by=by, reason=reason)


def application_close(*, application: Application, by: UserLike, reason: str = "") -> Application:
    return WORKFLOW.apply(application, new=S.CLOSED, by=by, reason=reason)
