"""What the partner programme adds to マイページ (listed in muroran_kyodo/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import Section

from .models import Opportunity, Programme, Registration


def _my_registrations(request) -> list[Registration]:
    """My registrations (mine and my organisations'), fetched once per request: the sections
    below share them."""
    if not hasattr(request, "_partner_registrations"):
        request._partner_registrations = list(
            Registration.objects.of_user(request.user)
            .select_related("organization")
            .order_by("-created_at", "-pk")
        )
    return request._partner_registrations


def mypage_registrations(request) -> Section:
    """My partner registrations (mine and my organisations'), with their state. One query."""
    registrations = _my_registrations(request)
    return Section(
        _("My partner registrations"),
        "partners/mypage_section.html",
        {"registrations": registrations, "programmes": Programme.choices},
    )


def home_open_opportunities(request) -> Section | None:
    """まごころ・まかせて opportunities open for sign-ups, soonest deadline first. One query."""
    opportunities = list(Opportunity.objects.open().order_by("signup_deadline", "pk")[:5])
    if not opportunities:
        return None
    return Section(
        _("Help the city as a partner"),
        "partners/opportunity_home_section.html",
        {"opportunities": opportunities},
    )


def mypage_requests(request) -> Section | None:
    """My pickup, supply and equipment requests with their states, newest first: one UNION
    query of the three kinds (my registrations are shared with the section above); nothing
    when I have no registration."""
    from .models import requests_of
    from .views.requests import MYPAGE_REQUESTS, with_labels

    registrations = [
        r for r in _my_registrations(request) if r.status != Registration.Status.WITHDRAWN
    ]
    if not registrations:
        return None
    rows = with_labels(list(requests_of([r.pk for r in registrations])[:MYPAGE_REQUESTS]))
    return Section(
        _("My requests to the city"),
        "partners/request_mypage_section.html",
        {
            "rows": rows,
            "registrations": [
                r for r in registrations if r.status == Registration.Status.REGISTERED
            ],
        },
    )


def mypage_signups(request) -> Section | None:
    """My まごころ・まかせて shifts that have not ended yet, soonest first. One query; nothing
    when I have no registration."""
    from django.utils import timezone

    from .models import Signup

    registrations = [r.pk for r in _my_registrations(request)]
    if not registrations:
        return None
    signups = list(
        Signup.objects.filter(registration__in=registrations, shift__ends_at__gte=timezone.now())
        .exclude(status=Signup.Status.CANCELLED)
        .select_related("shift__opportunity", "registration")
        .order_by("shift__starts_at", "pk")[:20]
    )
    if not signups:
        return None
    return Section(_("My shifts"), "partners/signup_mypage_section.html", {"signups": signups})
