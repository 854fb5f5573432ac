"""The programme's ranking for the committee: per application the weighted total, the average
per criterion and how many reviewers scored, in three queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Avg, Count, F, Sum

from .models import Application, Criterion, Score

# Applications that are, or have been, in front of the committee.
RANKED_STATUSES = (
    Application.Status.UNDER_REVIEW,
    Application.Status.ADOPTED,
    Application.Status.REJECTED,
    Application.Status.GRANTED,
    Application.Status.REPORTED,
    Application.Status.CONFIRMED,
    Application.Status.PAID,
    Application.Status.REPAID,
    Application.Status.CLOSED,
)


@dataclass
class RankRow:
    application: Application
    reviewers: int
    weighted_sum: int  # Σ score × weight over every reviewer
    # Σ(score × weight) per reviewer, averaged over reviewers: comparable between
    # applications scored by different numbers of reviewers.
    weighted_total: Fraction
    averages: dict[int, float] = field(default_factory=dict)  # criterion pk → average score


def ranking(programme) -> tuple[list[Criterion], list[RankRow]]:
    """Criteria (for the columns) and rows, best weighted total first."""
    criteria = list(programme.criteria.all())
    applications = (
        Application.objects.filter(programme=programme, status__in=RANKED_STATUSES)
        .select_related("organization", "category")
        .annotate(
            weighted_sum=Sum(
                F("review_assignments__scores__score")
                * F("review_assignments__scores__criterion__weight")
            ),
            reviewers=Count("review_assignments__scores__assignment", distinct=True),
        )
        .order_by("pk")
    )
    averages: dict[int, dict[int, float]] = defaultdict(dict)
    for row in (
        Score.objects.filter(assignment__application__programme=programme)
        .values("assignment__application", "criterion")
        .annotate(average=Avg("score"))
        .order_by()
    ):
        averages[row["assignment__application"]][row["criterion"]] = float(row["average"])

    rows = []
    for application in applications:
        total = application.weighted_sum or 0
        reviewers = application.reviewers
        rows.append(
            RankRow(
                application=application,
                reviewers=reviewers,
                weighted_sum=total,
                weighted_total=Fraction(total, reviewers) if reviewers else Fraction(0),
                averages=averages.get(application.pk, {}),
            )
        )
    rows.sort(key=lambda row: (-row.weighted_total, row.application.pk))
    return criteria, rows
