"""Staff key in submissions that came on paper, through the 意見箱, at the counter, by post,
FAX or e-mail (`services.submission_create`: the same window, rules and receipt numbers as the
web form; the window is the received date's), read every submission with its personal data
(here only), redact or withhold an opinion for the public page (43条3項; the original stays)
and split an opinion into items, one per point it makes."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.admin_actions import (
    KeyedInChannelMixin,
    ServiceRefusalsOnTheFormMixin,
    ServiceSaveMixin,
)
from muroran_kyodo.lib.admin_display import short_date, short_text
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
                (_("Record"), {"fields": ["result_notified_at", "created_at"]}),
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


class OpinionForm(forms.ModelForm):
    items = forms.CharField(
        label=_("Items (one line per point)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Split the opinion into the points it makes, a line each; saving replaces the items "
            "and their grouping. Empty: leave the items as they are."
        ),
    )

    class Meta:
        model = Opinion
        fields = ["public_text", "withheld", "redaction_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["items"].initial = "\n".join(
                item.summary for item in self.instance.items.all() if item.summary
            )


class ItemInline(ReadOnlyInline):
    model = OpinionItem
    fields = ["position", "summary", "issue"]
    readonly_fields = fields
    verbose_name_plural = _("items")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("publiccomment.view_opinionitem")


@admin.register(Opinion)
class OpinionAdmin(ServiceRefusalsOnTheFormMixin, admin.ModelAdmin):
    """Redaction (public text, or withheld, with the reason) and splitting; the text as
    submitted is read-only."""

    form = OpinionForm
    list_display = [
        "label",
        case_code,
        short_text("text", _("opinion and reasons"), length=24),
        "withheld",
        "redacted",
    ]
    list_filter = [CaseFilter, "withheld", CaseFiscalYearFilter]
    list_select_related = ["case", "submission"]
    search_fields = ["submission__number", "text"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [ItemInline]
    fields = [
        "submission_link",
        "case",
        "position",
        "section",
        "text",
        "public_text",
        "withheld",
        "redaction_reason",
        "items",
    ]
    readonly_fields = ["submission_link", "case", "position", "section", "text"]

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

    @admin.display(description=_("submission"))
    def submission_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:publiccomment_submission_change", args=[obj.submission_id]),
            obj.submission.number,
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if {"public_text", "withheld", "redaction_reason"} & set(form.changed_data):
                if not data["withheld"] and not data["public_text"].strip():
                    services.opinion_unredact(opinion=obj)
                else:
                    services.opinion_redact(
                        opinion=obj,
                        public_text=data["public_text"],
                        withheld=data["withheld"],
                        reason=data["redaction_reason"],
                    )
            if "items" in form.changed_data and data["items"].strip():
                services.opinion_split(opinion=obj, summaries=data["items"].splitlines())
        except TransitionError as error:
            self.refused(ValidationError({"items": str(error)}))
        except ValidationError as error:
            self.refused(error)
