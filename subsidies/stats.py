"""The subsidy's yearly figures for the 実績 page and open data: applications (every channel),
adoptions and amounts of one 年度, in one query (muroran_kyodo/registry.py FIGURES).

A grant cancelled (取消) or a project stopped (中止・廃止) is not counted as adopted nor in the
amounts decided: each has its own line, as a city reports them."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import Figure

from .models import Application

S = Application.Status
# Submitted at some point: everything but drafts (a withdrawn application was still received).
RECEIVED = ~Q(status=S.DRAFT) & ~Q(number="")
DECIDED = Q(decided_amount__isnull=False)
ADOPTED = DECIDED & ~Q(status__in=Application.ENDED_EARLY)


def figures(fiscal_year: int) -> list[Figure]:
    totals = Application.objects.filter(programme__fiscal_year=fiscal_year).aggregate(
        received=Count("pk", filter=RECEIVED),
        adopted=Count("pk", filter=ADOPTED),
        decided=Sum("decided_amount", filter=ADOPTED),
        confirmed=Sum("confirmed_amount", filter=ADOPTED),
        cancelled=Count("pk", filter=DECIDED & Q(status=S.CANCELLED)),
        stopped=Count("pk", filter=DECIDED & Q(status=S.STOPPED)),
    )
    group = _("Community activity subsidy")
    return [
        Figure(
            group,
            "subsidies.applications",
            _("Applications"),
            totals["received"],
            _("applications"),
        ),
        Figure(group, "subsidies.adopted", _("Projects adopted"), totals["adopted"], _("projects")),
        Figure(
            group, "subsidies.decided_yen", _("Grants decided"), totals["decided"] or 0, _("yen")
        ),
        Figure(
            group,
            "subsidies.confirmed_yen",
            _("Grants confirmed"),
            totals["confirmed"] or 0,
            _("yen"),
        ),
        Figure(
            group,
            "subsidies.cancelled",
            _("Grant decisions cancelled"),
            totals["cancelled"],
            _("projects"),
        ),
        Figure(
            group,
            "subsidies.stopped",
            _("Projects stopped (中止・廃止)"),
            totals["stopped"],
            _("projects"),
        ),
    ]
