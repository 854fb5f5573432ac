"""What the registry adds to the home page and マイページ (listed in muroran_kyodo/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import Section

from .models import Invitation, Membership, Organization


def home_new_organizations(request) -> Section | None:
    """Recently verified organisations, as an invitation to look around. One query."""
    latest = list(
        Organization.objects.verified()
        .select_related("actor_type")
        .order_by("-status_changed_at", "-pk")[:5]
    )
    if not latest:
        return None
    return Section(
        _("Newly registered organisations"),
        "organizations/home_section.html",
        {"organizations": latest},
    )


def read_memberships(request) -> list[Membership] | None:
    """My memberships when マイページ has read them already in this request (its section
    below, placed before the other apps' parts), else None: those parts then skip their
    queries about my groups when I belong to none, and query as usual when not known."""
    return getattr(request, "_organizations_memberships", None)


def mypage_organizations(request) -> Section:
    """My organisations and invitations waiting for me. Two queries."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organization__actor_type")
        .order_by("organization__name_kana")
    )
    request._organizations_memberships = memberships
    invitations = list(
        Invitation.objects.open()
        .filter(email__iexact=request.user.email)
        .select_related("organization")
    )
    return Section(
        _("My organisations"),
        "organizations/mypage_section.html",
        {"memberships": memberships, "invitations": invitations},
    )
