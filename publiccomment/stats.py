"""パブリックコメント's yearly figures for the 実績 page and open data (muroran_kyodo/registry.py
FIGURES): the cases published in a 年度 (by the opening date), the people and organisations who
sent opinions and the opinions, in total and by channel (web, 意見箱, hand, post, FAX, e-mail).
Two queries. A case in preparation is not counted."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import Figure

from .models import Case, Channel, Opinion

S = Case.Status


def figures(fiscal_year: int) -> list[Figure]:
    cases = Case.objects.public().for_fiscal_year(fiscal_year)
    case_totals = cases.aggregate(
        cases=Count("pk"),
        results=Count("pk", filter=Q(status=S.RESULT_PUBLISHED)),
        abandoned=Count("pk", filter=Q(status=S.ABANDONED)),
    )
    # Every submission carries at least one opinion: its submitters are the distinct
    # submissions of the opinions, so one query counts both.
    by_channel = {}
    for value in Channel.values:
        by_channel[f"submitters_{value}"] = Count(
            "submission", distinct=True, filter=Q(submission__channel=value)
        )
        by_channel[f"opinions_{value}"] = Count("pk", filter=Q(submission__channel=value))
    counts = Opinion.objects.filter(case__in=cases).aggregate(
        submitters=Count("submission", distinct=True), opinions=Count("pk"), **by_channel
    )
    group = _("Public comment")
    found = [
        Figure(
            group, "publiccomment.cases", _("Cases published"), case_totals["cases"], _("cases")
        ),
        Figure(
            group,
            "publiccomment.results",
            _("Results published"),
            case_totals["results"],
            _("cases"),
        ),
        Figure(
            group,
            "publiccomment.abandoned",
            _("Cases abandoned"),
            case_totals["abandoned"],
            _("cases"),
        ),
        Figure(
            group,
            "publiccomment.submitters",
            _("People and organisations who sent opinions"),
            counts["submitters"],
            _("people or organisations"),
        ),
        Figure(group, "publiccomment.opinions", _("Opinions"), counts["opinions"], _("opinions")),
    ]
    for value, label in Channel.choices:
        found.append(
            Figure(
                group,
                f"publiccomment.submitters.{value}",
                _("Submitters: %(channel)s") % {"channel": label},
                counts[f"submitters_{value}"],
                _("people or organisations"),
            )
        )
    for value, label in Channel.choices:
        found.append(
            Figure(
                group,
                f"publiccomment.opinions.{value}",
                _("Opinions: %(channel)s") % {"channel": label},
                counts[f"opinions_{value}"],
                _("opinions"),
            )
        )
    return found
