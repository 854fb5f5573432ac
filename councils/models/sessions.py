"""Sessions: the workshops of a council (ワークショップ) and the facilitator trainings
(ファシリテーター養成講座). Both take sign-ups up to a capacity with a waiting list; a
workshop's outputs (opinions by table and theme, photos, a short report) are published by a
transition."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import fiscal_year_label
from muroran_kyodo.lib.models import StatusChange, status_fields
from organizations.models import District

from .councils import Council, Department


class SessionQuerySet(models.QuerySet["Session"]):
    def workshops(self) -> SessionQuerySet:
        return self.filter(kind=Session.Kind.WORKSHOP)

    def trainings(self) -> SessionQuerySet:
        return self.filter(kind=Session.Kind.TRAINING)

    def public(self) -> SessionQuerySet:
        """Announced sessions (scheduled, held, published, or cancelled after announcing)."""
        return self.exclude(status=Session.Status.DRAFT)

    def upcoming_at(self, now: dt.datetime) -> SessionQuerySet:
        return self.filter(status=Session.Status.SCHEDULED, starts_at__gt=now)

    def open_for_signup_at(self, now: dt.datetime) -> SessionQuerySet:
        return self.filter(
            status=Session.Status.SCHEDULED, signup_closes_at__gt=now, starts_at__gt=now
        )

    def for_fiscal_year(self, year: int) -> SessionQuerySet:
        return self.filter(fiscal_year=year)


class Session(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        TRAINING = "training", _("Facilitator training")

    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Called off")
        # A workshop's outputs are public; a training's completions are recorded.
        PUBLISHED = "published", _("Outputs published")
        COMPLETED = "completed", _("Completions recorded")

    class Eligibility(models.TextChoices):
        OPEN = "open", _("Anyone")
        DISTRICTS = "districts", _("Residents of the districts named")
        AGE = "age", _("An age band")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WORKSHOP)
    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("council"),
        help_text=_("The council a workshop belongs to; empty for a training."),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("department in charge"),
        help_text=_("A workshop's is its council's."),
    )
    title = models.CharField(
        _("theme"), max_length=200, help_text=_("The theme of this session, or the course.")
    )
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), editable=False)
    venue_name = models.CharField(_("venue"), max_length=200)
    venue_address = models.CharField(_("venue address"), max_length=200, blank=True)
    venue_district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("venue district"),
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    tables = models.PositiveSmallIntegerField(
        _("tables"),
        default=1,
        help_text=_("Tables of the workshop, each with a facilitator from the pool."),
    )
    signup_closes_at = models.DateTimeField(_("sign-up deadline"))
    eligibility = models.CharField(
        _("who may join"), max_length=10, choices=Eligibility.choices, default=Eligibility.OPEN
    )
    eligible_districts = models.ManyToManyField(
        District,
        blank=True,
        related_name="+",
        verbose_name=_("districts"),
        help_text=_("When only residents of some districts may join."),
    )
    age_min = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    childcare = models.BooleanField(_("childcare offered"), default=False)
    sign_language = models.BooleanField(_("sign language on request"), default=False)
    captioning = models.BooleanField(_("要約筆記 on request"), default=False)
    accessibility_note = models.CharField(
        _("accessibility notes"),
        max_length=300,
        blank=True,
        help_text=_("Step-free access, parking, the nearest bus stop."),
    )
    report = models.TextField(
        _("report"), blank=True, help_text=_("A short report of the session. Public.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            models.Index(fields=["kind", "status", "starts_at"]),
            models.Index(fields=["fiscal_year", "kind", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="councils_session_ordered"
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__lte=models.F("starts_at")),
                name="councils_session_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="councils_session_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(tables__gte=1), name="councils_session_tables_positive"
            ),
            models.CheckConstraint(
                condition=(Q(kind="workshop") & Q(council__isnull=False))
                | (Q(kind="training") & Q(council__isnull=True)),
                name="councils_session_workshop_has_council",
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_max__gte=models.F("age_min")),
                name="councils_session_age_band_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind="training") | ~Q(status="published"),
                name="councils_session_training_not_published",
            ),
            models.CheckConstraint(
                condition=~Q(kind="workshop") | ~Q(status="completed"),
                name="councils_session_workshop_not_completed",
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{start:%Y-%m-%d} {self.title}"

    def save(self, *args, **kwargs):
        self.fiscal_year = _fiscal_year_of(self.starts_at)
        if self.council_id and not self.department_id:
            self.department_id = self.council.department_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("councils:session_detail", args=[self.pk])

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def is_workshop(self) -> bool:
        return self.kind == self.Kind.WORKSHOP

    def is_open_for_signup_at(self, now: dt.datetime) -> bool:
        return (
            self.status == self.Status.SCHEDULED
            and now < self.signup_closes_at
            and now < self.starts_at
        )

    def has_started_at(self, now: dt.datetime) -> bool:
        return now >= self.starts_at


def _fiscal_year_of(moment: dt.datetime) -> int:
    from muroran_kyodo.lib.jp import fiscal_year

    return fiscal_year(timezone.localtime(moment).date())


class SessionStatusChange(StatusChange):
    subject = "session"
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("session")
    )
    old_status, new_status = status_fields(Session.Status.choices, max_length=10)

    class Meta(StatusChange.Meta):
        verbose_name = _("session status change")
        verbose_name_plural = _("session status changes")


class Opinion(models.Model):
    """The opinions gathered at one table on one theme: the summary of its sticky notes."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("session")
    )
    table = models.PositiveSmallIntegerField(_("table"))
    theme = models.CharField(_("theme"), max_length=200)
    summary = models.TextField(_("opinions"), help_text=_("The sticky notes, summarised."))
    notes = models.PositiveSmallIntegerField(
        _("sticky notes"), null=True, blank=True, help_text=_("How many were written.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["session", "table", "position", "pk"]
        verbose_name = _("opinions of a table")
        verbose_name_plural = _("opinions by table")
        constraints = [
            models.CheckConstraint(condition=Q(table__gte=1), name="councils_opinion_table")
        ]

    def __str__(self) -> str:
        return f"{self.table}: {self.theme}"


def photo_path(instance: Photo, filename: str) -> str:
    return f"councils/photos/{instance.session_id}/{uuid.uuid4().hex}"


class Photo(models.Model):
    """A photo of a workshop, checked by content; public once the outputs are."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="photos", verbose_name=_("session")
    )
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=20, editable=False, default="")
    caption = models.CharField(
        _("description"),
        max_length=200,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["session", "position", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption
