"""Sessions (workshops and facilitator trainings): created in preparation, announced, cancelled
with a reason (every active sign-up is cancelled and told), a workshop's outputs published
after it (and withdrawn with a reason), a training's completions recorded
(`facilitators.training_complete`).

    DRAFT ─session_announce→ SCHEDULED ─session_cancel (reason)→ CANCELLED
    SCHEDULED ─outputs_publish→ PUBLISHED ─outputs_withdraw (reason)→ SCHEDULED   (workshop)
    SCHEDULED ─training_complete→ COMPLETED                                        (training)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.workflow import TransitionError as TransitionError  # the one refusal
from muroran_kyodo.lib.workflow import Workflow

from .. import emails
from ..models import (
    Assignment,
    Council,
    Facilitator,
    Session,
    SessionStatusChange,
    Signup,
    SignupStatusChange,
)
from ..permissions import can_manage_session, may_act
from .signups import _fill

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import UserLike

S = Session.Status

SESSION_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SCHEDULED): "staff",
    (S.SCHEDULED, S.CANCELLED): "staff",
    (S.SCHEDULED, S.PUBLISHED): "staff",
    (S.PUBLISHED, S.SCHEDULED): "staff",
    (S.SCHEDULED, S.COMPLETED): "staff",
}

SESSION: Workflow[Session] = Workflow(
    model=Session,
    history=SessionStatusChange,
    allowed=SESSION_TRANSITIONS,
    may=may_act,
    reason_required={S.CANCELLED, (S.PUBLISHED, S.SCHEDULED)},
    not_allowed=gettext_lazy("This session is no longer in a state where that can be done."),
)

WORKSHOP_ONLY = gettext_lazy("Only a workshop has outputs to publish.")


def _require(session: Session, status: str) -> None:
    """Two transitions lead to SCHEDULED: each named one starts from its own state."""
    if session.status != status:
        raise TransitionError(SESSION.not_allowed)


def session_create(*, by: UserLike, **fields: Any) -> Session:
    """A session in preparation (the admin's add form). A workshop belongs to a council and
    takes its department; a training has no council. `eligible_districts` may be given."""
    districts = fields.pop("eligible_districts", None)
    fields.pop("status", None)
    session = Session(**fields)
    problems: dict[str, list[str]] = {}
    if session.kind == Session.Kind.WORKSHOP:
        council: Council | None = session.council if session.council_id else None
        if council is None:
            problems["council"] = [_("Choose the council this workshop belongs to.")]
        elif session.department_id is None:
            session.department_id = council.department_id
        elif session.department_id != council.department_id:
            problems["department"] = [
                _("A workshop is run by its council's department (%(department)s).")
                % {"department": council.department}
            ]
    elif session.council_id is not None:
        problems["council"] = [_("A training belongs to no council.")]
    if session.department_id is None and "council" not in problems:
        problems["department"] = [_("Choose the department in charge.")]
    if problems:
        raise ValidationError(problems)
    if not can_manage_session(by, session):
        raise PermissionDenied
    problems = _timing_problems(session)
    if problems:
        raise ValidationError(problems)
    if session.starts_at:
        session.fiscal_year = _fiscal_year(session.starts_at)
    session.full_clean()
    with transaction.atomic():
        session.save()
        if districts is not None:
            session.eligible_districts.set(list(districts))
        SESSION.record_history(session, old="", new=session.status, by=by)
    return session


def _fiscal_year(moment: dt.datetime) -> int:
    from muroran_kyodo.lib.jp import fiscal_year

    return fiscal_year(timezone.localtime(moment).date())


def _timing_problems(session: Session) -> dict[str, list[str]]:
    """The checks the database's constraints make, as messages on the fields."""
    problems: dict[str, list[str]] = {}
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        problems["ends_at"] = [_("The end must be after the start.")]
    if (
        session.starts_at
        and session.signup_closes_at
        and session.signup_closes_at > session.starts_at
    ):
        problems["signup_closes_at"] = [_("Sign-ups must close before the session starts.")]
    if (
        session.age_min is not None
        and session.age_max is not None
        and session.age_max < session.age_min
    ):
        problems["age_max"] = [_("The oldest age must not be below the youngest.")]
    return problems


def announce_problems(session: Session) -> dict[str, list[str]]:
    """What stops announcing the session (the admin shows it next to the button)."""
    problems = _timing_problems(session)
    council = session.council if session.council_id is not None else None
    if session.kind == Session.Kind.WORKSHOP and council is not None:
        if council.status == Council.Status.DRAFT:
            problems.setdefault("__all__", []).append(
                _("Open the council before announcing its workshops.")
            )
    if session.eligibility == Session.Eligibility.DISTRICTS and (
        session.pk is None or not session.eligible_districts.exists()
    ):
        problems.setdefault("eligible_districts", []).append(
            _("Choose the districts whose residents may join.")
        )
    if (
        session.eligibility == Session.Eligibility.AGE
        and session.age_min is None
        and session.age_max is None
    ):
        problems.setdefault("age_min", []).append(_("Give the age band."))
    return problems


def session_announce(*, session: Session, by: UserLike) -> Session:
    """準備中 → 受付中: public, open for sign-up until the deadline."""
    _require(session, S.DRAFT)
    SESSION.check(session, new=S.SCHEDULED, by=by)
    problems = announce_problems(session)
    if problems:
        raise ValidationError(problems)
    return SESSION.apply(session, new=S.SCHEDULED, by=by)


def session_cancel(
    *, session: Session, by: UserLike, reason: str, now: dt.datetime | None = None
) -> Session:
    """受付中 → 中止, with the reason, until the session starts (one that took place stays on
    record with its attendance): every active sign-up (registered, waiting, unconfirmed) is
    cancelled with a history row, and everyone with an e-mail address is told why; the
    facilitators assigned are told too, and their assignments removed (their time is free)."""
    now = now or timezone.now()
    SESSION.check(session, new=S.CANCELLED, by=by, reason=reason)
    if now >= session.starts_at:
        raise ValidationError({"__all__": _started_cannot_cancel()})
    author = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        # The sign-ups allocate under this lock: none slips in after the list below.
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if now >= locked.starts_at:  # moved meanwhile
            raise ValidationError({"__all__": _started_cannot_cancel()})
        SESSION.apply(session, new=S.CANCELLED, by=by, reason=reason)
        signups = list(session.signups.active().select_for_update().order_by("pk"))
        Signup.objects.filter(pk__in=[s.pk for s in signups]).update(
            status=Signup.Status.CANCELLED, status_changed_at=now
        )
        history = []
        for signup in signups:
            history.append(
                SignupStatusChange(
                    signup=signup,
                    old_status=signup.status,
                    new_status=Signup.Status.CANCELLED,
                    by=author,
                    at=now,
                    reason=reason,
                )
            )
            signup.status = Signup.Status.CANCELLED
            signup.status_changed_at = now
            signup.session = session
        SignupStatusChange.objects.bulk_create(history)
        for signup in signups:
            if signup.email:
                emails.session_cancelled(signup, reason)
        assignments = list(
            Assignment.objects.filter(session=session)
            .select_related("facilitator__user")
            .order_by("table")
        )
        Assignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
        for assignment in assignments:
            assignment.session = session
            emails.session_cancelled_facilitator(assignment, reason)
    return session


def _started_cannot_cancel() -> str:
    return _("The session has started: it can no longer be cancelled.")


# Never changed through `session_change`: the state has its workflow, the rest is fixed.
_NOT_CHANGED = frozenset({"id", "status", "status_changed_at", "kind", "fiscal_year"})


def session_change(
    *,
    session: Session,
    changes: dict[str, Any],
    by: UserLike,
    now: dt.datetime | None = None,
) -> list[Signup]:
    """Save the admin's edit of an existing session: `changes` maps field names to the new
    values (the fields the form changed; many-to-many fields are the caller's, with the
    form's `save_m2m`). Under the session's lock:

    1. the capacity may not go below the people registered now {"capacity"};
    2. new times may not put an assigned facilitator at two overlapping (non-cancelled)
       sessions {"starts_at"} (their pool entries are locked, as `facilitator_assign` does);
    3. only the fields changed are saved (`update_fields`; never the status);
    4. a capacity raised fills the places from the waiting list (while sign-ups are taken),
       each person moved up e-mailed on commit.

    Returns the sign-ups moved up. `session` is updated with the values saved."""
    now = now or timezone.now()
    if not can_manage_session(by, session):
        raise PermissionDenied
    concrete = {
        f.name: f
        for f in Session._meta.concrete_fields
        if f.name not in _NOT_CHANGED and not f.primary_key
    }
    wanted = {name: value for name, value in changes.items() if name in concrete}
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        changed = {name: value for name, value in wanted.items() if getattr(locked, name) != value}
        old_capacity = locked.capacity
        for name, value in changed.items():
            setattr(locked, name, value)
        if "department" in changed and not can_manage_session(by, locked):
            raise PermissionDenied  # moved to a department `by` does not run
        problems = _timing_problems(locked)
        if problems:
            raise ValidationError(problems)
        if "capacity" in changed:
            registered = locked.signups.registered().count()
            if locked.capacity < registered:
                raise ValidationError(
                    {
                        "capacity": _(
                            "The capacity cannot be less than the %(n)d people already registered."
                        )
                        % {"n": registered}
                    }
                )
        if "starts_at" in changed or "ends_at" in changed:
            clash = _facilitator_clash(locked)
            if clash is not None:
                raise ValidationError(
                    {
                        "starts_at": _(
                            "At the new time, the facilitator %(name)s would be at another "
                            "workshop (%(session)s)."
                        )
                        % {"name": clash.facilitator, "session": clash.session}
                    }
                )
        if not changed:
            return []
        fields = list(changed)
        if "starts_at" in changed:
            fields.append("fiscal_year")  # follows the start (`Session.save`)
        locked.save(update_fields=fields)
        for name in fields:
            setattr(session, name, getattr(locked, name))
        promoted: list[Signup] = []
        if (
            locked.capacity > old_capacity
            and locked.status == S.SCHEDULED
            and now < locked.starts_at
        ):
            promoted = _fill(locked, by=by, now=now, reason=_("The capacity was raised."))
    return promoted


def _facilitator_clash(session: Session) -> Assignment | None:
    """An assignment elsewhere that overlaps `session`'s times, of a facilitator assigned to
    `session` (their pool entries locked first, in the order `facilitator_assign` takes)."""
    facilitator_ids = list(
        Assignment.objects.filter(session=session).values_list("facilitator_id", flat=True)
    )
    if not facilitator_ids:
        return None
    list(Facilitator.objects.select_for_update().filter(pk__in=facilitator_ids).order_by("pk"))
    return (
        Assignment.objects.filter(
            facilitator_id__in=facilitator_ids,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(session=session)
        .exclude(session__status=S.CANCELLED)
        .select_related("session", "facilitator__user")
        .order_by("session__starts_at", "pk")
        .first()
    )


def outputs_problems(session: Session, *, now: dt.datetime) -> dict[str, list[str]]:
    """What is missing before a workshop's outputs can be published: the workshop has taken
    place, a short report, at least one table's opinions."""
    problems: dict[str, list[str]] = {}
    if session.kind != Session.Kind.WORKSHOP:
        problems["__all__"] = [str(WORKSHOP_ONLY)]
        return problems
    if session.ends_at > now:
        problems.setdefault("__all__", []).append(
            _("The outputs can be published once the workshop has taken place.")
        )
    if not (session.report or "").strip():
        problems.setdefault("report", []).append(_("Write the short report of the workshop."))
    if not session.opinions.exists():
        problems.setdefault("__all__", []).append(_("Enter the opinions of at least one table."))
    return problems


def outputs_publish(*, session: Session, by: UserLike, now: dt.datetime | None = None) -> Session:
    """受付中 → 成果公開 (a workshop, after it): the opinions, photos and report are public."""
    now = now or timezone.now()
    if session.kind != Session.Kind.WORKSHOP:
        raise TransitionError(WORKSHOP_ONLY)
    SESSION.check(session, new=S.PUBLISHED, by=by)
    problems = outputs_problems(session, now=now)
    if problems:
        raise ValidationError(problems)
    return SESSION.apply(session, new=S.PUBLISHED, by=by)


def outputs_withdraw(*, session: Session, by: UserLike, reason: str) -> Session:
    """成果公開 → 受付中 (held), with the reason: the outputs are no longer public (a photo
    published by mistake, a correction)."""
    _require(session, S.PUBLISHED)
    return SESSION.apply(session, new=S.SCHEDULED, by=by, reason=reason)
