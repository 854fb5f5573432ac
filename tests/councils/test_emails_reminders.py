"""The councils' e-mails (each of the ten renders in Japanese with the session, its 和暦 date,
the venue and the right link) and the day-before reminder (`reminders.send`, run daily by
cron): sent for sessions tomorrow, not for later ones, once, only to people with a place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from councils import emails, reminders
from councils.models import Session, Signup
from muroran_kyodo.lib.models import SentMail
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import NOW
from tests.mailing import committed

pytestmark = pytest.mark.django_db
S = Signup.Status


@pytest.fixture
def guest(workshop):
    return cf.make_signup(workshop, name="ゲスト 花子", email="guest@example.jp")


@pytest.fixture
def account_signup(workshop, resident):
    return cf.make_signup(workshop, user=resident)


def test_a_guest_s_e_mails_link_to_their_own_page(guest):
    with committed():
        emails.signup_registered(guest)
    [message] = mail.outbox
    assert message.to == ["guest@example.jp"]
    assert f"/councils/s/{guest.token}/" in message.body
    assert message.body.startswith("ゲスト 花子 様")
    assert "令和8年7月4日" in message.body and "13:30～16:00" in message.body
    assert "室蘭市生涯学習センター きらん" in message.body
    assert guest.code in message.body
    assert "高砂公園リニューアル" in message.body


def test_an_account_s_e_mails_link_to_my_page(account_signup, resident):
    with committed():
        emails.signup_waiting(account_signup)
    [message] = mail.outbox
    assert message.to == [resident.email]
    assert "/councils/my/" in message.body
    assert account_signup.code not in message.body  # no place yet, no code


def test_the_confirmation_link_e_mail(guest):
    Signup.objects.filter(pk=guest.pk).update(
        status=S.UNCONFIRMED, confirm_by=NOW + dt.timedelta(hours=24)
    )
    guest.refresh_from_db()
    with committed():
        emails.signup_confirm_link(guest)
    [message] = mail.outbox
    assert f"/councils/confirm/{guest.token}/" in message.body
    assert "令和8年6月16日 10:00" in message.body


@pytest.mark.parametrize(
    ("send", "words"),
    [
        (emails.signup_promoted, "参加が決まりました"),
        (emails.signup_cancelled, "取り消しました"),
        (lambda s: emails.session_cancelled(s, "台風の接近のため"), "台風の接近のため"),
    ],
)
def test_each_sign_up_e_mail_renders(guest, send, words):
    with committed():
        send(guest)
    [message] = mail.outbox
    assert words in message.subject + message.body
    assert guest.session.title in message.subject
    assert "{%" not in message.body and "{{" not in message.body


def test_the_facilitator_e_mails(workshop):
    person = factories.make_user("fac@example.jp", family_name="中島", given_name="一郎")
    facilitator = cf.make_facilitator(person, course="ファシリテーター養成講座 基礎編")
    assignment = cf.make_assignment(workshop, facilitator, table=3)

    with committed():
        emails.facilitator_joined(facilitator)
        emails.facilitator_assigned(assignment)
        emails.facilitator_unassigned(assignment)

    joined, assigned, unassigned = mail.outbox
    assert all(m.to == ["fac@example.jp"] for m in mail.outbox)
    assert "ファシリテーター養成講座 基礎編" in joined.body and "令和8年5月10日" in joined.body
    assert "3番テーブル" in assigned.body and workshop.title in assigned.subject
    assert "取り消し" in unassigned.subject and "3番テーブル" in unassigned.body
    assert "/councils/my/" in assigned.body


def test_the_facilitator_e_mail_of_a_workshop_called_off(workshop):
    person = factories.make_user("fac@example.jp", family_name="中島", given_name="一郎")
    assignment = cf.make_assignment(workshop, cf.make_facilitator(person), table=4)

    with committed():
        emails.session_cancelled_facilitator(assignment, "台風の接近のため")

    [message] = mail.outbox
    assert message.to == ["fac@example.jp"]
    assert "中止" in message.subject and workshop.title in message.subject
    assert "令和8年7月4日" in message.subject
    assert "4番テーブル" in message.body and "台風の接近のため" in message.body
    assert "/councils/my/" in message.body
    assert "{%" not in message.body and "{{" not in message.body


def test_a_sign_up_without_an_address_gets_no_e_mail(workshop):
    keyed_in = cf.make_signup(workshop, email="", phone="0143-22-1111")
    emails.signup_registered(keyed_in)
    assert emails.signup_reminder(keyed_in) is False
    assert mail.outbox == []


# --- The day-before reminder --------------------------------------------------------------------


def _send(now, capture):
    with capture(execute=True):
        return reminders.send(now=now)


def test_the_reminder_goes_the_day_before_once(frozen, django_capture_on_commit_callbacks):
    tomorrow = cf.make_workshop(starts_at=NOW + dt.timedelta(days=1, hours=3))
    in_three_days = cf.make_workshop(starts_at=NOW + dt.timedelta(days=3))
    reminded = cf.make_signup(tomorrow, email="come@example.jp")
    cf.make_signup(in_three_days, email="later@example.jp")

    assert _send(NOW, django_capture_on_commit_callbacks) == 1
    assert _send(NOW + dt.timedelta(hours=1), django_capture_on_commit_callbacks) == 0

    [message] = mail.outbox
    assert message.to == ["come@example.jp"]
    assert "明日" in message.subject and reminded.code in message.body
    assert SentMail.objects.filter(key__startswith=f"councils.reminder:{reminded.pk}:").count() == 1


def test_the_reminder_skips_cancelled_waiting_and_unconfirmed(
    frozen, django_capture_on_commit_callbacks
):
    tomorrow = cf.make_workshop(starts_at=NOW + dt.timedelta(hours=20))
    for status in (S.CANCELLED, S.WAITING, S.UNCONFIRMED, S.EXPIRED):
        cf.make_signup(tomorrow, status=status, confirm_by=NOW + dt.timedelta(hours=5))
    called_off = cf.make_workshop(starts_at=NOW + dt.timedelta(hours=20))
    Session.objects.filter(pk=called_off.pk).update(status=Session.Status.CANCELLED)
    cf.make_signup(called_off)

    assert _send(NOW, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_session_later_today_is_reminded_as_today(frozen, django_capture_on_commit_callbacks):
    """The window runs from now to the end of tomorrow: a session this evening (created or
    moved after yesterday's run) is today's, not tomorrow's."""
    tonight = cf.make_workshop(starts_at=NOW.replace(hour=18))
    tomorrow = cf.make_workshop(starts_at=NOW.replace(hour=18) + dt.timedelta(days=1))
    cf.make_signup(tonight, email="tonight@example.jp")
    cf.make_signup(tomorrow, email="tomorrow@example.jp")

    assert _send(NOW, django_capture_on_commit_callbacks) == 2

    by_address = {m.to[0]: m for m in mail.outbox}
    today_mail, tomorrow_mail = by_address["tonight@example.jp"], by_address["tomorrow@example.jp"]
    assert "本日開催" in today_mail.subject and "明日" not in today_mail.subject
    assert "本日開催" in today_mail.body and "明日" not in today_mail.body
    assert "明日開催" in tomorrow_mail.subject and "本日" not in tomorrow_mail.subject
    assert "明日開催" in tomorrow_mail.body


def test_a_session_moved_is_reminded_again(frozen, django_capture_on_commit_callbacks):
    session = cf.make_workshop(starts_at=NOW + dt.timedelta(hours=20))
    cf.make_signup(session)
    assert _send(NOW, django_capture_on_commit_callbacks) == 1
    moved = session.starts_at + dt.timedelta(hours=2)
    Session.objects.filter(pk=session.pk).update(
        starts_at=moved, ends_at=moved + dt.timedelta(hours=2)
    )
    assert _send(NOW, django_capture_on_commit_callbacks) == 1


def test_a_session_already_started_gets_no_reminder(frozen, django_capture_on_commit_callbacks):
    session = cf.make_workshop(starts_at=NOW + dt.timedelta(hours=1))
    cf.make_signup(session)
    assert _send(NOW + dt.timedelta(hours=2), django_capture_on_commit_callbacks) == 0


def test_the_run_lapses_unconfirmed_guests(workshop, django_capture_on_commit_callbacks):
    late = cf.make_signup(workshop, status=S.UNCONFIRMED, confirm_by=NOW - dt.timedelta(hours=1))
    _send(NOW, django_capture_on_commit_callbacks)
    assert Signup.objects.get(pk=late.pk).status == S.EXPIRED


def test_the_reminder_window_ends_with_tomorrow_in_japan(
    frozen, django_capture_on_commit_callbacks
):
    """Run at 23:30 JST on 6/15: a session at 00:30 on 6/17 is the day after tomorrow."""
    late_evening = NOW.replace(hour=23, minute=30)
    day_after = cf.make_workshop(starts_at=late_evening + dt.timedelta(hours=25))
    tomorrow_night = cf.make_workshop(starts_at=late_evening + dt.timedelta(hours=23))
    cf.make_signup(day_after, email="after@example.jp")
    cf.make_signup(tomorrow_night, email="night@example.jp")
    assert _send(late_evening, django_capture_on_commit_callbacks) == 1
    assert mail.outbox[0].to == ["night@example.jp"]
