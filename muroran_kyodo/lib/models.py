"""The portal's shared tables - counters for human-readable numbers (MP-2026-00123), the keys
of e-mails sent once, the outbox of every e-mail, the virus check of every stored upload - and the shape every app's history of state changes shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Channel(models.TextChoices):
    """How a submission reached the city: on the portal, or keyed in by staff from paper, FAX,
    e-mail or the counter (so counts and results include every channel)."""

    WEB = "web", _("Web")
    PAPER = "paper", _("Paper")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    COUNTER = "counter", _("At the counter")


class Sequence(models.Model):
    key = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "sequence"

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


def next_value(key: str) -> int:
    """The next number of a named counter, without gaps from races.

    The UPDATE takes the row lock, so two concurrent callers get different numbers on
    PostgreSQL and on SQLite alike. Call it inside the transaction that uses the number.
    """
    with transaction.atomic():
        if not Sequence.objects.filter(key=key).update(value=F("value") + 1):
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key, value=1)
                    return 1
            except IntegrityError:
                Sequence.objects.filter(key=key).update(value=F("value") + 1)
        return Sequence.objects.get(key=key).value


class SentMail(models.Model):
    """An e-mail that must go once only (a reminder, a digest): its key is inserted in the
    transaction that schedules it, so a second run - or a concurrent one, which waits on the
    unique key - finds it and sends nothing. See `mail.send_once`."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "sent e-mail"
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return self.key


class OutboxMail(models.Model):
    """One e-mail as rendered, waiting for delivery or delivered (`lib.outbox`). Written in the
    transaction that has something to tell, so it commits or rolls back with it; delivered after
    the commit, and by `manage.py send_outbox` (cron) when that failed.

    pending: to be sent at `next_attempt_at`; sending: claimed by one deliverer, which marks it
    sent or puts it back as pending (or failed after MAIL_OUTBOX_MAX_ATTEMPTS). A row left in
    sending (the process died between the mail server accepting it and the mark) may have been
    delivered: it is never tried again by itself, so that nobody gets a mail twice; staff see it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # The template set (`emails/<name>-…`, allauth's prefix): which e-mail it is, for staff.
    name = models.CharField(_("kind of e-mail"), max_length=100, blank=True)
    from_email = models.CharField(_("sender"), max_length=300)
    # One address a line (an address may hold a comma in its display name).
    to = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # A cron e-mail's once-only key (`mail.send_once`); none for the others.
    key = models.CharField(_("key"), max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            # send_outbox's due rows, oldest first; the health's pending count and oldest row.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
            # The retention's sent rows; the stuck 'sending' rows.
            models.Index(fields=["status", "sent_at"], name="outbox_status_sent"),
            models.Index(fields=["status", "claimed_at"], name="outbox_status_claimed"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.subject} → {', '.join(self.recipients)}"

    @property
    def recipients(self) -> list[str]:
        return [line for line in self.to.splitlines() if line.strip()]


class FileScan(models.Model):
    """The virus check of one stored upload, by its storage name, for every app's files
    (`lib.scanning`): a file is served only once it is clean. A file without a row (stored
    before scanning began) counts as pending."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the virus check")
        CLEAN = "clean", _("Checked: no virus found")
        INFECTED = "infected", _("Virus found: withheld")
        # Stored while scanning was off (DEBUG without CLAMD_ADDRESS): served only with DEBUG.
        UNSCANNED = "unscanned", _("Not checked (scanning is off)")

    name = models.CharField(_("storage name"), max_length=255, unique=True)
    state = models.CharField(
        _("virus check"), max_length=10, choices=State.choices, default=State.PENDING
    )
    signature = models.CharField(_("virus found"), max_length=200, blank=True)
    # Why the last attempt did not scan it (clamd down, the file too long for clamd).
    note = models.CharField(_("why not scanned"), max_length=300, blank=True)
    stored_at = models.DateTimeField(_("stored at"), default=timezone.now)
    scanned_at = models.DateTimeField(_("scanned at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("scans tried"), default=0)

    class Meta:
        verbose_name = _("virus check of a file")
        verbose_name_plural = _("virus checks of files")
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.name}: {self.state}"


def status_fields(
    choices: Iterable[tuple[str, StrOrPromise]], *, max_length: int
) -> tuple[models.CharField[str, str], models.CharField[str, str]]:
    """The (from, to) columns of a history of state changes, with the subject's states; "from"
    is empty for the row written when the subject is created."""
    return (
        models.CharField(_("from"), max_length=max_length, choices=choices, blank=True),
        models.CharField(_("to"), max_length=max_length, choices=choices),
    )


class StatusChange(models.Model):
    """One row of a history of state changes: who, when, why. A concrete history adds the
    foreign key to its subject (named by `subject`, related_name "status_changes") and
    `old_status, new_status = status_fields(Subject.Status.choices, max_length=…)`. Rows are
    written by the app's transition function only."""

    subject = ""  # the name of the foreign key to what changed

    if TYPE_CHECKING:  # the columns every concrete history adds with status_fields()
        old_status: str
        new_status: str

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        subject_id = getattr(self, f"{self.subject}_id")
        return f"{subject_id}: {self.old_status or '-'} → {self.new_status}"
