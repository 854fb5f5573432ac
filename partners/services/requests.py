"""Requests to the city: pickups (土木課), supplies (環境課), equipment loans (地域生活課), each
kind with its own workflow and history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.models import StatusChange
from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal
from muroran_kyodo.lib.workflow import Workflow

from .. import emails
from ..models import (
    HISTORY_OF,
    MAX_BAGS,
    Equipment,
    EquipmentLoan,
    PartnerRequest,
    PickupRequest,
    Registration,
    RequestStatus,
    SupplyRequest,
    SupplyRequestLine,
    overlapping_loans,
)
from ..permissions import (
    can_act_for,
    can_handle,
)

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike


S = Registration.Status
RS = RequestStatus
# A pickup request, a supply request or an equipment loan: what comes in is what goes out.
R = TypeVar("R", bound=PartnerRequest)

# --- Requests to the city ---------------------------------------------------------------------

# Per kind of request, (from, to) → who may make the change: "staff" (the request's
# department), or "partner" (the partner, or the department's staff acting for them, e.g. on a
# phone call). A loan is handed over (LENT) before it can be returned (DONE); once the
# equipment is out, only the department can close the loan.
_COLLECTED_OR_DELIVERED: dict[tuple[str, str], str] = {
    (RS.REQUESTED, RS.DONE): "staff",
    (RS.REQUESTED, RS.CANCELLED): "partner",
}
REQUEST_TRANSITIONS: dict[type[PartnerRequest], Mapping[tuple[str, str], str]] = {
    PickupRequest: _COLLECTED_OR_DELIVERED,
    SupplyRequest: _COLLECTED_OR_DELIVERED,
    EquipmentLoan: {
        (RS.REQUESTED, RS.LENT): "staff",
        (RS.LENT, RS.DONE): "staff",
        (RS.REQUESTED, RS.CANCELLED): "partner",
    },
}


def _may_change_request(user: UserLike, request: PartnerRequest, who: str) -> bool:
    return can_handle(user, request) or (
        who == "partner" and can_act_for(user, request.registration)
    )


def _request_changed(request: PartnerRequest, *, old: str, reason: str) -> None:
    emails.request_status_changed(request, old=old, reason=reason)


# HISTORY_OF as what it is; left to inference, mypy joins its classes into the constructor of
# the abstract RequestStatusChangeBase, which Workflow(history=…) refuses.
_HISTORY_OF: Mapping[type[PartnerRequest], type[StatusChange]] = HISTORY_OF

REQUEST_WORKFLOWS: dict[type[PartnerRequest], Workflow[PartnerRequest]] = {
    model: Workflow(
        model=model,
        history=_HISTORY_OF[model],
        allowed=allowed,
        may=_may_change_request,
        notify=_request_changed,
        not_allowed=gettext_lazy("This request cannot go from “%(old)s” to “%(new)s”."),
        changed_meanwhile=gettext_lazy(
            "Someone else changed this request just now. Reload and try again."
        ),
        changed_at_field=None,  # handled_at says when
    )
    for model, allowed in REQUEST_TRANSITIONS.items()
}


def request_create(*, request: R, lines: Iterable[SupplyRequestLine] = (), by: User) -> R:
    """Save a new pickup request, supply request (with `lines`: unsaved SupplyRequestLine) or
    equipment loan of a registered partner.

    1. `by` acts for the registration (or is staff of the request's department, keying in a
       request that came on paper or by phone), and the registration is 登録;
    2. the kind's rules: bags for a pickup; for supplies at least one line, each of an offered
       item and 1..max_per_request; for a loan return_by >= lend_on and the equipment free for
       the whole period (checked with the Equipment row locked, so two loans cannot race);
    3. save the request and its lines in one transaction.
    """
    registration = request.registration
    if not (can_act_for(by, registration) or can_handle(by, request)):
        raise PermissionDenied
    if registration.status != S.REGISTERED:
        raise ValidationError(
            _("Requests can be made once the city has accepted your registration.")
        )
    lines = list(lines)
    if isinstance(request, PickupRequest):
        _check_pickup(request)
    elif isinstance(request, SupplyRequest):
        _check_supply_lines(lines)
    elif isinstance(request, EquipmentLoan):
        if request.return_by < request.lend_on:
            raise ValidationError({"return_by": _("The return date cannot be before the start.")})
    request.status = RS.REQUESTED
    request.created_by = by
    try:
        with transaction.atomic():
            if isinstance(request, EquipmentLoan):
                _check_equipment_free(request)
            request.save()
            if isinstance(request, SupplyRequest):
                for line in lines:
                    line.request = request
                SupplyRequestLine.objects.bulk_create(lines)
            elif lines:  # as the lines' foreign key would refuse another kind of request
                raise ValueError("Only a supply request has lines.")
    except IntegrityError:
        request.pk = None
        raise ValidationError(
            _("The request could not be saved. Check the values and try again.")
        ) from None
    return request


def _check_pickup(pickup: PickupRequest) -> None:
    bags = (pickup.burnable_bags or 0, pickup.non_burnable_bags or 0)
    if min(bags) < 0 or max(bags) > MAX_BAGS:
        raise ValidationError(
            _("Write a number of bags between 0 and %(max)d.") % {"max": MAX_BAGS}
        )
    if sum(bags) == 0:
        raise ValidationError(_("Write how many bags there are to collect."))


def _check_supply_lines(lines: Sequence[SupplyRequestLine]) -> None:
    if not lines:
        raise ValidationError(_("Write the quantity of at least one item."))
    seen: set[int] = set()
    for line in lines:
        item = line.item
        if item.pk in seen:
            raise ValidationError(_("Each item can appear only once in a request."))
        seen.add(item.pk)
        if not item.is_active:
            raise ValidationError(_("%(item)s is no longer offered.") % {"item": item.name})
        if not 1 <= (line.quantity or 0) <= item.max_per_request:
            raise ValidationError(
                _("%(item)s: from 1 to %(max)d %(unit)s per request.")
                % {"item": item.name, "max": item.max_per_request, "unit": item.unit}
            )


def _check_equipment_free(loan: EquipmentLoan) -> None:
    equipment = Equipment.objects.select_for_update().get(pk=loan.equipment_id)
    if not equipment.is_active:
        raise ValidationError({"equipment": _("This equipment is not available for loan.")})
    if overlapping_loans(equipment, loan.lend_on, loan.return_by).exclude(pk=loan.pk).exists():
        raise ValidationError(
            {
                "equipment": _(
                    "This equipment is already lent for part of these dates. "
                    "Choose other dates or another item."
                )
            }
        )


def _request_to(request: R, new: str, *, by: User, reason: str) -> R:
    """A request's state change, with who handled it and when (and a loan's hand-over or return
    date)."""
    changes: dict[str, Any] = {"handled_by": by, "handled_at": timezone.now()}
    if isinstance(request, EquipmentLoan) and new == RS.LENT:
        changes["lent_on"] = timezone.localdate()
    if isinstance(request, EquipmentLoan) and new == RS.DONE:
        changes["returned_on"] = timezone.localdate()
    workflow = REQUEST_WORKFLOWS[type(request)]
    workflow.apply(request, new=new, by=by, reason=reason, changes=changes)
    return request  # the same object, changed in place (typed as the kind it is)


def request_mark_done(*, request: R, by: User, reason: str = "") -> R:
    """Collected, delivered, or (a loan) returned."""
    return _request_to(request, RS.DONE, by=by, reason=reason)


def request_mark_lent(*, request: R, by: User, reason: str = "") -> R:
    """The equipment of a loan is handed over to the partner."""
    return _request_to(request, RS.LENT, by=by, reason=reason)


def request_cancel(*, request: R, by: User, reason: str = "") -> R:
    return _request_to(request, RS.CANCELLED, by=by, reason=reason)
