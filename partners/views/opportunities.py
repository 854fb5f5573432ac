"""まごころ and まかせて opportunities on the site: the open ones, one with its shifts and places,
and the sign-up and cancel buttons. Staff post opportunities and record attendance in the
admin."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.pagecache import public_page

from .. import services
from ..models import Opportunity, Registration, Shift, Signup
from ..permissions import is_partner_staff

SS = Signup.Status
PAGE_SIZE = 20


def shifts_with_places(opportunity):
    """The opportunity's shifts with confirmed and waiting counts. One query."""
    return list(
        opportunity.shifts.annotate(
            confirmed=Count("signups", filter=Q(signups__status=SS.CONFIRMED)),
            waiting=Count("signups", filter=Q(signups__status=SS.WAITING)),
        ).order_by("starts_at", "pk")
    )


def eligible_registrations(user, programme):
    """Registrations the user acts for that may sign up for this programme."""
    return list(
        Registration.objects.of_user(user)
        .active()
        .filter(programme=programme)
        .select_related("organization")
        .order_by("pk")
    )


@public_page
def opportunity_list(request):
    """Open opportunities, soonest deadline first. Two queries (count, page)."""
    opportunities = (
        Opportunity.objects.open()
        .annotate(first_shift=Min("shifts__starts_at"), last_shift=Max("shifts__ends_at"))
        .order_by("signup_deadline", "pk")
    )
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/opportunity_list.html", {"page": page})


@public_page
def opportunity_detail(request, pk):
    opportunity = get_object_or_404(Opportunity.objects.published(), pk=pk)
    shifts = shifts_with_places(opportunity)
    registrations, mine = [], {}
    if request.user.is_authenticated:
        registrations = eligible_registrations(request.user, opportunity.programme)
        for signup in (
            Signup.objects.filter(
                shift__opportunity=opportunity,
                registration__in=Registration.objects.of_user(request.user).values("pk"),
            )
            .exclude(status=SS.CANCELLED)
            .select_related("registration__organization")
        ):
            mine.setdefault(signup.shift_id, []).append(signup)
    for shift in shifts:
        shift.free = max(shift.slots - shift.confirmed, 0)
        shift.my_signups = mine.get(shift.pk, [])
        # Only registrations not already on this shift are offered a sign-up.
        on_it = {signup.registration_id for signup in shift.my_signups}
        shift.can_sign_up = [r for r in registrations if r.pk not in on_it]
    return render(
        request,
        "partners/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "shifts": shifts,
            "registrations": registrations,
            "is_open": opportunity.is_open,
        },
    )


@require_POST
@login_required
def signup(request, pk):
    shift = get_object_or_404(Shift.objects.select_related("opportunity"), pk=pk)
    registrations = Registration.objects.of_user(request.user)
    chosen = request.POST.get("registration", "")
    if chosen:
        if not re.fullmatch(r"[0-9]{1,18}", chosen):
            raise Http404
        registration = get_object_or_404(registrations, pk=int(chosen))
    else:
        registration = registrations.active().filter(programme=shift.opportunity.programme).first()
        if registration is None:
            messages.error(
                request,
                _("Only partners registered in this programme can sign up. Register first."),
            )
            return redirect("partners:opportunity_detail", pk=shift.opportunity_id)
    if not ratelimit.hit(request, "partners.signup"):
        messages.error(request, ratelimit.LIMITED)
        return redirect("partners:opportunity_detail", pk=shift.opportunity_id)
    try:
        result = services.signup_create(
            shift=shift,
            registration=registration,
            by=request.user,
            wait=request.POST.get("wait") == "1",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        raise Http404 from error
    else:
        if result.status == SS.CONFIRMED:
            messages.success(request, _("You are signed up for this shift."))
        else:
            messages.success(
                request,
                _("You are on the waiting list. We will e-mail you if a place becomes free."),
            )
    return redirect("partners:opportunity_detail", pk=shift.opportunity_id)


@require_POST
@login_required
def signup_cancel_view(request, pk):
    queryset = Signup.objects.select_related("shift__opportunity", "registration")
    staff = is_partner_staff(request.user)
    if not staff:
        # Someone else's sign-up is a 404, not a 403: its id tells nothing.
        queryset = queryset.filter(
            registration__in=Registration.objects.of_user(request.user).values("pk")
        )
    signup_obj = get_object_or_404(queryset, pk=pk)
    # Staff cancelling for the city (a shift called off) are not counted.
    if not staff and not ratelimit.hit(request, "partners.signup_cancel"):
        messages.error(request, ratelimit.LIMITED)
        return redirect("partners:opportunity_detail", pk=signup_obj.shift.opportunity_id)
    try:
        services.signup_cancel(signup=signup_obj, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("partners:opportunity_detail", pk=signup_obj.shift.opportunity_id)
