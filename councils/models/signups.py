"""Sign-ups to a session: by an account holder, by a guest (name and contact, confirmed by a
link sent by e-mail) or keyed in by staff from the phone or the counter. The needs asked
(childcare, mobility, interpreting) are seen by the department's staff only, kept minimal and
erased after the session (`manage.py erase_council_needs`)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import validate_name
from muroran_kyodo.lib.models import StatusChange, status_fields
from organizations.models import District

from .sessions import Session

# Unambiguous letters and digits for the code read out or typed at the door.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PHONE = "phone", _("Telephone")
    COUNTER = "counter", _("At the counter")
    PAPER = "paper", _("Paper")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")


class Interpreting(models.TextChoices):
    NONE = "", _("Not needed")
    SIGN_LANGUAGE = "sign", _("Sign language")
    CAPTIONING = "captioning", _("要約筆記 (written summary)")


class SignupQuerySet(models.QuerySet["Signup"]):
    def active(self) -> SignupQuerySet:
        return self.filter(status__in=Signup.ACTIVE_STATES)

    def registered(self) -> SignupQuerySet:
        return self.filter(status=Signup.Status.REGISTERED)

    def waiting(self) -> SignupQuerySet:
        return self.filter(status=Signup.Status.WAITING).order_by("queued_at", "pk")


class Signup(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for the e-mail link")
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Link not followed in time")

    ACTIVE_STATES = (Status.UNCONFIRMED, Status.REGISTERED, Status.WAITING)

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="signups", verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_signups",
        verbose_name=_("account"),
        help_text=_("Empty for a guest or a sign-up keyed in by staff."),
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_name])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district of residence"),
    )
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    keyed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keyed in by"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, editable=False)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now, editable=False)
    # The waiting list's order: when the person joined it.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True, editable=False)
    code = models.CharField(_("attendance code"), max_length=CODE_LENGTH, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    confirm_by = models.DateTimeField(_("link valid until"), null=True, blank=True, editable=False)
    attended_at = models.DateTimeField(_("attended"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("training completed"), null=True, blank=True, editable=False)

    # Needs: minimal, for the department's staff only, erased after the session.
    need_childcare = models.BooleanField(_("childcare"), default=False)
    need_mobility = models.BooleanField(_("help with mobility"), default=False)
    need_interpreting = models.CharField(
        _("interpreting"), max_length=12, choices=Interpreting.choices, default="", blank=True
    )
    needs_note = models.CharField(
        _("other needs"),
        max_length=200,
        blank=True,
        help_text=_("Only what the city needs to prepare; never health details."),
    )
    needs_erased_at = models.DateTimeField(_("needs erased"), null=True, blank=True, editable=False)
    # A guest's name and contacts, removed once the retention period after the session ran
    # out (`manage.py apply_retention`).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    objects = SignupQuerySet.as_manager()

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        indexes = [
            models.Index(fields=["session", "status", "queued_at"]),
            models.Index(fields=["user", "status"]),
            # The admin list's channel filter, in the list's order (issue 14).
            models.Index(
                fields=["channel", "session", "created_at"], name="council_signup_channel_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(status__in=["unconfirmed", "registered", "waiting"])
                & Q(user__isnull=False),
                name="councils_signup_one_per_account",
            ),
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=Q(status__in=["unconfirmed", "registered", "waiting"]) & ~Q(email=""),
                name="councils_signup_one_per_email",
            ),
            models.UniqueConstraint(fields=["session", "code"], name="councils_signup_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    @property
    def has_needs(self) -> bool:
        return bool(
            self.need_childcare or self.need_mobility or self.need_interpreting or self.needs_note
        )

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATES


class SignupStatusChange(StatusChange):
    subject = "signup"
    signup = models.ForeignKey(
        Signup, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("sign-up")
    )
    old_status, new_status = status_fields(Signup.Status.choices, max_length=12)

    class Meta(StatusChange.Meta):
        verbose_name = _("sign-up status change")
        verbose_name_plural = _("sign-up status changes")
