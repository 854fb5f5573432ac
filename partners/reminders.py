"""The reminders the partner programmes send, for `manage.py send_reminders` (cron, daily;
`registry.REMINDERS`): each confirmed partner, before their shift. Safe to run twice: each
reminder goes once (`muroran_kyodo.lib.mail.send_once`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from . import emails
from .models import Registration, Signup


def signups_to_remind(now: dt.datetime, days: int) -> QuerySet[Signup]:
    """Confirmed sign-ups of registered partners whose shift, of a published opportunity,
    starts after `now` and at the latest on the `days`-th day after today (local time). A
    missed run is caught up by the next: the window runs from now, not from one day."""
    last_day = timezone.localdate(now) + dt.timedelta(days=days)
    until = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time()))
    return Signup.objects.filter(
        status=Signup.Status.CONFIRMED,
        registration__status=Registration.Status.REGISTERED,
        shift__opportunity__is_published=True,
        shift__starts_at__gt=now,
        shift__starts_at__lt=until,
    ).select_related("registration__user", "shift__opportunity")


def send(*, now: dt.datetime) -> int:
    """Send the reminders due at `now`; the number sent now (those sent before are not)."""
    return sum(
        emails.shift_reminder(signup)
        for signup in signups_to_remind(now, settings.REMINDER_SHIFT_DAYS)
    )
