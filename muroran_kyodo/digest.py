"""The staff's daily digest (`manage.py send_staff_digest`, cron once a day): each staff member
gets what waits for them in the staff work queue (`registry.STAFF_QUEUE`, the admin index's
lines), with the links made absolute. Nothing waits, nothing is sent; one digest per person and
day (`lib.mail.send_once`), so a second run the same day sends nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from . import registry
from .lib.extension import QueueItem
from .lib.mail import absolute_url, send_once

if TYPE_CHECKING:
    from .lib.typing import User


def waiting_for(user: User) -> list[tuple[str, list[QueueItem]]]:
    """The person's queue lines with something waiting (count > 0), grouped by area in the
    registry's order, with absolute links. Each app checks the person's permissions, as on
    the admin index."""
    request = HttpRequest()
    request.user = user
    groups: dict[str, list[QueueItem]] = {}
    # The labels are translated when the apps build them: in the site's language, as the mail.
    with translation.override(settings.LANGUAGE_CODE):
        for contribute in registry.STAFF_QUEUE:
            for item in contribute(request):
                if item.count > 0:
                    groups.setdefault(item.group, []).append(
                        QueueItem(item.group, item.label, item.count, absolute_url(item.url))
                    )
    return list(groups.items())


def send_digests(*, now: dt.datetime) -> int:
    """Mail every active staff member with an address what waits for them; the number sent."""
    today = timezone.localdate(now)
    sent = 0
    for user in (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .order_by("pk")
    ):
        groups = waiting_for(user)
        if not groups:
            continue
        sent += send_once(
            f"staff_digest:{user.pk}:{today.isoformat()}",
            "staff_digest",
            [user.email],
            {
                "user": user,
                "groups": groups,
                "total": sum(item.count for _group, items in groups for item in items),
                "today": today,
                "admin_url": absolute_url(reverse("admin:index")),
            },
        )
    return sent
