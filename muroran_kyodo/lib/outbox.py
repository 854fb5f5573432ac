"""The outbox: every e-mail of the portal is a row of `OutboxMail` before it is a message on
the wire, so that a mail server that is down never costs a committed change its e-mail, nor the
person a 500.

1. `enqueue(message, name=…)` stores the rendered message, in the caller's transaction: it
   commits or rolls back with the change it tells about (a refusal sends nothing);
2. once that transaction commits, `deliver(pk)` tries it at once: it *claims* the row (one
   `UPDATE … WHERE status = 'pending'`: of two deliverers only one gets it), sends it and marks
   it sent; on failure the row goes back to pending with the error and a later
   `next_attempt_at` (doubling from MAIL_OUTBOX_RETRY_SECONDS up to MAIL_OUTBOX_RETRY_MAX_SECONDS),
   a WARNING is logged and the person's page answers normally. After MAIL_OUTBOX_MAX_ATTEMPTS
   tries the row is failed, for staff to see (admin, health) and send again;
3. `manage.py send_outbox` (cron, every minute) sends the rows that are due (`send_due`), the
   longest due first, claiming each with `SELECT … FOR UPDATE SKIP LOCKED`: two runs at the same
   moment share the work and never send a row twice. It stops at the first sign that the mail
   server is down, and deletes sent rows older than MAIL_OUTBOX_KEEP_DAYS (`purge_sent`: they
   hold addresses and texts).

A process that dies after the mail server accepted a message and before the row is marked sent
leaves it in 'sending'. Such a row may have been delivered, so it is never tried again by
itself (nobody gets a mail twice); after MAIL_OUTBOX_STUCK_SECONDS `outbox_health()` reports it
and staff decide in the admin ("再送する") once the mail server's log shows it did not go.

After a delivery fails on commit, the next MAIL_OUTBOX_RETRY_SECONDS of deliveries on commit are
left to the command (`_pause`), so that a mail server that does not answer costs one request its
EMAIL_TIMEOUT, not every request."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone

from .models import OutboxMail

Status = OutboxMail.Status
logger = logging.getLogger(__name__)

PAUSE_KEY = "outbox:delivery-paused"
# Errors about one message (an address refused): the server is up, the next row may go.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)

# What a delivery came to.
SENT = "sent"
RETRY = "retry"
FAILED = "failed"
TAKEN = "taken"  # claimed by another deliverer, or not due: nothing done


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_attempts() -> int:
    return _setting("MAIL_OUTBOX_MAX_ATTEMPTS", 12)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try: doubling, capped."""
    base = _setting("MAIL_OUTBOX_RETRY_SECONDS", 60)
    cap = _setting("MAIL_OUTBOX_RETRY_MAX_SECONDS", 3600)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


# --- writing a mail ----------------------------------------------------------------------------


