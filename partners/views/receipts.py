"""受付票 to print (muroran_kyodo/lib/printing.py): of a registration, an activity report and a
request. The partner who may act for the registration sees them, and the city's staff: the
programme's (地域生活課) for everything, a department's for the requests routed to it. Anyone
else gets 404, so an id reveals nothing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from muroran_kyodo.lib.printing import render_receipt

from .. import receipts
from ..models import ActivityReport, Registration, Signup, SupplyRequest
from ..permissions import can_act_for, can_act_or_staff, can_handle, is_partner_staff
from .requests import KINDS


@never_cache
@require_safe
@login_required
def registration_receipt(request, pk):
    """Like own_registration (views/registrations.py), with what the slip lists."""
    queryset = Registration.objects.select_related(
        "district", "organization", "created_by"
    ).prefetch_related("places__district", "activity_kinds")
    if not is_partner_staff(request.user):
        queryset = queryset.of_user(request.user)
    registration = get_object_or_404(queryset, pk=pk)
    return render_receipt(request, receipts.registration_receipt(registration))


@never_cache
@require_safe
@login_required
def report_receipt(request, report_pk):
    report = get_object_or_404(
        ActivityReport.objects.select_related(
            "registration__organization", "place__district", "created_by"
        ),
        pk=report_pk,
    )
    if not can_act_or_staff(request.user, report.registration):
        raise Http404
    return render_receipt(request, receipts.report_receipt(report))


@never_cache
@require_safe
@login_required
def request_receipt(request, kind, request_pk):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    queryset = model.objects.select_related("registration__organization", "created_by")
    if model is SupplyRequest:
        queryset = queryset.prefetch_related("lines__item")
    else:
        queryset = queryset.select_related("district" if kind == "pickup" else "equipment")
    obj = get_object_or_404(queryset, pk=request_pk)
    user = request.user
    partner = can_act_for(user, obj.registration)
    if not (partner or is_partner_staff(user) or can_handle(user, obj)):
        raise Http404
    if partner:
        back_url = reverse("partners:request_list", args=[obj.registration_id])
    else:
        back_url = reverse(f"admin:partners_{model._meta.model_name}_change", args=[obj.pk])
    return render_receipt(request, receipts.request_receipt(obj, back_url=back_url))


@never_cache
@require_safe
@login_required
def signup_receipt(request, pk):
    """A shift sign-up: the partner who acts for the registration, and programme staff."""
    signup = get_object_or_404(
        Signup.objects.select_related(
            "shift__opportunity", "registration__organization", "created_by"
        ),
        pk=pk,
    )
    if not can_act_or_staff(request.user, signup.registration):
        raise Http404
    return render_receipt(request, receipts.signup_receipt(signup))
