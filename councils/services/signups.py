"""Sign-ups to a session (a workshop or a training): places under the session's lock, the
waiting list, the guest's e-mail link, cancellation, attendance, and the erasure of needs.

States: (none) → unconfirmed (a guest on the web, until the link is followed) → registered |
waiting; (none) → registered | waiting (an account, or keyed in by staff); waiting →
registered (a place freed, under the session's lock); unconfirmed → expired (the link not
followed in time); unconfirmed | registered | waiting → cancelled. Every change writes a
`SignupStatusChange` row and is a compare-and-set on the status.

Places: every write that may take or free a place first locks the session's row
(`select_for_update`), then counts, then writes; so the capacity is never exceeded, and a place
freed goes to the first on the waiting list (by `queued_at`, then id)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.jp import nfkc
from muroran_kyodo.lib.workflow import TransitionError

from .. import emails
from ..models import Channel, Interpreting, Session, Signup, SignupStatusChange
from ..models.signups import new_code
from ..permissions import can_manage_session, is_owner

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike
    from organizations.models import District

__all__ = [
    "SIGNUP_TRANSITIONS",
    "attendance_by_code",
    "attendance_set",
    "needs_erase",
    "places_left",
    "session_fill_places",
    "signup_cancel",
    "signup_confirm",
    "signup_create",
    "unconfirmed_expire",
]

SS = Signup.Status

SIGNUP_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (SS.UNCONFIRMED, SS.REGISTERED),
        (SS.UNCONFIRMED, SS.WAITING),
        (SS.UNCONFIRMED, SS.EXPIRED),
        (SS.UNCONFIRMED, SS.CANCELLED),
        (SS.REGISTERED, SS.CANCELLED),
        (SS.WAITING, SS.CANCELLED),
        (SS.WAITING, SS.REGISTERED),
    }
)


def _already_signed_up() -> str:
    return _("You have already signed up for this session.")


def _closed() -> str:
    return _("Sign-ups for this session are closed.")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _account(user: UserLike | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _move(
    signup: Signup,
    *,
    new: str,
    by: UserLike | None,
    now: dt.datetime,
    reason: str = "",
    changes: dict[str, object] | None = None,
) -> Signup:
    """Compare-and-set the status (from the one `signup` holds), with a history row."""
    old = signup.status
    if (old, new) not in SIGNUP_TRANSITIONS:
        raise TransitionError(_("This sign-up is no longer in a state where that can be done."))
    fields: dict[str, object] = {"status": new, "status_changed_at": now, **(changes or {})}
    with transaction.atomic():
        if Signup.objects.filter(pk=signup.pk, status=old).update(**fields) != 1:
            raise TransitionError(_("Someone else changed this just now. Reload and try again."))
        for name, value in fields.items():
            setattr(signup, name, value)
        SignupStatusChange.objects.create(
            signup=signup, old_status=old, new_status=new, by=_account(by), at=now, reason=reason
        )
    return signup


def _lock(session: Session) -> Session:
    """The session's row, locked until the caller's transaction ends: every change of places
    goes through here."""
    return Session.objects.select_for_update().get(pk=session.pk)


def _registered_count(session: Session) -> int:
    return Signup.objects.filter(session=session, status=SS.REGISTERED).count()


def _fill(
    session: Session, *, by: UserLike | None, now: dt.datetime, reason: str = ""
) -> list[Signup]:
    """With the session locked: the first on the waiting list take the free places; each is
    e-mailed on commit."""
    free = session.capacity - _registered_count(session)
    if free <= 0:
        return []
    promoted = []
    for waiting in Signup.objects.filter(session=session).waiting()[:free]:
        _move(waiting, new=SS.REGISTERED, by=by, now=now, reason=reason)
        waiting.session = session
        promoted.append(waiting)
        emails.signup_promoted(waiting)
    return promoted


def _allocate(
    signup: Signup, session: Session, now: dt.datetime, by: UserLike | None = None
) -> str:
    """With the session locked (`session` is the locked row): a place if one is free and
    nobody waits for it, else the end of the waiting list. A new sign-up is saved with its
    first history row; an unconfirmed one moves on. The person is e-mailed on commit."""
    _fill(session, by=None, now=now)
    status = SS.REGISTERED if _registered_count(session) < session.capacity else SS.WAITING
    queued_at = now if status == SS.WAITING else None
    if signup.pk is None:
        signup.status = status
        signup.status_changed_at = now
        signup.queued_at = queued_at
        signup.save()
        SignupStatusChange.objects.create(
            signup=signup, old_status="", new_status=status, by=_account(by), at=now
        )
    else:
        _move(signup, new=status, by=by, now=now, changes={"queued_at": queued_at})
    signup.session = session
    if status == SS.REGISTERED:
        emails.signup_registered(signup)
    else:
        emails.signup_waiting(signup)
    return status


def _free_code(session: Session) -> str:
    taken = set(Signup.objects.filter(session=session).values_list("code", flat=True))
    while True:
        code = new_code()
        if code not in taken:
            return code


def _normalise_email(email: str) -> str:
    return nfkc(email).lower()


def _eligibility_problems(
    session: Session, *, district: District | None, age: int | None
) -> dict[str, str]:
    E = Session.Eligibility
    if session.eligibility == E.DISTRICTS:
        allowed = set(session.eligible_districts.values_list("pk", flat=True))
        if district is None:
            return {"district": _("Choose the district where you live.")}
        if district.pk not in allowed:
            return {
                "district": _("This session is for residents of some districts only: %(names)s.")
                % {"names": "、".join(str(d) for d in session.eligible_districts.order_by("pk"))}
            }
    if session.eligibility == E.AGE:
        if age is None:
            return {"age": _("Enter your age: this session is for an age band.")}
        low, high = session.age_min, session.age_max
        if (low is not None and age < low) or (high is not None and age > high):
            return {
                "age": _("This session is for people aged %(band)s.") % {"band": _band(low, high)}
            }
    return {}


def _band(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("%(low)s to %(high)s") % {"low": low, "high": high}
    if low is not None:
        return _("%(low)s and over") % {"low": low}
    return _("%(high)s and under") % {"high": high}


def _same_person(*, user: User | None, email: str) -> Q:
    match = Q()
    if user is not None:
        match |= Q(user=user)
    if email:
        match |= Q(email__iexact=email)
    return match


def _phone_digits(phone: str) -> str:
    """A telephone number compared by its digits only (full-width, hyphens, spaces aside)."""
    return "".join(c for c in nfkc(phone) if c.isdigit())


def _duplicate(session: Session, *, user: User | None, email: str, phone: str = "") -> bool:
    """An active sign-up of the same person: same account or same e-mail; and, when `phone`
    is given (keyed in by staff), the same telephone number by its digits."""
    active = Signup.objects.filter(session=session).active()
    match = _same_person(user=user, email=email)
    if match and active.filter(match).exists():
        return True
    digits = _phone_digits(phone)
    if digits:
        phones = active.exclude(phone="").values_list("phone", flat=True)
        return any(_phone_digits(other) == digits for other in phones)
    return False


def _lapse_unconfirmed(
    session: Session, *, user: User | None, email: str, now: dt.datetime
) -> None:
    """With the session locked: this person's sign-ups whose e-mailed link lapsed (past
    `confirm_by`) expire now rather than at the next cron run, so they may sign up again."""
    match = _same_person(user=user, email=email)
    if not match:
        return
    lapsed = Signup.objects.filter(
        match, session=session, status=SS.UNCONFIRMED, confirm_by__lt=now
    ).order_by("pk")
    for signup in lapsed:
        try:
            _move(signup, new=SS.EXPIRED, by=None, now=now)
        except TransitionError:
            continue  # confirmed or cancelled a moment ago


def _open_until(session: Session, *, keyed_in: bool) -> dt.datetime:
    """Sign-ups on the web close at the deadline (or the start); keyed in, at the start."""
    return session.starts_at if keyed_in else min(session.signup_closes_at, session.starts_at)


def _takes_signups(session: Session, *, keyed_in: bool, now: dt.datetime) -> bool:
    return session.status == Session.Status.SCHEDULED and now < _open_until(
        session, keyed_in=keyed_in
    )


def signup_create(
    *,
    session: Session,
    user: User | None = None,
    name: str,
    email: str = "",
    phone: str = "",
    district: District | None = None,
    age: int | None = None,
    need_childcare: bool = False,
    need_mobility: bool = False,
    need_interpreting: str = "",
    needs_note: str = "",
    channel: str = Channel.WEB,
    keyed_in_by: UserLike | None = None,
    now: dt.datetime | None = None,
) -> Signup:
    """A sign-up, from the web (an account, or a guest) or keyed in by staff.

    1. staff keying in must run the session's department (else PermissionDenied);
    2. the session takes sign-ups: on the web until the deadline, keyed in until the start;
    3. the person may join (district, age band); a training needs an account; a guest on the
       web gives an e-mail address, a sign-up keyed in a telephone number or an address;
    4. nobody signs up twice (same account or same e-mail, still active; keyed in, also the
       same telephone number): checked under the lock, after lapsing this person's sign-ups
       whose e-mailed link was not followed in time; the partial unique constraints turn a
       race into the same message. The session's state and times are checked again on the
       locked row (it may have been cancelled or moved meanwhile);
    5. a guest on the web: unconfirmed until the link e-mailed is followed (CONFIRM_HOURS);
       anyone else: a place or the waiting list at once, under the session's lock;
    6. the history row, and the e-mail once the transaction commits.
    """
    now = _now(now)
    keyed_in = keyed_in_by is not None
    if keyed_in and not can_manage_session(keyed_in_by, session):
        raise PermissionDenied
    if user is not None and not user.is_authenticated:
        user = None
    name = (name or "").strip()
    email = _normalise_email(email)
    if user is not None and not email:
        email = _normalise_email(user.email)
    phone = nfkc(phone)

    if not _takes_signups(session, keyed_in=keyed_in, now=now):
        raise ValidationError({"__all__": _closed()})
    if session.kind == Session.Kind.TRAINING and user is None:
        raise ValidationError(
            {
                "__all__": _(
                    "Sign in to sign up for a training: completing it is recorded on your account."
                )
            }
        )
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = _("Enter your name.")
    if keyed_in:
        if not (email or phone):
            problems["phone"] = _("Enter a telephone number or an e-mail address.")
    elif user is None and not email:
        problems["email"] = _("Enter your e-mail address: the city sends you a link to confirm.")
    if age is not None and not 0 <= age <= 130:
        problems["age"] = _("Enter the age in years.")
    if need_interpreting not in Interpreting.values:
        problems["need_interpreting"] = _("Choose one of the options.")
    if not problems:
        problems.update(_eligibility_problems(session, district=district, age=age))
    if problems:
        raise ValidationError(problems)

    guest = user is None and not keyed_in  # a guest on the web confirms by the link
    try:
        with transaction.atomic():
            locked = _lock(session)
            if not _takes_signups(locked, keyed_in=keyed_in, now=now):
                raise ValidationError({"__all__": _closed()})
            _lapse_unconfirmed(locked, user=user, email=email, now=now)
            if _duplicate(locked, user=user, email=email, phone=phone if keyed_in else ""):
                raise ValidationError({"__all__": _already_signed_up()})
            signup = Signup(
                session=locked,
                user=user,
                name=name,
                email=email,
                phone=phone,
                district=district,
                age=age,
                channel=channel,
                keyed_in_by=_account(keyed_in_by),
                created_at=now,
                code=_free_code(locked),
                need_childcare=need_childcare,
                need_mobility=need_mobility,
                need_interpreting=need_interpreting,
                needs_note=(needs_note or "").strip(),
            )
            if guest:
                signup.status = SS.UNCONFIRMED
                signup.status_changed_at = now
                signup.confirm_by = now + dt.timedelta(hours=settings.COUNCILS["CONFIRM_HOURS"])
                signup.save()
                SignupStatusChange.objects.create(
                    signup=signup, old_status="", new_status=SS.UNCONFIRMED, at=now
                )
                emails.signup_confirm_link(signup)
            else:
                _allocate(signup, locked, now, by=keyed_in_by or user)
    except IntegrityError:
        raise ValidationError({"__all__": _already_signed_up()}) from None
    signup.session = session
    return signup


def signup_confirm(*, token: str, now: dt.datetime | None = None) -> Signup:
    """The guest follows the e-mailed link (POST from the page it opens).

    Unknown token: `Signup.DoesNotExist`. Confirmed already: returned as it is. Past
    `confirm_by`: expired (kept) and refused. The session started or called off: refused.
    Else a place or the waiting list, as for any sign-up."""
    now = _now(now)
    signup = Signup.objects.select_related("session").get(token=token)
    if signup.status in (SS.REGISTERED, SS.WAITING):
        return signup
    if signup.status == SS.EXPIRED:
        raise ValidationError({"__all__": _expired()})
    if signup.status == SS.CANCELLED:
        raise ValidationError({"__all__": _("This sign-up was cancelled.")})
    if signup.confirm_by is not None and now > signup.confirm_by:
        try:
            _move(signup, new=SS.EXPIRED, by=None, now=now)
        except TransitionError:
            pass
        raise ValidationError({"__all__": _expired()})
    session = signup.session
    if session.status != Session.Status.SCHEDULED or now >= session.starts_at:
        raise ValidationError({"__all__": _closed()})
    with transaction.atomic():
        locked = _lock(session)
        if locked.status != Session.Status.SCHEDULED or now >= locked.starts_at:
            raise ValidationError({"__all__": _closed()})
        try:
            _allocate(signup, locked, now, by=None)
        except TransitionError:
            # Confirmed (or cancelled) by a click a moment before: show it as it stands.
            signup.refresh_from_db()
            if signup.status not in (SS.REGISTERED, SS.WAITING):
                raise ValidationError({"__all__": _("This sign-up was cancelled.")}) from None
    return signup


def _expired() -> str:
    return _("The link was not followed in time and the sign-up has lapsed. Please sign up again.")


def signup_cancel(
    *,
    signup: Signup,
    by: UserLike | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Signup:
    """Cancel a sign-up until the session starts.

    1. `by` is the person (their own sign-up) or the department's staff; None is a guest
       through the link of their sign-up (the view checked the token);
    2. under the session's lock, compare-and-set to cancelled, with history;
    3. the person is e-mailed on commit; a place freed goes to the first on the waiting list,
       who is e-mailed too."""
    now = _now(now)
    if by is not None and not (is_owner(by, signup) or can_manage_session(by, signup.session)):
        raise PermissionDenied
    session = signup.session
    if now >= session.starts_at:
        raise ValidationError(
            {"__all__": _("The session has started: sign-ups can no longer be cancelled.")}
        )
    with transaction.atomic():
        locked = _lock(session)
        current = Signup.objects.filter(pk=signup.pk).values_list("status", flat=True).first()
        if current not in Signup.ACTIVE_STATES:
            raise ValidationError({"__all__": _("This sign-up is already cancelled.")})
        signup.status = current
        was_registered = current == SS.REGISTERED
        _move(signup, new=SS.CANCELLED, by=by, now=now, reason=reason)
        signup.session = locked
        emails.signup_cancelled(signup)
        if was_registered:
            # The person moved up is moved by the system, not by the one who cancelled.
            _fill(locked, by=None, now=now, reason=_("A place became free."))
    signup.session = session
    return signup


def session_fill_places(
    *, session: Session, by: UserLike | None = None, now: dt.datetime | None = None
) -> list[Signup]:
    """After the capacity was raised: the first on the waiting list take the free places
    (until the session starts), each e-mailed."""
    now = _now(now)
    if session.status != Session.Status.SCHEDULED or now >= session.starts_at:
        return []
    with transaction.atomic():
        locked = _lock(session)
        return _fill(locked, by=by, now=now)


def places_left(session: Session) -> int:
    """Free places: capacity less the registered (`registered_count` when the queryset
    annotated it, else counted)."""
    registered = getattr(session, "registered_count", None)
    if registered is None:
        registered = _registered_count(session)
    return max(0, session.capacity - registered)


def _normalise_code(code: str) -> str:
    return "".join(c for c in nfkc(code).upper() if c.isalnum())


def attendance_by_code(
    *, session: Session, code: str, by: UserLike, now: dt.datetime | None = None
) -> Signup:
    """Staff record the attendance of the registered person with this code (read out or typed
    at the door: full-width, lower case and spaces accepted)."""
    now = _now(now)
    if not can_manage_session(by, session):
        raise PermissionDenied
    wanted = _normalise_code(code)
    if not wanted:
        raise ValidationError({"code": _("Enter the code on the participant's confirmation.")})
    signup = Signup.objects.filter(session=session, code=wanted, status=SS.REGISTERED).first()
    if signup is None:
        raise ValidationError(
            {"code": _("No registered participant of this session has this code.")}
        )
    if signup.attended_at is None:
        Signup.objects.filter(pk=signup.pk, attended_at__isnull=True).update(attended_at=now)
        signup.attended_at = now
    return signup


MAX_ID = 2**63 - 1


def _ids(values: Iterable[object]) -> set[int]:
    """The row ids among values posted (ints or decimal strings of ASCII digits, from 1 to
    the largest id the database holds); anything else is ignored."""
    ids = set()
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            number = int(value.strip())
        else:
            continue
        if 1 <= number <= MAX_ID:
            ids.add(number)
    return ids


def attendance_set(
    *,
    session: Session,
    present_ids: Iterable[object],
    shown_ids: Iterable[object],
    by: UserLike,
    now: dt.datetime | None = None,
) -> int:
    """Staff tick who came on the printable list. Only the registered people the list showed
    (`shown_ids`) change: those ticked are present (from `now` unless recorded before), those
    shown and not ticked are not; anyone else (signed up or marked by code since the list was
    printed) is left as recorded. Values that are not ids are ignored. Returns how many are
    present."""
    now = _now(now)
    if not can_manage_session(by, session):
        raise PermissionDenied
    present = _ids(present_ids)
    shown = _ids(shown_ids)
    registered = Signup.objects.filter(session=session, status=SS.REGISTERED)
    listed = registered.filter(pk__in=shown)
    with transaction.atomic():
        listed.filter(pk__in=present, attended_at__isnull=True).update(attended_at=now)
        listed.exclude(pk__in=present).filter(attended_at__isnull=False).update(attended_at=None)
    return registered.filter(attended_at__isnull=False).count()


NEEDS_GIVEN = (
    Q(need_childcare=True) | Q(need_mobility=True) | ~Q(need_interpreting="") | ~Q(needs_note="")
)


def needs_erase(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Blank the needs of sign-ups whose session ended more than NEEDS_KEEP_DAYS ago, and of
    cancelled or expired sign-ups at once (`needs_erased_at` records when). Returns the rows
    changed (a dry run: would change); a second run changes none."""
    now = _now(now)
    ended_before = now - dt.timedelta(days=settings.COUNCILS["NEEDS_KEEP_DAYS"])
    due = Signup.objects.filter(NEEDS_GIVEN).filter(
        Q(session__ends_at__lt=ended_before) | Q(status__in=[SS.CANCELLED, SS.EXPIRED])
    )
    if dry_run:
        return due.count()
    return due.update(
        need_childcare=False,
        need_mobility=False,
        need_interpreting="",
        needs_note="",
        needs_erased_at=now,
    )


def unconfirmed_expire(*, now: dt.datetime | None = None) -> int:
    """Guests who did not follow the link by `confirm_by`: expired, with history."""
    now = _now(now)
    expired = 0
    for signup in Signup.objects.filter(status=SS.UNCONFIRMED, confirm_by__lt=now).order_by("pk"):
        try:
            _move(signup, new=SS.EXPIRED, by=None, now=now)
        except TransitionError:
            continue  # confirmed or cancelled a moment ago
        expired += 1
    return expired
