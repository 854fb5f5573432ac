"""パブリックコメント: the city's draft plans open for opinions, and the result with the city's
view (行政手続法 39-43条, which the city follows by its own 要綱).

A case (`Case`) is written by staff in the admin: the draft as numbered sections, documents, the
window and who may submit. Its stored state is only what staff decide (準備中, 公示済み,
結果公表, 中止); whether it is taking opinions is read from the window and the clock
(`Case.phase`), never a flag a job flips.

A submission (`Submission`, one form from one person, with a receipt number) carries one or
more opinions (`Opinion`, each on a section). Staff split opinions into items (`OpinionItem`)
and group the items that make the same point into 論点 (`Issue`), each with 市の考え方 and a
disposition; the result page publishes the groups, never the submitters.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.jp import fiscal_year, fiscal_year_label, validate_name
from muroran_kyodo.lib.models import StatusChange, status_fields
from organizations.models import CollaborationProject

# 行政手続法 39条3項: 30 days or more, counted from the day after the draft is published.
MINIMUM_WINDOW_DAYS = 30
MAX_OPINION_LENGTH = 4000
MAX_OPINIONS_PER_SUBMISSION = 20


class Channel(models.TextChoices):
    """How an opinion reached the city (意見等の提出方法). The values shared with
    `muroran_kyodo.lib.models.Channel` are the same strings."""

    WEB = "web", _("Online form")
    BOX = "box", _("Opinion box")
    COUNTER = "counter", _("By hand")
    POST = "post", _("By post")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")


class Eligibility(models.TextChoices):
    """Who may submit (提出できる方), after the city's 要綱."""

    RESIDENT = "resident", _("Lives in the city")
    COMMUTER = "commuter", _("Works or studies in the city")
    BUSINESS = "business", _("Has an office or business in the city")
    INTERESTED = "interested", _("Has an interest in the matter")


