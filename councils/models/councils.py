"""Councils (まちづくり協議会): one per city project asking residents' views at the planning
stage, run by a department of the city; its published materials."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import fiscal_year_label
from muroran_kyodo.lib.models import StatusChange, status_fields
from organizations.models import CollaborationProject


class Department(models.Model):
    """A department of the city that runs councils. Its staff are the members of `group`
    holding the councils' permissions: they see and change only their department's councils,
    sessions and sign-ups (needs included); 企画課 runs the facilitator training."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        related_name="councils_department",
        verbose_name=_("staff group"),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class CouncilQuerySet(models.QuerySet["Council"]):
    def public(self) -> CouncilQuerySet:
        return self.exclude(status=Council.Status.DRAFT)


class Council(models.Model):
    """A council for one city project: the workshops held for it, their outputs, and how the
    opinions were reflected in the plan."""

    class Stage(models.TextChoices):
        IDEA = "idea", _("Ideas and concept")
        BASIC_PLAN = "basic_plan", _("Basic plan")
        DESIGN = "design", _("Design")
        OPERATION = "operation", _("Running and review")

    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        ACTIVE = "active", _("Under way")
        REFLECTED = "reflected", _("Reflection published")

    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="councils",
        verbose_name=_("department in charge"),
    )
    stage = models.CharField(
        _("project stage"), max_length=20, choices=Stage.choices, default=Stage.IDEA
    )
    is_trial = models.BooleanField(
        _("trial"), default=False, help_text=_("A trial council (試行), as in FY2011-2012.")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    description = models.TextField(_("description"))
    project = models.ForeignKey(
        CollaborationProject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="councils",
        verbose_name=_("collaboration project"),
        help_text=_("The project of the registry's catalogue this council belongs to."),
    )
    summary = models.TextField(
        _("summary of the sessions"),
        blank=True,
        help_text=_("What the sessions brought out, over all of them. Public."),
    )
    reflection = models.TextField(
        _("how the opinions were reflected"),
        blank=True,
        help_text=_("How the plan took the opinions in, and what it did not and why. Public."),
    )
    reflected_on = models.DateField(_("reflection dated"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = CouncilQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "-pk"]
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        indexes = [models.Index(fields=["status", "fiscal_year"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000) & Q(fiscal_year__lte=2100),
                name="councils_council_fiscal_year_plausible",
            ),
            models.CheckConstraint(
                condition=~Q(status="reflected") | Q(reflected_on__isnull=False),
                name="councils_council_reflection_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("councils:council_detail", args=[self.pk])

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)


class CouncilStatusChange(StatusChange):
    subject = "council"
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("council")
    )
    old_status, new_status = status_fields(Council.Status.choices, max_length=20)

    class Meta(StatusChange.Meta):
        verbose_name = _("council status change")
        verbose_name_plural = _("council status changes")


def material_path(instance: Material, filename: str) -> str:
    return f"councils/materials/{instance.council_id}/{uuid.uuid4().hex}"


class Material(models.Model):
    """A document of the council (the plan's draft, a map, the handout), checked by content;
    public once the council is."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="materials", verbose_name=_("council")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_path, max_length=200)
    content_type = models.CharField(max_length=100, editable=False, default="")
    original_name = models.CharField(max_length=200, editable=False, default="")
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["council", "position", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title
