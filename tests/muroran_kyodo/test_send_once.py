"""`lib.mail.send_once`: an e-mail of a cron command goes once per key — a second run, a
rolled-back transaction, a failed delivery (the outbox retries the same mail, test_outbox), and
two runs at the same moment on PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction

from muroran_kyodo.lib import mail as portal_mail
from muroran_kyodo.models import OutboxMail, SentMail

pytestmark = pytest.mark.django_db

# Any existing template set will do: this one needs only the organisation's name.
NAME = "organization_member_removed"


def _context():
    return {"organization": {"name": "輪西まちづくりの会"}}


def test_it_sends_once_per_key(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = portal_mail.send_once("test:1", NAME, ["a@example.jp"], _context())
    with django_capture_on_commit_callbacks(execute=True):
        second = portal_mail.send_once("test:1", NAME, ["a@example.jp"], _context())

    assert (first, second) == (True, False)
    assert [message.to for message in mail.outbox] == [["a@example.jp"]]
    assert list(SentMail.objects.values_list("key", flat=True)) == ["test:1"]


def test_another_key_is_another_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        portal_mail.send_once("test:1", NAME, ["a@example.jp"], _context())
        portal_mail.send_once("test:2", NAME, ["a@example.jp"], _context())
    assert len(mail.outbox) == 2


def test_nothing_is_sent_nor_kept_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks,
):
    class Refused(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused):
        with transaction.atomic():
            portal_mail.send_once("test:1", NAME, ["a@example.jp"], _context())
            raise Refused

    assert mail.outbox == []
    assert not SentMail.objects.exists()


def test_no_address_no_key(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert portal_mail.send_once("test:1", NAME, [""], _context()) is False
    assert not SentMail.objects.exists()


def test_a_failed_delivery_keeps_the_key_and_the_outbox_tries_the_same_mail(
    django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.mailing.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert portal_mail.send_once("test:1", NAME, ["a@example.jp"], _context())
    with django_capture_on_commit_callbacks(execute=True):
        assert not portal_mail.send_once("test:1", NAME, ["a@example.jp"], _context())

    assert list(SentMail.objects.values_list("key", flat=True)) == ["test:1"]
    row = OutboxMail.objects.get()  # one copy, waiting for `send_outbox` (test_outbox)
    assert (row.key, row.status, row.attempts) == ("test:1", OutboxMail.Status.PENDING, 1)
    assert mail.outbox == []


def test_a_mail_that_cannot_be_rendered_keeps_no_key_and_the_run_goes_on(
    django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        assert portal_mail.send_once("test:1", "no_such_mail", ["a@example.jp"], {}) is False
        assert portal_mail.send_once("test:2", NAME, ["a@example.jp"], _context()) is True

    assert list(SentMail.objects.values_list("key", flat=True)) == ["test:2"]
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    assert "test:1" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers, so two runs never overlap; the race needs PostgreSQL",
)
def test_two_runs_at_the_same_moment_send_once():
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    results, errors = [], []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                sent = portal_mail.send_once("test:race", NAME, ["a@example.jp"], _context())
                time.sleep(0.2)  # the others' inserts wait on the unique key meanwhile
            with lock:
                results.append(sent)
        except Exception as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1
    assert SentMail.objects.filter(key="test:race").count() == 1
