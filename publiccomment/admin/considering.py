"""Considering a closed case: 論点 (points raised) with the city's view and the disposition,
and the opinion items grouped under them. A 論点 is numbered within its case by
`services.issue_create`; items are grouped by the OpinionItem list's action 「この論点にまとめる」
(`services.items_group`), with the list filtered by case."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import ActionFormErrorsMixin, ServiceSaveMixin
from muroran_kyodo.lib.admin_display import short_text
from muroran_kyodo.lib.workflow import TransitionError

from .. import services
from ..models import Case, Issue, OpinionItem, Section
from .common import CaseFilter, CaseFiscalYearFilter, ReadOnlyInline, case_code

EDITABLE = ["summary", "section", "city_view", "disposition", "draft_changed"]


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["case", *EDITABLE]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "case" in self.fields:
            self.fields["case"].queryset = Case.objects.filter(status=Case.Status.ANNOUNCED)
        if "section" in self.fields:
            sections = Section.objects.select_related("case")
            if self.instance.pk:
                sections = sections.filter(case_id=self.instance.case_id)
            else:
                sections = sections.filter(case__status=Case.Status.ANNOUNCED)
            self.fields["section"].queryset = sections
            self.fields["section"].label_from_instance = lambda s: f"{s.case.code} {s}"

    def clean(self):
        data = super().clean()
        case = data.get("case") or (self.instance.case if self.instance.case_id else None)
        section = data.get("section")
        if case is not None and section is not None and section.case_id != case.pk:
            self.add_error("section", _("Choose a section of this draft."))
        return data


class IssueItemInline(ReadOnlyInline):
    model = OpinionItem
    fields = ["opinion", "position", "summary", "opinion_text"]
    readonly_fields = fields
    verbose_name_plural = _("opinion items grouped here")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("publiccomment.view_opinionitem")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("opinion__submission")

    @admin.display(description=_("opinion"))
    def opinion_text(self, obj):
        return obj.opinion.text[:200]


@admin.register(Issue)
class IssueAdmin(ServiceSaveMixin, admin.ModelAdmin):
    form = IssueForm
    list_display = [
        case_code,
        "number",
        "disposition",
        short_text("summary", _("summary"), length=24),
        "section",
        "item_count",
        "draft_changed",
    ]
    list_display_links = ["number"]
    list_filter = [CaseFilter, "disposition", CaseFiscalYearFilter]
    list_select_related = ["case", "section"]
    search_fields = ["summary", "city_view", "case__title"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [IssueItemInline]
    state_fields = ()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(items_count=Count("items"))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.case.status != Case.Status.ANNOUNCED:
            # Published with the result, or the case was abandoned.
            return ["case", "number", *EDITABLE]
        return ["case", "number"]

    def get_fields(self, request, obj=None):
        return ["case", *EDITABLE] if obj is None else ["case", "number", *EDITABLE]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.case.status != Case.Status.ANNOUNCED:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("items"), ordering="items_count")
    def item_count(self, obj):
        return obj.items_count

    def create_with_service(self, request, obj, form):
        try:
            issue = services.issue_create(case=obj.case, summary=obj.summary, section=obj.section)
        except TransitionError as error:
            raise ValidationError({"case": str(error)}) from error
        Issue.objects.filter(pk=issue.pk).update(
            city_view=obj.city_view, disposition=obj.disposition, draft_changed=obj.draft_changed
        )
        obj.pk, obj.number = issue.pk, issue.number
        obj._state.adding = False

    def save_model(self, request, obj, form, change):
        if change and obj.case.status != Case.Status.ANNOUNCED:
            self.refused(
                ValidationError(
                    _("The result of this case is already published or it was abandoned.")
                )
            )
        super().save_model(request, obj, form, change)


class GroupActionForm(ActionForm):
    issue = forms.ModelChoiceField(
        label=_("Point raised"),
        queryset=Issue.objects.filter(case__status=Case.Status.ANNOUNCED).select_related("case"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue"].label_from_instance = lambda i: f"{i.case.code} {i}"


class GroupedFilter(admin.SimpleListFilter):
    title = _("grouped")
    parameter_name = "grouped"

    def lookups(self, request, model_admin):
        return [("no", _("Not yet grouped")), ("yes", _("Grouped"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(issue__isnull=True)
        if self.value() == "yes":
            return queryset.filter(issue__isnull=False)
        return queryset


@admin.register(OpinionItem)
class OpinionItemAdmin(ActionFormErrorsMixin, admin.ModelAdmin):
    """Every point of every opinion; filter by case, tick the items that make the same point,
    choose the 論点 in the action bar and 「この論点にまとめる」."""

    list_display = [
        "label",
        case_code,
        "issue_number",
        short_text("summary", _("point"), length=20, getter=lambda o: o.summary or o.opinion.text),
        "section",
    ]
    list_filter = [CaseFilter, GroupedFilter, "case__status", CaseFiscalYearFilter]
    list_select_related = ["case", "issue", "opinion__section", "opinion__submission"]
    search_fields = ["summary", "opinion__text", "opinion__submission__number"]
    list_per_page = 100
    show_full_result_count = False
    action_form = GroupActionForm
    actions = ["group"]
    fields = ["opinion", "case", "position", "summary", "issue"]
    readonly_fields = ["opinion", "case", "position", "issue"]

    def has_add_permission(self, request):
        # Items come with a submission, or from splitting an opinion.
        return False

    def has_delete_permission(self, request, obj=None):
        # An item goes only by splitting its opinion again: deleting one would drop a point
        # from the count of a 論点, or escape the rule that every item is grouped.
        return False

    def has_change_permission(self, request, obj=None):
        # Its summary may be corrected while the case is being considered, not after.
        if obj is not None and obj.case.status != Case.Status.ANNOUNCED:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("opinion item"), ordering="opinion__submission__number")
    def label(self, obj):
        """The receipt number, the opinion's number in it and the item's: PC-…-0004 / 2-1."""
        opinion = obj.opinion
        return f"{opinion.submission.number} / {opinion.position}-{obj.position}"

    @admin.display(description=_("point raised"), ordering="issue__number")
    def issue_number(self, obj):
        return obj.issue.number if obj.issue_id else "—"

    @admin.display(description=_("section"))
    def section(self, obj):
        section = obj.opinion.section
        return section.number if section else "—"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        case = request.GET.get("case", "")
        if context and context.get("action_form") and case.isdecimal():
            # Only the 論点 of the case the list shows.
            field = context["action_form"].fields["issue"]
            field.queryset = field.queryset.filter(case_id=int(case))
        return response

    @admin.action(
        description=_("この論点にまとめる (group under the point raised)"), permissions=["change"]
    )
    def group(self, request, queryset):
        issue = self.action_value(request, self.action_form, "issue")
        if issue is None:
            self.message_user(request, _("Choose the point raised in the box."), messages.WARNING)
            return
        try:
            moved = services.items_group(
                items=queryset.select_related(None).only("pk"), issue=issue
            )
        except (ValidationError, TransitionError) as error:
            text = "; ".join(getattr(error, "messages", [str(error)]))
            self.message_user(request, text, messages.WARNING)
            return
        self.message_user(
            request,
            ngettext(
                "%(n)d item grouped under point %(number)s.",
                "%(n)d items grouped under point %(number)s.",
                moved,
            )
            % {"n": moved, "number": issue.number},
            messages.SUCCESS,
        )
