"""Signing up to a workshop or a training, in the browser: the form (an account holder's name
and contact prefilled; a guest types them and confirms by the link sent by e-mail), the page
of the guest's sign-up at its secret address with the attendance code and the cancellation,
and for an account holder マイページ's list of sign-ups, pool entry and table assignments,
one sign-up's page and its printable confirmation, the cancellation, and leaving the pool.

Every refusal of the services comes back on the form, next to its field, with everything
typed kept. Another person's sign-up is 404; so is a token the site did not make."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from muroran_kyodo.lib import pagecache, ratelimit
from muroran_kyodo.lib.forms import put_refusal_on_form
from muroran_kyodo.lib.workflow import TransitionError

from .. import services
from ..forms import CancelForm, PoolLeaveForm, SignupForm
from ..models import Assignment, Facilitator, Session, Signup
from ..permissions import signups_of
from .public import public_session, session_context

FORM_TEMPLATE = "councils/signup_form.html"
SENT_KEY = pagecache.unread_by_public_pages("councils_signup_sent")
REFUSALS = (ValidationError, TransitionError, PermissionDenied)


def waiting_position(signup: Signup) -> int | None:
    """The place of a waiting sign-up on its session's list (1 = next to move up)."""
    if signup.status != Signup.Status.WAITING or signup.queued_at is None:
        return None
    return (
        Signup.objects.waiting()
        .filter(session_id=signup.session_id)
        .filter(
            Q(queued_at__lt=signup.queued_at) | Q(queued_at=signup.queued_at, pk__lte=signup.pk)
        )
        .count()
    )


def _login_url(request: HttpRequest, session: Session) -> str:
    next_url = reverse("councils:signup", args=[session.pk])
    return f"{reverse('account_login')}?{urlencode({'next': next_url})}"


def _created_message(signup: Signup) -> str:
    if signup.status == Signup.Status.WAITING:
        return _(
            "The session is full: you are on the waiting list (number %(position)s). We will "
            "write to you if a place frees up."
        ) % {"position": waiting_position(signup)}
    return _("You are registered. Your attendance code is %(code)s.") % {"code": signup.code}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-up form. A training needs an account: anonymous people get a sign-in link.
    A closed session shows why, without the form; a POST always goes to the service, whose
    refusal comes back on the form."""
    now = timezone.now()
    session = public_session(pk)
    user = request.user if request.user.is_authenticated else None
    context: dict[str, Any] = {
        **session_context(session, now),
        "needs_account": session.kind == Session.Kind.TRAINING and user is None,
        "login_url": _login_url(request, session),
        "existing": None,
        "form": None,
        "hours": confirm_hours(),
    }
    if context["needs_account"]:
        return render(request, FORM_TEMPLATE, context)
    if request.method != "POST":
        if user is not None:
            context["existing"] = Signup.objects.active().filter(session=session, user=user).first()
        if context["is_open"] and context["existing"] is None:
            context["form"] = SignupForm(
                session=session, user=user, initial=SignupForm.initial_for(user)
            )
        return render(request, FORM_TEMPLATE, context)

    form = SignupForm(request.POST, session=session, user=user)
    context["form"] = form
    if not form.is_valid():
        return render(request, FORM_TEMPLATE, context)
    fields = form.signup_fields()
    if not ratelimit.hit(request, "councils.signup", email=fields["email"]):
        form.add_error(None, ratelimit.LIMITED)
        return render(request, FORM_TEMPLATE, context)
    try:
        created = services.signup_create(session=session, user=user, **fields)
    except REFUSALS as error:
        put_refusal_on_form(form, error)
        return render(request, FORM_TEMPLATE, context)
    if created.user_id is None:
        request.session[SENT_KEY] = {"session": session.pk, "email": created.email}
        return redirect("councils:signup_sent", pk=session.pk)
    messages.success(request, _created_message(created))
    return redirect("councils:signup_detail", pk=created.pk)


@never_cache
@require_safe
def signup_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """After a guest's sign-up: check your e-mail and follow the link in time."""
    session = public_session(pk)
    sent = request.session.get(SENT_KEY) or {}
    email = sent.get("email", "") if sent.get("session") == session.pk else ""
    return render(
        request,
        "councils/signup_sent.html",
        {
            **session_context(session, timezone.now()),
            "email": email,
            "hours": confirm_hours(),
        },
    )


