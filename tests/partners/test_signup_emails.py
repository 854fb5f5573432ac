"""The e-mails of a shift sign-up: the confirmation (or waiting list) when made on the site or
keyed in by staff, the cancellation by the partner or by staff, none on a refusal or a rollback;
and the reminder before the shift (`manage.py send_reminders`): once however often it runs,
never for a cancelled or waiting sign-up, in the right window of days."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from partners.models import Opportunity, Signup
from partners.services import signup_cancel, signup_create
from tests.partners.test_opportunities import make_opportunity, partner

pytestmark = pytest.mark.django_db

SS = Signup.Status
JST = dt.timezone(dt.timedelta(hours=9))
# Reminder tests run with the clock frozen here (a Wednesday morning in Muroran).
NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=JST)


@pytest.fixture
def magokoro(resident):
    return partner(user=resident)


@pytest.fixture
def opportunity():
    opportunity = make_opportunity(slots=1)
    Opportunity.objects.filter(pk=opportunity.pk).update(things_to_bring="軍手、飲み物")
    opportunity.refresh_from_db()
    return opportunity


@pytest.fixture
def shift(opportunity):
    return opportunity.shifts.get()


def _detail_url(opportunity):
    return "http://testserver" + reverse("partners:opportunity_detail", args=[opportunity.pk])


# --- sign-up --------------------------------------------------------------------------------


def test_a_sign_up_is_confirmed_by_mail_with_date_place_what_to_bring_and_the_cancel_page(
    client, resident, magokoro, shift, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:opportunity_signup", args=[shift.pk]))

    assert Signup.objects.get().status == SS.CONFIRMED
    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert message.subject.endswith("お申込みが確定しました：みなと祭り 会場案内")
    starts = shift.starts_at.astimezone(JST)
    assert f"{starts:%Y-%m-%d}" in message.body and f"{starts:%H:%M}" in message.body
    assert "場所： 室蘭港 中央ふ頭" in message.body
    assert "持ち物： 軍手、飲み物" in message.body
    assert "担当課： 観光課" in message.body
    assert magokoro.number in message.body
    assert "取り消してください" in message.body
    assert _detail_url(shift.opportunity) in message.body


def test_a_sign_up_on_the_waiting_list_says_so(
    resident, magokoro, shift, django_capture_on_commit_callbacks
):
    other = partner()
    signup_create(shift=shift, registration=other, by=other.user)
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(shift=shift, registration=magokoro, by=resident, wait=True)

    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert "キャンセル待ちで受け付けました" in message.subject
    assert "空きが出たらメールでお知らせします" in message.body


def test_a_refused_sign_up_sends_nothing(
    resident, magokoro, shift, django_capture_on_commit_callbacks
):
    other = partner()
    signup_create(shift=shift, registration=other, by=other.user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        signup_create(shift=shift, registration=magokoro, by=resident)  # full, no waiting
    assert mail.outbox == []


def test_a_sign_up_rolled_back_sends_nothing(
    resident, magokoro, shift, django_capture_on_commit_callbacks
):
    class Later(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Later):
        with transaction.atomic():
            signup_create(shift=shift, registration=magokoro, by=resident)
            raise Later
    assert mail.outbox == []
    assert not Signup.objects.exists()


def test_a_sign_up_staff_key_in_from_paper_mails_the_partner(
    staff_client, magokoro, shift, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:partners_signup_add"),
            {"shift": shift.pk, "registration": magokoro.pk, "channel": "paper"},
        )
    assert response.status_code == 302

    (message,) = mail.outbox
    assert message.to == [magokoro.contact_email]
    assert "お申込みが確定しました" in message.subject
    assert "お申込みは観光課が受け付け（紙）、ポータルに入力しました。" in message.body


def test_a_refused_paper_sign_up_mails_nobody(
    staff_client, magokoro, shift, django_capture_on_commit_callbacks
):
    other = partner()
    signup_create(shift=shift, registration=other, by=other.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:partners_signup_add"),
            {"shift": shift.pk, "registration": magokoro.pk, "channel": "fax"},
        )
    assert response.status_code == 200  # the form again, with the reason
    assert mail.outbox == []


# --- cancellation ----------------------------------------------------------------------------


def test_the_partner_cancelling_is_told_it_is_cancelled(
    client, resident, magokoro, shift, django_capture_on_commit_callbacks
):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:opportunity_signup_cancel", args=[signup.pk]))

    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert message.subject.endswith("お申込みを取り消しました：みなと祭り 会場案内")
    assert f"へのお申込み（{magokoro.number}）を取り消しました。" in message.body
    assert "観光課が" not in message.body


def test_staff_cancelling_tells_the_partner_the_city_cancelled_it(
    resident, magokoro, staff, shift, django_capture_on_commit_callbacks
):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(signup=signup, by=staff)

    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert (
        f"観光課が、「みなと祭り 会場案内」へのお申込み（{magokoro.number}）を取り消しました。"
        in (message.body)
    )


def test_a_refused_cancellation_sends_nothing(
    resident, magokoro, shift, django_capture_on_commit_callbacks
):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    signup_cancel(signup=signup, by=resident)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        signup_cancel(signup=signup, by=resident)  # already cancelled
    assert mail.outbox == []


# --- reminders ---------------------------------------------------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _shift_at(starts_at, *, slots=3):
    return make_opportunity(
        slots=slots, starts=starts_at, deadline=starts_at - dt.timedelta(days=1)
    ).shifts.get()


def _remind(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open("/dev/null", "w"))


def test_the_day_before_the_shift_the_partner_is_reminded_once(
    frozen, resident, magokoro, django_capture_on_commit_callbacks
):
    tomorrow_morning = NOW + dt.timedelta(days=1)
    shift = _shift_at(tomorrow_morning)
    signup_create(shift=shift, registration=magokoro, by=resident)

    _remind(django_capture_on_commit_callbacks)
    _remind(django_capture_on_commit_callbacks)  # cron ran twice

    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert message.subject.endswith("7/2 (木)の活動のお知らせ：みなと祭り 会場案内")
    assert "2026-07-02 (木) 09:00" in message.body
    assert "場所： 室蘭港 中央ふ頭" in message.body


@pytest.mark.parametrize(
    "starts, reminded",
    [
        (dt.datetime(2026, 7, 1, 8, 0, tzinfo=JST), False),  # already started
        (dt.datetime(2026, 7, 1, 18, 0, tzinfo=JST), True),  # later today (a run was missed)
        (dt.datetime(2026, 7, 2, 23, 30, tzinfo=JST), True),  # the last moment of tomorrow
        (dt.datetime(2026, 7, 3, 0, 0, tzinfo=JST), False),  # the day after tomorrow
    ],
)
def test_the_window_is_from_now_to_the_end_of_tomorrow(
    frozen, resident, magokoro, starts, reminded, django_capture_on_commit_callbacks
):
    shift = _shift_at(starts)
    Signup.objects.create(shift=shift, registration=magokoro, status=SS.CONFIRMED)
    _remind(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == (1 if reminded else 0)


def test_the_days_ahead_are_a_setting(
    frozen, settings, resident, magokoro, django_capture_on_commit_callbacks
):
    settings.REMINDER_SHIFT_DAYS = 3
    shift = _shift_at(dt.datetime(2026, 7, 4, 10, 0, tzinfo=JST))
    Signup.objects.create(shift=shift, registration=magokoro, status=SS.CONFIRMED)
    _remind(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_cancelled_and_waiting_sign_ups_and_unpublished_shifts_get_no_reminder(
    frozen, resident, magokoro, django_capture_on_commit_callbacks
):
    shift = _shift_at(NOW + dt.timedelta(days=1))
    cancelled, waiting = partner(), partner()
    Signup.objects.create(shift=shift, registration=cancelled, status=SS.CANCELLED)
    Signup.objects.create(shift=shift, registration=waiting, status=SS.WAITING)
    hidden = _shift_at(NOW + dt.timedelta(days=1))
    Opportunity.objects.filter(pk=hidden.opportunity_id).update(is_published=False)
    Signup.objects.create(shift=hidden, registration=magokoro, status=SS.CONFIRMED)

    _remind(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_a_new_sign_up_after_a_cancelled_one_is_reminded_too(
    frozen, resident, magokoro, django_capture_on_commit_callbacks
):
    shift = _shift_at(NOW + dt.timedelta(days=1))
    first = Signup.objects.create(shift=shift, registration=magokoro, status=SS.CONFIRMED)
    _remind(django_capture_on_commit_callbacks)
    Signup.objects.filter(pk=first.pk).update(status=SS.CANCELLED)
    Signup.objects.create(shift=shift, registration=magokoro, status=SS.CONFIRMED)
    _remind(django_capture_on_commit_callbacks)
    # A new sign-up is a new key: the partner who signed up again is reminded of it.
    assert len(mail.outbox) == 2


def test_the_opportunity_page_says_what_to_bring(client, opportunity):
    html = client.get(reverse("partners:opportunity_detail", args=[opportunity.pk])).content
    assert "<dt>持ち物</dt>" in html.decode()
    assert "軍手、飲み物" in html.decode()


def test_nothing_to_bring_shows_no_line(client, opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(things_to_bring="")
    html = client.get(reverse("partners:opportunity_detail", args=[opportunity.pk])).content
    assert "持ち物" not in html.decode()
