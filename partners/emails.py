"""One function per e-mail the partner programme sends."""

from __future__ import annotations

from django.urls import reverse

from muroran_kyodo.lib.mail import absolute_url, send, send_once

from .models import Channel, Registration, RequestStatus, Signup, request_status_label


def _to(registration: Registration) -> list[str]:
    """The registration's contact, or the account's address for one keyed in without it."""
    return [registration.contact_email or (registration.user.email if registration.user_id else "")]


def received(registration: Registration) -> None:
    send(
        "partners_registration_received",
        _to(registration),
        {"registration": registration, "url": absolute_url(registration.get_absolute_url())},
    )


def status_changed(registration: Registration, *, old: str, reason: str) -> None:
    send(
        "partners_registration_status_changed",
        _to(registration),
        {
            "registration": registration,
            "old": Registration.Status(old).label,
            "new": Registration.Status(registration.status).label,
            "reason": reason,
            "url": absolute_url(registration.get_absolute_url()),
        },
    )


def request_status_changed(request, *, old: str, reason: str) -> None:
    registration = request.registration
    send(
        "partners_request_status_changed",
        _to(registration),
        {
            "registration": registration,
            "kind": request._meta.verbose_name,
            "request": request,
            "old": RequestStatus(old).label,
            "new": request_status_label(request),
            "reason": reason,
            "url": absolute_url(reverse("partners:request_list", args=[registration.pk])),
        },
    )


def _signup_context(signup: Signup) -> dict[str, object]:
    """What every e-mail about a sign-up shows: the shift, the place, what to bring, and the
    opportunity's page, where the partner cancels."""
    return {
        "signup": signup,
        "registration": signup.registration,
        "shift": signup.shift,
        "opportunity": signup.shift.opportunity,
        "url": absolute_url(
            reverse("partners:opportunity_detail", args=[signup.shift.opportunity_id])
        ),
    }


def signup_promoted(signup: Signup) -> None:
    send("partners_signup_promoted", _to(signup.registration), _signup_context(signup))


def signup_received(signup: Signup) -> None:
    """A sign-up made on the site or keyed in by staff from paper, phone or the counter: the
    partner gets the same confirmation either way."""
    send(
        "partners_signup_received",
        _to(signup.registration),
        {
            **_signup_context(signup),
            "confirmed": signup.status == Signup.Status.CONFIRMED,
            "keyed_in": signup.channel != Channel.WEB,
        },
    )


def signup_cancelled(signup: Signup, *, by_city: bool) -> None:
    send(
        "partners_signup_cancelled",
        _to(signup.registration),
        {**_signup_context(signup), "by_city": by_city},
    )


def report_reminder(registration: Registration, due_on) -> bool:
    """The reminder before a まち「ピカ」 activity report is due, once per registration and due
    date (a report filed meanwhile moves the date, and the next one is reminded again)."""
    return send_once(
        f"partners.report_reminder:{registration.pk}:{due_on.isoformat()}",
        "partners_report_reminder",
        _to(registration),
        {
            "registration": registration,
            "due_on": due_on,
            "last_report_on": getattr(registration, "last_report_on", None),
            "url": absolute_url(reverse("partners:report_create", args=[registration.pk])),
        },
    )


def shift_reminder(signup: Signup) -> bool:
    """The reminder before a shift, once per sign-up and start time (a shift moved to another
    day is reminded again); True if it is sent now."""
    return send_once(
        f"partners.shift_reminder:{signup.pk}:{signup.shift.starts_at.isoformat()}",
        "partners_shift_reminder",
        _to(signup.registration),
        _signup_context(signup),
    )
