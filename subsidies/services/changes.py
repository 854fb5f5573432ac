"""Write paths of 変更承認: the group asks to change the plan or budget of a granted project,
staff approve or refuse. A change request has its own workflow (requested → approved or
refused, with history); an approved new amount is checked against the programme's budget."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.mail import site_language_text
from muroran_kyodo.lib.workflow import TransitionError, Workflow

from .. import emails
from ..models import Application, ChangeRequest, ChangeRequestStatusChange
from ..permissions import STAFF, can_edit_application, is_subsidy_staff
from .applications import CHANGED_MEANWHILE, _lock_budget_room
from .applications import WORKFLOW as APPLICATION_WORKFLOW

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User

S = Application.Status
C = ChangeRequest.Status

ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (C.REQUESTED, C.APPROVED): STAFF,
    (C.REQUESTED, C.REFUSED): STAFF,
}
ANSWERED = gettext_lazy("This change request has already been answered.")
REASON_MISSING = gettext_lazy("Write the reason, so the group knows why.")


def _notify(change_request: ChangeRequest, *, old: str, reason: str) -> None:
    emails.change_request_decided(change_request)


WORKFLOW = Workflow(
    model=ChangeRequest,
    history=ChangeRequestStatusChange,
    allowed=ALLOWED_TRANSITIONS,
    may=lambda user, change_request, who: is_subsidy_staff(user),
    notify=_notify,
    reason_required={C.REFUSED},
    not_allowed=ANSWERED,
    changed_meanwhile=ANSWERED,
    reason_missing=REASON_MISSING,
    changed_at_field="decided_at",
)


def change_request_create(
    *, application: Application, by: User, description: str, new_amount: int | None = None
) -> ChangeRequest:
    """The group asks to change the plan or budget of a granted project."""
    if not can_edit_application(by, application):
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
            change_request = ChangeRequest.objects.create(
                application=application,
                description=description,
                new_amount=new_amount,
                requested_by=by,
            )
            WORKFLOW.record_history(change_request, old="", new=C.REQUESTED, by=by)
            return change_request
    except IntegrityError:
        raise ValidationError(
            _("A change request is already waiting for the city's answer.")
        ) from None


def change_request_decide(
    *, change_request: ChangeRequest, by: User, approve: bool, response: str = ""
) -> ChangeRequest:
    """Staff approve or refuse a change request.

    1. compare-and-set the request from “requested” (its workflow, with history);
    2. on approval with a new amount: lock the programme, check the budget, set the
       application's decided amount;
    3. a history row on the application too (its status stays “granted”); the e-mail goes
       once the transaction commits.
    """
    if not is_subsidy_staff(by):
        raise PermissionDenied
    if not approve and not response.strip():
        raise ValidationError({"response": str(REASON_MISSING)})
    application = change_request.application
    new_status = C.APPROVED if approve else C.REFUSED
    with transaction.atomic():
        WORKFLOW.apply(
            change_request,
            new=new_status,
            by=by,
            reason=response,
            changes={"decided_by": by, "response": response},
        )
        if approve and change_request.new_amount is not None:
            _lock_budget_room(application, change_request.new_amount)
            # Read under the programme's lock, which every change of a decided amount takes.
            previous = (
                Application.objects.filter(pk=application.pk)
                .values_list("decided_amount", flat=True)
                .get()
            )
            ChangeRequest.objects.filter(pk=change_request.pk).update(previous_amount=previous)
            change_request.previous_amount = previous
            if (
                Application.objects.filter(pk=application.pk, status=S.GRANTED).update(
                    decided_amount=change_request.new_amount
                )
                != 1
            ):
                raise TransitionError(CHANGED_MEANWHILE)
            application.decided_amount = change_request.new_amount
        APPLICATION_WORKFLOW.record_history(
            application,
            old=application.status,
            new=application.status,
            by=by,
            at=change_request.decided_at,
            reason=site_language_text(
                gettext_lazy("Change request %(result)s: %(response)s"),
                result=site_language_text(C(new_status).label),
                response=response,
            ),
        )
    return change_request


def change_request_approve(
    *, change_request: ChangeRequest, by: User, reason: str = ""
) -> ChangeRequest:
    return change_request_decide(
        change_request=change_request, by=by, approve=True, response=reason
    )


def change_request_refuse(*, change_request: ChangeRequest, by: User, reason: str) -> ChangeRequest:
    return change_request_decide(
        change_request=change_request, by=by, approve=False, response=reason
    )
