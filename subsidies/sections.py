"""What the subsidy adds to the home page and マイページ (listed in muroran_kyodo/registry.py)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import Section

from .models import Application, IntakeWindow

MYPAGE_APPLICATIONS = 10


def home_open_intake(request) -> Section | None:
    """Intake windows of published programmes open now, the soonest to close first. One
    query; nothing when no window is open."""
    now = timezone.now()
    windows = list(
        IntakeWindow.objects.open(now)
        .filter(programme__is_published=True)
        .select_related("programme")
        .order_by("closes_at", "pk")[:5]
    )
    if not windows:
        return None
    for window in windows:
        window.days = window.days_left(now)
    return Section(
        _("Community activity subsidy: applications open"),
        "subsidies/public_home_section.html",
        {"windows": windows},
    )


def mypage_applications(request) -> Section | None:
    """My organisations' subsidy applications with their states, newest first. One query;
    nothing when none of my organisations has applied."""
    applications = list(
        Application.objects.of_member(request.user)
        .select_related("programme", "organization")
        .only(
            "pk",
            "number",
            "title",
            "status",
            "created_at",
            "programme__fiscal_year",
            "programme__title",
            "organization__name",
        )
        .order_by("-created_at", "-pk")[: MYPAGE_APPLICATIONS + 1]
    )
    if not applications:
        return None
    return Section(
        _("My subsidy applications"),
        "subsidies/public_mypage_section.html",
        {
            "applications": applications[:MYPAGE_APPLICATIONS],
            "more": len(applications) > MYPAGE_APPLICATIONS,
        },
    )
