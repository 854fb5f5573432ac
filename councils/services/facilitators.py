"""The facilitator pool (人材育成): completing a training puts the person in the pool with the
date and the course (`training_complete`); 企画課 adds a pre-portal trainee (`pool_add`); a
person leaves the pool, or a keeper takes them out (`pool_leave`), which removes their future
assignments. The workshop's staff assign facilitators to tables (`facilitator_assign`): one
table a session, never two overlapping sessions, under a lock on the pool entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.workflow import TransitionError

from .. import emails
from ..models import Assignment, Facilitator, Session, Signup
from ..permissions import can_manage_session, is_owner, is_pool_keeper
from .sessions import SESSION

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike

S = Session.Status


def _account(by: UserLike | None) -> User | None:
    return by if by is not None and by.is_authenticated else None


# --- Completing a training ---------------------------------------------------------------------


def training_complete(
    *,
    session: Session,
    by: UserLike,
    completed_ids: Iterable[int],
    completed_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[Facilitator]:
    """受付中 → 修了記録 (a training, after it): the sign-ups ticked (registered, attended, with
    an account) get the completion date, and each person joins the pool with the date and the
    course and an e-mail (someone already in the pool keeps the entry they have). Returns the
    new pool entries."""
    now = now or timezone.now()
    if session.kind != Session.Kind.TRAINING:
        raise TransitionError(_("Only a training has completions to record."))
    SESSION.check(session, new=S.COMPLETED, by=by)
    if session.ends_at > now:
        raise ValidationError(
            {"__all__": _("Completions can be recorded once the training has taken place.")}
        )
    completed_on = completed_on or timezone.localdate(now)
    if completed_on < timezone.localtime(session.starts_at).date() or completed_on > (
        timezone.localdate(now)
    ):
        raise ValidationError(
            {"completed_on": _("The completion date must be between the training and today.")}
        )
    ids = {int(pk) for pk in completed_ids}
    signups = list(session.signups.filter(pk__in=ids).select_related("user").order_by("pk"))
    problems: list[str] = []
    if len(signups) != len(ids):
        problems.append(_("Some of the people ticked are not signed up to this training."))
    for signup in signups:
        if signup.status != Signup.Status.REGISTERED or signup.attended_at is None:
            problems.append(
                _("%(name)s did not attend: only attendees can complete the training.")
                % {"name": signup.name}
            )
        elif signup.user_id is None:
            problems.append(
                _("%(name)s has no account: the pool is for account holders.")
                % {"name": signup.name}
            )
    if problems:
        raise ValidationError({"__all__": problems})

    joined: list[Facilitator] = []
    with transaction.atomic():
        SESSION.apply(session, new=S.COMPLETED, by=by)
        Signup.objects.filter(pk__in=[s.pk for s in signups]).update(completed_on=completed_on)
        for signup in signups:
            signup.completed_on = completed_on
            assert signup.user is not None  # checked above
            entry = _join(
                signup.user,
                training=session,
                course=session.title,
                completed_on=completed_on,
                now=now,
            )
            if entry is not None:
                joined.append(entry)
    return joined


def _join(
    user: User,
    *,
    training: Session | None,
    course: str,
    completed_on: dt.date,
    now: dt.datetime,
) -> Facilitator | None:
    """A pool entry for `user` with the e-mail on commit; None when already in the pool
    (inside the caller's transaction)."""
    if Facilitator.objects.in_pool().filter(user=user).exists():
        return None
    try:
        with transaction.atomic():
            entry = Facilitator.objects.create(
                user=user,
                training=training,
                course=course,
                completed_on=completed_on,
                joined_at=now,
            )
    except IntegrityError:  # joined at the same moment by another write (partial unique)
        return None
    emails.facilitator_joined(entry)
    return entry


def pool_add(
    *,
    user: User,
    course: str,
    completed_on: dt.date,
    by: UserLike,
    now: dt.datetime | None = None,
) -> Facilitator:
    """A person who completed a training before the portal, added by a pool keeper."""
    now = now or timezone.now()
    if not is_pool_keeper(by):
        raise PermissionDenied
    problems: dict[str, list[str]] = {}
    if not (course or "").strip():
        problems["course"] = [_("Write the course completed.")]
    if completed_on > timezone.localdate(now):
        problems["completed_on"] = [_("The completion date cannot be in the future.")]
    if Facilitator.objects.in_pool().filter(user=user).exists():
        problems["user"] = [_("This person is already in the pool.")]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        entry = _join(
            user, training=None, course=course.strip(), completed_on=completed_on, now=now
        )
    if entry is None:
        raise ValidationError({"user": _("This person is already in the pool.")})
    return entry


def pool_leave(
    *, facilitator: Facilitator, by: UserLike, reason: str = "", now: dt.datetime | None = None
) -> Facilitator:
    """The person leaves the pool, or a keeper takes them out: dated, with the reason; their
    assignments to workshops not yet started are removed (the tables show as free to the
    workshops' staff); past ones stay on record."""
    now = now or timezone.now()
    if not (is_owner(by, facilitator) or is_pool_keeper(by)):
        raise PermissionDenied
    with transaction.atomic():
        locked = Facilitator.objects.select_for_update().get(pk=facilitator.pk)
        if locked.left_on is not None:
            raise ValidationError({"__all__": _("This person has already left the pool.")})
        left_on = timezone.localdate(now)
        left_reason = (reason or "").strip()[:200]
        Facilitator.objects.filter(pk=facilitator.pk).update(
            left_on=left_on, left_reason=left_reason
        )
        Assignment.objects.filter(facilitator=facilitator, session__starts_at__gt=now).delete()
    facilitator.left_on = left_on
    facilitator.left_reason = left_reason
    return facilitator


# --- Assignments -------------------------------------------------------------------------------


def _table_taken() -> str:
    return _("Another facilitator is already at this table.")


def _already_here() -> str:
    return _("This facilitator already has a table at this workshop.")


def _not_open_for_assignment() -> str:
    return _("Facilitators are assigned to announced workshops not yet started.")


def _table_range(session: Session) -> str:
    return _("Choose a table from 1 to %(tables)s.") % {"tables": session.tables}


def facilitator_assign(
    *,
    session: Session,
    table: int,
    facilitator: Facilitator,
    by: UserLike,
    now: dt.datetime | None = None,
) -> Assignment:
    """A facilitator of the pool at a table of an announced workshop not yet started: one
    table a session, never at two overlapping (non-cancelled) sessions. The pool entry is
    locked while checking, so two clerks cannot book the same person twice at once."""
    now = now or timezone.now()
    if not can_manage_session(by, session):
        raise PermissionDenied
    if session.kind != Session.Kind.WORKSHOP:
        raise ValidationError({"__all__": _("Facilitators are assigned to workshops.")})
    if session.status != S.SCHEDULED or session.has_started_at(now):
        raise ValidationError({"__all__": _not_open_for_assignment()})
    if not 1 <= table <= session.tables:
        raise ValidationError({"table": _table_range(session)})
    with transaction.atomic():
        # The session's row first (as a cancellation or a change of times takes it), then the
        # pool entry: the state, times and tables checked above are checked again as they are.
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status != S.SCHEDULED or session.has_started_at(now):
            raise ValidationError({"__all__": _not_open_for_assignment()})
        if not 1 <= table <= session.tables:
            raise ValidationError({"table": _table_range(session)})
        locked = Facilitator.objects.select_for_update().get(pk=facilitator.pk)
        if locked.left_on is not None:
            raise ValidationError({"facilitator": _("This person is not in the pool.")})
        if Assignment.objects.filter(session=session, table=table).exists():
            raise ValidationError({"table": _table_taken()})
        if Assignment.objects.filter(session=session, facilitator=locked).exists():
            raise ValidationError({"facilitator": _already_here()})
        clash = (
            Assignment.objects.filter(
                facilitator=locked,
                session__starts_at__lt=session.ends_at,
                session__ends_at__gt=session.starts_at,
            )
            .exclude(session__status=S.CANCELLED)
            .select_related("session")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "facilitator": _(
                        "This facilitator is at another workshop at that time (%(session)s)."
                    )
                    % {"session": clash.session}
                }
            )
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    session=session,
                    table=table,
                    facilitator=locked,
                    assigned_by=_account(by),
                    assigned_at=now,
                )
        except IntegrityError:  # the table taken at the same moment (unique per table)
            raise ValidationError({"table": _table_taken()}) from None
        emails.facilitator_assigned(assignment)
    return assignment


def facilitator_unassign(
    *, assignment: Assignment, by: UserLike, now: dt.datetime | None = None
) -> None:
    """The facilitator taken off the table (before the workshop starts), with an e-mail."""
    now = now or timezone.now()
    session = assignment.session
    if not can_manage_session(by, session):
        raise PermissionDenied
    if session.has_started_at(now):
        raise ValidationError(
            {"__all__": _("The workshop has started: its facilitators stay on record.")}
        )
    # Loaded before the row goes, for the e-mail.
    assignment.facilitator.user  # noqa: B018
    with transaction.atomic():
        deleted, _rows = Assignment.objects.filter(pk=assignment.pk).delete()
        if deleted:
            emails.facilitator_unassigned(assignment)
