"""After the decision: 変更承認 requests with their history, payments and repayments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from muroran_kyodo.lib.models import StatusChange, status_fields

from .applications import Application
from .programmes import MAX_YEN


class ChangeRequest(models.Model):
    """変更承認申請: after the grant decision the group asks to change its plan or budget."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("change request", "Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="change_requests",
        verbose_name=_("application"),
    )
    description = models.TextField(_("what changes and why"))
    new_amount = models.PositiveBigIntegerField(
        _("new grant amount (yen)"),
        null=True,
        blank=True,
        help_text=_("Only when the change needs a different grant amount."),
    )
    # The grant decided just before this change was approved, kept when it changes the amount
    # (the application's decided amount is overwritten): the 変更承認通知書 prints it.
    previous_amount = models.PositiveBigIntegerField(
        _("grant before the change (yen)"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="requested"),
                name="change_request_one_open_per_application",
            ),
        ]

    def __str__(self):
        return f"{self.application} {self.requested_at:%Y-%m-%d}"


class ChangeRequestStatusChange(StatusChange):
    subject = "change_request"

    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status, new_status = status_fields(ChangeRequest.Status.choices, max_length=10)

    class Meta(StatusChange.Meta):
        verbose_name = _("change request history")
        verbose_name_plural = _("change request history")


# --- money after the decision ------------------------------------------------------------------


class Payment(models.Model):
    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Advance payment")  # 概算払
        SETTLEMENT = "settlement", _("Settlement")  # 精算払

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    paid_on = models.DateField(_("paid on"))
    amount = models.PositiveBigIntegerField(
        _("amount (yen)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_YEN)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.paid_on} {self.amount:,}円"


class Repayment(models.Model):
    """返還: what the group pays back - after 額の確定 when it was paid more in advance than the
    confirmed amount, or after 交付決定の取消 / 中止・廃止 of what it was paid. At most one of
    each kind per application."""

    class Kind(models.TextChoices):
        OVERPAID = "overpaid", _("Paid above the confirmed amount")  # 額の確定による返還
        CANCELLED = "cancelled", _("Grant cancelled or project stopped")  # 取消・中止による返還

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="repayments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OVERPAID)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    amount = models.PositiveBigIntegerField(
        _("amount (yen)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_YEN)]
    )
    requested_on = models.DateField(_("requested on"))
    repaid_on = models.DateField(_("repaid on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="repayment_amount_positive"),
            models.UniqueConstraint(
                fields=["application", "kind"], name="repayment_one_per_application_and_kind"
            ),
        ]

    def __str__(self):
        return f"{self.application} {self.amount:,}円"
