"""Documents to print after muroran_kyodo/lib/printing.py's pattern: the 受付票 of an
application, a change request, the completion report and a prior consultation, and the
変更承認通知書 of an approved change request. The group's members and the subsidy staff see
them; anyone else — reviewers too — gets 404 (as the notices in followup.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from muroran_kyodo.lib.printing import render_receipt
from organizations.permissions import is_member

from .. import receipts
from ..models import Application, ChangeRequest, Consultation
from ..permissions import can_act_for, can_view_consultation, is_subsidy_staff
from .followup import _notice_context


def _group_or_staff(user, application: Application) -> bool:
    return is_subsidy_staff(user) or can_act_for(user, application)


def _application(request, pk) -> Application:
    application = get_object_or_404(
        Application.objects.visible_to(request.user)
        .select_related("programme", "organization", "category", "applicant")
        .prefetch_related("attachments__type"),
        pk=pk,
    )
    if not _group_or_staff(request.user, application):
        raise Http404
    return application


def _change_request(request, pk) -> ChangeRequest:
    change_request = get_object_or_404(
        ChangeRequest.objects.select_related(
            "application__programme", "application__organization", "requested_by"
        ),
        pk=pk,
    )
    application = change_request.application
    visible = Application.objects.visible_to(request.user).filter(pk=application.pk).exists()
    if not (visible and _group_or_staff(request.user, application)):
        raise Http404
    return change_request


@never_cache
@require_safe
@login_required
def application_receipt(request, pk):
    """受付票 of a submitted application (it has its number once submitted)."""
    application = _application(request, pk)
    if not application.number:
        raise Http404
    return render_receipt(request, receipts.application_receipt(application))


@never_cache
@require_safe
@login_required
def report_receipt(request, pk):
    """受付票 of the completion report, once filed."""
    application = _application(request, pk)
    if application.reported_at is None:
        raise Http404
    back_url = reverse("subsidies:report", args=[application.pk])
    return render_receipt(request, receipts.report_receipt(application, back_url=back_url))


@never_cache
@require_safe
@login_required
def change_receipt(request, pk):
    """受付票 of a change request (変更承認申請)."""
    change_request = _change_request(request, pk)
    back_url = reverse("subsidies:change_request", args=[change_request.application_id])
    return render_receipt(request, receipts.change_receipt(change_request, back_url=back_url))


@never_cache
@require_safe
@login_required
def consultation_receipt(request, pk):
    """受付票 of a prior consultation (事前相談): the organisation's members and subsidy staff."""
    consultation = get_object_or_404(
        Consultation.objects.select_related("organization", "programme", "recorded_by"), pk=pk
    )
    if not can_view_consultation(request.user, consultation):
        raise Http404
    if is_member(request.user, consultation.organization):
        back_url = reverse("subsidies:application_list")
        back_label = _("Back to our subsidy applications")
    else:
        back_url = reverse("admin:subsidies_consultation_change", args=[consultation.pk])
        back_label = _("Back to the consultation")
    return render_receipt(
        request,
        receipts.consultation_receipt(consultation, back_url=back_url, back_label=back_label),
    )


def _amount_before(change_request: ChangeRequest) -> int | None:
    """The grant before this change: kept on the request when it was approved (since
    `previous_amount` exists); for older requests, when the records say it: the amount of the
    last approved change of amount before it, or — when none came before or after — the amount
    decided now. None when only the original decision knew it."""
    if change_request.previous_amount is not None:
        return change_request.previous_amount
    application = change_request.application
    approved = list(
        ChangeRequest.objects.filter(
            application=application,
            status=ChangeRequest.Status.APPROVED,
            new_amount__isnull=False,
        )
        .exclude(pk=change_request.pk)
        .order_by("decided_at", "pk")
        .values_list("decided_at", "new_amount")
    )
    earlier = [amount for at, amount in approved if at and at < change_request.decided_at]
    if earlier:
        return earlier[-1]
    if not approved and change_request.new_amount is None:
        return application.decided_amount
    return None


@never_cache
@require_safe
@login_required
def change_notice(request, pk):
    """変更承認通知書: once the city approved the change request; 404 before and if refused."""
    change_request = _change_request(request, pk)
    if change_request.status != ChangeRequest.Status.APPROVED or not change_request.decided_at:
        raise Http404
    application = change_request.application
    context = _notice_context(application, change_request.decided_at)
    context.update(
        {
            "change_request": change_request,
            "document_title": _("Notice of approval of the change"),
            "document_number": receipts.change_number(change_request),
            "amount_before": _amount_before(change_request),
            "back_url": reverse("subsidies:change_request", args=[application.pk]),
            "back_label": _("Back to the change requests"),
        }
    )
    return render(request, "subsidies/notice_change.html", context)


urlpatterns = [
    path(
        "subsidies/applications/<int:pk>/receipt/",
        application_receipt,
        name="application_receipt",
    ),
    path(
        "subsidies/applications/<int:pk>/report/receipt/",
        report_receipt,
        name="report_receipt",
    ),
    path("subsidies/changes/<int:pk>/receipt/", change_receipt, name="change_receipt"),
    path(
        "subsidies/consultations/<int:pk>/receipt/",
        consultation_receipt,
        name="consultation_receipt",
    ),
    path("subsidies/changes/<int:pk>/notice/", change_notice, name="change_notice"),
]
