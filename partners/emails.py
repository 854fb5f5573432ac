"""One function per e-mail the partner programme sends."""

from __future__ import annotations

from muroran_kyodo.lib.mail import absolute_url, send

from .models import Registration


def _to(registration: Registration) -> list[str]:
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
