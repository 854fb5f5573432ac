"""まちづくり活動支援補助金: programmes per 年度 and track, applications with their budgets and
attachments, committee review, grant decisions within the budget, 実績報告 and 額の確定."""

from __future__ import annotations

import uuid
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from muroran_kyodo.lib.jp import fiscal_year_dates, fiscal_year_label
from muroran_kyodo.lib.models import Channel as Channel  # re-exported
from muroran_kyodo.lib.models import StatusChange, status_fields
from organizations.models import (
    ActorType,
    CollaborationForm,
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


# --- applications ------------------------------------------------------------------------------


class ApplicationQuerySet(models.QuerySet):
    def for_programme(self, programme):
        return self.filter(programme=programme)

    def of_member(self, user):
        """Applications of the organisations the user belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organization__memberships__user=user)

    def visible_to(self, user):
        """Staff see every application; a member those of their organisations; a reviewer
        those assigned to them. Anyone else: none."""
        from .permissions import is_subsidy_staff

        if is_subsidy_staff(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(organization__memberships__user=user) | Q(review_assignments__reviewer=user)
        ).distinct()

    def decided(self):
        """Those whose decided amount counts against the programme's budget."""
        return self.filter(decided_amount__isnull=False)

    def adopted(self):
        """Adopted projects, at any later stage: what the public results list."""
        return self.filter(status__in=Application.ADOPTED_STATUSES)

    def for_fiscal_year(self, year: int):
        return self.filter(programme__fiscal_year=year)


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")  # 申請
        RETURNED = "returned", _("Returned for changes")  # 差戻し
        WITHDRAWN = "withdrawn", pgettext_lazy("subsidy application", "Withdrawn")  # 取下げ
        ACCEPTED = "accepted", _("Accepted")  # 受付
        UNDER_REVIEW = "under_review", _("Under review")  # 審査中
        ADOPTED = "adopted", _("Adopted")  # 採択
        REJECTED = "rejected", _("Not adopted")  # 不採択
        GRANTED = "granted", _("Grant decided")  # 交付決定
        REPORTED = "reported", _("Completion report filed")  # 実績報告
        CONFIRMED = "confirmed", _("Amount confirmed")  # 額の確定
        PAID = "paid", _("Paid")  # 支払
        REPAID = "repaid", _("Repaid")  # 返還
        CLOSED = "closed", _("Closed")  # 完了

    # While in these, the group may edit the plan, budget and attachments.
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    # Adopted, at whatever stage after: listed publicly as adopted projects.
    ADOPTED_STATUSES = (
        Status.ADOPTED,
        Status.GRANTED,
        Status.REPORTED,
        Status.CONFIRMED,
        Status.PAID,
        Status.REPAID,
        Status.CLOSED,
    )

    number = models.CharField(
        _("receipt number"),
        max_length=20,
        blank=True,
        help_text=_("Given when first submitted, for example HS-2026-00001."),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("programme"),
    )
    window = models.ForeignKey(
        IntakeWindow,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("intake window"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("category"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="subsidy_applications",
        verbose_name=_("organisation"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subsidy_applications",
        verbose_name=_("applicant"),
    )
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # The plan.
    title = models.CharField(_("project title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    content = models.TextField(_("content"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    expected_effects = models.TextField(_("expected effects"), blank=True)
    partner_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="subsidy_partnerships",
        verbose_name=_("partner organisations"),
    )
    partner_text = models.CharField(
        _("other partners"),
        max_length=300,
        blank=True,
        help_text=_("Partners not in the registry, as text."),
    )
    collaboration_form = models.ForeignKey(
        CollaborationForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collaboration form"),
    )
    # Declared by the group for the age-band rule; the member list (名簿) attached backs it.
    member_count = models.PositiveIntegerField(_("number of members"), null=True, blank=True)
    youth_count = models.PositiveIntegerField(
        _("members in the programme's age band"), null=True, blank=True
    )
    # Money, whole yen.
    requested_amount = models.PositiveBigIntegerField(
        _("amount requested (yen)"), default=0, validators=[MaxValueValidator(MAX_YEN)]
    )
    decided_amount = models.PositiveBigIntegerField(_("grant decided (yen)"), null=True, blank=True)
    conditions = models.TextField(_("conditions of the grant"), blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    confirmed_amount = models.PositiveBigIntegerField(
        _("confirmed amount (yen)"), null=True, blank=True
    )
    # The completion report (実績報告).
    report_summary = models.TextField(_("what was done"), blank=True)
    report_participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    report_effects = models.TextField(_("effects"), blank=True)
    # Record.
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("amount confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["status", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="application_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(decided_amount__isnull=True)
                | Q(decided_amount__lte=models.F("requested_amount")),
                name="application_decided_within_request",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_amount__isnull=True)
                | (
                    Q(decided_amount__isnull=False)
                    & Q(confirmed_amount__lte=models.F("decided_amount"))
                ),
                name="application_confirmed_within_decided",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="application_schedule_ordered",
            ),
            models.CheckConstraint(
                condition=Q(youth_count__isnull=True)
                | Q(member_count__isnull=True)
                | Q(youth_count__lte=models.F("member_count")),
                name="application_youth_within_members",
            ),
        ]

    def __str__(self):
        return f"{self.number or _('(draft)')} {self.title}"

    def get_absolute_url(self):
        return reverse("subsidies:application_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class BudgetStage(models.TextChoices):
    PLAN = "plan", pgettext_lazy("budget", "Plan")  # 予算 (with the application)
    ACTUAL = "actual", _("Actual")  # 決算 (with the completion report)


class IncomeLine(models.Model):
    class Kind(models.TextChoices):
        OWN_FUNDS = "own_funds", _("Own funds")  # 自己資金
        FEES = "fees", _("Membership fees")  # 会費
        SPONSORSHIP = "sponsorship", _("Sponsorship")  # 協賛金
        OTHER_SUBSIDY = "other_subsidy", _("Other subsidies")  # 他の補助金
        THIS_SUBSIDY = "this_subsidy", _("This subsidy")  # 本補助金

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="income_lines"
    )
    stage = models.CharField(_("stage"), max_length=6, choices=BudgetStage.choices)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.PositiveBigIntegerField(
        _("amount (yen)"), validators=[MaxValueValidator(MAX_YEN)]
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["application", "stage", "sort_order", "pk"]
        verbose_name = _("income line")
        verbose_name_plural = _("income lines")
        indexes = [models.Index(fields=["application", "stage"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount:,}円"


class ExpenseLine(models.Model):
    class Item(models.TextChoices):
        HONORARIA = "honoraria", _("Honoraria")  # 報償費
        TRAVEL = "travel", _("Travel")  # 旅費
        CONSUMABLES = "consumables", _("Consumables")  # 消耗品費
        PRINTING = "printing", _("Printing and binding")  # 印刷製本費
        POSTAGE = "postage", _("Postage and communication")  # 通信運搬費
        RENTAL = "rental", _("Rents and hire")  # 使用料及び賃借料
        CONTRACTING = "contracting", _("Contracted work")  # 委託料
        EQUIPMENT = "equipment", _("Equipment purchase")  # 備品購入費
        OTHER = "other", _("Other")  # その他

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="expense_lines"
    )
    stage = models.CharField(_("stage"), max_length=6, choices=BudgetStage.choices)
    item = models.CharField(_("expense item"), max_length=15, choices=Item.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.PositiveBigIntegerField(
        _("amount (yen)"), validators=[MaxValueValidator(MAX_YEN)]
    )
    eligible = models.BooleanField(
        _("eligible for the subsidy"),
        default=True,
        help_text=_("Off for costs the subsidy does not cover, such as food and drink."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["application", "stage", "sort_order", "pk"]
        verbose_name = _("expense line")
        verbose_name_plural = _("expense lines")
        indexes = [models.Index(fields=["application", "stage"])]

    def __str__(self):
        return f"{self.get_item_display()} {self.amount:,}円"


def attachment_path(instance, filename):
    # Under private/ (never served by a media URL) and never the uploader's file name, which may
    # carry personal information; the original name is kept in the row for the download.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/subsidies/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("application"),
    )
    type = models.ForeignKey(
        AttachmentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["application", "type__sort_order", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["application", "type"])]

    def __str__(self):
        return f"{self.type} {self.original_name}"


class ApplicationStatusChange(StatusChange):
    subject = "application"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status, new_status = status_fields(Application.Status.choices, max_length=12)

    class Meta(StatusChange.Meta):
        verbose_name = _("application history")
        verbose_name_plural = _("application history")


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


# --- review ------------------------------------------------------------------------------------


class ReviewAssignment(models.Model):
    """A committee member (審査委員) asked to score one application."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("application"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subsidy_review_assignments",
        verbose_name=_("reviewer"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_assignment_once"
            ),
        ]

    def __str__(self):
        return f"{self.application} / {self.reviewer}"


class Score(models.Model):
    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("scored"), auto_now=True)

    class Meta:
        ordering = ["assignment", "criterion__sort_order", "pk"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="score_between_1_and_5"
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


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
    """返還: what the group pays back when the confirmed amount is below what it was paid."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="repayment"
    )
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
        ]

    def __str__(self):
        return f"{self.application} {self.amount:,}円"


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
