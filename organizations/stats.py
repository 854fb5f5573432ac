"""The registry's yearly figures for the 実績 page and open data."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import Figure
from muroran_kyodo.lib.jp import fiscal_year_datetimes

from .models import ActorType, CollaborationForm, Organization


def figures(fiscal_year: int) -> list[Figure]:
    """Verified organisations registered by the end of the year, by actor type; collaboration
    projects of the year, by form. Two queries."""
    _start, end = fiscal_year_datetimes(fiscal_year)
    organisations = _("Registered organisations at year end")
    projects = _("Collaboration projects")
    rows = []
    actor_types = ActorType.objects.filter(is_organisation=True).annotate(
        n=Count(
            "organizations",
            filter=Q(
                organizations__status=Organization.Status.VERIFIED,
                organizations__created_at__lt=end,
            ),
        )
    )
    for actor_type in actor_types:
        rows.append(
            Figure(
                organisations,
                f"organizations.{actor_type.code}",
                actor_type.label,
                actor_type.n,
                _("groups"),
            )
        )
    forms = CollaborationForm.objects.select_related("lead").annotate(
        n=Count(
            "projects",
            filter=Q(projects__fiscal_year=fiscal_year, projects__is_published=True),
        )
    )
    for form in forms:
        rows.append(
            Figure(
                projects,
                f"projects.{form.code}",
                f"{form.lead.label}／{form.label}",
                form.n,
                _("projects"),
            )
        )
    return rows
