"""What the partner programme adds to マイページ (listed in muroran_kyodo/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from muroran_kyodo.extension import Section

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
    from .requests import MYPAGE_REQUESTS, requests_of, with_labels

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
