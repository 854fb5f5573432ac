"""The まち「ピカ」 activity report reminder of `manage.py send_reminders`: the same due date as
マイページ's 次にすること (partners.reminders.report_due_on), sent once per due date, from
REMINDER_REPORT_DAYS before the day until the day itself, never to other programmes or to a
partner who is not registered now. The clock is frozen: nothing here depends on today."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from partners import services as ps
from partners.models import ActivityReport
from tests import factories

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=JST)
TODAY = NOW.date()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def pika(*, registered_days_ago, programme="pika", status="registered"):
    registration = factories.make_registration(
        programme=programme, status=status, user=factories.make_user()
    )
    registration.registered_on = TODAY - dt.timedelta(days=registered_days_ago)
    registration.save(update_fields=["registered_on"])
    return registration


def remind(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open("/dev/null", "w"))


def test_a_week_before_the_report_is_due_the_partner_is_reminded_once(
    frozen, django_capture_on_commit_callbacks
):
    registration = pika(registered_days_ago=23)  # due in 7 days: 2026-07-08

    remind(django_capture_on_commit_callbacks)
    remind(django_capture_on_commit_callbacks)  # cron ran twice

    (message,) = mail.outbox
    assert message.to == [registration.user.email]
    assert message.subject.endswith("活動報告の期限は7/8 (水)です")
    assert (
        f"登録（{registration.number}）の次の活動報告の期限は2026-07-08 (水)です。" in message.body
    )
    assert "まだ活動報告がありません。" in message.body
    assert reverse("partners:report_create", args=[registration.pk]) in message.body


@pytest.mark.parametrize(
    "registered_days_ago, reminded",
    [
        (22, False),  # due in 8 days: too early
        (23, True),  # due in 7 days
        (30, True),  # due today
        (31, False),  # overdue: マイページ shows it, no more e-mail
    ],
)
def test_the_window_runs_from_the_setting_days_before_to_the_due_day(
    frozen, django_capture_on_commit_callbacks, registered_days_ago, reminded
):
    pika(registered_days_ago=registered_days_ago)

    remind(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == (1 if reminded else 0)


def test_the_days_before_are_a_setting(frozen, settings, django_capture_on_commit_callbacks):
    settings.REMINDER_REPORT_DAYS = 2
    pika(registered_days_ago=23)

    remind(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_a_report_filed_moves_the_due_date_and_the_next_one_is_reminded_again(
    frozen, django_capture_on_commit_callbacks
):
    registration = pika(registered_days_ago=40)
    ps.report_create(
        report=ActivityReport(
            registration=registration,
            activity_date=TODAY - dt.timedelta(days=25),
            participants=2,
        ),
        by=registration.user,
    )

    remind(django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert "2026-07-06" in message.body  # 30 days after the activity of 2026-06-06
    assert "最後に報告された活動は2026-06-06です。" in message.body


def test_no_reminder_for_other_programmes_or_a_partner_not_registered_now(
    frozen, django_capture_on_commit_callbacks
):
    pika(registered_days_ago=23, programme="magokoro")
    pika(registered_days_ago=23, status="suspended")
    pika(registered_days_ago=23, status="withdrawn")

    remind(django_capture_on_commit_callbacks)

    assert mail.outbox == []
