"""The reminders the councils send, for `manage.py send_reminders` (cron, daily;
`registry.REMINDERS`): each person with a place, the day before the session (or on the day,
for a session later today not reminded before: the e-mail then says 本日開催). Safe to run twice:
each reminder goes once (`muroran_kyodo.lib.mail.send_once`). The run also lapses the guests'
sign-ups whose e-mailed link was not followed in time."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from . import emails
from .models import Session, Signup
from .services.signups import unconfirmed_expire


def signups_to_remind(now: dt.datetime) -> QuerySet[Signup]:
    """Registered sign-ups with an e-mail address, of announced sessions starting after `now`
    and by the end of tomorrow (Japan time): a missed run is caught up by the next."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    until = timezone.make_aware(dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time()))
    return (
        Signup.objects.filter(
            status=Signup.Status.REGISTERED,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__gt=now,
            session__starts_at__lt=until,
        )
        .exclude(email="")
        .select_related("session__council", "user")
        .order_by("pk")
    )


def send(*, now: dt.datetime) -> int:
    """Send the reminders due at `now`; the number sent now (those sent before are not)."""
    unconfirmed_expire(now=now)
    return sum(emails.signup_reminder(signup, now=now) for signup in signups_to_remind(now))
