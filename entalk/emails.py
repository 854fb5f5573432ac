"""One function per e-mail enとーく sends to the requesting group: the receipt of a request,
each scheduling step (confirmed, another date proposed, the group's answer, declined,
cancelled), the published record, and each change of a follow-up. Addressed to the e-mail given
with the request (the representative's, or the one keyed in by staff); a request without one
gets no mail (staff answer by phone)."""

from __future__ import annotations

from django.urls import reverse

from muroran_kyodo.lib.mail import absolute_url, send

from .models import FollowUp, Request


def _request_url(request: Request) -> str:
    return absolute_url(reverse("entalk:request_detail", args=[request.pk]))


def request_received(request: Request) -> None:
    send(
        "entalk_request_received",
        [request.email],
        {
            "request": request,
            "slots": list(request.slots.all()),
            "url": _request_url(request),
        },
    )


def request_status_changed(request: Request, *, old: str, reason: str) -> None:
    """Every scheduling step and the published record, one template with the step's words."""
    url = (
        absolute_url(request.get_absolute_url())
        if request.status == Request.Status.PUBLISHED
        else _request_url(request)
    )
    send(
        "entalk_request_status",
        [request.email],
        {
            "request": request,
            "old": old,
            "reason": reason,
            "status": request.status,
            "url": url,
        },
    )


def follow_up_changed(follow_up: FollowUp, *, old: str, reason: str) -> None:
    request = follow_up.request
    send(
        "entalk_follow_up",
        [request.email],
        {
            "request": request,
            "follow_up": follow_up,
            "old": old,
            "url": absolute_url(request.get_absolute_url()),
        },
    )
