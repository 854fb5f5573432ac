"""The reminders the partner programmes send, for `manage.py send_reminders` (cron, daily;
`registry.REMINDERS`): each confirmed partner, before their shift, and each まち「ピカ」
partner, before their activity report is due. Safe to run twice: each reminder goes once
(`muroran_kyodo.lib.mail.send_once`).

The reporting rule of まち「ピカ」 (partners/README.md, "Activity reports due") lives here, so
マイページ's 次にすること and the reminder e-mail give the same date."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from . import emails
from .models import ActivityReport, Programme, Registration, Signup

# A registered まち「ピカ」 partner reports at least once every REPORT_EVERY_DAYS days, counted
# from the last activity reported (or from the registration); マイページ shows the task from
# REPORT_REMINDER_DAYS before, and the reminder e-mail goes REMINDER_REPORT_DAYS (a setting)
# before.
REPORT_EVERY_DAYS = 30
REPORT_REMINDER_DAYS = 7


def report_due_on(registration: Registration) -> dt.date | None:
    """When a まち「ピカ」 partner's next activity report is due: REPORT_EVERY_DAYS after the last
    activity reported (`last_report_on`, annotated by the caller), or after the registration
    when none is; None when no report is asked for (another programme, or not registered now)."""
    if (
        registration.programme != Programme.PIKA
        or registration.status != Registration.Status.REGISTERED
    ):
        return None
    since = getattr(registration, "last_report_on", None) or registration.registered_on
    if since is None:
        return None
    return since + dt.timedelta(days=REPORT_EVERY_DAYS)


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


def reports_to_remind(now: dt.datetime, days: int) -> list[tuple[Registration, dt.date]]:
    """Registered まち「ピカ」 partners whose activity report is due from today to the `days`-th
    day after today, with the due date; none once overdue (マイページ keeps showing it)."""
    today = timezone.localdate(now)
    last_report = ActivityReport.objects.filter(registration=OuterRef("pk")).order_by(
        "-activity_date"
    )
    registrations = (
        Registration.objects.filter(programme=Programme.PIKA, status=Registration.Status.REGISTERED)
        .select_related("user")
        .annotate(last_report_on=Subquery(last_report.values("activity_date")[:1]))
        .order_by("pk")
    )
    due_soon = []
    for registration in registrations.iterator(chunk_size=2000):
        due = report_due_on(registration)
        if due is not None and today <= due <= today + dt.timedelta(days=days):
            due_soon.append((registration, due))
    return due_soon


def send(*, now: dt.datetime) -> int:
    """Send the reminders due at `now`; the number sent now (those sent before are not)."""
    shifts = sum(
        emails.shift_reminder(signup)
        for signup in signups_to_remind(now, settings.REMINDER_SHIFT_DAYS)
    )
    reports = sum(
        emails.report_reminder(registration, due)
        for registration, due in reports_to_remind(now, settings.REMINDER_REPORT_DAYS)
    )
    return shifts + reports
