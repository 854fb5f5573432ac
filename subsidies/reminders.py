"""The reminders the subsidy sends, for `manage.py send_reminders` (cron, daily;
`registry.REMINDERS`): the group, before its completion report (実績報告) is due. Safe to run
twice: each reminder goes once (`muroran_kyodo.lib.mail.send_once`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from . import emails
from .models import Application

# When the 実績報告 is due: 30 days after the project ends, but no later than 10 April after
# its 年度 — the usual rule of municipal subsidy regulations (補助金等交付規則). Change it
# here if the programme's 交付要綱 says otherwise.
REPORT_DAYS_AFTER_END = 30
REPORT_LATEST = (4, 10)  # month, day of the following calendar year (the end of the 年度 + 10)


def report_due_on(application: Application) -> dt.date | None:
    """The 実績報告's due date, or None while the project has no end date."""
    if application.ends_on is None:
        return None
    month, day = REPORT_LATEST
    latest = dt.date(application.programme.fiscal_year + 1, month, day)
    return min(application.ends_on + dt.timedelta(days=REPORT_DAYS_AFTER_END), latest)


def reports_to_remind(now: dt.datetime, days: int) -> list[tuple[Application, dt.date]]:
    """Granted applications (the report not filed, or returned to the group) whose report is
    due from today to the `days`-th day after today. One query."""
    today = timezone.localdate(now)
    found = []
    for application in Application.objects.filter(
        status=Application.Status.GRANTED,
        ends_on__gte=today - dt.timedelta(days=REPORT_DAYS_AFTER_END),
    ).select_related("applicant", "organization", "programme"):
        due_on = report_due_on(application)
        if due_on is not None and today <= due_on <= today + dt.timedelta(days=days):
            found.append((application, due_on))
    return found


def send(*, now: dt.datetime) -> int:
    """Send the reminders due at `now`; the number sent now (those sent before are not)."""
    return sum(
        emails.report_reminder(application, due_on=due_on)
        for application, due_on in reports_to_remind(now, settings.REMINDER_REPORT_DAYS)
    )
