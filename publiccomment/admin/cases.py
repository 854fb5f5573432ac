"""Staff write a case (the draft as numbered sections, public documents, the window, who may
submit, where paper forms are dropped) and run its transitions in bulk: 公示する, 中止する,
結果を公表する. A new case is numbered by `services.case_create`; a change writes only the
fields the form changed, never the state. What still stops a case from being announced or its
result from being published is shown on its form and, when an action is refused, per row."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    ReasonActionForm,
    ServiceSaveMixin,
    transition_action,
)
from muroran_kyodo.lib.admin_display import short_text
from muroran_kyodo.lib.admin_inlines import CheckedUploadForm

from .. import services
from ..models import Case, CaseStatusChange, Document, Eligibility, Facility, Section
from .common import OwnFiscalYearFilter, PhaseFilter, ReadOnlyInline

S = Case.Status


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    """The public facilities with an 意見箱, as one editable list."""

    list_display = ["name", "address", "opening_hours", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]


class SectionInline(admin.StackedInline):
    """The draft as numbered sections, typed or pasted: fixed once the case is announced."""

    model = Section
    extra = 0
    fields = ["number", "heading", "body"]

    def _editable(self, obj):
        return obj is None or obj.status == S.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class DocumentForm(CheckedUploadForm):
    upload_field = "file"

    class Meta:
        model = Document
        fields = ["kind", "title", "file", "sort_order"]


class DocumentInline(admin.TabularInline):
    """Public documents (the draft as PDF, materials, the final plan): checked by their content,
    their original name, type and size recorded; the stored name is random."""

    model = Document
    form = DocumentForm
    extra = 0
    fields = ["kind", "title", "file", "original_name", "content_type", "size", "sort_order"]
    readonly_fields = ["original_name", "content_type", "size"]

    def _editable(self, obj):
        return obj is None or obj.status in (S.DRAFT, S.ANNOUNCED)

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class HistoryInline(ReadOnlyInline):
    model = CaseStatusChange
    fields = ["at", "old_status", "new_status", "by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def has_view_permission(self, request, obj=None):
        # Whoever may see the case sees its history.
        return True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class CaseAdminForm(forms.ModelForm):
    may_submit = forms.MultipleChoiceField(
        label=_("who may submit"),
        choices=Eligibility.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Case
        fields = [
            "title",
            "department",
            "project",
            "summary",
            "purpose",
            "legal_basis",
            "opens_at",
            "closes_at",
            "short_window_reason",
            "may_submit",
            "facilities",
            "submit_address",
            "submit_fax",
            "submit_email",
            "final_plan",
            "draft_changed",
            "changes_summary",
        ]
        widgets = {"facilities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "facilities" in self.fields:
            self.fields["facilities"].queryset = Facility.objects.filter(is_active=True)
            self.fields["facilities"].help_text = ""


class AbandonActionForm(ReasonActionForm):
    reason = forms.CharField(
        label=_("Reason (required to abandon)"), required=False, max_length=2000
    )


def _describe(case) -> str:
    return f"{case.code} {case.title}"


def _changed(n: int) -> str:
    return ngettext("%(n)d case changed.", "%(n)d cases changed.", n) % {"n": n}


def _problems_html(problems: dict[str, list[str]]):
    messages = [message for field_messages in problems.values() for message in field_messages]
    if not messages:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((m,) for m in messages)))


CONCRETE = {field.name for field in Case._meta.concrete_fields}
WINDOW_FIELDS = ["opens_at", "closes_at", "short_window_reason", "may_submit"]
RESULT_FIELDS = ["final_plan", "draft_changed", "changes_summary"]


@admin.register(Case)
class CaseAdmin(ServiceSaveMixin, ActionFormErrorsMixin, admin.ModelAdmin):
    form = CaseAdminForm
    # Short columns, the state second: the list fits 1280 px with it on screen.
    list_display = [
        "case_code",
        "phase_label",
        short_text("title", _("title"), length=16),
        short_text("department", _("department"), length=8),
        "window",
        "submission_count",
        "opinion_count",
    ]
    list_display_links = ["case_code"]
    list_filter = [PhaseFilter, OwnFiscalYearFilter]
    search_fields = ["title", "department"]
    list_per_page = 50
    show_full_result_count = False
    action_form = AbandonActionForm
    actions = ["announce", "abandon", "publish_result"]
    inlines = [SectionInline, DocumentInline, HistoryInline]
    fieldsets = [
        (None, {"fields": ["case_code", "status", "title", "department", "project"]}),
        (_("The draft"), {"fields": ["summary", "purpose", "legal_basis"]}),
        (
            _("Window and who may submit"),
            {"fields": ["opens_at", "closes_at", "short_window_reason", "may_submit"]},
        ),
        (
            _("Where and how to submit"),
            {"fields": ["facilities", "submit_address", "submit_fax", "submit_email"]},
        ),
        (_("What still stops the next step"), {"fields": ["problems"]}),
        (_("Result"), {"fields": RESULT_FIELDS}),
        (
            _("Record"),
            {
                "fields": [
                    "announced_at",
                    "result_published_at",
                    "abandoned_at",
                    "abandon_reason",
                    "created_at",
                ]
            },
        ),
    ]
    readonly_fields = [
        "case_code",
        "status",
        "problems",
        "announced_at",
        "result_published_at",
        "abandoned_at",
        "abandon_reason",
        "created_at",
    ]
    state_fields = (
        "status",
        "status_changed_at",
        "announced_at",
        "result_published_at",
        "abandoned_at",
        "abandon_reason",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != S.DRAFT:
            # The window and who may submit were published with the case.
            fields += [*WINDOW_FIELDS, "who_may_submit"]
        if obj is None or obj.status in (S.RESULT_PUBLISHED, S.ABANDONED):
            fields += RESULT_FIELDS
        if obj is not None and obj.status in (S.RESULT_PUBLISHED, S.ABANDONED):
            fields += ["title", "department", "project", "summary", "purpose", "legal_basis"]
            fields += ["facilities", "submit_address", "submit_fax", "submit_email"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status == S.DRAFT:
            return fieldsets
        # Fixed once announced: who may submit in words, not the stored values.
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "who_may_submit" if field == "may_submit" else field
                        for field in options["fields"]
                    ],
                },
            )
            for name, options in fieldsets
        ]

    def has_delete_permission(self, request, obj=None):
        # A case ends by abandoning it, which keeps its history (43条4項).
        return False

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description=_("case number"), ordering="opens_at")
    def case_code(self, obj):
        return obj.code if obj is not None and obj.serial else "—"

    @admin.display(description=_("who may submit"))
    def who_may_submit(self, obj):
        return "、".join(obj.may_submit_labels()) or "—"

    @admin.display(description=_("status"), ordering="status")
    def phase_label(self, obj):
        return obj.get_phase_display()

    @admin.display(description=_("window"), ordering="opens_at")
    def window(self, obj):
        opens = timezone.localdate(obj.opens_at)
        closes = timezone.localdate(obj.closes_at)
        return format_html(
            '<span title="{}">{}–{}</span>',
            _("%(days)s days") % {"days": obj.window_days},
            opens.strftime("%y/%m/%d"),
            closes.strftime("%m/%d"),
        )

    @admin.display(description=_("submitters"), ordering="submission_count")
    def submission_count(self, obj):
        return obj.submission_count

    @admin.display(description=_("opinions"), ordering="opinion_count")
    def opinion_count(self, obj):
        return obj.opinion_count

    @admin.display(description=_("problems"))
    def problems(self, obj):
        """Before announcing: the window's and the draft's problems; while considering: what
        the result still lacks."""
        if obj is None or obj.pk is None:
            return "—"
        now = timezone.now()
        if obj.status == S.DRAFT:
            return _problems_html(services.window_problems(obj, now=now))
        if obj.status == S.ANNOUNCED and obj.closes_at <= now:
            return _problems_html(services.result_problems(obj, now=now))
        return "—"

    # --- saving ----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "opens_at" in form.changed_data:
            # A draft moved to another 年度 takes that year's next number.
            services.case_renumber(case=obj)

    def create_with_service(self, request, obj, form):
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("opens_at", "facilities") and name in CONCRETE
        }
        case = services.case_create(by=request.user, opens_at=obj.opens_at, **fields)
        for field in Case._meta.concrete_fields:
            setattr(obj, field.attname, getattr(case, field.attname))
        obj._state.adding = False

    # --- actions ---------------------------------------------------------------------------

    announce = transition_action(
        services.case_announce,
        subject="case",
        description=_("Announce the selected cases (公示する)"),
        describe=_describe,
        done_message=_changed,
        name="announce",
    )
    abandon = transition_action(
        services.case_abandon,
        subject="case",
        description=_("Abandon the selected cases (中止する; write the reason)"),
        describe=_describe,
        with_reason=True,
        done_message=_changed,
        name="abandon",
    )
    publish_result = transition_action(
        services.case_publish_result,
        subject="case",
        description=_("Publish the result of the selected cases (結果を公表する)"),
        describe=_describe,
        done_message=_changed,
        name="publish_result",
    )
