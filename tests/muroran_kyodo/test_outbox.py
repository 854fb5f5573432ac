"""The outbox (lib.outbox, `manage.py send_outbox`): with the mail server down a transition
still commits and answers normally, its e-mail waits and is sent later, once; a rollback sends
nothing; retries back off and end as failed, which staff send again from the admin; two runs at
the same moment on PostgreSQL send each e-mail once; sent rows are deleted after the retention;
the health says when something waits too long."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time

import pytest
import time_machine
from django.contrib import messages as django_messages
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from muroran_kyodo.lib import mail as portal_mail
from muroran_kyodo.lib import outbox
from muroran_kyodo.lib.outbox import outbox_health
from muroran_kyodo.models import OutboxMail
from partners.models import Registration
from tests import factories
from tests.mailing import DOWN, REFUSING, DownBackend, committed

S = OutboxMail.Status
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
# Any existing template set will do: this one needs only the organisation's name.
NAME = "organization_member_removed"
CONTEXT = {"organization": {"name": "輪西まちづくりの会"}}
CONFIRM_LINK = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")
CHANGELIST = reverse("admin:muroran_kyodo_outboxmail_changelist")


@pytest.fixture(autouse=True)
def _counted():
    DownBackend.attempts = 0


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _send_outbox(*args) -> None:
    with open("/dev/null", "w") as out:
        call_command("send_outbox", *args, stdout=out)


def _mail(to="a@example.jp"):
    portal_mail.send(NAME, [to], CONTEXT)


def _outbox_warnings(caplog):
    return [r for r in caplog.records if r.name == "muroran_kyodo.lib.outbox" and r.levelno >= 30]


# --- a transition while the mail server is down ------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_smtp_down_an_approval_in_the_admin_commits_and_the_mail_goes_later_once(
    client, staff, settings, caplog
):
    """Through the admin action, as staff approve a partner: a transactional test, so that the
    commit (and the delivery it triggers) happens inside the request, as in production."""
    staff_client = factories.with_second_factor(client, staff)
    resident = factories.make_user("resident@example.jp")
    applied = factories.make_registration(user=resident, contact_email="hanako@example.jp")
    mail.outbox.clear()  # the mail of the application, sent before the server went down
    settings.EMAIL_BACKEND = DOWN

    with caplog.at_level(logging.WARNING, logger="muroran_kyodo.lib.outbox"):
        response = staff_client.post(
            reverse("admin:partners_registration_changelist"),
            {
                "action": "approve",
                "_selected_action": [applied.pk],
                "select_across": "0",
                "index": "0",
                "reason": "",
            },
            follow=True,
        )

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert Registration.objects.get(pk=applied.pk).status == Registration.Status.REGISTERED
    row = OutboxMail.objects.exclude(status=S.SENT).get()
    assert row.name == "partners_registration_status_changed"
    assert (row.status, row.attempts, row.recipients) == (S.PENDING, 1, ["hanako@example.jp"])
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.next_attempt_at > timezone.now()
    assert mail.outbox == []
    assert _outbox_warnings(caplog)

    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1)):
        _send_outbox()
        _send_outbox()  # cron ran again: nothing more

    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    assert row.subject == mail.outbox[0].subject
    row.refresh_from_db()
    assert row.status == S.SENT and row.sent_at is not None
    assert OutboxMail.objects.filter(status=S.SENT).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_smtp_down_the_sign_up_succeeds_and_the_confirmation_mail_goes_later(client, settings):
    settings.EMAIL_BACKEND = DOWN

    response = client.post("/accounts/signup/", factories.SIGNUP_DATA)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    row = OutboxMail.objects.get()
    assert row.status == S.PENDING and row.attempts == 1
    assert row.name == "account/email/email_confirmation_signup"
    assert mail.outbox == []

    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1)):
        _send_outbox()
    (message,) = mail.outbox
    assert message.to == [factories.SIGNUP_DATA["email"]]
    assert message.subject == "【室蘭市 協働ポータル】メールアドレスを確認してください"
    path = CONFIRM_LINK.search(message.body).group(1)
    assert client.get(path).status_code == 200


# --- writing and delivering --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_mail_is_written_in_the_transaction_and_sent_on_commit():
    with committed():
        _mail()
        row = OutboxMail.objects.get()
        assert row.status == S.PENDING and mail.outbox == []  # not before the commit

    (message,) = mail.outbox
    assert message.to == ["a@example.jp"]
    assert message.subject.startswith("【室蘭市 協働ポータル】")
    assert "輪西まちづくりの会" in message.body
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (S.SENT, 1, "")


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing():
    class Refused(Exception):
        pass

    with committed(), pytest.raises(Refused):
        with transaction.atomic():
            _mail()
            raise Refused

    assert not OutboxMail.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_html_alternative_and_headers_are_kept():
    message = EmailMessage("件名", "<p>本文</p>", "city@example.jp", ["a@example.jp"])
    message.content_subtype = "html"
    message.extra_headers = {"Reply-To": "desk@example.jp"}
    with committed():
        outbox.enqueue(message, name="test")

    (sent,) = mail.outbox
    assert (sent.body, sent.content_subtype) == ("<p>本文</p>", "html")
    assert sent.extra_headers == {"Reply-To": "desk@example.jp"}


@pytest.mark.django_db
def test_attachments_are_refused_by_the_outbox():
    message = EmailMessage("件名", "本文", "city@example.jp", ["a@example.jp"])
    message.attach("a.txt", "x", "text/plain")
    with pytest.raises(ValueError):
        outbox.enqueue(message)
    assert not OutboxMail.objects.exists()


@pytest.mark.django_db
def test_a_row_claimed_by_another_deliverer_is_not_sent_again():
    with transaction.atomic():
        _mail()  # its delivery on commit never runs here (the test's transaction)
    row = OutboxMail.objects.get()
    OutboxMail.objects.filter(pk=row.pk).update(status=S.SENDING, claimed_at=timezone.now())

    assert outbox.deliver(row.pk) == outbox.TAKEN
    _send_outbox()
    assert mail.outbox == []
    row.refresh_from_db()
    assert row.status == S.SENDING  # left for staff: it may have gone


# --- retries ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retries_back_off_and_the_command_exits_normally_while_smtp_is_down(frozen, settings):
    settings.EMAIL_BACKEND = DOWN
    with committed():
        _mail()
    row = OutboxMail.objects.get()
    assert row.attempts == 1
    assert row.next_attempt_at == timezone.now() + dt.timedelta(seconds=60)

    _send_outbox()  # not due yet
    assert DownBackend.attempts == 1

    frozen.shift(dt.timedelta(seconds=61))
    _send_outbox()  # exits normally (call_command would raise on a CommandError)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.PENDING, 2)
    assert row.next_attempt_at == timezone.now() + dt.timedelta(seconds=120)

    settings.EMAIL_BACKEND = LOCMEM
    frozen.shift(dt.timedelta(seconds=121))
    _send_outbox()
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.SENT, 3)


@pytest.mark.django_db
def test_the_wait_is_capped(settings):
    settings.MAIL_OUTBOX_RETRY_SECONDS = 60
    settings.MAIL_OUTBOX_RETRY_MAX_SECONDS = 3600
    waits = [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 12)]
    assert waits == [60, 120, 240, 3600, 3600, 3600]


@pytest.mark.django_db
def test_after_the_last_attempt_the_mail_is_failed_and_retried_only_on_request(
    frozen, settings, caplog
):
    settings.EMAIL_BACKEND = DOWN
    settings.MAIL_OUTBOX_MAX_ATTEMPTS = 2
    with committed():
        _mail()
    frozen.shift(dt.timedelta(minutes=5))
    with caplog.at_level(logging.WARNING, logger="muroran_kyodo.lib.outbox"):
        _send_outbox()
    row = OutboxMail.objects.get()
    assert (row.status, row.attempts) == (S.FAILED, 2)
    assert any(r.levelno == logging.ERROR for r in _outbox_warnings(caplog))
    assert outbox_health()["failed"] == 1 and outbox_health()["ok"] is False

    settings.EMAIL_BACKEND = LOCMEM
    frozen.shift(dt.timedelta(hours=5))
    _send_outbox()
    assert mail.outbox == []  # failed stays failed

    _send_outbox("--retry-failed")
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == S.SENT


@pytest.mark.django_db
def test_after_a_failure_on_commit_the_next_mails_are_left_to_the_command(frozen, settings):
    """A mail server that does not answer costs one request its timeout, not every request."""
    settings.EMAIL_BACKEND = DOWN
    with committed():
        _mail("a@example.jp")
    with committed():
        _mail("b@example.jp")

    assert DownBackend.attempts == 1
    assert list(OutboxMail.objects.order_by("pk").values_list("attempts", flat=True)) == [1, 0]

    settings.EMAIL_BACKEND = LOCMEM
    frozen.shift(dt.timedelta(seconds=61))
    _send_outbox()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.jp", "b@example.jp"]


@pytest.mark.django_db
def test_a_run_stops_when_the_server_is_down_but_not_for_one_refused_address(frozen, settings):
    with transaction.atomic():
        _mail("a@example.jp")
        _mail("b@example.jp")
    settings.EMAIL_BACKEND = DOWN
    _send_outbox()
    # The first row tried and backed off; the second not counted as tried.
    assert list(OutboxMail.objects.order_by("pk").values_list("attempts", flat=True)) == [1, 0]

    settings.EMAIL_BACKEND = REFUSING
    frozen.shift(dt.timedelta(seconds=61))
    _send_outbox()
    assert list(OutboxMail.objects.order_by("pk").values_list("attempts", flat=True)) == [2, 1]
    assert OutboxMail.objects.filter(last_error__startswith="SMTPRecipientsRefused").count() == 2


# --- send_once ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_once_is_retried_by_the_outbox_and_never_sent_twice(frozen, settings):
    settings.EMAIL_BACKEND = DOWN
    with committed():
        assert portal_mail.send_once("test:1", NAME, ["a@example.jp"], CONTEXT) is True
    with committed():  # the next cron run of the reminders finds the key
        assert portal_mail.send_once("test:1", NAME, ["a@example.jp"], CONTEXT) is False
    row = OutboxMail.objects.get()
    assert (row.key, row.status) == ("test:1", S.PENDING)

    settings.EMAIL_BACKEND = LOCMEM
    frozen.shift(dt.timedelta(seconds=61))
    _send_outbox()
    _send_outbox()
    with committed():
        assert portal_mail.send_once("test:1", NAME, ["a@example.jp"], CONTEXT) is False
    assert len(mail.outbox) == 1


# --- two runs at the same moment ---------------------------------------------------------------


class SlowLocmem(LocmemBackend):
    """The local backend, slow enough for two runs to overlap."""

    def send_messages(self, messages):
        time.sleep(0.01)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers and has no SKIP LOCKED; the race needs PostgreSQL",
)
def test_two_runs_at_the_same_moment_send_each_mail_once(settings):
    settings.EMAIL_BACKEND = "tests.muroran_kyodo.test_outbox.SlowLocmem"
    count = 40
    OutboxMail.objects.bulk_create(
        OutboxMail(
            from_email="city@example.jp",
            to=f"p{i}@example.jp",
            subject=f"件名 {i}",
            body="本文",
        )
        for i in range(count)
    )
    runs = 3
    barrier = threading.Barrier(runs)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            outbox.send_due(limit=count)
        except Exception as error:  # reported below: a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(f"件名 {i}" for i in range(count))  # each once, none missing
    assert OutboxMail.objects.filter(status=S.SENT, attempts=1).count() == count


# --- retention and health ----------------------------------------------------------------------


@pytest.mark.django_db
def test_sent_mails_are_deleted_after_the_retention_and_nothing_else(frozen, settings):
    settings.MAIL_OUTBOX_KEEP_DAYS = 30
    now = timezone.now()
    old_sent = OutboxMail.objects.create(
        from_email="c@example.jp", to="a@example.jp", subject="old", body="x",
        status=S.SENT, sent_at=now - dt.timedelta(days=31),
    )  # fmt: skip
    recent_sent = OutboxMail.objects.create(
        from_email="c@example.jp", to="a@example.jp", subject="recent", body="x",
        status=S.SENT, sent_at=now - dt.timedelta(days=29),
    )  # fmt: skip
    old_failed = OutboxMail.objects.create(
        from_email="c@example.jp", to="a@example.jp", subject="failed", body="x",
        status=S.FAILED, created_at=now - dt.timedelta(days=40),
    )  # fmt: skip

    _send_outbox()

    remaining = set(OutboxMail.objects.values_list("pk", flat=True))
    assert remaining == {recent_sent.pk, old_failed.pk}
    assert old_sent.pk not in remaining


@pytest.mark.django_db
def test_the_health_counts_what_waits_and_alerts_when_it_waits_too_long(frozen, settings):
    settings.MAIL_OUTBOX_ALERT_SECONDS = 900
    settings.MAIL_OUTBOX_STUCK_SECONDS = 600
    assert outbox_health() == {
        "pending": 0,
        "failed": 0,
        "oldest_pending_seconds": None,
        "stuck_sending": 0,
        "ok": True,
    }
    with transaction.atomic():
        _mail()
    frozen.shift(dt.timedelta(seconds=300))
    health = outbox_health()
    assert (health["pending"], health["oldest_pending_seconds"], health["ok"]) == (1, 300, True)

    frozen.shift(dt.timedelta(seconds=601))
    assert outbox_health()["ok"] is False  # waiting 901 s: the mail server or cron is down

    OutboxMail.objects.update(status=S.SENDING, claimed_at=timezone.now())
    health = outbox_health()
    assert (health["pending"], health["stuck_sending"], health["ok"]) == (0, 0, True)
    frozen.shift(dt.timedelta(seconds=601))
    health = outbox_health()
    assert (health["stuck_sending"], health["ok"]) == (1, False)


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    superuser = factories.make_user("root@city.muroran.example.jp", superuser=True)
    return factories.with_second_factor(client, superuser)


def _rows():
    with transaction.atomic():
        _mail("failed@example.jp")
        _mail("sent@example.jp")
    failed, sent = OutboxMail.objects.order_by("pk")
    failed.status, failed.attempts, failed.last_error = S.FAILED, 12, "ConnectionRefusedError"
    failed.save()
    sent.status, sent.sent_at = S.SENT, timezone.now()
    sent.save()
    return failed, sent


def test_staff_see_the_outbox_filtered_and_searched_and_cannot_add(superuser_client):
    failed, sent = _rows()

    page = superuser_client.get(CHANGELIST).content.decode()
    assert "failed@example.jp" in page and "sent@example.jp" in page
    assert "再送する" in page and "送信失敗" in page

    page = superuser_client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    assert "failed@example.jp" in page and "sent@example.jp" not in page

    page = superuser_client.get(CHANGELIST, {"q": "sent@"}).content.decode()
    assert "sent@example.jp" in page and "failed@example.jp" not in page

    detail = superuser_client.get(
        reverse("admin:muroran_kyodo_outboxmail_change", args=[failed.pk])
    )
    assert detail.status_code == 200 and "ConnectionRefusedError" in detail.content.decode()
    assert superuser_client.get(reverse("admin:muroran_kyodo_outboxmail_add")).status_code == 403


def test_send_again_queues_failed_mails_and_leaves_the_others(superuser_client, settings):
    failed, sent = _rows()

    response = superuser_client.post(
        CHANGELIST,
        {"action": "send_again", "_selected_action": [failed.pk, sent.pk], "index": "0"},
        follow=True,
    )

    assert response.status_code == 200
    levels = [m.level for m in response.context["messages"]]
    assert levels == [django_messages.SUCCESS, django_messages.WARNING]
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts) == (S.PENDING, 0)
    assert sent.status == S.SENT

    _send_outbox()
    assert [m.to for m in mail.outbox] == [["failed@example.jp"]]


def test_a_clerk_without_the_permission_does_not_see_the_outbox(staff_client):
    assert staff_client.get(CHANGELIST).status_code == 403
