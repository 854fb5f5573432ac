"""Staff key in submissions that came on paper, through the 意見箱, at the counter, by post,
FAX or e-mail (`services.submission_create`: the same window, rules and receipt numbers as the
web form; the window is the received date's), read every submission with its personal data
(here only), redact or withhold an opinion for the public page (43条3項; the original stays),
split an opinion into items, one per point it makes, and mark opinions as read and fit to
publish (「公表してよいことを確認した」, `services.opinions_mark_reviewed`): the result is
published only when every opinion of the case is."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    KeyedInChannelMixin,
    ServiceRefusalsOnTheFormMixin,
    ServiceSaveMixin,
)
from muroran_kyodo.lib.admin_display import short_date, short_text
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.printing import PrintablesAdminMixin
from muroran_kyodo.lib.workflow import TransitionError

from .. import services
from ..models import Case, Channel, Opinion, OpinionItem, Section, Submission
from .common import CaseFilter, CaseFiscalYearFilter, ReadOnlyInline, case_code

# Opinion boxes on the add form: a paper form rarely has more.
KEYED_IN_OPINIONS = 5


def receipt_url(submission) -> str | None:
    """The printable receipt (受付票) of a submission, when the site has the page."""
    try:
        return reverse("publiccomment:submission_receipt", args=[submission.pk])
    except NoReverseMatch:
        return None


def _opinion_boxes() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for n in range(1, KEYED_IN_OPINIONS + 1):
        fields[f"section_{n}"] = forms.TypedChoiceField(
            label=_("Section of opinion %(n)s") % {"n": n},
            coerce=int,
            empty_value=None,
            required=False,
        )
        fields[f"opinion_{n}"] = forms.CharField(
            label=_("Opinion %(n)s") % {"n": n},
            widget=forms.Textarea(attrs={"rows": 4}),
            required=n == 1,
            strip=False,
        )
    return fields


# The opinion boxes, declared so that the admin's form factory knows them.
OpinionBoxes = type("OpinionBoxes", (forms.Form,), _opinion_boxes())


class SubmissionAddForm(OpinionBoxes, forms.ModelForm):  # type: ignore[misc,valid-type]
    """A submission keyed in from paper: who sent it, how and when it was received, and up to
    five opinions, each on a section of the draft (or the whole)."""

    class Meta:
        model = Submission
        fields = [
            "case",
            "channel",
            "received_at",
            "kind",
            "name",
            "organization_name",
            "organization_name_public",
            "address",
            "phone",
            "email",
            "eligibility",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "case" in self.fields:
            field = self.fields["case"]
            field.queryset = Case.objects.filter(status=Case.Status.ANNOUNCED)
            field.label_from_instance = lambda case: f"{case.code} {case.title}"
        sections = (
            Section.objects.filter(case__status=Case.Status.ANNOUNCED)
            .select_related("case")
            .order_by("-case__opens_at", "case_id", "number")
        )
        choices = [("", _("The draft as a whole"))] + [
            (str(section.pk), f"{section.case.code} {section}") for section in sections
        ]
        for n in range(1, KEYED_IN_OPINIONS + 1):
            self.fields[f"section_{n}"].choices = choices

    def opinion_inputs(self) -> list[services.OpinionInput]:
        sections = Section.objects.in_bulk(
            [
                self.cleaned_data[f"section_{n}"]
                for n in range(1, KEYED_IN_OPINIONS + 1)
                if self.cleaned_data.get(f"section_{n}")
            ]
        )
        return [
            services.OpinionInput(
                section=sections.get(self.cleaned_data.get(f"section_{n}")),
                text=self.cleaned_data.get(f"opinion_{n}") or "",
            )
            for n in range(1, KEYED_IN_OPINIONS + 1)
        ]


class OpinionInline(ReadOnlyInline):
    """The opinions as submitted; redaction and splitting on each opinion's own page."""

    model = Opinion
    fields = ["position", "section", "text", "public_text", "withheld", "redaction_reason", "edit"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("publiccomment.view_opinion")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section")

    @admin.display(description=_("redact or split"))
    def edit(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:publiccomment_opinion_change", args=[obj.pk]),
            _("Open"),
        )


@admin.register(Submission)
class SubmissionAdmin(
    PrintablesAdminMixin, ServiceSaveMixin, KeyedInChannelMixin, admin.ModelAdmin
):
    list_display = [
        "number",
        case_code,
        "channel",
        short_date("received_at", _("received")),
        "kind",
        "opinion_count",
        "recorded_by",
    ]
    list_filter = [CaseFilter, "channel", CaseFiscalYearFilter, "kind"]
    list_select_related = ["case", "recorded_by"]
    search_fields = ["number", "name", "organization_name", "email", "case__title"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [OpinionInline]
    readonly_fields = [
        "number",
        "case",
        "channel",
        "received_at",
        "kind",
        "name",
        "organization_name",
        "organization_name_public",
        "address",
        "phone",
        "email",
        "eligibility",
        "user",
        "recorded_by",
        "result_notified_at",
        "created_at",
        "anonymised_at",
    ]
    state_fields = ()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(opinions_count=Count("opinions"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SubmissionAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("channel") if obj is None else None
        if field is not None:
            field.initial = Channel.BOX
        return form

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return [
                (None, {"fields": ["number", "case", "channel", "received_at", "recorded_by"]}),
                (
                    _("Submitter (never public)"),
                    {
                        "fields": [
                            "kind",
                            "name",
                            "organization_name",
                            "organization_name_public",
                            "address",
                            "phone",
                            "email",
                            "eligibility",
                            "user",
                        ]
                    },
                ),
                (_("Record"), {"fields": ["result_notified_at", "created_at", "anonymised_at"]}),
            ]
        opinions = [
            field
            for n in range(1, KEYED_IN_OPINIONS + 1)
            for field in (f"section_{n}", f"opinion_{n}")
        ]
        return [
            (None, {"fields": ["case", "channel", "received_at"]}),
            (
                _("Submitter (never public)"),
                {
                    "fields": [
                        "kind",
                        "name",
                        "organization_name",
                        "organization_name_public",
                        "address",
                        "phone",
                        "email",
                        "eligibility",
                    ]
                },
            ),
            (_("Opinions as written"), {"fields": opinions}),
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def printables(self, request, obj):
        url = receipt_url(obj)
        return [(_("Receipt (受付票)"), url)] if url else []

    @admin.display(description=_("opinions"), ordering="opinions_count")
    def opinion_count(self, obj):
        return obj.opinions_count

    def create_with_service(self, request, obj, form):
        try:
            submission, _created = services.submission_create(
                case=obj.case,
                opinions=form.opinion_inputs(),
                name=obj.name,
                eligibility=obj.eligibility,
                kind=obj.kind,
                organization_name=obj.organization_name,
                organization_name_public=obj.organization_name_public,
                address=obj.address,
                phone=obj.phone,
                email=obj.email,
                channel=obj.channel,
                received_at=obj.received_at,
                recorded_by=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "opinions" in error.error_dict:
                # Said next to the first opinion box.
                error.error_dict["opinion_1"] = error.error_dict.pop("opinions")
            raise
        for field in Submission._meta.concrete_fields:
            setattr(obj, field.attname, getattr(submission, field.attname))
        obj._state.adding = False


class LineEndsField(forms.CharField):
    """A textarea's text with the line ends a browser posts (CRLF) made "\n", so that text
    sent back unchanged is not taken for a change."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


def item_lines(text: str) -> list[str]:
    """The points typed in the items box: one a line, blank lines and spaces around dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class OpinionForm(forms.ModelForm):
    items = LineEndsField(
        label=_("Items (one line per point)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Split the opinion into the points it makes, a line each; saving replaces the items "
            "and their grouping. Empty: leave the items as they are."
        ),
    )
    reviewed = forms.BooleanField(
        label=_("Checked that it may be published"),
        required=False,
        help_text=_(
            "Read the opinion for a name, an address, a telephone number or anything else that "
            "may not be published: the result is published only when every opinion of the case "
            "is checked. Redacting or withholding it checks it too."
        ),
    )

    class Meta:
        model = Opinion
        fields = ["public_text", "withheld", "redaction_reason"]
        field_classes = {"public_text": LineEndsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opinion = self.instance
        if opinion.pk:
            self.fields["items"].initial = "\n".join(self.current_items())
            self.fields["reviewed"].initial = opinion.reviewed_at is not None
            # Marked once, for good; and only while the case is being considered.
            self.fields["reviewed"].disabled = (
                opinion.reviewed_at is not None or opinion.case.status != Case.Status.ANNOUNCED
            )

    def current_items(self) -> list[str]:
        return [item.summary for item in self.instance.items.all() if item.summary]

    def items_to_split(self) -> list[str]:
        """The lines of the items box when they differ from the opinion's items now (empty:
        leave the items, and their grouping, as they are)."""
        lines = item_lines(self.cleaned_data.get("items") or "")
        if not lines or lines == item_lines("\n".join(self.current_items())):
            return []
        return lines


class ItemInline(ReadOnlyInline):
    model = OpinionItem
    fields = ["position", "summary", "issue"]
    readonly_fields = fields
    verbose_name_plural = _("items")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("publiccomment.view_opinionitem")


class ReviewedFilter(admin.SimpleListFilter):
    title = _("checked for publishing")
    parameter_name = "reviewed"

    def lookups(self, request, model_admin):
        return [("no", _("Not yet checked")), ("yes", _("Checked"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(reviewed_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(reviewed_at__isnull=False)
        return queryset


@admin.register(Opinion)
class OpinionAdmin(EstimatedCountAdminMixin, ServiceRefusalsOnTheFormMixin, admin.ModelAdmin):
    """Redaction (public text, or withheld, with the reason), splitting, and checking each
    opinion for publishing (the list's action or the box on the page); the text as submitted
    is read-only."""

    form = OpinionForm
    list_display = [
        "label",
        case_code,
        short_text("text", _("opinion and reasons"), length=24),
        "withheld",
        "redacted",
        "reviewed",
    ]
    list_filter = [CaseFilter, ReviewedFilter, "withheld", CaseFiscalYearFilter]
    list_select_related = ["case", "submission"]
    # The long texts the list never shows, left out of its query (lib.admin_lists).
    # (Not public_text: the 伏せ字 column reads it.)
    list_defer = (
        "case__summary",
        "case__purpose",
        "case__legal_basis",
        "case__short_window_reason",
        "case__may_submit",
        "case__final_plan",
        "case__changes_summary",
        "case__abandon_reason",
    )
    search_fields = ["submission__number", "text"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [ItemInline]
    actions = ["mark_reviewed"]
    fields = [
        "submission_link",
        "case",
        "position",
        "section",
        "text",
        "public_text",
        "withheld",
        "redaction_reason",
        "reviewed",
        "review_record",
        "items",
    ]
    readonly_fields = ["submission_link", "case", "position", "section", "text", "review_record"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("opinion"), ordering="submission__number")
    def label(self, obj):
        """The receipt number and the opinion's number in it: PC-2026-007-0004 / 2."""
        return f"{obj.submission.number} / {obj.position}"

    @admin.display(description=_("redacted"), boolean=True)
    def redacted(self, obj):
        return bool(obj.public_text)

    @admin.display(description=_("checked"), boolean=True, ordering="reviewed_at")
    def reviewed(self, obj):
        return obj.reviewed_at is not None

    @admin.display(description=_("checked when and by whom"))
    def review_record(self, obj):
        """When and by whom the opinion was checked for publishing."""
        if obj is None or obj.reviewed_at is None:
            return "—"
        at = timezone.localtime(obj.reviewed_at).strftime("%Y-%m-%d %H:%M")
        return f"{at} {obj.reviewed_by or ''}".strip()

    @admin.display(description=_("submission"))
    def submission_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:publiccomment_submission_change", args=[obj.submission_id]),
            obj.submission.number,
        )

    def save_model(self, request, obj, form, change):
        """Through the services only: redacting (or clearing it) checks the opinion for
        publishing; the box checks it without redacting; the items are split again only when
        their lines really changed (a browser posts the unchanged box with CRLF)."""
        data = form.cleaned_data
        try:
            if {"public_text", "withheld", "redaction_reason"} & set(form.changed_data):
                if not data["withheld"] and not data["public_text"].strip():
                    services.opinion_unredact(opinion=obj, by=request.user)
                else:
                    services.opinion_redact(
                        opinion=obj,
                        public_text=data["public_text"],
                        withheld=data["withheld"],
                        reason=data["redaction_reason"],
                        by=request.user,
                    )
            elif data.get("reviewed") and obj.reviewed_at is None:
                try:
                    services.opinions_mark_reviewed(opinions=[obj], by=request.user)
                except TransitionError as error:
                    raise ValidationError({"reviewed": str(error)}) from error
            lines = form.items_to_split()
            if lines:
                services.opinion_split(opinion=obj, summaries=lines)
        except TransitionError as error:
            self.refused(ValidationError({"items": str(error)}))
        except ValidationError as error:
            self.refused(error)

    @admin.action(
        description=_("Checked that they may be published (公表してよいことを確認した)"),
        permissions=["change"],
    )
    def mark_reviewed(self, request, queryset):
        """The ticked opinions were read and may be published as they will be shown."""
        try:
            marked = services.opinions_mark_reviewed(
                opinions=queryset.select_related(None).only("pk"), by=request.user
            )
        except TransitionError as error:
            self.message_user(request, str(error), messages.WARNING)
            return
        self.message_user(
            request,
            ngettext(
                "%(n)d opinion marked as checked that it may be published.",
                "%(n)d opinions marked as checked that they may be published.",
                marked,
            )
            % {"n": marked},
            messages.SUCCESS,
        )