def confirm_hours() -> int:
    return int(settings.COUNCILS["CONFIRM_HOURS"])


def _by_token(token: str, queryset: QuerySet[Signup] | None = None) -> Signup:
    """The sign-up of a guest link; 404 for anything the site did not make."""
    if not token or len(token) > 64:
        raise Http404
    queryset = queryset if queryset is not None else Signup.objects.all()
    return get_object_or_404(
        queryset.select_related("session", "session__council", "session__venue_district"),
        token=token,
    )


def _confirm_page(
    request: HttpRequest, signup: Signup, errors: list[str] | None = None
) -> HttpResponse:
    now = timezone.now()
    expired = signup.status == Signup.Status.EXPIRED or (
        signup.status == Signup.Status.UNCONFIRMED
        and signup.confirm_by is not None
        and signup.confirm_by <= now
    )
    return render(
        request,
        "councils/signup_confirm.html",
        {
            **session_context(signup.session, now),
            "signup": signup,
            "expired": expired,
            "unconfirmed": signup.status == Signup.Status.UNCONFIRMED and not expired,
            "errors": errors or [],
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a guest's e-mail: GET shows the session and a button (nothing written);
    POST confirms and allocates a place or a waiting place."""
    signup = _by_token(token)
    if request.method != "POST":
        return _confirm_page(request, signup)
    try:
        confirmed = services.signup_confirm(token=token)
    except Signup.DoesNotExist:
        raise Http404 from None
    except REFUSALS as error:
        signup.refresh_from_db()
        return _confirm_page(
            request, signup, list(getattr(error, "messages", None) or [str(error)])
        )
    if confirmed.status in (Signup.Status.REGISTERED, Signup.Status.WAITING):
        messages.success(request, _created_message(confirmed))
    return redirect("councils:guest_signup", token=confirmed.token)


def _signup_page(
    request: HttpRequest,
    signup: Signup,
    *,
    cancel_url: str,
    cancel_form: CancelForm | None = None,
    guest: bool,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    session = signup.session
    may_cancel = signup.is_active and not session.has_started_at(now)
    return render(
        request,
        "councils/signup_detail.html",
        {
            **session_context(session, now),
            "signup": signup,
            "position": waiting_position(signup),
            "may_cancel": may_cancel,
            "cancel_form": cancel_form or (CancelForm() if may_cancel else None),
            "cancel_url": cancel_url,
            "guest": guest,
            "show_needs": signup.needs_erased_at is None,
        },
        status=status,
    )


def _cancel(
    request: HttpRequest, signup: Signup, *, by: Any, cancel_url: str, guest: bool, back: str
) -> HttpResponse:
    form = CancelForm(request.POST)

    def again() -> HttpResponse:
        return _signup_page(request, signup, cancel_url=cancel_url, cancel_form=form, guest=guest)

    if not form.is_valid():
        return again()
    if not ratelimit.hit(request, "councils.cancel", email=signup.email):
        form.add_error(None, ratelimit.LIMITED)
        return again()
    try:
        services.signup_cancel(signup=signup, by=by, reason=form.cleaned_data["reason"])
    except REFUSALS as error:
        put_refusal_on_form(form, error)
        signup.refresh_from_db()
        return again()
    messages.success(request, _("Your sign-up has been cancelled."))
    return redirect(back)


@never_cache
@require_safe
def guest_signup(request: HttpRequest, token: str) -> HttpResponse:
    """A guest's own page: status, attendance code, the session, the needs given, and the
    cancellation until the session starts."""
    signup = _by_token(token, Signup.objects.filter(user__isnull=True))
    return _signup_page(
        request,
        signup,
        cancel_url=reverse("councils:guest_cancel", args=[token]),
        guest=True,
    )


@never_cache
@require_POST
def guest_cancel(request: HttpRequest, token: str) -> HttpResponse:
    signup = _by_token(token, Signup.objects.filter(user__isnull=True))
    return _cancel(
        request,
        signup,
        by=None,
        cancel_url=reverse("councils:guest_cancel", args=[token]),
        guest=True,
        back=reverse("councils:guest_signup", args=[token]),
    )


def _own(request: HttpRequest, pk: int) -> Signup:
    return get_object_or_404(
        signups_of(
            request.user,
            Signup.objects.select_related(
                "session", "session__council", "session__venue_district", "district"
            ),
        ),
        pk=pk,
    )


@never_cache
@login_required
@require_safe
def my_signups(request: HttpRequest) -> HttpResponse:
    """The person's sign-ups (coming and past, with status and code), pool entry and table
    assignments. Three queries."""
    now = timezone.now()
    signups = list(
        signups_of(
            request.user,
            Signup.objects.select_related("session", "session__council", "session__venue_district"),
        ).order_by("session__starts_at", "pk")
    )
    entry = (
        Facilitator.objects.in_pool().filter(user=request.user).select_related("training").first()
    )
    assignments = list(
        Assignment.objects.filter(facilitator__user=request.user)
        .select_related("session", "session__council", "session__venue_district")
        .order_by("session__starts_at", "pk")
    )
    return render(
        request,
        "councils/my_signups.html",
        {
            "upcoming": [s for s in signups if s.session.starts_at > now],
            "past": [s for s in reversed(signups) if s.session.starts_at <= now],
            "entry": entry,
            "assignments_upcoming": [a for a in assignments if a.session.starts_at > now],
            "assignments_past": [a for a in reversed(assignments) if a.session.starts_at <= now],
        },
    )


@never_cache
@login_required
@require_safe
def signup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signup = _own(request, pk)
    return _signup_page(
        request,
        signup,
        cancel_url=reverse("councils:signup_cancel", args=[signup.pk]),
        guest=False,
    )


@never_cache
@login_required
@require_POST
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    signup = _own(request, pk)
    return _cancel(
        request,
        signup,
        by=request.user,
        cancel_url=reverse("councils:signup_cancel", args=[signup.pk]),
        guest=False,
        back=reverse("councils:signup_detail", args=[signup.pk]),
    )


@never_cache
@login_required
@require_safe
def signup_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable confirmation of the person's sign-up, with the attendance code."""
    signup = _own(request, pk)
    return render(
        request,
        "councils/signup_print.html",
        {
            "signup": signup,
            "session": signup.session,
            "position": waiting_position(signup),
            "document_title": _("Confirmation of sign-up"),
            "document_number": signup.code if signup.status == Signup.Status.REGISTERED else "",
            "number_label": _("Attendance code"),
            "document_date": timezone.localdate(),
            "back_url": reverse("councils:signup_detail", args=[signup.pk]),
            "back_label": _("Your sign-up"),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pool_leave(request: HttpRequest) -> HttpResponse:
    """Leave the facilitator pool: GET says what happens (the coming assignments are
    removed), POST leaves. Someone not in the pool: 404."""
    now = timezone.now()
    entry = Facilitator.objects.in_pool().filter(user=request.user).first()
    if entry is None:
        raise Http404
    form = PoolLeaveForm(request.POST if request.method == "POST" else None)
    coming = list(
        entry.assignments.filter(session__starts_at__gt=now)
        .select_related("session", "session__council")
        .order_by("session__starts_at", "pk")
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_leave(
                facilitator=entry, by=request.user, reason=form.cleaned_data["reason"]
            )
        except REFUSALS as error:
            put_refusal_on_form(form, error)
        else:
            messages.success(request, _("You have left the facilitator pool."))
            return redirect("councils:my_signups")
    return render(
        request,
        "councils/pool_leave.html",
        {"entry": entry, "form": form, "coming": coming},
    )
