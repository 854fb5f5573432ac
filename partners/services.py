"""Write paths of the partner programme. Views, admin actions, the demo and commands call these;
nothing else changes the state of a registration, a request or a sign-up. Each state change is
a named function calling its `Workflow.apply` (muroran_kyodo/lib/workflow.py): allowed map, who
may act, compare-and-set, history row, e-mail on commit. Locks (a shift, equipment) are taken
here, in a transaction around the call."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.jp import fiscal_year
from muroran_kyodo.lib.mail import site_language_text
from muroran_kyodo.lib.models import StatusChange, next_value
from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal
from muroran_kyodo.lib.workflow import Workflow

from . import emails
from .models import (
    CONTACT_FIELDS,
    HISTORY_OF,
    MAX_BAGS,
    NUMBER_PREFIX,
    PARTNER_EDITABLE_FIELDS,
    PLACES_ON_THE_FORM,
    ActivityKind,
    ActivityPlace,
    ActivityReport,
    Channel,
    Equipment,
    EquipmentLoan,
    InsuranceEnrollment,
    PartnerRequest,
    PickupRequest,
    Programme,
    Registration,
    RegistrationStatusChange,
    RequestStatus,
    Shift,
    Signup,
    SignupStatusChange,
    SupplyRequest,
    SupplyRequestLine,
    overlapping_loans,
)
from .permissions import can_act_for, can_act_or_staff, can_handle, can_manage_for, is_partner_staff

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike

S = Registration.Status
RS = RequestStatus
SS = Signup.Status
# A pickup request, a supply request or an equipment loan: what comes in is what goes out.
R = TypeVar("R", bound=PartnerRequest)

# --- Registrations ----------------------------------------------------------------------------

# (from, to) → who may make the change: "staff", or "partner" (the person responsible or a
# manager of the organisation; staff may always act for them, e.g. on a phone call).
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.APPLIED, S.REGISTERED): "staff",
    (S.APPLIED, S.RETURNED): "staff",
    (S.RETURNED, S.APPLIED): "partner",
    (S.REGISTERED, S.SUSPENDED): "partner",
    (S.SUSPENDED, S.REGISTERED): "partner",
    (S.APPLIED, S.WITHDRAWN): "partner",
    (S.RETURNED, S.WITHDRAWN): "partner",
    (S.REGISTERED, S.WITHDRAWN): "partner",
    (S.SUSPENDED, S.WITHDRAWN): "partner",
}
REASON_REQUIRED = {S.RETURNED}


def _may_change_registration(user: UserLike, registration: Registration, who: str) -> bool:
    return is_partner_staff(user) or (who == "partner" and can_act_for(user, registration))


def _registration_changed(registration: Registration, *, old: str, reason: str) -> None:
    emails.status_changed(registration, old=old, reason=reason)


REGISTRATION = Workflow(
    model=Registration,
    history=RegistrationStatusChange,
    allowed=ALLOWED_TRANSITIONS,
    may=_may_change_registration,
    notify=_registration_changed,
    reason_required=REASON_REQUIRED,
    not_allowed=gettext_lazy("This registration cannot go from “%(old)s” to “%(new)s”."),
    changed_meanwhile=gettext_lazy(
        "Someone else changed this registration just now. Reload and try again."
    ),
    reason_missing=gettext_lazy("Write the reason, so the partner knows what to fix."),
)


def _registration_to(
    registration: Registration, new: str, *, by: UserLike, reason: str
) -> Registration:
    changes: dict[str, Any] = {}
    if new == S.REGISTERED and not registration.registered_on:
        changes["registered_on"] = timezone.localdate()
    return REGISTRATION.apply(registration, new=new, by=by, reason=reason, changes=changes)


def registration_approve(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    """Staff accept an application (or resume a paused partner): 登録, dated the first time."""
    return _registration_to(registration, S.REGISTERED, by=by, reason=reason)


def registration_return(*, registration: Registration, by: UserLike, reason: str) -> Registration:
    return _registration_to(registration, S.RETURNED, by=by, reason=reason)


def registration_resubmit(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    """A returned registration goes back to 申請中."""
    return _registration_to(registration, S.APPLIED, by=by, reason=reason)


def registration_suspend(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    return _registration_to(registration, S.SUSPENDED, by=by, reason=reason)


def registration_resume(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    return _registration_to(registration, S.REGISTERED, by=by, reason=reason)


def registration_withdraw(
    *, registration: Registration, by: UserLike, reason: str = ""
) -> Registration:
    return _registration_to(registration, S.WITHDRAWN, by=by, reason=reason)


def _received_by(record: Registration | Signup) -> str:
    """The reason of the first history row: the channel a record came by."""
    return site_language_text(
        gettext_lazy("Received by %(channel)s"),
        channel=site_language_text(Channel(record.channel).label),
    )


def _number(programme: Programme) -> str:
    year = fiscal_year(timezone.localdate())
    prefix = NUMBER_PREFIX[programme]
    return f"{prefix}-{year}-{next_value(f'partners.{prefix}.{year}'):05d}"


def registration_create(
    *,
    registration: Registration,
    places: Collection[ActivityPlace] = (),
    activity_kinds: Iterable[ActivityKind] = (),
    by: User,
) -> Registration:
    """Save a new registration as 申請中 with its number, places and activities.

    `registration` is an unsaved instance filled by a form (web) or by staff (paper, FAX).
    A second live registration of the same person or organisation for the same programme is
    refused by the database; that becomes a ValidationError here, with nothing saved.
    """
    if not can_manage_for(by, registration):
        raise PermissionDenied
    try:
        with transaction.atomic():
            registration.number = _number(Programme(registration.programme))
            registration.status = S.APPLIED
            registration.created_by = by
            if registration.kind == Registration.Kind.INDIVIDUAL:
                registration.member_count = 1
            registration.save()
            for place in places:
                if place.pk is None:
                    place.save()
            registration.places.set(places)
            registration.activity_kinds.set(activity_kinds)
            REGISTRATION.record_history(
                registration, old="", new=S.APPLIED, by=by, reason=_received_by(registration)
            )
    except IntegrityError:
        registration.pk = None
        raise ValidationError(
            _("You already have a registration for this programme. See My page.")
        ) from None
    transaction.on_commit(lambda: emails.received(registration))
    return registration


EDITABLE_STATUSES = (S.APPLIED, S.RETURNED)


def _same_place(a: ActivityPlace, b: ActivityPlace) -> bool:
    return (a.district_id, a.kind, a.description) == (b.district_id, b.kind, b.description)


def registration_update(
    *,
    registration: Registration,
    places: Iterable[ActivityPlace] = (),
    activity_kinds: Iterable[ActivityKind] = (),
    by: UserLike,
) -> Registration:
    """Save the partner's changes to a registration the city has not accepted yet.

    Allowed while 申請中 (the city has not looked at it yet) or 差戻し (the city asked for
    changes); a returned registration goes back to 申請中 with the changes, through
    `registration_resubmit`, so the history and the e-mail are as for any other change. Places that are
    unchanged keep their row in the register of places (staff may have put them on the map);
    places beyond the form's rows (added by staff) are kept.
    """
    if not (can_act_or_staff(by, registration) and can_manage_for(by, registration)):
        raise PermissionDenied
    try:
        with transaction.atomic():
            current = Registration.objects.select_for_update().get(pk=registration.pk)
            if current.status not in EDITABLE_STATUSES:
                raise TransitionError(
                    _(
                        "This registration can no longer be changed here: it is “%(status)s”. "
                        "Ask the Community Life Division."
                    )
                    % {"status": current.get_status_display()}
                )
            existing = list(current.places.all())
            kept = existing[PLACES_ON_THE_FORM:]
            new_places: list[ActivityPlace] = []
            for place in places:
                same = next((old for old in existing if _same_place(old, place)), None)
                if same is None:
                    place.save()
                    same = place
                new_places.append(same)
            if registration.kind == Registration.Kind.INDIVIDUAL:
                registration.member_count = 1
            registration.status = current.status
            # Only what the partner may change: staff's notes and the number stay as they are.
            registration.save(update_fields=PARTNER_EDITABLE_FIELDS)
            registration.places.set(new_places + kept)
            registration.activity_kinds.set(activity_kinds)
            if current.status == S.RETURNED:
                registration_resubmit(
                    registration=registration,
                    by=by,
                    reason=site_language_text(gettext_lazy("Changed and submitted again")),
                )
    except IntegrityError:
        raise ValidationError(
            _("You already have a registration for this programme. See My page.")
        ) from None
    return registration


CONTACT_EDITABLE_STATUSES = (S.REGISTERED, S.SUSPENDED)


def registration_contact_update(*, registration: Registration, by: UserLike) -> Registration:
    """Save a registered partner's new contact details (the fields of CONTACT_FIELDS only,
    already set on `registration` by the form). Nothing else of the registration changes."""
    if not can_act_or_staff(by, registration):
        raise PermissionDenied
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status not in CONTACT_EDITABLE_STATUSES:
            raise TransitionError(
                _(
                    "This registration can no longer be changed here: it is “%(status)s”. "
                    "Ask the Community Life Division."
                )
                % {"status": current.get_status_display()}
            )
        registration.save(update_fields=CONTACT_FIELDS)
    return registration


def insurance_confirm(
    *, registration: Registration, fiscal_year: int, by: User
) -> tuple[InsuranceEnrollment, bool]:
    """Staff confirm the volunteer insurance of a registered partner for a fiscal year, for the
    people it counts now; a year already confirmed stays as it was. Returns (enrollment,
    created)."""
    return InsuranceEnrollment.objects.get_or_create(
        registration=registration,
        fiscal_year=fiscal_year,
        defaults={"insured_people": registration.people, "confirmed_by": by},
    )


def report_create(*, report: ActivityReport, by: User) -> ActivityReport:
    """Save an activity report of a registered partner."""
    registration = report.registration
    if not can_act_or_staff(by, registration):
        raise PermissionDenied
    if registration.status not in (S.REGISTERED, S.SUSPENDED) and not is_partner_staff(by):
        raise ValidationError(_("Reports can be filed once the registration is accepted."))
    if report.activity_date > timezone.localdate():
        raise ValidationError(
            {"activity_date": _("The date of the activity cannot be in the future.")}
        )
    report.created_by = by
    report.save()
    return report


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


# --- Sign-ups for まごころ・まかせて shifts -----------------------------------------------------

# (none) → confirmed | waiting when created; waiting → confirmed when a place frees up (made by
# the cancellation that freed it, under the shift's lock); confirmed | waiting → cancelled.
SIGNUP_TRANSITIONS: dict[tuple[str, str], str] = {
    (SS.WAITING, SS.CONFIRMED): "waiting list",
    (SS.CONFIRMED, SS.CANCELLED): "partner",
    (SS.WAITING, SS.CANCELLED): "partner",
}


def _may_change_signup(user: UserLike, signup: Signup, who: str) -> bool:
    if who == "waiting list":  # the cancellation that freed the place moves the queue on
        return True
    return can_act_or_staff(user, signup.registration)


def _signup_changed(signup: Signup, *, old: str, reason: str) -> None:
    if old == SS.WAITING and signup.status == SS.CONFIRMED:
        emails.signup_promoted(signup)


SIGNUP = Workflow(
    model=Signup,
    history=SignupStatusChange,
    allowed=SIGNUP_TRANSITIONS,
    may=_may_change_signup,
    notify=_signup_changed,
)
SIGNUP_CANCELLED = gettext_lazy("This sign-up is already cancelled.")


def signup_create(
    *,
    shift: Shift,
    registration: Registration,
    by: User,
    wait: bool = False,
    channel: str = Channel.WEB,
) -> Signup:
    """Put a partner on a shift.

    1. `by` acts for the registration (or is staff), which is 登録 in the opportunity's programme;
    2. the opportunity is open (published, deadline not passed). Staff keying in a sign-up that
       came on paper or by phone may do so after the deadline, until the shift starts (a
       postcard posted in time arrives late);
    3. lock the shift row, count its confirmed sign-ups: a free place → confirmed; full →
       refused, or 'waiting' when `wait`;
    4. a second live sign-up for the same shift is refused by the database constraint;
    5. the first history row, as for every sign-up.
    """
    opportunity = shift.opportunity
    if not can_act_or_staff(by, registration):
        raise PermissionDenied
    if registration.programme != opportunity.programme:
        raise ValidationError(
            _(
                "This opportunity is for the programme “%(programme)s”. Register for that programme first."
            )
            % {"programme": opportunity.get_programme_display()},
            code="wrong_programme",
        )
    if registration.status != S.REGISTERED:
        raise ValidationError(
            _("You can sign up once your partner registration is accepted and active."),
            code="not_registered",
        )
    now = timezone.now()
    open_until = shift.starts_at if is_partner_staff(by) else opportunity.signup_deadline
    if not (opportunity.is_published and open_until >= now):
        raise ValidationError(_("Sign-ups for this opportunity are closed."), code="closed")
    try:
        with transaction.atomic():
            # Serialises sign-ups for this shift: the count below cannot go stale before insert.
            locked = Shift.objects.select_for_update().get(pk=shift.pk)
            taken = Signup.objects.filter(shift=locked, status=SS.CONFIRMED).count()
            if taken < locked.slots:
                status = SS.CONFIRMED
            elif wait:
                status = SS.WAITING
            else:
                raise ValidationError(
                    _("This shift is full. You can join the waiting list instead."), code="full"
                )
            signup = Signup.objects.create(
                shift=locked,
                registration=registration,
                status=status,
                channel=channel,
                created_at=now,
                created_by=by,
                status_changed_at=now,
            )
            SIGNUP.record_history(
                signup, old="", new=status, by=by, at=now, reason=_received_by(signup)
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already signed up for this shift."), code="duplicate"
        ) from None
    signup.shift = shift
    return signup


def signup_cancel(*, signup: Signup, by: UserLike) -> Signup:
    """Cancel a sign-up.

    1. staff any time; the partner only until the sign-up deadline;
    2. under the shift lock, the workflow moves it to cancelled (from its state in the database);
    3. if a confirmed place was freed, the oldest waiting sign-up becomes confirmed and its
       partner is e-mailed once the transaction commits.
    """
    staff = is_partner_staff(by)
    if not (staff or can_act_for(by, signup.registration)):
        raise PermissionDenied
    shift = signup.shift
    if not staff and shift.opportunity.signup_deadline < timezone.now():
        raise ValidationError(
            _("The sign-up deadline has passed. To cancel, contact the department in charge."),
            code="deadline_passed",
        )
    with transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        old = Signup.objects.filter(pk=signup.pk).values_list("status", flat=True).first()
        if old is None or old == SS.CANCELLED:
            raise ValidationError(SIGNUP_CANCELLED, code="cancelled")
        signup.status = old
        try:
            SIGNUP.apply(signup, new=SS.CANCELLED, by=by)
        except TransitionError:
            raise ValidationError(SIGNUP_CANCELLED, code="cancelled") from None
        if old == SS.CONFIRMED:
            _promote_the_first_waiting(locked, by=by)
    return signup


def _promote_the_first_waiting(locked: Shift, *, by: UserLike) -> None:
    """With the shift locked: if a place is free, the oldest waiting sign-up is confirmed."""
    taken = Signup.objects.filter(shift=locked, status=SS.CONFIRMED).count()
    waiting = (
        Signup.objects.filter(shift=locked, status=SS.WAITING)
        .select_related("registration__user", "shift__opportunity")
        .order_by("created_at", "pk")
        .first()
    )
    if waiting is not None and taken < locked.slots:
        SIGNUP.apply(waiting, new=SS.CONFIRMED, by=by)


def attendance_record(
    *, signup: Signup, attended: bool, hours: Decimal | float | None, by: UserLike
) -> Signup:
    """Staff record whether a confirmed partner came, and the hours worked (0-24). Not a state
    change: the status stays confirmed."""
    if not is_partner_staff(by):
        raise PermissionDenied
    if signup.status != SS.CONFIRMED:
        raise ValidationError(
            _("Attendance can be recorded only for confirmed sign-ups."), code="not_confirmed"
        )
    if hours is not None:
        hours = Decimal(str(hours))
        if not Decimal(0) <= hours <= Decimal(24):
            raise ValidationError({"hours": _("Enter the hours worked, between 0 and 24.")})
    if not attended:
        hours = None
    # Compare-and-set: a sign-up cancelled meanwhile gets no attendance.
    if not Signup.objects.filter(pk=signup.pk, status=SS.CONFIRMED).update(
        attended=attended, hours=hours
    ):
        raise ValidationError(
            _("Attendance can be recorded only for confirmed sign-ups."), code="not_confirmed"
        )
    signup.attended, signup.hours = attended, hours
    return signup
