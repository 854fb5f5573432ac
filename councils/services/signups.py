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
        transaction.on_commit(lambda s=waiting: emails.signup_promoted(s))  # type: ignore[misc]
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
        transaction.on_commit(lambda: emails.signup_registered(signup))
    else:
        transaction.on_commit(lambda: emails.signup_waiting(signup))
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


def _duplicate(session: Session, *, user: User | None, email: str) -> bool:
    match = Q()
    if user is not None:
        match |= Q(user=user)
    if email:
        match |= Q(email__iexact=email)
    if not match:
        return False
    return Signup.objects.filter(session=session).active().filter(match).exists()


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
    4. nobody signs up twice (same account or same e-mail, still active): checked under the
       lock, and the partial unique constraints turn a race into the same message;
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

    open_until = session.starts_at if keyed_in else min(session.signup_closes_at, session.starts_at)
    if session.status != Session.Status.SCHEDULED or now >= open_until:
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
            if _duplicate(locked, user=user, email=email):
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
                transaction.on_commit(lambda: emails.signup_confirm_link(signup))
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
        transaction.on_commit(lambda: emails.signup_cancelled(signup))
        if was_registered:
            _fill(locked, by=by, now=now)
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


def attendance_set(
    *,
    session: Session,
    present_ids: Iterable[int | str],
    by: UserLike,
    now: dt.datetime | None = None,
) -> int:
    """Staff tick who came on the printable list: the registered people ticked are present
    (from `now` unless recorded before), the others not. Returns how many are present."""
    now = _now(now)
    if not can_manage_session(by, session):
        raise PermissionDenied
    ids = set()
    for value in present_ids:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    registered = Signup.objects.filter(session=session, status=SS.REGISTERED)
    with transaction.atomic():
        registered.filter(pk__in=ids, attended_at__isnull=True).update(attended_at=now)
        registered.exclude(pk__in=ids).filter(attended_at__isnull=False).update(attended_at=None)
    return registered.filter(attended_at__isnull=False).count()


NEEDS_GIVEN = (
    Q(need_childcare=True) | Q(need_mobility=True) | ~Q(need_interpreting="") | ~Q(needs_note="")
)


def needs_erase(*, now: dt.datetime | None = None) -> int:
    """Blank the needs of sign-ups whose session ended more than NEEDS_KEEP_DAYS ago, and of
    cancelled or expired sign-ups at once (`needs_erased_at` records when). Returns the rows
    changed; a second run changes none."""
    now = _now(now)
    ended_before = now - dt.timedelta(days=settings.COUNCILS["NEEDS_KEEP_DAYS"])
    return (
        Signup.objects.filter(NEEDS_GIVEN)
        .filter(Q(session__ends_at__lt=ended_before) | Q(status__in=[SS.CANCELLED, SS.EXPIRED]))
        .update(
            need_childcare=False,
            need_mobility=False,
            need_interpreting="",
            needs_note="",
            needs_erased_at=now,
        )
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
