"""The facilitator pool (人材育成): people who completed a training, with the date and the
course; staff assign them to workshop tables (one table a session, never two sessions at the
same time); a person may leave the pool."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .sessions import Session


class FacilitatorQuerySet(models.QuerySet["Facilitator"]):
    def in_pool(self) -> FacilitatorQuerySet:
        return self.filter(left_on__isnull=True)


class Facilitator(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="council_facilitator_entries",
        verbose_name=_("person"),
    )
    training = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilitators",
        verbose_name=_("training"),
        help_text=_("The training completed; empty for one completed before the portal."),
    )
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    joined_at = models.DateTimeField(_("joined the pool"), default=timezone.now, editable=False)
    left_on = models.DateField(_("left the pool"), null=True, blank=True, editable=False)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    objects = FacilitatorQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "pk"]
        verbose_name = _("facilitator")
        verbose_name_plural = _("facilitator pool")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(left_on__isnull=True),
                name="councils_facilitator_once_in_pool",
            )
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def in_pool(self) -> bool:
        return self.left_on is None


class Assignment(models.Model):
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("workshop"),
    )
    table = models.PositiveSmallIntegerField(_("table"))
    facilitator = models.ForeignKey(
        Facilitator,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("facilitator"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["session", "table"]
        verbose_name = _("facilitator assignment")
        verbose_name_plural = _("facilitator assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "facilitator"], name="councils_assignment_one_table_each"
            ),
            models.UniqueConstraint(
                fields=["session", "table"], name="councils_assignment_one_per_table"
            ),
            models.CheckConstraint(condition=Q(table__gte=1), name="councils_assignment_table"),
        ]

    def __str__(self) -> str:
        return f"{self.session} / {self.table}: {self.facilitator}"
