"""Partners' requests to the city on the site: the registration's list of requests, the three
forms (rubbish pickup, supplies, equipment loan) and the cancel button. Staff handle requests in
the admin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.forms import REASON_REFUSED, posted_reason, put_refusal_on_form

from .. import services
from ..forms import EquipmentLoanForm, PickupRequestForm, SupplyRequestForm
from ..models import (
    DONE_LABELS,
    EquipmentLoan,
    PickupRequest,
    Registration,
    RequestStatus,
    SupplyItem,
    SupplyRequest,
    requests_of,
)

RS = RequestStatus

# URL word → model; the URL word of each model for links.
KINDS = {"pickup": PickupRequest, "supplies": SupplyRequest, "loan": EquipmentLoan}
KIND_OF_MODEL = {model._meta.model_name: word for word, model in KINDS.items()}
REQUEST_LIST_SIZE = 50
MYPAGE_REQUESTS = 20


def _partner_registration(request, pk):
    """A registration the signed-in person acts for (theirs, their organisation's), else 404.
    Staff key in requests that came on paper or by phone in the admin, not here."""
    return get_object_or_404(
        Registration.objects.of_user(request.user).select_related("organization", "district"),
        pk=pk,
    )


def _request_form(request, pk, *, form_class, title, template, form_kwargs=None, lines=None):
    registration = _partner_registration(request, pk)
    form_kwargs = form_kwargs or {}
    if form_class is PickupRequestForm and request.method != "POST":
        form_kwargs.setdefault("initial", {"district": registration.district_id})
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(request, "partners.request"):
            form.add_error(None, ratelimit.LIMITED)
            return _render_request_form(request, registration, form, title, template)
        obj = form.save(commit=False)
        obj.registration = registration
        try:
            services.request_create(
                request=obj, lines=form.lines() if lines else (), by=request.user
            )
        except ValidationError as error:
            put_refusal_on_form(form, error)
        except PermissionDenied:
            form.add_error(None, _("You cannot make requests for this registration."))
        else:
            messages.success(request, _("Your request was sent to the city."))
            return redirect("partners:request_list", pk=registration.pk)
    return _render_request_form(request, registration, form, title, template)


def _render_request_form(request, registration, form, title, template):
    return render(
        request,
        template,
        {
            "registration": registration,
            "form": form,
            "title": title,
            "can_request": registration.status == Registration.Status.REGISTERED,
        },
    )


@never_cache
@login_required
def pickup_new(request, pk):
    return _request_form(
        request,
        pk,
        form_class=PickupRequestForm,
        title=_("Ask for a rubbish pickup"),
        template="partners/request_form.html",
    )


@never_cache
@login_required
def supplies_new(request, pk):
    return _request_form(
        request,
        pk,
        form_class=SupplyRequestForm,
        form_kwargs={"items": SupplyItem.objects.filter(is_active=True)},
        lines=True,
        title=_("Ask for supplies"),
        template="partners/request_form.html",
    )


@never_cache
@login_required
def loan_new(request, pk):
    return _request_form(
        request,
        pk,
        form_class=EquipmentLoanForm,
        title=_("Borrow equipment"),
        template="partners/request_form.html",
    )


def with_labels(rows):
    for row in rows:
        row["kind_label"] = KINDS[KIND_OF_MODEL[row["kind"]]]._meta.verbose_name
        row["kind_word"] = KIND_OF_MODEL[row["kind"]]
        row["status_label"] = (
            DONE_LABELS[row["kind"]] if row["status"] == RS.DONE else RS(row["status"]).label
        )
        row["cancellable"] = row["status"] == RS.REQUESTED
    return rows


@never_cache
@login_required
def request_list(request, pk):
    """The registration's requests with their states, newest first, and the three forms."""
    registration = _partner_registration(request, pk)
    rows = with_labels(
        list(requests_of(Registration.objects.filter(pk=registration.pk))[:REQUEST_LIST_SIZE])
    )
    return render(
        request,
        "partners/request_list.html",
        {
            "registration": registration,
            "rows": rows,
            "can_request": registration.status == Registration.Status.REGISTERED,
        },
    )


@require_POST
@login_required
def request_cancel_view(request, pk, kind, request_pk):
    registration = _partner_registration(request, pk)
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=request_pk, registration=registration)
    obj.registration = registration
    reason = posted_reason(request)
    if reason is None:
        messages.error(request, REASON_REFUSED)
        return redirect("partners:request_list", pk=registration.pk)
    try:
        services.request_cancel(request=obj, by=request.user, reason=reason)
    except (services.TransitionError, PermissionDenied) as error:
        messages.error(request, str(error) or _("You cannot cancel this request."))
    else:
        messages.success(request, _("The request is cancelled."))
    return redirect("partners:request_list", pk=registration.pk)
