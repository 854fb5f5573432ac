"""An application: its plan, budget lines (plan and actual), documents and history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from muroran_kyodo.lib.models import Channel, StatusChange, status_fields
from organizations.models import (
    CollaborationForm,
    Membership,
    Organization,
)

from .programmes import MAX_YEN, AttachmentType, Category, Consultation, IntakeWindow, Programme

# What the group declares when it submits (the city's eligibility rules that the form cannot
# hold as data): field name → the statement, as the confirmation page and the admin show it.
DECLARATIONS: tuple[tuple[str, str], ...] = (
    (
        "declares_not_subsidised_before",
        _("This project has not received this subsidy before."),
    ),
    (
        "declares_not_political_or_religious",
        _("The project is not a political or religious activity."),
    ),
    ("declares_not_for_profit", _("The project is not run for profit.")),
    (
        "declares_no_other_subsidy",
        _("The project is not funded by another subsidy."),
    ),
)

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
        from ..permissions import is_subsidy_staff

        if is_subsidy_staff(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        # A UNION of the two ways in, not an OR across both joins with DISTINCT: that one took
        # PostgreSQL ~10 ms to plan on every application page.
        applications = Application.objects.order_by()
        of_my_groups = applications.filter(
            organization__in=Membership.objects.filter(user=user).values("organization_id")
        )
        assigned_to_me = applications.filter(review_assignments__reviewer=user)
        return self.filter(
            pk__in=of_my_groups.values("pk").union(assigned_to_me.values("pk"), all=True)
        )

    def decided(self):
        """Those whose decided amount counts against the programme's budget."""
        return self.filter(decided_amount__isnull=False)

    def budget_used(self) -> int:
        """What these use of their programme's budget: the amount decided, or, once a grant
        ended early (取消, 中止・廃止), the part that had been paid - the unpaid part is freed."""
        return (
            self.decided().aggregate(total=Sum(Coalesce("kept_amount", "decided_amount")))["total"]
            or 0
        )

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
        CANCELLED = "cancelled", _("Grant cancelled")  # 交付決定の取消
        STOP_REQUESTED = "stop_asked", _("Stopping requested")  # 中止・廃止の申請
        STOPPED = "stopped", _("Stopping approved")  # 中止・廃止の承認

    # While in these, the group may edit the plan, budget and attachments.
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    # Adopted, at whatever stage after: listed publicly as adopted projects.
    # 取消 and 中止・廃止 are not: the project was not carried out with the grant (the figures
    # count them on their own lines). A request to stop leaves the grant standing until approved.
    ADOPTED_STATUSES = (
        Status.ADOPTED,
        Status.GRANTED,
        Status.STOP_REQUESTED,
        Status.REPORTED,
        Status.CONFIRMED,
        Status.PAID,
        Status.REPAID,
        Status.CLOSED,
    )
    # A grant that ended early: 取消 (misuse, breach) or 中止・廃止 approved. Only the part
    # already paid (`kept_amount`) still counts against the programme's budget.
    ENDED_EARLY = (Status.CANCELLED, Status.STOPPED)
    # 取消 may strike a grant from its decision until the application is settled.
    CANCELLABLE = (
        Status.GRANTED,
        Status.STOP_REQUESTED,
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
    # 事前相談: the consultation with 地域生活課 this application rests on (recorded at
    # submission, or chosen by staff keying in a paper application).
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("prior consultation"),
    )
    # The declarations (DECLARATIONS), ticked by the group on the confirmation page or keyed
    # in by staff from the paper form; `declared_at` is when the submission recorded them.
    declares_not_subsidised_before = models.BooleanField(
        _("declares: not subsidised before"), default=False
    )
    declares_not_political_or_religious = models.BooleanField(
        _("declares: not political or religious"), default=False
    )
    declares_not_for_profit = models.BooleanField(_("declares: not for profit"), default=False)
    declares_no_other_subsidy = models.BooleanField(_("declares: no other subsidy"), default=False)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
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
    kept_amount = models.PositiveBigIntegerField(
        _("amount kept after the grant ended (yen)"),
        null=True,
        blank=True,
        help_text=_(
            "Set when a grant is cancelled or its project stopped: the part paid, which still "
            "counts against the budget; the unpaid part is freed."
        ),
    )
    ended_at = models.DateTimeField(_("grant ended"), null=True, blank=True)
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
    # A rejected or withdrawn application whose retention period ran out: its attachments
    # (member lists and other personal documents) deleted (`manage.py apply_retention`).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        permissions = [("cancel_grant", _("Can cancel a grant decision (交付決定の取消)"))]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["status", "-created_at"]),
            # The admin list's channel filter, in the list's order (issue 14).
            models.Index(fields=["channel", "-created_at"], name="application_channel_idx"),
            # This ordering, read from its index: the unfiltered admin list stops at a page
            # instead of sorting every application (issue 14).
            models.Index(fields=["-created_at", "-id"], name="application_order_idx"),
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

    @property
    def declarations(self) -> list[tuple[str, str, bool]]:
        """(field, statement, ticked) for each declaration, for the pages and the admin."""
        return [(name, text, getattr(self, name)) for name, text in DECLARATIONS]

    @property
    def is_under_review(self) -> bool:
        """The committee scores only now."""
        return self.status == self.Status.UNDER_REVIEW


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