def enqueue(message: EmailMessage, *, name: str = "", key: str | None = None) -> OutboxMail:
    """Store a rendered message (in the caller's transaction) and deliver it once that
    transaction commits. Only what the portal's mails hold is kept: subject, text, an HTML
    alternative and headers; never attachments, Cc or Bcc."""
    if message.attachments or message.cc or message.bcc:
        raise ValueError("The outbox keeps no attachments, Cc or Bcc.")
    html = ""
    body = str(message.body)
    if message.content_subtype == "html":
        html, body = body, ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = str(content)
    row = OutboxMail.objects.create(
        name=name[:100],
        from_email=str(message.from_email or settings.DEFAULT_FROM_EMAIL),
        to="\n".join(str(address) for address in message.to),
        subject=str(message.subject),
        body=body,
        html_body=html,
        headers={str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        key=key,
    )
    pk = row.pk
    transaction.on_commit(lambda: deliver_on_commit(pk))
    return row


class OutboxBackend(BaseEmailBackend):
    """An e-mail backend that puts messages in the outbox instead of sending them: for mails
    rendered by a library that calls `message.send()` itself (allauth's adapter)."""

    def __init__(self, *, name: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            enqueue(message, name=self.name)
        return len(email_messages)


def message_of(row: OutboxMail, connection: Any = None) -> EmailMessage:
    """The stored row as a message again."""
    headers = dict(row.headers or {})
    if row.body or not row.html_body:
        both = EmailMultiAlternatives(
            row.subject, row.body, row.from_email, row.recipients, headers=headers,
            connection=connection,
        )  # fmt: skip
        if row.html_body:
            both.attach_alternative(row.html_body, "text/html")
        return both
    message = EmailMessage(
        row.subject, row.html_body, row.from_email, row.recipients, headers=headers,
        connection=connection,
    )  # fmt: skip
    message.content_subtype = "html"
    return message


# --- delivering --------------------------------------------------------------------------------


def _pause() -> None:
    try:
        cache.set(PAUSE_KEY, 1, _setting("MAIL_OUTBOX_RETRY_SECONDS", 60))
    except Exception:
        logger.exception("outbox: cache unavailable")


def _paused() -> bool:
    try:
        return bool(cache.get(PAUSE_KEY))
    except Exception:
        logger.exception("outbox: cache unavailable")
        return False


def deliver_on_commit(pk: int) -> None:
    """After the commit that stored the row: send it now, unless a delivery has just failed
    (then `send_outbox` sends it). Never raises: the person's change is committed."""
    if _paused():
        return
    try:
        outcome = deliver(pk)
    except Exception:
        # The database itself failed (the row is pending or sending): never a 500 after commit.
        logger.exception("outbox: e-mail #%s could not be delivered on commit", pk)
        return
    if outcome in (RETRY, FAILED):
        _pause()


def _claim(pk: int, now: dt.datetime) -> bool:
    return bool(
        OutboxMail.objects.filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def deliver(pk: int, *, connection: Any = None) -> str:
    """Claim the row and send it: SENT, RETRY or FAILED (the error recorded), or TAKEN when
    another deliverer has it or it is not due."""
    if not _claim(pk, timezone.now()):
        return TAKEN
    outcome, _error = _send_claimed(OutboxMail.objects.get(pk=pk), connection)
    return outcome


def _send_claimed(row: OutboxMail, connection: Any) -> tuple[str, Exception | None]:
    """Send a row this process has claimed; the outcome and the error, if any."""
    try:
        accepted = message_of(row, connection).send()
        if not accepted:
            raise smtplib.SMTPException("the mail server accepted no recipient")
    except Exception as error:
        return _record_failure(row, error), error
    OutboxMail.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return SENT, None


def _short(error: Exception) -> str:
    # The exception's class and message: smtplib's carry the server's answer, never the
    # password; the message is cut short.
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text[:300]


def _record_failure(row: OutboxMail, error: Exception) -> str:
    attempts = row.attempts
    now = timezone.now()
    if attempts >= max_attempts():
        OutboxMail.objects.filter(pk=row.pk, status=Status.SENDING).update(
            status=Status.FAILED, last_error=_short(error), claimed_at=None
        )
        logger.error(
            "outbox: e-mail #%s (%s) failed %s times, given up; staff may send it again: %s",
            row.pk, row.name, attempts, _short(error),
        )  # fmt: skip
        return FAILED
    wait = backoff(attempts)
    OutboxMail.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.PENDING, last_error=_short(error), claimed_at=None,
        next_attempt_at=now + wait,
    )  # fmt: skip
    logger.warning(
        "outbox: e-mail #%s (%s) not delivered (attempt %s of %s), tried again in %s s: %s",
        row.pk, row.name, attempts, max_attempts(), int(wait.total_seconds()), _short(error),
    )  # fmt: skip
    return RETRY


@dataclass
class Run:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    purged: int = 0
    # Why the run stopped early: the mail server's error.
    stopped: str = ""


def _claim_next(now: dt.datetime) -> OutboxMail | None:
    """The longest-due pending row, claimed. Rows another run holds locked are skipped (it is
    claiming them), so two runs never wait on each other nor take the same row."""
    with transaction.atomic():
        row = (
            OutboxMail.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if row is None or not _claim(row.pk, now):
            return None
    row.refresh_from_db()
    return row


def send_due(*, limit: int | None = None, now: dt.datetime | None = None) -> Run:
    """Send up to `limit` due rows over one connection to the mail server; stop at the first
    error that is not about one message (the server is down: the row waits with its backoff,
    the others are not counted as tried)."""
    limit = limit if limit is not None else _setting("MAIL_OUTBOX_BATCH", 200)
    run = Run()
    connection = get_connection()
    try:
        for _ in range(limit):
            row = _claim_next(now or timezone.now())
            if row is None:
                break
            outcome, error = _send_claimed(row, connection)
            if outcome == SENT:
                run.sent += 1
                continue
            if outcome == RETRY:
                run.retried += 1
            else:
                run.failed += 1
            if error is not None and not isinstance(error, MESSAGE_ERRORS):
                run.stopped = _short(error)
                break
    finally:
        try:
            connection.close()
        except Exception:  # closing a connection that never opened, or broke
            logger.debug("outbox: closing the mail connection failed", exc_info=True)
    return run


def retry_failed(queryset: QuerySet[OutboxMail] | None = None) -> int:
    """Failed rows pending again with their tries counted from zero, due now; the number."""
    rows = OutboxMail.objects.all() if queryset is None else queryset
    return rows.filter(status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )


def stuck_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(
        seconds=_setting("MAIL_OUTBOX_STUCK_SECONDS", 600)
    )


def resend(queryset: QuerySet[OutboxMail]) -> int:
    """Staff's "send again": failed rows, and rows stuck in 'sending' (which staff have found
    undelivered), pending again and due now; the number."""
    now = timezone.now()
    return queryset.filter(
        Q(status=Status.FAILED) | Q(status=Status.SENDING, claimed_at__lt=stuck_cutoff(now))
    ).update(status=Status.PENDING, attempts=0, next_attempt_at=now, claimed_at=None)


def purge_sent(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Delete sent rows older than MAIL_OUTBOX_KEEP_DAYS (addresses and texts are personal
    data), in batches; the number deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=_setting("MAIL_OUTBOX_KEEP_DAYS", 30))
    deleted = 0
    while True:
        pks = list(
            OutboxMail.objects.filter(status=Status.SENT, sent_at__lt=cutoff).values_list(
                "pk", flat=True
            )[:batch]
        )
        if not pks:
            return deleted
        deleted += OutboxMail.objects.filter(pk__in=pks).delete()[0]


# --- health ------------------------------------------------------------------------------------


def outbox_health(now: dt.datetime | None = None) -> dict[str, Any]:
    """The outbox's state for /health/ and monitoring, in one query:

    - `pending`: rows waiting to be sent; `failed`: rows given up (staff to send again);
    - `oldest_pending_seconds`: the age of the oldest pending row (None when none waits);
    - `stuck_sending`: rows in 'sending' for longer than MAIL_OUTBOX_STUCK_SECONDS;
    - `ok`: False when a row failed, one is stuck, or the oldest pending is older than
      MAIL_OUTBOX_ALERT_SECONDS (the mail server has been down that long, or cron is not
      running `send_outbox`)."""
    now = now or timezone.now()
    figures = OutboxMail.objects.filter(
        status__in=[Status.PENDING, Status.SENDING, Status.FAILED]
    ).aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        stuck=Count("pk", filter=Q(status=Status.SENDING, claimed_at__lt=stuck_cutoff(now))),
        oldest=Min("created_at", filter=Q(status=Status.PENDING)),
    )
    oldest = figures["oldest"]
    age = None if oldest is None else max(0.0, (now - oldest).total_seconds())
    alert = _setting("MAIL_OUTBOX_ALERT_SECONDS", 900)
    return {
        "pending": figures["pending"],
        "failed": figures["failed"],
        "oldest_pending_seconds": age,
        "stuck_sending": figures["stuck"],
        "ok": figures["failed"] == 0 and figures["stuck"] == 0 and (age is None or age <= alert),
    }
