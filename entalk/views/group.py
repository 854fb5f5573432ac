"""The group's pages of enとーく, signed in: the request form (入力 → 確認 → 完了), the group's
requests, one request with its history, the answer to a proposed date, the cancellation, the
受付票 and the group's private iCal feed.

A request is seen by who may act for it (`permissions.can_act_for`: who made it, or a 代表者・
担当者 of its organisation) and by the enとーく staff; anyone else gets 404. Every refusal of
the services comes back next to the field it concerns, with everything typed kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.confirm import confirm_flow
from muroran_kyodo.lib.forms import put_refusal_on_form
from muroran_kyodo.lib.printing import render_receipt
from muroran_kyodo.lib.workflow import TransitionError

from .. import receipts, services
from ..forms import ReasonRequiredForm, RequestForm, slot_field
from ..models import SLOTS_PER_REQUEST, CalendarFeed, Request, RequestStatusChange
from ..permissions import can_act_for, can_view_request, requests_of

FORM_TEMPLATE = "entalk/request_form.html"
BUSY_DAYS = 120


def _rules_context(now: dt.datetime) -> dict[str, Any]:
    """The rules shown on top of the form and the mayor's unavailable times (no reasons)."""
    the_rules = services.rules()
    earliest = the_rules.earliest_start(now)
    return {
        "rules": the_rules,
        "earliest": earliest,
        "busy": services.busy_between(earliest, earliest + dt.timedelta(days=BUSY_DAYS)),
        "busy_until": earliest + dt.timedelta(days=BUSY_DAYS),
    }


def _refusal_by_form_field(error: ValidationError) -> ValidationError:
    """A service refusal of `slot_2` shown next to the form's slot 2 date; the rest as is."""
    if not hasattr(error, "error_dict"):
        return error
    renamed = {}
    for field, errors in error.error_dict.items():
        for n in range(1, SLOTS_PER_REQUEST + 1):
            if field == f"slot_{n}":
                field = slot_field(n)
        renamed[field] = errors
    return ValidationError(renamed)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    form = RequestForm(
        request.POST or None,
        user=request.user,
        initial=RequestForm.initial_from_profile(request.user),
    )
    context = _rules_context(timezone.now())

    def form_again(form: RequestForm) -> HttpResponse:
        return render(request, FORM_TEMPLATE, {**context, "form": form, "step": "input"})

    def on_submit(form: RequestForm) -> HttpResponse:
        fields = form.request_fields()
        if not ratelimit.hit(request, "entalk.request", email=fields["email"]):
            form.add_error(None, ratelimit.LIMITED)
            return form_again(form)
        try:
            created = services.request_create(by=request.user, **fields)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError):
                error = _refusal_by_form_field(error)
            put_refusal_on_form(form, error)
            return form_again(form)
        messages.success(
            request,
            _(
                "Your request has been received. Your receipt number is %(number)s. The city "
                "will write to you by e-mail."
            )
            % {"number": created.number},
        )
        return redirect("entalk:request_detail", pk=created.pk)

    return confirm_flow(
        request,
        form,
        template=FORM_TEMPLATE,
        confirm_template="entalk/request_confirm.html",
        on_submit=on_submit,
        context=context,
    )


@never_cache
@login_required
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    """The requests the user acts for, newest first. One query."""
    requests = list(
        requests_of(request.user, Request.objects.select_related("venue_district")).order_by(
            "-received_at", "-pk"
        )
    )
    return render(request, "entalk/request_list.html", {"requests": requests})


def _viewable(request: HttpRequest, pk: int) -> Request:
    """The request with what its page shows, for who may see it; anyone else 404."""
    history = RequestStatusChange.objects.order_by("at", "pk")
    item = get_object_or_404(
        Request.objects.select_related("venue_district", "organization").prefetch_related(
            "slots", "themes", Prefetch("status_changes", queryset=history)
        ),
        pk=pk,
    )
    if not can_view_request(request.user, item):
        raise Http404
    return item


def _acted_on(request: HttpRequest, pk: int) -> Request:
    """The request for the group's actions: who may act for it; anyone else (staff included:
    they answer in the admin) 404."""
    item = get_object_or_404(Request.objects.select_related("organization"), pk=pk)
    if not can_act_for(request.user, item):
        raise Http404
    return item


def _calendar_url(request: HttpRequest) -> str:
    """The person's own feed address, if they have made one (a GET never makes one)."""
    token = CalendarFeed.objects.filter(user=request.user).values_list("token", flat=True).first()
    if token is None:
        return ""
    return request.build_absolute_uri(reverse("entalk:group_calendar_ics", args=[token]))


