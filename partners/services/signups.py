"""Sign-ups for まごころ・まかせて shifts: places under a lock, the waiting list, cancellation and
attendance."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal
from muroran_kyodo.lib.workflow import Workflow

from .. import emails
from ..models import (
    Channel,
    Registration,
    Shift,
    Signup,
    SignupStatusChange,
)
from ..permissions import (
    can_act_for,
    can_act_or_staff,
    is_partner_staff,
)
from .registrations import received_by

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike


S = Registration.Status
SS = Signup.Status

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
    5. the first history row, as for every sign-up;
    6. the partner is e-mailed the confirmation (or their place on the waiting list) once the
       transaction commits, whoever keyed the sign-up in.
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
                signup, old="", new=status, by=by, at=now, reason=received_by(signup)
            )
            # In the outbox with the sign-up: sent once the caller's transaction commits (the
            # admin's too), never on a refusal.
            emails.signup_received(signup)
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
    3. the partner is e-mailed that it is cancelled (and whether the city cancelled it) once
       the transaction commits;
    4. if a confirmed place was freed, the oldest waiting sign-up becomes confirmed and its
       partner is e-mailed too.
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
        by_city = not can_act_for(by, signup.registration)
        emails.signup_cancelled(signup, by_city=by_city)
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
