"""One function per e-mail the partner programme sends."""

from __future__ import annotations

from django.urls import reverse

from muroran_kyodo.lib.mail import absolute_url, send

from .models import Registration, RequestStatus, Signup, request_status_label


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


def signup_promoted(signup: Signup) -> None:
    send(
        "partners_signup_promoted",
        _to(signup.registration),
        {
            "signup": signup,
            "shift": signup.shift,
            "opportunity": signup.shift.opportunity,
            "url": absolute_url(
                reverse("partners:opportunity_detail", args=[signup.shift.opportunity_id])
            ),
        },
    )