@login_required
@require_POST
def calendar_feed_new(request: HttpRequest) -> HttpResponse:
    """Make the person's calendar address, or replace it (the old one stops working). Back to
    the request it was asked from, when that is one of the person's."""
    if not ratelimit.hit(request, "entalk.answer"):
        messages.error(request, str(ratelimit.LIMITED))
    else:
        services.calendar_feed_renew(user=request.user)
        messages.success(
            request,
            _("Your calendar address is ready. An address given out before no longer works."),
        )
    posted = str(request.POST.get("request", ""))
    # An id at most: a 100,000-digit "number" is none (int() refuses it with a ValueError).
    pk = int(posted) if posted.isascii() and posted.isdigit() and len(posted) <= 18 else None
    item = requests_of(request.user, Request.objects.all()).filter(pk=pk).first() if pk else None
    return redirect(
        reverse("entalk:request_detail", args=[item.pk]) if item else reverse("entalk:request_list")
    )


def _detail(
    request: HttpRequest, item: Request, *, decline_form: ReasonRequiredForm | None = None
) -> HttpResponse:
    acts = can_act_for(request.user, item)
    return render(
        request,
        "entalk/request_detail.html",
        {
            "item": item,
            "acts": acts,
            "may_answer": acts and item.status == Request.Status.PROPOSED,
            "may_cancel": acts and item.is_open,
            "decline_form": decline_form or ReasonRequiredForm(auto_id="decline_%s"),
            "public": item.status in Request.HELD_STATES,
            "calendar_url": _calendar_url(request) if acts else "",
            "calendar_form": acts,
        },
    )


@never_cache
@login_required
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _viewable(request, pk))


@never_cache
@login_required
@require_POST
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's answer to a proposed date: accept it, or decline it with a reason."""
    item = _acted_on(request, pk)
    action = request.POST.get("action")
    decline_form = ReasonRequiredForm(
        request.POST if action == "decline" else None, auto_id="decline_%s"
    )
    if action not in ("accept", "decline"):
        messages.error(request, _("Choose whether to accept or decline the proposed date."))
        return redirect("entalk:request_detail", pk=item.pk)
    if action == "decline" and not decline_form.is_valid():
        return _detail(request, _viewable(request, pk), decline_form=decline_form)
    if not ratelimit.hit(request, "entalk.answer"):
        if action == "decline":
            decline_form.add_error(None, ratelimit.LIMITED)
            return _detail(request, _viewable(request, pk), decline_form=decline_form)
        messages.error(request, ratelimit.LIMITED)
        return redirect("entalk:request_detail", pk=item.pk)
    try:
        if action == "accept":
            services.proposal_accept(request=item, by=request.user)
            messages.success(
                request, _("You accepted the proposed date: the session is confirmed.")
            )
        else:
            services.proposal_decline(
                request=item, by=request.user, reason=decline_form.cleaned_data["reason"]
            )
            messages.success(
                request,
                _("You declined the proposed date. The city will look for another one."),
            )
    except (TransitionError, ValidationError, PermissionDenied) as error:
        if action == "decline":
            put_refusal_on_form(decline_form, error)
            return _detail(request, _viewable(request, pk), decline_form=decline_form)
        for message in getattr(error, "messages", None) or [
            str(error) or _("You may not do this.")
        ]:
            messages.error(request, message)
    return redirect("entalk:request_detail", pk=item.pk)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The group withdraws its request, with a reason; the mayor's time is freed."""
    item = _acted_on(request, pk)
    form = ReasonRequiredForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(request, "entalk.answer"):
            form.add_error(None, ratelimit.LIMITED)
        else:
            try:
                services.request_cancel(
                    request=item, by=request.user, reason=form.cleaned_data["reason"]
                )
            except (TransitionError, ValidationError, PermissionDenied) as error:
                put_refusal_on_form(form, error)
            else:
                messages.success(
                    request,
                    _("Your request %(number)s has been cancelled.") % {"number": item.number},
                )
                return redirect("entalk:request_detail", pk=item.pk)
    return render(request, "entalk/request_cancel.html", {"item": item, "form": form})


@never_cache
@login_required
@require_safe
def request_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    item = _viewable(request, pk)
    return render_receipt(
        request,
        receipts.request_receipt(item),
        template="entalk/request_receipt.html",
        context={"item": item},
    )


urlpatterns = [
    path("entalk/request/", request_new, name="request_new"),
    path("entalk/requests/", request_list, name="request_list"),
    path("entalk/requests/<int:pk>/", request_detail, name="request_detail"),
    path("entalk/requests/<int:pk>/answer/", request_answer, name="request_answer"),
    path("entalk/requests/<int:pk>/cancel/", request_cancel, name="request_cancel"),
    path("entalk/requests/<int:pk>/receipt/", request_receipt, name="request_receipt"),
    path("entalk/calendar/new/", calendar_feed_new, name="calendar_feed_new"),
]
