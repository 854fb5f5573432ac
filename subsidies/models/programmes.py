"""The programme as staff set it up per 年度 and track: its documents, windows, categories,
criteria; the prior consultations; the yearly results meeting."""

from __future__ import annotations

from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import fiscal_year_dates, fiscal_year_label
from organizations.models import (
    ActorType,
    LabelledMixin,
    Organization,
)

# Whole yen; a programme's budget is at most ¥10 billion, far above any city's subsidy.
MAX_YEN = 10_000_000_000


# --- programmes (staff, in the admin) --------------------------------------------------------


class AttachmentType(LabelledMixin):
    """企画書, 団体概要書, 予算書, 会則, 名簿, 見積書, 実績報告書, 写真, 領収書の写し…"""

    class Stage(models.TextChoices):
        APPLICATION = "application", _("With the application")
        REPORT = "report", _("With the completion report")

    code = models.SlugField(_("code"), unique=True)
    stage = models.CharField(
        _("filed"), max_length=12, choices=Stage.choices, default=Stage.APPLICATION
    )
    description = models.TextField(_("what to prepare"), blank=True)

    class Meta(LabelledMixin.Meta):
        verbose_name = _("attachment type")
        verbose_name_plural = _("attachment types")


class ProgrammeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_fiscal_year(self, year: int):
        return self.filter(fiscal_year=year)


class Programme(models.Model):
    """One track of the subsidy in one 年度, with its rules, windows, categories and criteria."""

    class Track(models.TextChoices):
        CITIZEN = "citizen", _("Citizen-proposed collaboration project")  # 市民提案型協働事業
        CITY = "city", _("City-proposed collaboration project")  # 行政提案型協働事業
        YOUTH = "youth", _("Youth challenge project")  # 若者チャレンジ応援事業

    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what it funds"), blank=True)
    theme = models.TextField(
        _("theme set by the city"),
        blank=True,
        help_text=_("For city-proposed projects: the theme the city asks groups to take on."),
    )
    total_budget = models.PositiveBigIntegerField(
        _("total budget (yen)"), validators=[MaxValueValidator(MAX_YEN)]
    )
    consultation_required = models.BooleanField(
        _("prior consultation required"),
        default=True,
        help_text=_("A group must have consulted the Community Life Division before applying."),
    )
    eligible_actor_types = models.ManyToManyField(
        ActorType,
        blank=True,
        related_name="+",
        verbose_name=_("eligible actor types"),
        help_text=_("Empty: every kind of organisation may apply."),
    )
    min_members = models.PositiveSmallIntegerField(
        _("minimum members"), default=0, help_text=_("0: no minimum.")
    )
    age_band_min = models.PositiveSmallIntegerField(_("age band from"), default=15)
    age_band_max = models.PositiveSmallIntegerField(_("age band to"), default=39)
    age_band_share_percent = models.PositiveSmallIntegerField(
        _("share of members in the age band (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("For example 50 for “half of the members aged 15-39”. Empty: no age rule."),
    )
    once_per_group = models.BooleanField(
        _("once per group"),
        default=False,
        help_text=_("A group may apply to this track only once, in any year."),
    )
    within_fiscal_year = models.BooleanField(
        _("project must finish within the fiscal year"), default=True
    )
    required_attachment_types = models.ManyToManyField(
        AttachmentType,
        blank=True,
        related_name="programmes",
        verbose_name=_("required attachments"),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "track", "pk"]
        verbose_name = _("subsidy programme")
        verbose_name_plural = _("subsidy programmes")
        indexes = [models.Index(fields=["is_published", "fiscal_year"])]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "track"], name="programme_one_per_year_and_track"
            ),
            models.CheckConstraint(
                condition=Q(age_band_min__lte=models.F("age_band_max")),
                name="programme_age_band_ordered",
            ),
            models.CheckConstraint(
                condition=Q(age_band_share_percent__isnull=True)
                | Q(age_band_share_percent__gte=1, age_band_share_percent__lte=100),
                name="programme_age_share_range",
            ),
        ]

    def __str__(self):
        return f"{self.fiscal_year}年度 {self.title}"

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def fiscal_year_dates(self):
        return fiscal_year_dates(self.fiscal_year)


