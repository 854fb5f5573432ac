"""Write paths of enとーく: named functions with keyword-only arguments, called by the views,
the admin and the commands alike.

Requests: `request_create` is the one way a request arrives, from a group on the web or keyed
in by staff from the phone, a FAX or paper; the rules (`rules()`, settings `ENTALK`) are the
same for both. Scheduling transitions, each with history and an e-mail to the group:
`request_accept` (a preferred slot), `request_propose` (another time) answered by the group with
`proposal_accept` / `proposal_decline`, `request_decline`, `request_cancel` (either side), and
`record_publish` once the session is recorded.

The mayor's diary: a confirmed session never overlaps another nor a `Block`. Every write that
takes the mayor's time (`request_accept`, `proposal_accept`, `block_create`) first takes one
lock on the diary (the row of a named counter, which PostgreSQL and SQLite both lock on
UPDATE), then checks, then writes; on PostgreSQL an exclusion constraint also refuses two
overlapping confirmed sessions.

Follow-ups: `follow_up_open` (by the enとーく staff) and `follow_up_change` (by the
department: a state and the public answer, each change dated)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from muroran_kyodo.lib.jp import fiscal_year, nfkc, normalize_postal_code
from muroran_kyodo.lib.models import next_value
from muroran_kyodo.lib.retention import correct_contacts
from muroran_kyodo.lib.workflow import TransitionError, Workflow
from organizations.models import District, Organization

from . import emails
from .models import (
    SLOTS_PER_REQUEST,
    Block,
    CalendarFeed,
    Channel,
    Department,
    FollowUp,
    FollowUpChange,
    Request,
    RequestStatusChange,
    Slot,
    Theme,
    Topic,
)
from .permissions import can_act_for, is_entalk_staff, may_act, may_change_follow_up

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User, UserLike

S = Request.Status
F = FollowUp.Status


@dataclass(frozen=True)
class Rules:
    """What a request must meet, from settings `ENTALK`; shown on the form."""

    min_participants: int
    lead_days: int
    session_minutes: int
    overdue_days: int

    @property
    def session_length(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.session_minutes)

    def earliest_start(self, now: dt.datetime) -> dt.datetime:
        """The first moment a slot may start: the start of the day `lead_days` after `now`'s
        day in Japan time (30 days, asked on 6/15 at any hour, allows 7/15 from 0:00)."""
        day = timezone.localdate(now) + dt.timedelta(days=self.lead_days)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# The diary is planned at most this far ahead: a later date is a typing mistake (and the far
# years overflow date arithmetic).
HORIZON = dt.timedelta(days=2 * 365)
BEYOND_HORIZON = gettext_lazy(
    "The mayor's diary is planned at most two years ahead: check the year."
)


def rules() -> Rules:
    config = settings.ENTALK
    return Rules(
        min_participants=config["MIN_PARTICIPANTS"],
        lead_days=config["LEAD_DAYS"],
        session_minutes=config["SESSION_MINUTES"],
        overdue_days=config["FOLLOW_UP_OVERDUE_DAYS"],
    )


WORKFLOW: Workflow[Request] = Workflow(
    model=Request,
    history=RequestStatusChange,
    allowed={
        (S.REQUESTED, S.CONFIRMED): "staff",
        (S.REQUESTED, S.PROPOSED): "staff",
        (S.PROPOSED, S.PROPOSED): "staff",
        (S.CONFIRMED, S.PROPOSED): "staff",
        # The group answers in the browser; staff record an answer given by phone or on paper
        # (a request keyed in for a group without an account has nobody else to give it).
        (S.PROPOSED, S.CONFIRMED): "either",
        (S.PROPOSED, S.REQUESTED): "either",
        (S.REQUESTED, S.DECLINED): "staff",
        (S.PROPOSED, S.DECLINED): "staff",
        (S.REQUESTED, S.CANCELLED): "either",
        (S.PROPOSED, S.CANCELLED): "either",
        (S.CONFIRMED, S.CANCELLED): "either",
        (S.CONFIRMED, S.PUBLISHED): "staff",
    },
    may=may_act,
    notify=emails.request_status_changed,
    reason_required={S.DECLINED, S.CANCELLED, (S.CONFIRMED, S.PROPOSED), (S.PROPOSED, S.REQUESTED)},
    not_allowed=_("This request is no longer in a state where that can be done."),
    history_extra={"starts_at": lambda r: r.starts_at},
)

FOLLOW_UP_WORKFLOW: Workflow[FollowUp] = Workflow(
    model=FollowUp,
    history=FollowUpChange,
    allowed={(old, new): "department" for old in F.values for new in F.values},
    may=may_change_follow_up,
    notify=emails.follow_up_changed,
    history_extra={"answer": lambda f: f.answer},
)


# --- The mayor's diary -------------------------------------------------------------------------


def _lock_diary() -> None:
    """Serialise every write that takes the mayor's time (call inside a transaction)."""
    next_value("entalk.diary")


def unavailable_between(
    starts_at: dt.datetime, ends_at: dt.datetime, *, exclude: Request | None = None
) -> bool:
    """Whether the mayor is taken (a confirmed session or a block) at any moment of the span."""
    sessions = Request.objects.overlapping(starts_at, ends_at)
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude.pk)
    if sessions.exists():
        return True
    return Block.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists()


@dataclass(frozen=True)
class Busy:
    """A span the mayor is not available, as groups see it: no reason, no group."""

    starts_at: dt.datetime
    ends_at: dt.datetime


def busy_between(start: dt.datetime, end: dt.datetime) -> list[Busy]:
    """Every confirmed session and block between two moments, merged into spans, for the
    request form's list of unavailable times. Two queries."""
    # Both columns are set on a confirmed session and on a block (the check constraints).
    spans = cast(
        "list[tuple[dt.datetime, dt.datetime]]",
        [
            (s, e)
            for s, e in Request.objects.confirmed()
            .filter(starts_at__lt=end, ends_at__gt=start)
            .values_list("starts_at", "ends_at")
        ]
        + [
            (s, e)
            for s, e in Block.objects.filter(starts_at__lt=end, ends_at__gt=start).values_list(
                "starts_at", "ends_at"
            )
        ],
    )
    merged: list[list[dt.datetime]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [Busy(s, e) for s, e in merged]


def block_create(
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    by: UserLike,
    kind: str = Block.Kind.DUTY,
    note: str = "",
) -> Block:
    """A time the mayor is not available. Refused over a confirmed session: cancel or move the
    session first, so that no group learns of it from the diary."""
    if not is_entalk_staff(by):
        raise PermissionDenied
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    with transaction.atomic():
        _lock_diary()
        clash = Request.objects.overlapping(starts_at, ends_at).first()
        if clash is not None:
            raise ValidationError(
                {
                    "starts_at": _(
                        "A confirmed session (%(number)s, %(when)s) is at this time: cancel or "
                        "move it first."
                    )
                    % {"number": clash.number, "when": _local(clash.starts_at)}
                }
            )
        block = Block(
            starts_at=starts_at, ends_at=ends_at, kind=kind, note=note, created_by=_account(by)
        )
        block.full_clean()
        block.save()
    return block


def _account(by: UserLike | None) -> User | None:
    """The account behind `by` for a "by" column (an anonymous visitor has none; the
    callers have already refused one)."""
    return by if by is not None and by.is_authenticated else None


def _local(moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{timezone.localtime(moment):%Y/%m/%d %H:%M}"


# --- Requests ----------------------------------------------------------------------------------


def venue_in_city(postal_code: str, address: str) -> bool:
    """The venue is in Muroran: its postal code has one of the city's prefixes, and an address
    that names a city or town names Muroran."""
    config = settings.ENTALK
    code = normalize_postal_code(postal_code or "")
    if not code.replace("-", "").startswith(tuple(config["POSTAL_PREFIXES"])):
        return False
    text = nfkc(address)
    city = config["CITY_NAME"]
    for marker in ("市", "郡"):
        head = text.split(marker, 1)[0] + marker if marker in text else ""
        if head and len(head) <= 12 and city not in text:
            return False
    return True


def slot_problems(
    slots: Sequence[dt.datetime | None], *, now: dt.datetime, received_at: dt.datetime
) -> dict[str, list[str]]:
    """What is wrong with each preferred slot, by field ("slot_1" …). Refused: a slot in the
    past, one inside the lead time (counted from when the request was received), one when
    the mayor is unavailable, the same time twice, and fewer than one slot."""
    the_rules = rules()
    earliest = the_rules.earliest_start(received_at)
    problems: dict[str, list[str]] = {}
    seen: set[dt.datetime] = set()
    given = [s for s in slots if s is not None]
    if not given:
        problems["slot_1"] = [_("Give at least your first preferred date and time.")]
        return problems
    for index, starts_at in enumerate(slots, start=1):
        if starts_at is None:
            continue
        field = f"slot_{index}"
        if starts_at <= now:
            message = _("This date and time has already passed.")
        elif starts_at > now + HORIZON:
            message = str(BEYOND_HORIZON)
        elif starts_at < earliest:
            message = _(
                "Choose a date from %(date)s: the mayor's diary is planned %(days)s days ahead."
            ) % {"date": f"{timezone.localdate(earliest):%Y/%m/%d}", "days": the_rules.lead_days}
        elif starts_at in seen:
            message = _("This is the same date and time as an earlier preference.")
        elif unavailable_between(starts_at, starts_at + the_rules.session_length):
            message = _("The mayor is not available at this time: choose another.")
        else:
            seen.add(starts_at)
            continue
        problems[field] = [message]
    return problems


def open_request_of(*, organization: Organization | None, user: UserLike | None) -> Request | None:
    if organization is not None:
        return Request.objects.open().filter(organization=organization).first()
    if user is not None and user.is_authenticated:
        return Request.objects.open().filter(user=user, organization__isnull=True).first()
    return None


SECOND_REQUEST = _(
    "This group already has a request in progress (%(number)s). Cancel it or wait until the "
    "session has taken place before sending another."
)


def request_create(
    *,
    by: UserLike,
    slots: Sequence[dt.datetime | None],
    themes: Iterable[Theme] = (),
    organization: Organization | None = None,
    user: User | None = None,
    channel: str = Channel.WEB,
    received_at: dt.datetime | None = None,
    group_name: str = "",
    contact_name: str,
    email: str = "",
    phone: str = "",
    theme: str,
    venue_name: str,
    venue_district: District,
    venue_postal_code: str,
    venue_address: str,
    step_free: bool | None = None,
    participants_expected: int,
    public_naming: bool = False,
    note: str = "",
) -> Request:
    """A new request with its preferred slots, a receipt number (EN-2026-00012) and an
    e-mail. On the web `by` is the group's representative (`user` is `by`); staff key in a
    request that came by phone, FAX or on paper (`channel`, `received_at`, and `user` only
    when the group has an account). Every problem is a ValidationError by field, nothing
    saved."""
    now = timezone.now()
    keyed_in = channel != Channel.WEB
    if keyed_in:
        if not is_entalk_staff(by):
            raise PermissionDenied
    else:
        if not (by and by.is_authenticated):
            raise PermissionDenied
        user = by
        received_at = now
    received_at = received_at or now
    if received_at > now:
        raise ValidationError(
            {"received_at": _("A request cannot be received in the future: check the date.")}
        )
    if organization is not None:
        if not organization.is_verified:
            raise ValidationError(
                {"organization": _("Only organisations verified by the city can request.")}
            )
        if not keyed_in and not _manages(by, organization):
            raise PermissionDenied
        group_name = organization.name
    problems = slot_problems(slots, now=now, received_at=received_at)

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    the_rules = rules()
    if not group_name.strip():
        add("group_name", _("Write the name of the group."))
    if participants_expected < the_rules.min_participants:
        add(
            "participants_expected",
            _("A session needs at least %(count)s participants.")
            % {"count": the_rules.min_participants},
        )
    if not venue_in_city(venue_postal_code, venue_address):
        add(
            "venue_address",
            _("The venue must be in Muroran: check the postal code (050 or 051) and address."),
        )
    if not keyed_in and not email:
        add("email", _("Give an e-mail address for the city's answer."))
    existing = open_request_of(organization=organization, user=user if not organization else None)
    if existing is not None:
        add("__all__", SECOND_REQUEST % {"number": existing.number})
    if problems:
        raise ValidationError(problems)

    try:
        with transaction.atomic():
            year = fiscal_year(received_at)
            number = f"EN-{year}-{next_value(f'entalk.request.{year}'):05d}"
            request = Request(
                number=number,
                fiscal_year=year,
                organization=organization,
                group_name=group_name.strip(),
                user=user,
                contact_name=contact_name,
                email=email,
                phone=phone,
                theme=theme,
                venue_name=venue_name,
                venue_district=venue_district,
                venue_postal_code=normalize_postal_code(venue_postal_code),
                venue_address=venue_address,
                step_free=step_free,
                participants_expected=participants_expected,
                public_naming=public_naming,
                note=note,
                channel=channel,
                received_at=received_at,
                created_by=_account(by) if keyed_in else None,
            )
            request.full_clean(exclude=["themes", "number", "fiscal_year"])
            request.save()
            request.themes.set(list(themes))
            Slot.objects.bulk_create(
                Slot(request=request, position=index, starts_at=starts_at)
                for index, starts_at in enumerate(
                    [s for s in slots if s is not None][:SLOTS_PER_REQUEST], start=1
                )
            )
            RequestStatusChange.objects.create(
                request=request, old_status="", new_status=request.status, by=_account(by)
            )
            emails.request_received(request)
    except IntegrityError:
        # Two submissions of the same group at the same moment: the partial unique index
        # keeps one; the other is told why.
        existing = open_request_of(
            organization=organization, user=user if not organization else None
        )
        if existing is None:
            raise
        raise ValidationError({"__all__": [SECOND_REQUEST % {"number": existing.number}]}) from None
    return request


def _manages(user: UserLike, organization: Organization) -> bool:
    from organizations.permissions import can_manage_members

    return can_manage_members(user, organization)


# --- Scheduling --------------------------------------------------------------------------------


def _confirm(
    request: Request, *, starts_at: dt.datetime, by: UserLike, reason: str = ""
) -> Request:
    WORKFLOW.check(request, new=S.CONFIRMED, by=by, reason=reason)
    ends_at = starts_at + rules().session_length
    with transaction.atomic():
        _lock_diary()
        if unavailable_between(starts_at, ends_at, exclude=request):
            raise TransitionError(
                _(
                    "The mayor is no longer available at %(when)s: another session or a block "
                    "was entered for that time. Propose another date."
                )
                % {"when": _local(starts_at)}
            )
        try:
            with transaction.atomic():
                return WORKFLOW.apply(
                    request,
                    new=S.CONFIRMED,
                    by=by,
                    reason=reason,
                    changes={
                        "starts_at": starts_at,
                        "ends_at": ends_at,
                        "held_fiscal_year": fiscal_year(starts_at),
                    },
                )
        except IntegrityError:  # the exclusion constraint (PostgreSQL)
            raise TransitionError(
                _("The mayor is no longer available at %(when)s. Propose another date.")
                % {"when": _local(starts_at)}
            ) from None


def request_accept(*, request: Request, slot: Slot, by: UserLike) -> Request:
    """受付 → 実施決定 on one of the group's preferred slots."""
    if slot.request_id != request.pk:
        raise ValidationError({"slot": _("Choose one of this request's preferred dates.")})
    if slot.starts_at <= timezone.now():
        raise ValidationError({"slot": _("This date and time has already passed.")})
    return _confirm(request, starts_at=slot.starts_at, by=by)


def request_propose(
    *, request: Request, starts_at: dt.datetime, by: UserLike, reason: str = ""
) -> Request:
    """Staff propose another date-time (or move a confirmed session, with a reason); the
    group accepts or declines it in the browser. The time must be free now; it is held only
    once the group accepts."""
    now = timezone.now()
    if starts_at <= now:
        raise ValidationError({"starts_at": _("This date and time has already passed.")})
    if starts_at > now + HORIZON:
        raise ValidationError({"starts_at": str(BEYOND_HORIZON)})
    ends_at = starts_at + rules().session_length
    if unavailable_between(starts_at, ends_at, exclude=request):
        raise ValidationError(
            {"starts_at": _("The mayor is not available at this time: choose another.")}
        )
    return WORKFLOW.apply(
        request,
        new=S.PROPOSED,
        by=by,
        reason=reason,
        changes={"starts_at": starts_at, "ends_at": ends_at, "held_fiscal_year": None},
    )


def proposal_accept(*, request: Request, by: UserLike) -> Request:
    """The group takes the proposed date: 実施決定, if the mayor is still free then. Staff
    record it for a group that answered by phone or on paper."""
    if request.status != S.PROPOSED or request.starts_at is None:
        raise TransitionError(_("There is no proposed date to accept."))
    if request.starts_at <= timezone.now():
        raise TransitionError(_("The proposed date has passed. Ask the city for another."))
    return _confirm(request, starts_at=request.starts_at, by=by)


def proposal_decline(*, request: Request, by: UserLike, reason: str) -> Request:
    """The group cannot make the proposed date: back to 受付 for the staff to try again
    (recorded by staff when the group answered by phone or on paper)."""
    return WORKFLOW.apply(
        request,
        new=S.REQUESTED,
        by=by,
        reason=reason,
        changes={"starts_at": None, "ends_at": None},
    )


def request_decline(*, request: Request, by: UserLike, reason: str) -> Request:
    """The city cannot hold the session (お断り), with the reason the group reads."""
    return WORKFLOW.apply(
        request, new=S.DECLINED, by=by, reason=reason, changes={"decline_reason": reason}
    )


def request_cancel(*, request: Request, by: UserLike, reason: str) -> Request:
    """取消 by the group or the city, with a reason; the mayor's time is freed."""
    return WORKFLOW.apply(
        request,
        new=S.CANCELLED,
        by=by,
        reason=reason,
        changes={"decline_reason": reason, "held_fiscal_year": None},
    )


def record_problems(request: Request, *, now: dt.datetime) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if request.ends_at is None or request.ends_at > now:
        problems.setdefault("__all__", []).append(
            _("The record can be published once the session has taken place.")
        )
    if not request.participants:
        problems.setdefault("participants", []).append(_("Enter the number of participants."))
    by_type = sum(request.participant_counts.values_list("count", flat=True))
    if request.participants and by_type > request.participants:
        problems.setdefault("participants", []).append(
            _(
                "The participants by actor type add up to %(by_type)s, more than the "
                "%(total)s entered."
            )
            % {"by_type": by_type, "total": request.participants}
        )
    if not request.topics.exists():
        problems.setdefault("__all__", []).append(_("Add at least one topic raised."))
    return problems


def record_publish(*, request: Request, by: UserLike) -> Request:
    """実施決定 → 記録公表: the record, its topics, photos and follow-ups become public and the
    group is told."""
    now = timezone.now()
    problems = record_problems(request, now=now)
    if problems:
        raise ValidationError(problems)
    return WORKFLOW.apply(request, new=S.PUBLISHED, by=by, changes={"published_at": now})


# --- Follow-ups --------------------------------------------------------------------------------


def follow_up_open(
    *,
    request: Request,
    department: Department,
    matter: str,
    by: UserLike,
    topic: Topic | None = None,
) -> FollowUp:
    """A matter that needs action, assigned to a department (検討中)."""
    if not is_entalk_staff(by):
        raise PermissionDenied
    if (
        request.status not in Request.HELD_STATES
        or request.ends_at is None
        or request.ends_at > timezone.now()
    ):
        raise ValidationError(
            {"__all__": _("Follow-ups are opened once the session has taken place.")}
        )
    if topic is not None and topic.request_id != request.pk:
        raise ValidationError({"topic": _("Choose a topic of this session.")})
    if not matter.strip():
        raise ValidationError({"matter": _("Write the matter to follow up.")})
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            request=request, department=department, matter=matter.strip(), topic=topic
        )
        FollowUpChange.objects.create(
            follow_up=follow_up, old_status="", new_status=follow_up.status, by=_account(by)
        )
    return follow_up


def follow_up_change(*, follow_up: FollowUp, status: str, answer: str, by: UserLike) -> FollowUp:
    """The department's step: a state and the public answer as it stands, dated. 対応済 and
    対応困難 need an answer, which the session page shows."""
    answer = (answer or "").strip()
    if status not in F.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status in (F.DONE, F.NOT_POSSIBLE) and not answer:
        raise ValidationError({"answer": _("Write the answer the public will read.")})
    if status == follow_up.status and answer == follow_up.answer:
        raise ValidationError({"answer": _("Nothing has changed.")})
    return FOLLOW_UP_WORKFLOW.apply(follow_up, new=status, by=by, changes={"answer": answer})


def group_may_answer(user: UserLike, request: Request) -> bool:
    return request.status == S.PROPOSED and can_act_for(user, request)


# --- The private calendar address --------------------------------------------------------------


def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """Make the person's calendar address, or replace it with a new one (the old one stops
    working at once: for an address that may have leaked)."""
    from .models import new_feed_token

    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": new_feed_token(), "created_at": timezone.now()}
    )
    return feed


def contact_correct(
    *, email: str, name: str = "", new_name: str = "", new_email: str = "", new_phone: str = ""
) -> int:
    """開示・訂正: correct the contact person of the requests found by the e-mail address, or
    the name when given; an empty value leaves the field as it is. Returns the requests
    changed."""
    return correct_contacts(
        Request.objects.all(),
        fields=("contact_name", "email", "phone"),
        email=email,
        name=name,
        new_name=new_name,
        new_email=new_email,
        new_phone=new_phone,
    )
