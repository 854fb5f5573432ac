"""The subsidy in the Django admin: staff set up programmes (windows, categories, criteria), key in
consultations and paper applications, run the workflow in bulk, assign reviewers and answer
change requests. Every status change and every amount goes through `subsidies.services`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    FiscalYearListFilter,
    KeyedInChannelMixin,
    ReasonActionForm,
    run_for_each,
)
from muroran_kyodo.lib.csvexport import csv_response

from . import services
from .application_forms import YenField
from .models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    AttachmentType,
    Category,
    ChangeRequest,
    Consultation,
    Criterion,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    Payment,
    Programme,
    Repayment,
    ResultsMeeting,
    ReviewAssignment,
    Score,
)
from .ranking import ranking

S = Application.Status


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- programmes ----------------------------------------------------------------------------------


class IntakeWindowInline(admin.TabularInline):
    model = IntakeWindow
    extra = 0


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["name", "cap", "rate_numerator", "rate_denominator", "sort_order"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["name", "weight", "description", "sort_order"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "fiscal_year",
        "track",
        "title",
        "total_budget",
        "decided_total",
        "consultation_required",
        "is_published",
        "ranking_link",
    ]
    list_filter = ["fiscal_year", "track", "is_published"]
    search_fields = ["title"]
    filter_horizontal = ["eligible_actor_types", "required_attachment_types"]
    inlines = [IntakeWindowInline, CategoryInline, CriterionInline]
    actions = ["export_ranking"]
    fieldsets = [
        (None, {"fields": ["fiscal_year", "track", "title", "description", "theme"]}),
        (_("Money"), {"fields": ["total_budget"]}),
        (
            _("Rules"),
            {
                "fields": [
                    "consultation_required",
                    "eligible_actor_types",
                    "min_members",
                    ("age_band_min", "age_band_max", "age_band_share_percent"),
                    "once_per_group",
                    "within_fiscal_year",
                    "required_attachment_types",
                ]
            },
        ),
        (None, {"fields": ["is_published"]}),
        (_("Committee"), {"fields": ["ranking_link"]}),
    ]
    readonly_fields = ["ranking_link"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(decided_sum=Sum("applications__decided_amount"))
        )

    # --- the committee's ranking ------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/ranking/",
                self.admin_site.admin_view(self.ranking_view),
                name="subsidies_programme_ranking",
            ),
        ] + super().get_urls()

    @admin.display(description=_("ranking"))
    def ranking_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:subsidies_programme_ranking", args=[obj.pk]),
            _("Ranking"),
        )

    def ranking_view(self, request, pk):
        """Weighted totals, per-criterion averages and reviewer counts (`ranking.ranking`), best
        first; `?format=csv` gives the same as the CSV action."""
        programme = get_object_or_404(Programme, pk=pk)
        if not self.has_view_permission(request, programme):
            raise PermissionDenied
        if request.GET.get("format") == "csv":
            return self.export_ranking(request, Programme.objects.filter(pk=programme.pk))
        criteria, rows = ranking(programme)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Ranking: %(programme)s") % {"programme": programme},
            "opts": self.model._meta,
            "programme": programme,
            "criteria": criteria,
            "rows": [
                (rank, row, [row.averages.get(criterion.pk) for criterion in criteria])
                for rank, row in enumerate(rows, 1)
            ],
            "csv_url": reverse("admin:subsidies_programme_ranking", args=[programme.pk])
            + "?format=csv",
        }
        return render(request, "subsidies/review_ranking.html", context)

    @admin.display(description=_("decided so far (yen)"), ordering="decided_sum")
    def decided_total(self, obj):
        return obj.decided_sum or 0

    @admin.action(description=_("Export the committee's ranking as CSV (one programme)"))
    def export_ranking(self, request, queryset):
        programmes = list(queryset[:2])
        if len(programmes) != 1:
            self.message_user(request, _("Select exactly one programme."), messages.WARNING)
            return None
        criteria, rows = ranking(programmes[0])
        header = [
            "rank",
            "number",
            "organization",
            "title",
            "status",
            "reviewers",
            "weighted_total",
            *[f"average:{criterion.name}" for criterion in criteria],
        ]

        def lines():
            for rank, row in enumerate(rows, 1):
                application = row.application
                yield [
                    rank,
                    application.number,
                    application.organization.name,
                    application.title,
                    application.get_status_display(),
                    row.reviewers,
                    f"{float(row.weighted_total):.2f}",
                    *[
                        f"{row.averages[c.pk]:.2f}" if c.pk in row.averages else ""
                        for c in criteria
                    ],
                ]

        return csv_response(f"subsidy-ranking-{programmes[0].pk}.csv", header, lines())


@admin.register(AttachmentType)
class AttachmentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "stage", "sort_order"]
    list_editable = ["sort_order"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["held_on", "organization", "programme", "topic", "held", "recorded_by"]
    list_filter = ["held", "programme"]
    actions = ["mark_held"]
    list_select_related = ["organization", "programme", "recorded_by"]
    search_fields = ["organization__name", "organization__name_kana", "topic"]
    autocomplete_fields = ["organization"]
    date_hierarchy = "held_on"
    readonly_fields = ["recorded_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Mark the selected consultations held"), permissions=["change"])
    def mark_held(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda consultation: services.consultation_mark_held(
                consultation=consultation, by=request.user
            ),
            done_message=lambda n: (
                ngettext("%(n)d consultation marked held.", "%(n)d consultations marked held.", n)
                % {"n": n}
            ),
        )


# --- applications --------------------------------------------------------------------------------


class ProgrammeFiscalYearFilter(FiscalYearListFilter):
    """The programme's 年度 (next year's programmes are set up ahead)."""

    years_back = 6
    years_ahead = 1

    def filter_year(self, queryset, year: int):
        return queryset.filter(programme__fiscal_year=year)


class DecisionActionForm(ReasonActionForm):
    amount = YenField(label=_("Amount decided (yen; empty: the amount requested)"), required=False)


class BudgetLineInline(admin.TabularInline):
    """Budget lines change only while the group could change them (draft, returned); after
    that they are the record the decision and the report rest on."""

    extra = 0

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class IncomeLineInline(BudgetLineInline):
    model = IncomeLine
    fields = ["stage", "kind", "description", "amount", "sort_order"]


class ExpenseLineInline(BudgetLineInline):
    model = ExpenseLine
    fields = ["stage", "item", "description", "amount", "eligible", "sort_order"]


class AttachmentInline(ReadOnlyInline):
    """Listed, never linked: the file is private and is downloaded through the site's
    permission-checked view, not from a media URL."""

    model = Attachment
    fields = ["type", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("type", "uploaded_by")


class ReviewAssignmentInline(ReadOnlyInline):
    model = ReviewAssignment
    fields = ["reviewer", "assigned_by", "assigned_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer", "assigned_by")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["kind", "paid_on", "amount", "recorded_by"]
    readonly_fields = fields


class StatusChangeInline(ReadOnlyInline):
    model = ApplicationStatusChange
    fields = ["at", "old_status", "new_status", "by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


def _run(modeladmin, request, queryset, call):
    """Call a service for each selected row; a refused row is reported and the others go on."""
    run_for_each(
        modeladmin,
        request,
        queryset.select_related("programme", "organization", "applicant", "category"),
        call,
        refusals=(services.TransitionError,),
        describe=lambda application: application.number or application.title,
        done_message=lambda n: (
            ngettext("%(n)d application changed.", "%(n)d applications changed.", n) % {"n": n}
        ),
    )


def _reason(request) -> str:
    return request.POST.get("reason", "")


CSV_HEADER = [
    "number",
    "fiscal_year",
    "programme",
    "category",
    "organization",
    "title",
    "status",
    "channel",
    "requested_amount",
    "decided_amount",
    "confirmed_amount",
    "submitted_at",
]


@admin.register(Application)
class ApplicationAdmin(ActionFormErrorsMixin, KeyedInChannelMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "organization",
        "programme",
        "status",
        "requested_amount",
        "decided_amount",
        "confirmed_amount",
        "submitted_at",
    ]
    list_filter = ["programme", "status", ProgrammeFiscalYearFilter, "channel"]
    list_select_related = ["programme", "organization"]
    search_fields = ["number", "title", "organization__name", "organization__name_kana"]
    autocomplete_fields = ["organization", "applicant", "partner_organizations"]
    # No date_hierarchy: the fiscal-year filter does that job without a DISTINCT over every
    # application; 50 rows a page keep the list quick to render and to read.
    list_per_page = 50
    show_full_result_count = False
    action_form = DecisionActionForm
    inlines = [
        IncomeLineInline,
        ExpenseLineInline,
        AttachmentInline,
        ReviewAssignmentInline,
        PaymentInline,
        StatusChangeInline,
    ]
    actions = [
        "submit_keyed_in",
        "accept",
        "return_for_changes",
        "start_review",
        "adopt",
        "reject",
        "grant",
        "return_report",
        "confirm_amount",
        "pay_balance",
        "close",
        "export_csv",
    ]
    fieldsets = [
        (None, {"fields": ["number", "status", "programme", "window", "category", "channel"]}),
        (_("Applicant"), {"fields": ["organization", "applicant"]}),
        (
            pgettext_lazy("project", "Plan"),
            {
                "fields": [
                    "title",
                    "purpose",
                    "content",
                    "place",
                    ("starts_on", "ends_on"),
                    "expected_effects",
                    "partner_organizations",
                    "partner_text",
                    "collaboration_form",
                    ("member_count", "youth_count"),
                    "requested_amount",
                ]
            },
        ),
        (
            _("Decision"),
            {
                "fields": [
                    "decided_amount",
                    "conditions",
                    "decision_reason",
                    "decided_at",
                    "confirmed_amount",
                    "confirmed_at",
                ]
            },
        ),
        (
            _("Completion report"),
            {"fields": ["report_summary", "report_participants", "report_effects", "reported_at"]},
        ),
        (_("Record"), {"fields": ["status_changed_at", "submitted_at", "created_at"]}),
    ]
    # Only the services set these.
    readonly_fields = [
        "number",
        "status",
        "decided_amount",
        "conditions",
        "decision_reason",
        "decided_at",
        "confirmed_amount",
        "confirmed_at",
        "report_summary",
        "report_participants",
        "report_effects",
        "reported_at",
        "status_changed_at",
        "submitted_at",
        "created_at",
    ]

    # Fixed once the application exists: who applies, to what, and how it arrived.
    FIXED_ONCE_CREATED = ["programme", "window", "channel", "organization", "applicant"]
    # The plan: staff key it in or correct it only while the group could (draft, returned).
    PLAN_FIELDS = [
        "category",
        "title",
        "purpose",
        "content",
        "place",
        "starts_on",
        "ends_on",
        "expected_effects",
        "partner_organizations",
        "partner_text",
        "collaboration_form",
        "member_count",
        "youth_count",
        "requested_amount",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += self.FIXED_ONCE_CREATED
            if not obj.is_editable:
                fields += self.PLAN_FIELDS
        return fields

    def has_delete_permission(self, request, obj=None):
        # An application ends by withdrawal or decision, which keeps its history.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        if obj.applicant_id is None:
            obj.applicant = request.user
        services.application_create(application=obj, by=request.user)

    # --- actions: each calls the service once per row ----------------------------------------

    @admin.action(
        description=_("Submit the selected drafts keyed in from paper"), permissions=["change"]
    )
    def submit_keyed_in(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_submit(application=a, by=request.user),
        )

    @admin.action(description=_("Accept the selected applications (受付)"), permissions=["change"])
    def accept(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_accept(
                application=a, by=request.user, reason=_reason(request)
            ),
        )

    @admin.action(
        description=_("Return the selected applications for changes (write the reason)"),
        permissions=["change"],
    )
    def return_for_changes(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_return(
                application=a, by=request.user, reason=_reason(request)
            ),
        )

    @admin.action(description=_("Start the review (審査中)"), permissions=["change"])
    def start_review(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_start_review(
                application=a, by=request.user, reason=_reason(request)
            ),
        )

    @admin.action(
        description=_(
            "Adopt (採択): the amount typed, or the amount requested; the reason box holds the conditions"
        ),
        permissions=["change"],
    )
    def adopt(self, request, queryset):
        # As the action form cleaned it (the action runs only when the form is valid).
        amount = self.action_value(request, DecisionActionForm, "amount")

        def call(application):
            return services.application_adopt(
                application=application,
                by=request.user,
                amount=amount or application.requested_amount,
                conditions=_reason(request),
            )

        _run(self, request, queryset, call)

    @admin.action(description=_("Do not adopt (不採択, write the reason)"), permissions=["change"])
    def reject(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_reject(
                application=a, by=request.user, reason=_reason(request)
            ),
        )

    @admin.action(description=_("Decide the grant (交付決定)"), permissions=["change"])
    def grant(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_grant(
                application=a, by=request.user, reason=_reason(request)
            ),
        )

    @admin.action(
        description=_("Return the completion report for changes (write the reason)"),
        permissions=["change"],
    )
    def return_report(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_return_report(
                application=a, by=request.user, reason=_reason(request)
            ),
        )

    @admin.action(description=_("Confirm the amount (額の確定)"), permissions=["change"])
    def confirm_amount(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_confirm_amount(application=a, by=request.user),
        )

    @admin.action(description=_("Pay the balance today (支払)"), permissions=["change"])
    def pay_balance(self, request, queryset):
        today = timezone.localdate()
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_pay(application=a, by=request.user, paid_on=today),
        )

    @admin.action(description=_("Close (完了)"), permissions=["change"])
    def close(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda a: services.application_close(
                application=a, by=request.user, reason=_reason(request)
            ),
        )

    @admin.action(description=_("Export the selected applications as CSV"))
    def export_csv(self, request, queryset):
        def rows():
            for a in queryset.select_related("programme", "organization", "category").iterator(
                chunk_size=2000
            ):
                yield [
                    a.number,
                    a.programme.fiscal_year,
                    a.programme.title,
                    a.category.name if a.category_id else "",
                    a.organization.name,
                    a.title,
                    a.get_status_display(),
                    a.get_channel_display(),
                    a.requested_amount,
                    "" if a.decided_amount is None else a.decided_amount,
                    "" if a.confirmed_amount is None else a.confirmed_amount,
                    timezone.localtime(a.submitted_at).isoformat() if a.submitted_at else "",
                ]

        return csv_response("subsidy-applications.csv", CSV_HEADER, rows())


# --- review --------------------------------------------------------------------------------------


class ReviewAssignmentForm(forms.ModelForm):
    """The service's checks (conflict of interest, state) shown next to the field."""

    class Meta:
        model = ReviewAssignment
        fields = ["application", "reviewer"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        application, reviewer = cleaned.get("application"), cleaned.get("reviewer")
        if application and reviewer and self.request is not None:
            services.check_assignment(
                application=application, reviewer=reviewer, by=self.request.user
            )
        return cleaned


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(admin.ModelAdmin):
    form = ReviewAssignmentForm
    list_display = ["application", "reviewer", "assigned_by", "assigned_at"]
    list_filter = ["application__programme"]
    list_select_related = ["application", "reviewer", "assigned_by"]
    search_fields = ["application__number", "application__title", "reviewer__email"]
    autocomplete_fields = ["application", "reviewer"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class WithRequest(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return WithRequest

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.assign_reviewer(
            application=obj.application, reviewer=obj.reviewer, by=request.user
        )
        obj.pk = saved.pk


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["assignment", "criterion", "score", "updated_at"]
    list_filter = ["assignment__application__programme"]
    list_select_related = ["assignment__application", "assignment__reviewer", "criterion"]
    search_fields = ["assignment__application__number", "assignment__application__title"]
    readonly_fields = ["assignment", "criterion", "score", "comment", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- after the decision -------------------------------------------------------------------------


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["application", "status", "new_amount", "requested_at", "decided_by"]
    list_filter = ["status", "application__programme"]
    list_select_related = ["application", "decided_by"]
    search_fields = ["application__number", "application__title"]
    readonly_fields = [
        "application",
        "description",
        "new_amount",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "response",
    ]
    action_form = ReasonActionForm
    actions = ["approve", "refuse"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, approve):
        run_for_each(
            self,
            request,
            queryset.select_related("application__applicant"),
            lambda change: services.change_request_decide(
                change_request=change, by=request.user, approve=approve, response=_reason(request)
            ),
            refusals=(services.TransitionError,),
            describe=lambda change: str(change.application),
            done_message=lambda n: (
                ngettext("%(n)d change request answered.", "%(n)d change requests answered.", n)
                % {"n": n}
            ),
        )

    @admin.action(description=_("Approve the selected change requests"), permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(
        description=_("Refuse the selected change requests (write the reason)"),
        permissions=["change"],
    )
    def refuse(self, request, queryset):
        self._decide(request, queryset, False)


class AdvancePaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["application", "paid_on", "amount"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("application") and cleaned.get("amount"):
            services.check_advance(application=cleaned["application"], amount=cleaned["amount"])
        return cleaned


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Advances (概算払) are keyed in here; the settlement is paid by the application action."""

    form = AdvancePaymentForm
    list_display = ["application", "kind", "paid_on", "amount", "recorded_by"]
    list_filter = ["kind", "application__programme"]
    list_select_related = ["application", "recorded_by"]
    search_fields = ["application__number", "application__title"]
    autocomplete_fields = ["application"]
    date_hierarchy = "paid_on"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.payment_record_advance(
            application=obj.application, by=request.user, amount=obj.amount, paid_on=obj.paid_on
        )
        obj.pk = saved.pk


@admin.register(Repayment)
class RepaymentAdmin(admin.ModelAdmin):
    list_display = ["application", "amount", "requested_on", "repaid_on"]
    list_select_related = ["application"]
    search_fields = ["application__number", "application__title"]
    readonly_fields = ["application", "amount", "requested_on", "repaid_on", "recorded_by"]
    actions = ["received_today"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Repayment received today (返還)"), permissions=["change"])
    def received_today(self, request, queryset):
        today = timezone.localdate()
        run_for_each(
            self,
            request,
            queryset.select_related("application__applicant", "application__organization"),
            lambda repayment: services.application_record_repayment(
                application=repayment.application, by=request.user, repaid_on=today
            ),
            refusals=(services.TransitionError,),
            describe=lambda repayment: str(repayment.application),
            done_message=lambda n: (
                ngettext("%(n)d repayment recorded.", "%(n)d repayments recorded.", n) % {"n": n}
            ),
        )


# --- 報告会 (appended by the public pages: the model is theirs) ------------------------------


@admin.register(ResultsMeeting)
class ResultsMeetingAdmin(admin.ModelAdmin):
    """One results meeting per 年度; its public page lists that year's adopted projects."""

    list_display = ("fiscal_year", "held_at", "place", "is_published")
    list_filter = ("is_published",)
    search_fields = ("place", "description")
    ordering = ("-fiscal_year",)
