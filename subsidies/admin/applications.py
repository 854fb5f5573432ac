"""Staff key in paper applications, correct a draft, and run the application's workflow in
bulk: each action calls the named transition once per selected row (`transition_action`); a
change writes only the fields the form changed, never the status."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from muroran_kyodo.lib import scanning
from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    FiscalYearListFilter,
    KeyedInChannelMixin,
    ServiceSaveMixin,
    transition_action,
)
from muroran_kyodo.lib.admin_display import short_date, short_text, yen
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.csvexport import csv_response
from muroran_kyodo.lib.printing import PrintablesAdminMixin
from muroran_kyodo.lib.streaming import rows_of

from .. import services
from ..forms import PLAN_FIELDS as PLAN_FORM_FIELDS
from ..forms import DecisionActionForm
from ..models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    ExpenseLine,
    IncomeLine,
    Payment,
    Repayment,
    ReviewAssignment,
)
from .base import HistoryInline, ReadOnlyInline, short_programme


class ProgrammeFiscalYearFilter(FiscalYearListFilter):
    """The programme's 年度 (next year's programmes are set up ahead)."""

    years_back = 6
    years_ahead = 1

    def filter_year(self, queryset, year: int):
        return queryset.filter(programme__fiscal_year=year)


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
    fields = [
        "type",
        "original_name",
        "content_type",
        "size",
        "virus_check",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("virus check"))
    def virus_check(self, obj):
        return scanning.state_label(obj.file)

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


class RepaymentInline(ReadOnlyInline):
    model = Repayment
    fields = ["kind", "amount", "requested_on", "due_on", "repaid_on", "recorded_by"]
    readonly_fields = fields


class StatusChangeInline(HistoryInline):
    model = ApplicationStatusChange


def _describe(application) -> str:
    return application.number or application.title


def _changed(n: int) -> str:
    return ngettext("%(n)d application changed.", "%(n)d applications changed.", n) % {"n": n}


def _transition(service, description, *, with_reason=True, **kwargs):
    """An action calling `service` once per selected application (see transition_action)."""
    return transition_action(
        service,
        subject="application",
        description=description,
        describe=_describe,
        with_reason=with_reason,
        select_related=("programme", "organization", "applicant", "category"),
        done_message=_changed,
        **kwargs,
    )


def _adopt_typed_or_requested(*, application, by, reason, amount):
    """採択 with the amount typed in the action bar, or the amount requested; the reason box
    holds the conditions."""
    return services.application_adopt(
        application=application,
        by=by,
        amount=amount or application.requested_amount,
        conditions=reason,
    )


def _amount(modeladmin, request) -> dict:
    # As the action form cleaned it (the action runs only when the form is valid).
    return {"amount": ActionFormErrorsMixin.action_value(request, DecisionActionForm, "amount")}


def _today(modeladmin, request) -> dict:
    return {"paid_on": timezone.localdate()}


def _repayment(modeladmin, request) -> dict:
    """取消 / 中止・廃止: the repayment and its due date typed in the action bar."""
    value = ActionFormErrorsMixin.action_value
    return {
        "repayment_amount": value(request, DecisionActionForm, "repayment_amount") or 0,
        "repayment_due_on": value(request, DecisionActionForm, "repayment_due_on"),
    }


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
class ApplicationAdmin(
    EstimatedCountAdminMixin,
    PrintablesAdminMixin,
    ServiceSaveMixin,
    ActionFormErrorsMixin,
    KeyedInChannelMixin,
    admin.ModelAdmin,
):
    def printables(self, request, obj):
        links = []
        if obj.number:
            links.append(
                (_("Receipt slip"), reverse("subsidies:application_receipt", args=[obj.pk]))
            )
        if obj.reported_at:
            links.append(
                (
                    _("Receipt slip of the completion report"),
                    reverse("subsidies:report_receipt", args=[obj.pk]),
                )
            )
        return links

    # Short columns, the status second: the list fits 1280 px with its state on screen.
    list_display = [
        "number",
        "status",
        short_text("title", pgettext_lazy("changelist column", "title"), length=9),
        short_text("organization", _("organisation"), length=8, ordering="organization__name"),
        short_programme,
        yen("requested_amount", pgettext_lazy("changelist column", "requested")),
        yen("decided_amount", pgettext_lazy("changelist column", "decided")),
        yen("confirmed_amount", pgettext_lazy("changelist column", "confirmed")),
        short_date("submitted_at", pgettext_lazy("changelist column", "submitted")),
    ]
    list_filter = ["programme", "status", ProgrammeFiscalYearFilter, "channel"]
    list_select_related = ["programme", "organization"]
    # The long texts the list never shows, left out of its query (lib.admin_lists).
    list_defer = (
        "purpose",
        "content",
        "expected_effects",
        "conditions",
        "decision_reason",
        "report_summary",
        "report_effects",
        "programme__description",
        "programme__theme",
        "organization__description",
    )
    search_fields = ["number", "title", "organization__name", "organization__name_kana"]
    autocomplete_fields = ["organization", "applicant", "partner_organizations", "consultation"]
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
        RepaymentInline,
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
        "approve_stop",
        "refuse_stop",
        "cancel_grant",
        "export_csv",
    ]
    fieldsets = [
        (None, {"fields": ["number", "status", "programme", "window", "category", "channel"]}),
        (_("Applicant"), {"fields": ["organization", "applicant"]}),
        (
            _("Prior consultation and declarations"),
            {
                "fields": [
                    "consultation",
                    "declares_not_subsidised_before",
                    "declares_not_political_or_religious",
                    "declares_not_for_profit",
                    "declares_no_other_subsidy",
                    "declared_at",
                ],
                "description": _(
                    "Keying in a paper application: choose the consultation held and tick the "
                    "declarations the group signed. A web submission records both itself."
                ),
            },
        ),
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
                    "kept_amount",
                    "ended_at",
                ]
            },
        ),
        (
            _("Completion report"),
            {"fields": ["report_summary", "report_participants", "report_effects", "reported_at"]},
        ),
        (
            _("Record"),
            {"fields": ["status_changed_at", "submitted_at", "created_at", "anonymised_at"]},
        ),
    ]
    # Only the services set these.
    readonly_fields = [
        "number",
        "status",
        # Always 補助 (set by application_create): not a choice.
        "collaboration_form",
        "declared_at",
        "kept_amount",
        "ended_at",
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
        "anonymised_at",
    ]

    # Fixed once the application exists: who applies, to what, and how it arrived.
    FIXED_ONCE_CREATED = ["programme", "window", "channel", "organization", "applicant"]
    # The plan: staff key it in or correct it only while the group could (draft, returned).
    PLAN_FIELDS = [
        *PLAN_FORM_FIELDS,
        "consultation",
        "declares_not_subsidised_before",
        "declares_not_political_or_religious",
        "declares_not_for_profit",
        "declares_no_other_subsidy",
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

    def create_with_service(self, request, obj, form):
        if obj.applicant_id is None:
            obj.applicant = request.user
        services.application_create(application=obj, by=request.user)

    # --- actions: each calls the named transition once per row -------------------------------

    submit_keyed_in = _transition(
        services.application_submit,
        _("Submit the selected drafts keyed in from paper"),
        with_reason=False,
        name="submit_keyed_in",
    )
    accept = _transition(
        services.application_accept, _("Accept the selected applications (受付)"), name="accept"
    )
    return_for_changes = _transition(
        services.application_return,
        _("Return the selected applications for changes (write the reason)"),
        name="return_for_changes",
    )
    start_review = _transition(
        services.application_start_review, _("Start the review (審査中)"), name="start_review"
    )
    adopt = _transition(
        _adopt_typed_or_requested,
        _(
            "Adopt (採択): the amount typed, or the amount requested; the reason box holds the conditions"
        ),
        arguments=_amount,
        name="adopt",
    )
    reject = _transition(
        services.application_reject, _("Do not adopt (不採択, write the reason)"), name="reject"
    )
    grant = _transition(services.application_grant, _("Decide the grant (交付決定)"), name="grant")
    return_report = _transition(
        services.application_return_report,
        _("Return the completion report for changes (write the reason)"),
        name="return_report",
    )
    confirm_amount = _transition(
        services.application_confirm_amount,
        _("Confirm the amount (額の確定)"),
        with_reason=False,
        name="confirm_amount",
    )
    pay_balance = _transition(
        services.application_pay,
        _("Pay the balance today (支払)"),
        with_reason=False,
        arguments=_today,
        name="pay_balance",
    )
    close = _transition(services.application_close, _("Close (完了)"), name="close")
    approve_stop = _transition(
        services.application_approve_stop,
        _("Approve stopping the project (中止・廃止承認; repayment and due date if paid)"),
        arguments=_repayment,
        name="approve_stop",
    )
    refuse_stop = _transition(
        services.application_refuse_stop,
        _("Refuse stopping the project (write the reason)"),
        name="refuse_stop",
    )
    cancel_grant = _transition(
        services.application_cancel_grant,
        _("Cancel the grant decision (交付決定の取消: reason; repayment and due date if paid)"),
        arguments=_repayment,
        name="cancel_grant",
    )

    @admin.action(description=_("Export the selected applications as CSV"))
    def export_csv(self, request, queryset):
        def rows():
            for a in rows_of(queryset.select_related("programme", "organization", "category")):
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
