"""まごころ and まかせて opportunities: partners sign up for shifts, join a waiting list when a
shift is full, and cancel before the deadline; staff record attendance and hours.

Sign-up states: (none) → confirmed | waiting; waiting → confirmed (a place freed up);
confirmed | waiting → cancelled. The Signup row is the record (status_changed_at).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from muroran_kyodo.lib.mail import absolute_url, send

from .models import Channel, Opportunity, Programme, Registration, Shift, Signup
from .permissions import can_act_for, is_partner_staff

SS = Signup.Status
PAGE_SIZE = 20

# --- Services ---------------------------------------------------------------------------------


def _email_promoted(signup: Signup) -> None:
    registration = signup.registration
    to = registration.contact_email or (registration.user.email if registration.user_id else "")
    send(
        "partners_signup_promoted",
        [to],
        {
            "signup": signup,
            "shift": signup.shift,
            "opportunity": signup.shift.opportunity,
            "url": absolute_url(f"/partners/opportunities/{signup.shift.opportunity_id}/"),
        },
    )


def signup_create(
    *,
    shift: Shift,
    registration: Registration,
    by,
    wait: bool = False,
    channel: str = Channel.WEB,
) -> Signup:
    """Put a partner on a shift.

    1. `by` acts for the registration (or is staff), which is 登録 in the opportunity's programme;
    2. the opportunity is open (published, deadline not passed). Staff keying in a sign-up that
       came on paper or by phone may do so after the deadline, until the shift starts (a
       postcard posted in time arrives late);
    3. lock the shift row, count its confirmed sign-ups: a free place → confirmed; full →
       refused, or 'waiting' when `wait`;
    4. a second live sign-up for the same shift is refused by the database constraint.
    """
    opportunity = shift.opportunity
    if not (is_partner_staff(by) or can_act_for(by, registration)):
        raise PermissionDenied
    if registration.programme != opportunity.programme:
        raise ValidationError(
            _(
                "This opportunity is for the programme “%(programme)s”. Register for that programme first."
            )
            % {"programme": opportunity.get_programme_display()},
            code="wrong_programme",
        )
    if registration.status != Registration.Status.REGISTERED:
        raise ValidationError(
            _("You can sign up once your partner registration is accepted and active."),
            code="not_registered",
        )
    now = timezone.now()
    staff = is_partner_staff(by)
    open_until = shift.starts_at if staff else opportunity.signup_deadline
    if not (opportunity.is_published and open_until >= now):
        raise ValidationError(_("Sign-ups for this opportunity are closed."), code="closed")
    try:
        with transaction.atomic():
            # Serialises sign-ups for this shift: the count below cannot go stale before insert.
            locked = Shift.objects.select_for_update().get(pk=shift.pk)
            taken = Signup.objects.filter(shift=locked, status=SS.CONFIRMED).count()
            if taken < locked.slots:
                status = SS.CONFIRMED
            elif wait:
                status = SS.WAITING
            else:
                raise ValidationError(
                    _("This shift is full. You can join the waiting list instead."), code="full"
                )
            signup = Signup.objects.create(
                shift=locked,
                registration=registration,
                status=status,
                channel=channel,
                created_at=now,
                created_by=by,
                status_changed_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already signed up for this shift."), code="duplicate"
        ) from None
    signup.shift = shift
    return signup


def signup_cancel(*, signup: Signup, by) -> Signup:
    """Cancel a sign-up.

    1. staff any time; the partner only until the sign-up deadline;
    2. under the shift lock, compare-and-set the status to cancelled;
    3. if a confirmed place was freed, the oldest waiting sign-up becomes confirmed and its
       partner is e-mailed once the transaction commits.
    """
    staff = is_partner_staff(by)
    if not (staff or can_act_for(by, signup.registration)):
        raise PermissionDenied
    shift = signup.shift
    if not staff and shift.opportunity.signup_deadline < timezone.now():
        raise ValidationError(
            _("The sign-up deadline has passed. To cancel, contact the department in charge."),
            code="deadline_passed",
        )
    with transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        old = Signup.objects.filter(pk=signup.pk).values_list("status", flat=True).first()
        now = timezone.now()
        if old in (None, SS.CANCELLED) or not Signup.objects.filter(
            pk=signup.pk, status=old
        ).update(status=SS.CANCELLED, status_changed_at=now):
            raise ValidationError(_("This sign-up is already cancelled."), code="cancelled")
        signup.status, signup.status_changed_at = SS.CANCELLED, now
        if old == SS.CONFIRMED:
            taken = Signup.objects.filter(shift=locked, status=SS.CONFIRMED).count()
            waiting = (
                Signup.objects.filter(shift=locked, status=SS.WAITING)
                .select_related("registration__user", "shift__opportunity")
                .order_by("created_at", "pk")
                .first()
            )
            if waiting is not None and taken < locked.slots:
                Signup.objects.filter(pk=waiting.pk).update(
                    status=SS.CONFIRMED, status_changed_at=now
                )
                waiting.status, waiting.status_changed_at = SS.CONFIRMED, now
                transaction.on_commit(lambda: _email_promoted(waiting))
    return signup


def attendance_record(*, signup: Signup, attended: bool, hours, by) -> Signup:
    """Staff record whether a confirmed partner came, and the hours worked (0-24)."""
    if not is_partner_staff(by):
        raise PermissionDenied
    if signup.status != SS.CONFIRMED:
        raise ValidationError(
            _("Attendance can be recorded only for confirmed sign-ups."), code="not_confirmed"
        )
    if hours is not None:
        hours = Decimal(str(hours))
        if not Decimal(0) <= hours <= Decimal(24):
            raise ValidationError({"hours": _("Enter the hours worked, between 0 and 24.")})
    if not attended:
        hours = None
    Signup.objects.filter(pk=signup.pk).update(attended=attended, hours=hours)
    signup.attended, signup.hours = attended, hours
    return signup


# --- Forms ----------------------------------------------------------------------------------


class AttendanceForm(forms.ModelForm):
    """What staff change on a sign-up: attendance and hours, never the status."""

    class Meta:
        model = Signup
        fields = ["attended", "hours"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.status != Signup.Status.CONFIRMED:
            raise ValidationError(_("Attendance can be recorded only for confirmed sign-ups."))
        if cleaned.get("attended") and cleaned.get("hours") is None:
            if self.instance.shift.opportunity.programme == Programme.MAKASETE:
                self.add_error("hours", _("Enter the hours worked: they are paid."))
        return cleaned


# --- Queries ----------------------------------------------------------------------------------


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


# --- Views ------------------------------------------------------------------------------------


def opportunity_list(request):
    """Open opportunities, soonest deadline first. Two queries (count, page)."""
    opportunities = (
        Opportunity.objects.open()
        .annotate(first_shift=Min("shifts__starts_at"), last_shift=Max("shifts__ends_at"))
        .order_by("signup_deadline", "pk")
    )
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/opportunity_list.html", {"page": page})


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
    try:
        result = signup_create(
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
    if not is_partner_staff(request.user):
        # Someone else's sign-up is a 404, not a 403: its id tells nothing.
        queryset = queryset.filter(
            registration__in=Registration.objects.of_user(request.user).values("pk")
        )
    signup_obj = get_object_or_404(queryset, pk=pk)
    try:
        signup_cancel(signup=signup_obj, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("partners:opportunity_detail", pk=signup_obj.shift.opportunity_id)


# --- URLs -----------------------------------------------------------------------------------

urlpatterns = [
    path("partners/opportunities/", opportunity_list, name="opportunity_list"),
    path("partners/opportunities/<int:pk>/", opportunity_detail, name="opportunity_detail"),
    path("partners/opportunities/shifts/<int:pk>/signup/", signup, name="opportunity_signup"),
    path(
        "partners/opportunities/signups/<int:pk>/cancel/",
        signup_cancel_view,
        name="opportunity_signup_cancel",
    ),
]
