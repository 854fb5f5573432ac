"""まごころ・まかせて opportunities, their shifts and the partners' sign-ups, with their history."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.models import StatusChange, status_fields

from .registrations import Channel, Programme, Registration


class OpportunityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open(self):
        """Published, and the sign-up deadline has not passed."""
        return self.published().filter(signup_deadline__gte=timezone.now())


class Opportunity(models.Model):
    """A city project or event that まごころ or まかせて partners can sign up to help with."""

    programme = models.CharField(
        _("programme"),
        max_length=10,
        choices=[
            (Programme.MAGOKORO, Programme.MAGOKORO.label),
            (Programme.MAKASETE, Programme.MAKASETE.label),
        ],
    )
    title = models.CharField(_("title"), max_length=200)
    department = models.CharField(_("department"), max_length=50)
    description = models.TextField(_("description"))
    place = models.CharField(_("place"), max_length=200)
    things_to_bring = models.TextField(
        _("what to bring"),
        blank=True,
        help_text=_("Shown on the page and in the e-mail confirming a sign-up."),
    )
    signup_deadline = models.DateTimeField(
        _("sign-up deadline"), help_text=_("Inclusive: sign-ups close at this moment.")
    )
    hourly_honorarium = models.PositiveIntegerField(
        _("honorarium per hour (yen)"),
        null=True,
        blank=True,
        help_text=_("まかせて only: the paid volunteers' hourly honorarium, in whole yen."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["signup_deadline", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [models.Index(fields=["is_published", "signup_deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(programme="makasete", hourly_honorarium__isnull=False)
                | Q(programme="magokoro", hourly_honorarium__isnull=True),
                name="opportunity_honorarium_only_for_makasete",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.is_published and self.signup_deadline >= timezone.now()


class Shift(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("opportunity")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    slots = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(slots__gte=1), name="shift_has_slots"),
        ]

    def __str__(self):
        return f"{self.opportunity} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Signup(models.Model):
    """A partner on a shift: confirmed, or waiting for a place; attendance and hours after."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="signups", verbose_name=_("shift")
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="signups", verbose_name=_("partner")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keyed in by"),
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours worked"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )

    class Meta:
        ordering = ["shift", "created_at", "pk"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        indexes = [
            models.Index(fields=["shift", "status", "created_at"]),
            # The admin list's filters, each in the list's order (issue 14).
            models.Index(
                fields=["status", "shift", "created_at"], name="partners_signup_status_idx"
            ),
            models.Index(
                fields=["attended", "shift", "created_at"], name="partners_signup_attended_idx"
            ),
            models.Index(
                fields=["channel", "shift", "created_at"], name="partners_signup_channel_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "registration"],
                condition=~Q(status="cancelled"),
                name="signup_once_per_shift",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=0) & Q(hours__lte=24)),
                name="signup_hours_range",
            ),
        ]

    def __str__(self):
        return f"{self.registration.number} @ {self.shift}"


class SignupStatusChange(StatusChange):
    subject = "signup"

    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="status_changes")
    old_status, new_status = status_fields(Signup.Status.choices, max_length=10)

    class Meta(StatusChange.Meta):
        verbose_name = _("sign-up history")
        verbose_name_plural = _("sign-up history")