class IntakeWindowQuerySet(models.QuerySet):
    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gte=now)


class IntakeWindow(models.Model):
    """募集期間 (第1期, 第2期…): applications may be submitted from opens_at to closes_at,
    both inclusive. Staff enter the closing day's 23:59:59 unless the notice sets a time."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="windows", verbose_name=_("programme")
    )
    label = models.CharField(_("label"), max_length=50, help_text=_("For example 第1期."))
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(
        _("closes"), help_text=_("Inclusive: submissions are accepted until this moment.")
    )

    objects = IntakeWindowQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "opens_at", "pk"]
        verbose_name = _("intake window")
        verbose_name_plural = _("intake windows")
        indexes = [models.Index(fields=["opens_at", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="window_closes_after_opening"
            ),
        ]

    def __str__(self):
        return f"{self.programme} {self.label}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at

    def days_left(self, now=None) -> int | None:
        """Whole days until the closing day (0 on the closing day), None unless open."""
        now = now or timezone.now()
        if not self.is_open(now):
            return None
        return (timezone.localdate(self.closes_at) - timezone.localdate(now)).days


class Category(models.Model):
    """補助区分: a cap (上限額) and a rate (補助率) as a fraction, e.g. 1/2 or 10/10."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("programme"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    cap = models.PositiveBigIntegerField(_("cap (yen)"), validators=[MaxValueValidator(MAX_YEN)])
    rate_numerator = models.PositiveSmallIntegerField(
        _("rate numerator"), default=1, validators=[MinValueValidator(1)]
    )
    rate_denominator = models.PositiveSmallIntegerField(
        _("rate denominator"), default=2, validators=[MinValueValidator(1)]
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme", "sort_order", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_numerator__gte=1)
                & Q(rate_denominator__gte=1)
                & Q(rate_numerator__lte=models.F("rate_denominator")),
                name="category_rate_between_0_and_1",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.rate_label}、上限{self.cap:,}円）"

    @property
    def rate(self) -> Fraction:
        return Fraction(self.rate_numerator, self.rate_denominator)

    @property
    def rate_label(self) -> str:
        return f"{self.rate_numerator}/{self.rate_denominator}"


class Criterion(models.Model):
    """審査基準: one line of the committee's score sheet, with its weight."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme", "sort_order", "pk"]
        verbose_name = _("screening criterion")
        verbose_name_plural = _("screening criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100), name="criterion_weight_range"
            ),
        ]

    def __str__(self):
        return self.name


class Consultation(models.Model):
    """事前相談 with 地域生活課, booked by the group or recorded by staff."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="subsidy_consultations",
        verbose_name=_("organisation"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("programme"),
    )
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    consulted_with = models.CharField(
        _("consulted with"),
        max_length=100,
        blank=True,
        help_text=_("Who at the Community Life Division held the consultation."),
    )
    held = models.BooleanField(
        _("held"),
        default=False,
        help_text=_(
            "Ticked by the Community Life Division once the consultation has taken place: only "
            "a consultation held counts as the prior consultation a programme requires."
        ),
    )
    staff_note = models.TextField(_("staff note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("prior consultation")
        verbose_name_plural = _("prior consultations")
        indexes = [models.Index(fields=["organization", "programme"])]

    def __str__(self):
        return f"{self.organization} {self.held_on} {self.topic}"


# --- 報告会 --------------------------------------------------------------------------------------


class ResultsMeetingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class ResultsMeeting(models.Model):
    """報告会: once a 年度, every adopted project presents what it did. Its public page lists
    the adopted projects of that year's programmes."""

    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The fiscal year whose adopted projects present their results."),
    )
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ResultsMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("results meeting")
        verbose_name_plural = _("results meetings")

    def __str__(self):
        return f"{self.fiscal_year}年度 報告会"

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)
