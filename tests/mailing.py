"""Helpers of the tests that look at e-mails, which go through the outbox (lib.outbox): written
in the transaction of the change, delivered once it commits.

- `committed()`: a block whose on-commit callbacks run at its end, as the commit at the end of a
  request does in production (a test runs inside a transaction that never commits);
- `DownBackend`: an e-mail backend whose server is down (connection refused), for
  `settings.EMAIL_BACKEND = DOWN`; `RefusingBackend` refuses the recipients of each message
  (the server is up)."""

from __future__ import annotations

import smtplib
import threading

from django.core.mail.backends.base import BaseEmailBackend
from django.test import TestCase

DOWN = "tests.mailing.DownBackend"
REFUSING = "tests.mailing.RefusingBackend"


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


class DownBackend(BaseEmailBackend):
    attempts = 0
    _lock = threading.Lock()

    def open(self):
        with self._lock:
            DownBackend.attempts += 1
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, email_messages):
        self.open()
        return 0


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, b"No such user") for m in email_messages for address in m.to}
        )
