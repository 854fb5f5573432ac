"""One function per e-mail the councils send: to a person signing up (the guest's confirmation
link, registered, on the waiting list, moved up from it, cancelled, the session called off, the
day-before reminder) and to a facilitator (joined the pool, assigned to a table, taken off, the
workshop called off). Always in Japanese. Each says the session, its date in 和暦, the venue, the attendance code when
the person has a place, and the page to follow it: a guest's own page (by its token), or
マイページ for an account. A sign-up without an e-mail address (keyed in from the phone) gets
none."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from muroran_kyodo.lib.mail import absolute_url, send, send_once

if TYPE_CHECKING:
    from .models import Assignment, Facilitator, Signup


def _to(signup: Signup) -> list[str]:
    return [signup.email or (signup.user.email if signup.user_id and signup.user else "")]


def signup_url(signup: Signup) -> str:
    """The page where the person follows and cancels the sign-up."""
    if signup.user_id:
        return absolute_url(reverse("councils:my_signups"))
    return absolute_url(reverse("councils:guest_signup", args=[signup.token]))


def _signup_context(signup: Signup, **extra: Any) -> dict[str, Any]:
    session = signup.session
    return {
        "signup": signup,
        "session": session,
        "council": session.council if session.council_id else None,
        "url": signup_url(signup),
        **extra,
    }


def signup_confirm_link(signup: Signup) -> None:
    send(
        "councils_signup_confirm_link",
        _to(signup),
        _signup_context(
            signup,
            confirm_url=absolute_url(reverse("councils:signup_confirm", args=[signup.token])),
        ),
    )


def signup_registered(signup: Signup) -> None:
    send("councils_signup_registered", _to(signup), _signup_context(signup))


def signup_waiting(signup: Signup) -> None:
    send("councils_signup_waiting", _to(signup), _signup_context(signup))


def signup_promoted(signup: Signup) -> None:
    send("councils_signup_promoted", _to(signup), _signup_context(signup))


def signup_cancelled(signup: Signup) -> None:
    send("councils_signup_cancelled", _to(signup), _signup_context(signup))


def session_cancelled(signup: Signup, reason: str) -> None:
    """The city called the session off: to each person signed up."""
    send("councils_session_cancelled", _to(signup), _signup_context(signup, reason=reason))


def signup_reminder(signup: Signup, *, now: dt.datetime | None = None) -> bool:
    """The day before (or the same day, when the run comes later than the day before: it
    then says 本日開催); once per sign-up and start time (a session moved is reminded
    again)."""
    now = now or timezone.now()
    today = timezone.localdate(signup.session.starts_at) == timezone.localdate(now)
    return send_once(
        f"councils.reminder:{signup.pk}:{signup.session.starts_at.isoformat()}",
        "councils_signup_reminder",
        _to(signup),
        _signup_context(signup, today=today),
    )


def _facilitator_context(facilitator: Facilitator, **extra: Any) -> dict[str, Any]:
    return {
        "facilitator": facilitator,
        "name": facilitator.user.get_full_name() or facilitator.user.email,
        "url": absolute_url(reverse("councils:my_signups")),
        **extra,
    }


def facilitator_joined(facilitator: Facilitator) -> None:
    send(
        "councils_facilitator_joined",
        [facilitator.user.email],
        _facilitator_context(facilitator),
    )


def facilitator_assigned(assignment: Assignment) -> None:
    facilitator = assignment.facilitator
    send(
        "councils_facilitator_assigned",
        [facilitator.user.email],
        _facilitator_context(
            facilitator,
            assignment=assignment,
            session=assignment.session,
            council=assignment.session.council,
        ),
    )


def facilitator_unassigned(assignment: Assignment) -> None:
    facilitator = assignment.facilitator
    send(
        "councils_facilitator_unassigned",
        [facilitator.user.email],
        _facilitator_context(
            facilitator,
            assignment=assignment,
            session=assignment.session,
            council=assignment.session.council,
        ),
    )


def session_cancelled_facilitator(assignment: Assignment, reason: str) -> None:
    """The city called off a workshop: to each facilitator who was assigned a table (the
    assignment itself is gone; `assignment` is the row as it was)."""
    facilitator = assignment.facilitator
    send(
        "councils_session_cancelled_facilitator",
        [facilitator.user.email],
        _facilitator_context(
            facilitator,
            assignment=assignment,
            session=assignment.session,
            council=assignment.session.council,
            reason=reason,
        ),
    )
