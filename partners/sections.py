"""What the partner programme adds to マイページ (listed in muroran_kyodo/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from muroran_kyodo.extension import Section

from .models import Programme, Registration


def mypage_registrations(request) -> Section:
    """My partner registrations (mine and my organisations'), with their state. One query."""
    registrations = list(
        Registration.objects.of_user(request.user)
        .select_related("organization")
        .order_by("-created_at", "-pk")
    )
    return Section(
        _("My partner registrations"),
        "partners/mypage_section.html",
        {"registrations": registrations, "programmes": Programme.choices},
    )
