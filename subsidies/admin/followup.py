"""After the decision: staff answer change requests, key in advances (概算払) and record
repayments, each through its service."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from muroran_kyodo.lib.admin_actions import (
    ActionFormErrorsMixin,
    ReasonActionForm,
    ServiceRefusalsOnTheFormMixin,
    ServiceSaveMixin,
    transition_action,
)
from muroran_kyodo.lib.printing import PrintablesAdminMixin

from .. import services
from ..forms import AdvancePaymentForm
from ..models import ChangeRequest, ChangeRequestStatusChange, Payment, Repayment
from .base import HistoryInline, KeptRecordMixin


def _describe(row) -> str:
    return str(row.application)


def _answered(n: int) -> str:
    return ngettext("%(n)d change request answered.", "%(n)d change requests answered.", n) % {
        "n": n
    }


class ChangeRequestHistoryInline(HistoryInline):
    model = ChangeRequestStatusChange


@admin.register(ChangeRequest)
class ChangeRequestAdmin(
    PrintablesAdminMixin,
    KeptRecordMixin,
    ServiceSaveMixin,
    ActionFormErrorsMixin,
    admin.ModelAdmin,
):
    def printables(self, request, obj):
        links = [(_("Receipt slip"), reverse("subsidies:change_receipt", args=[obj.pk]))]
        if obj.status == ChangeRequest.Status.APPROVED:
            links.append(
                (
                    _("Notice of approval of the change"),
                    reverse("subsidies:change_notice", args=[obj.pk]),
                )
            )
        return links

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
    inlines = [ChangeRequestHistoryInline]
    # Only the workflow writes the answer.
    state_fields = ("status", "decided_by", "decided_at", "response")

    approve = transition_action(
        services.change_request_approve,
        subject="change_request",
        description=_("Approve the selected change requests"),
        describe=_describe,
        with_reason=True,
        select_related=("application__applicant",),
        done_message=_answered,
        name="approve",
    )
    refuse = transition_action(
        services.change_request_refuse,
        subject="change_request",
        description=_("Refuse the selected change requests (write the reason)"),
        describe=_describe,
        with_reason=True,
        select_related=("application__applicant",),
        done_message=_answered,
        name="refuse",
    )

    def create_with_service(self, request, obj, form):
        raise PermissionDenied  # change requests are made by the group (no add permission)


@admin.register(Payment)
class PaymentAdmin(ServiceRefusalsOnTheFormMixin, admin.ModelAdmin):
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
        try:
            saved = services.payment_record_advance(
                application=obj.application,
                by=request.user,
                amount=obj.amount,
                paid_on=obj.paid_on,
            )
        except ValidationError as error:
            self.refused(error)
        obj.pk = saved.pk


@admin.register(Repayment)
class RepaymentAdmin(KeptRecordMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ["application", "amount", "requested_on", "repaid_on"]
    list_select_related = ["application"]
    search_fields = ["application__number", "application__title"]
    readonly_fields = ["application", "amount", "requested_on", "repaid_on", "recorded_by"]
    actions = ["received_today"]
    state_fields = ("repaid_on", "recorded_by")

    received_today = transition_action(
        services.repayment_received,
        subject="repayment",
        description=_("Repayment received today (返還)"),
        describe=_describe,
        arguments=lambda modeladmin, request: {"repaid_on": timezone.localdate()},
        select_related=("application__applicant", "application__organization"),
        done_message=lambda n: (
            ngettext("%(n)d repayment recorded.", "%(n)d repayments recorded.", n) % {"n": n}
        ),
        name="received_today",
    )