class Facility(models.Model):
    """A public facility with an 意見箱 where paper forms can be dropped."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("Untick when the facility no longer has an opinion box."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("facility with an opinion box")
        verbose_name_plural = _("facilities with an opinion box")

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(models.QuerySet["Case"]):
    def public(self) -> CaseQuerySet:
        """Cases the public may see: announced, with their result, or abandoned."""
        return self.exclude(status=Case.Status.DRAFT)

    def open_at(self, now: dt.datetime) -> CaseQuerySet:
        return self.filter(status=Case.Status.ANNOUNCED, opens_at__lte=now, closes_at__gt=now)

    def upcoming_at(self, now: dt.datetime) -> CaseQuerySet:
        return self.filter(status=Case.Status.ANNOUNCED, opens_at__gt=now)

    def past_at(self, now: dt.datetime) -> CaseQuerySet:
        """Closed, with a result or abandoned, or being considered."""
        return self.public().filter(Q(closes_at__lte=now) | ~Q(status=Case.Status.ANNOUNCED))

    def considering_at(self, now: dt.datetime) -> CaseQuerySet:
        return self.filter(status=Case.Status.ANNOUNCED, closes_at__lte=now)

    def with_counts(self) -> CaseQuerySet:
        return self.annotate(
            submission_count=Count("submissions", distinct=True),
            opinion_count=Count("opinions", distinct=True),
        )

    def for_fiscal_year(self, year: int) -> CaseQuerySet:
        return self.filter(fiscal_year=year)


class Case(models.Model):
    """案件: one draft plan open for opinions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        ANNOUNCED = "announced", _("Announced")
        RESULT_PUBLISHED = "result", _("Result published")
        ABANDONED = "abandoned", _("Abandoned")

    class Phase(models.TextChoices):
        """What a person reads: the stored state, and for an announced case the window."""

        DRAFT = "draft", _("In preparation")
        UPCOMING = "upcoming", _("Opens soon")
        OPEN = "open", _("Taking opinions")
        CONSIDERING = "considering", _("Closed, being considered")
        RESULT_PUBLISHED = "result", _("Result published")
        ABANDONED = "abandoned", _("Abandoned")

    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), editable=False, help_text=_("From the opening date.")
    )
    serial = models.PositiveSmallIntegerField(
        _("case number"), editable=False, help_text=_("Numbered within the fiscal year.")
    )
    title = models.CharField(_("title"), max_length=200)
    department = models.CharField(_("department"), max_length=100)
    summary = models.TextField(_("summary"))
    purpose = models.TextField(_("purpose"), help_text=_("Why the plan is made."))
    legal_basis = models.TextField(
        _("legal basis"), blank=True, help_text=_("The law, ordinance or plan it rests on.")
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    short_window_reason = models.TextField(
        _("reason for a window under 30 days"),
        blank=True,
        help_text=_(
            "Required when the window is shorter than 30 days; shown on the public page "
            "(行政手続法 40条)."
        ),
    )
    may_submit = models.JSONField(
        _("who may submit"),
        default=list,
        help_text=_("Values of Eligibility."),
    )
    facilities = models.ManyToManyField(
        Facility,
        blank=True,
        related_name="cases",
        verbose_name=_("facilities with an opinion box"),
    )
    project = models.ForeignKey(
        CollaborationProject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comment_cases",
        verbose_name=_("collaboration project"),
    )
    submit_address = models.CharField(_("postal address for opinions"), max_length=200, blank=True)
    submit_fax = models.CharField(_("fax number for opinions"), max_length=20, blank=True)
    submit_email = models.EmailField(_("e-mail address for opinions"), blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    result_published_at = models.DateTimeField(_("result published"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("abandoned"), null=True, blank=True)

    # The result (43条1項): written by staff while considering, published by a transition.
    final_plan = models.TextField(
        _("final plan"), blank=True, help_text=_("The plan as decided, or where it is published.")
    )
    draft_changed = models.BooleanField(_("the draft was changed"), default=False)
    changes_summary = models.TextField(_("what changed from the draft"), blank=True)
    abandon_reason = models.TextField(_("why the plan was abandoned"), blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("public comment case")
        verbose_name_plural = _("public comment cases")
        indexes = [
            # This ordering, read from its index: the opinions' and submissions' admin lists
            # (ordered by their case's) walk the newest cases first and stop at a page (issue 14).
            models.Index(fields=["-opens_at", "-id"], name="pc_case_order_idx"),
            models.Index(fields=["status", "opens_at"]),
            models.Index(fields=["status", "closes_at"]),
            models.Index(fields=["fiscal_year"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "serial"], name="publiccomment_case_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="publiccomment_case_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.opens_at and not self.fiscal_year:
            self.fiscal_year = fiscal_year(self.opens_at)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publiccomment:case_detail", args=[self.pk])

    # --- reading ---------------------------------------------------------------------------

    @property
    def code(self) -> str:
        """2026-007: the 年度 and the case's number in it."""
        return f"{self.fiscal_year}-{self.serial:03d}"

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    def phase_at(self, now: dt.datetime) -> str:
        if self.status != self.Status.ANNOUNCED:
            return str(self.status)
        if now < self.opens_at:
            return self.Phase.UPCOMING
        if now < self.closes_at:
            return self.Phase.OPEN
        return self.Phase.CONSIDERING

    @property
    def phase(self) -> str:
        return self.phase_at(timezone.now())

    def get_phase_display(self) -> str:
        return str(self.Phase(self.phase).label)

    def is_open_at(self, now: dt.datetime) -> bool:
        return self.phase_at(now) == self.Phase.OPEN

    def window_days_from(self, start: dt.datetime | None) -> int:
        """The window's length in days, counted in Japan time from the day it starts (the
        opening, or the announcement if later), that day included, to the closing day:
        行政手続法 39条3項 「公示の日から起算して三十日以上」, so 4月1日 to 4月30日 is 30 days."""
        begins = self.opens_at if start is None else max(self.opens_at, start)
        return (timezone.localdate(self.closes_at) - timezone.localdate(begins)).days + 1

    @property
    def window_days(self) -> int:
        """The window as the public has it: from the opening, or from the announcement when
        the case was announced after its opening date."""
        return self.window_days_from(self.announced_at)

    @property
    def window_is_short(self) -> bool:
        return self.window_days < MINIMUM_WINDOW_DAYS

    def may_submit_labels(self) -> list[str]:
        return [
            str(Eligibility(value).label)
            for value in self.may_submit
            if value in Eligibility.values
        ]


class CaseStatusChange(StatusChange):
    subject = "case"
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("case")
    )
    old_status, new_status = status_fields(Case.Status.choices, max_length=12)

    class Meta(StatusChange.Meta):
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")


class Section(models.Model):
    """One numbered section of the draft (第1章, 2-3 …), so an opinion can point at it."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="sections", verbose_name=_("case")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["case", "number"]
        verbose_name = _("section of the draft")
        verbose_name_plural = _("sections of the draft")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"], name="publiccomment_section_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"


def document_path(instance: Document, filename: str) -> str:
    # Random names: the original name is kept in the row, never in the path.
    return f"publiccomment/{instance.case_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A public document of a case: the draft as PDF, materials, the final plan."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Draft and materials")
        RESULT = "result", _("Result and final plan")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, editable=False)
    content_type = models.CharField(_("type"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size"), default=0, editable=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["case", "kind", "sort_order", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publiccomment:document", args=[self.case_id, self.pk])


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def of_user(self, user) -> SubmissionQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Submission(models.Model):
    """One form from one person or organisation (提出), on the web or keyed in by staff from
    paper, the 意見箱, the counter, post, FAX or e-mail. Its personal data is never public."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("An individual")
        ORGANIZATION = "organization", _("An organisation")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("case")
    )
    sequence = models.PositiveIntegerField(_("number within the case"), editable=False)
    number = models.CharField(_("receipt number"), max_length=30, unique=True, editable=False)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    received_at = models.DateTimeField(_("received"))
    kind = models.CharField(
        _("submitted as"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_name])
    organization_name = models.CharField(
        _("organisation name"), max_length=200, blank=True, validators=[validate_name]
    )
    organization_name_public = models.BooleanField(
        _("the organisation's name may be published"), default=False
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    eligibility = models.CharField(_("who may submit"), max_length=12, choices=Eligibility.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comment_submissions",
        verbose_name=_("account"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keyed in by"),
    )
    # The form's one-time key: a second POST of the same form (double click, reload) finds
    # the first submission instead of making another.
    token = models.UUIDField(_("form key"), null=True, blank=True, editable=False)
    result_notified_at = models.DateTimeField(_("told of the result"), null=True, blank=True)
    # Set when the retention period ran out (`manage.py apply_retention`): the name, contacts
    # and account link are gone, the opinions kept as published.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["case", "sequence"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["case", "channel"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "sequence"], name="publiccomment_submission_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["token"],
                condition=Q(token__isnull=False),
                name="publiccomment_submission_token_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("publiccomment:submission_receipt", args=[self.pk])

    @property
    def public_name(self) -> str:
        """What a public page may say of who submitted: an organisation that agreed, else
        nothing."""
        if self.kind == self.Kind.ORGANIZATION and self.organization_name_public:
            return self.organization_name
        return ""


class Opinion(models.Model):
    """One opinion of a submission, on a section of the draft (or the whole), stored exactly
    as typed. Staff may withhold it or publish a redacted text (43条3項); the original stays.
    Before the result is published staff read every opinion and mark it reviewed (fit to
    publish as it will be shown: it may carry the sender's name or telephone number)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("submission")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("case")
    )
    position = models.PositiveSmallIntegerField(_("number"))
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("section"),
        help_text=_("Empty: the draft as a whole."),
    )
    text = models.TextField(_("opinion and reasons"), max_length=MAX_OPINION_LENGTH)
    public_text = models.TextField(
        _("published text"),
        blank=True,
        help_text=_(
            "Leave empty to publish the opinion as submitted. Write the text with personal "
            "data or what may not be published removed (行政手続法 43条3項)."
        ),
    )
    withheld = models.BooleanField(
        _("withheld"),
        default=False,
        help_text=_("Not published at all (43条3項); the reason is recorded."),
    )
    redaction_reason = models.CharField(_("reason for redacting"), max_length=200, blank=True)
    # Read by staff and found fit to publish (as typed, redacted or withheld): the result is
    # published only when every opinion of the case has been (services.result_problems).
    reviewed_at = models.DateTimeField(_("checked for publishing"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )

    class Meta:
        ordering = ["submission", "position"]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        # The admin list's 確認済み and 非公開 filters, in the list's order (issue 14).
        indexes = [
            models.Index(fields=["reviewed_at"], name="opinion_reviewed_idx"),
            models.Index(
                fields=["withheld", "submission", "position"], name="opinion_withheld_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "position"], name="publiccomment_opinion_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(withheld=False) | ~Q(redaction_reason=""),
                name="publiccomment_opinion_withheld_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}-{self.position}"

    @property
    def published_text(self) -> str:
        if self.withheld:
            return ""
        return self.public_text or self.text


class Issue(models.Model):
    """論点: opinion items that make the same point, answered once with 市の考え方."""

    class Disposition(models.TextChoices):
        REFLECTED = "reflected", _("Reflected")
        PARTLY = "partly", _("Partly reflected")
        AS_DRAFTED = "as_drafted", _("Kept as drafted")
        NOTED = "noted", _("Taken as reference")
        OTHER = "other", _("Other")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="issues", verbose_name=_("case")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("section"),
    )
    summary = models.TextField(_("summary of the opinions"))
    city_view = models.TextField(_("the city's view"), blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=12, choices=Disposition.choices, blank=True
    )
    draft_changed = models.BooleanField(_("the draft was changed"), default=False)

    class Meta:
        ordering = ["case", "number"]
        verbose_name = _("point raised")
        verbose_name_plural = _("points raised")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"], name="publiccomment_issue_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.summary[:40]}"

    @property
    def is_answered(self) -> bool:
        return bool(self.city_view.strip() and self.disposition)


class OpinionItem(models.Model):
    """A part of an opinion that makes one point (an opinion may make several), and the 論点
    it is grouped under."""

    opinion = models.ForeignKey(
        Opinion, on_delete=models.CASCADE, related_name="items", verbose_name=_("opinion")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="opinion_items", verbose_name=_("case")
    )
    position = models.PositiveSmallIntegerField(_("number"), default=1)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("The point in a line; empty: the whole opinion.")
    )
    issue = models.ForeignKey(
        Issue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("point raised"),
    )

    class Meta:
        ordering = ["opinion", "position"]
        verbose_name = _("opinion item")
        verbose_name_plural = _("opinion items")
        constraints = [
            models.UniqueConstraint(
                fields=["opinion", "position"], name="publiccomment_item_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opinion}-{self.position}"
