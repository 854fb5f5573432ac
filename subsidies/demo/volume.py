"""`seed_volume(count)`: synthetic applications of ten past years, bulk-created (see the
package's docstring)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.demo import synthetic_users
from muroran_kyodo.lib.jp import current_fiscal_year, end_of_day
from organizations.models import Organization

from ..models import (
    Application,
    ApplicationStatusChange,
    BudgetStage,
    Category,
    Criterion,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    Programme,
    ReviewAssignment,
    Score,
)
from .data import PROGRAMMES, S, T

VOLUME_PREFIX = "HSV-"
VOLUME_YEARS = 10
VOLUME_REVIEWERS = 5
BATCH = 2_000
# Status of the n-th volume application, in a fixed rotation.
VOLUME_STATUSES = [
    S.CLOSED,
    S.CLOSED,
    S.PAID,
    S.CONFIRMED,
    S.GRANTED,
    S.REJECTED,
    S.REJECTED,
    S.WITHDRAWN,
    S.CLOSED,
    S.REJECTED,
]
REVIEWED = {S.CLOSED, S.PAID, S.CONFIRMED, S.GRANTED, S.REJECTED}
DECIDED = {S.CLOSED, S.PAID, S.CONFIRMED, S.GRANTED}
CONFIRMED = {S.CLOSED, S.PAID, S.CONFIRMED}


def _volume_programmes(count: int) -> list[Programme]:
    """A 市民提案型 programme for each of the ten years before this one (created when
    missing), its budget large enough for the volume's decided amounts."""
    year = current_fiscal_year()
    programmes = []
    for fiscal_year in range(year - VOLUME_YEARS, year):
        programme = Programme.objects.filter(fiscal_year=fiscal_year, track=T.CITIZEN).first()
        if programme is None:
            programme = Programme.objects.create(
                fiscal_year=fiscal_year,
                track=T.CITIZEN,
                title=PROGRAMMES[T.CITIZEN]["title"],
                description=PROGRAMMES[T.CITIZEN]["description"],
                total_budget=max(3_000_000, count * 300_000 // VOLUME_YEARS),
                is_published=True,
            )
            opens = dt.datetime(fiscal_year, 4, 1, tzinfo=timezone.get_current_timezone())
            IntakeWindow.objects.create(
                programme=programme,
                label="第1期",
                opens_at=opens,
                closes_at=end_of_day(dt.date(fiscal_year, 5, 31)),
            )
            Category.objects.create(programme=programme, name="一般事業", cap=300_000)
            for order, (name, weight) in enumerate(PROGRAMMES[T.CITIZEN]["criteria"]):
                Criterion.objects.create(
                    programme=programme, name=name, weight=weight, sort_order=order
                )
        programmes.append(programme)
    return programmes


def _volume_reviewers() -> list:
    return synthetic_users(
        {
            f"volume-reviewer-{n}@example.jp": {
                "family_name": "ボリューム",
                "given_name": "審査委員",
                "family_name_kana": "ボリューム",
                "given_name_kana": "シンサイイン",
                "display_name": f"volume-reviewer-{n}",
            }
            for n in range(1, VOLUME_REVIEWERS + 1)
        }
    )


def seed_volume(*, count: int, stdout) -> None:
    """`count` synthetic applications (2,000 at --volume 2000) to the programmes of the last
    ten years, with plan budgets (three expense and two income lines each) and, for those
    reviewed, two reviewers' scores on every criterion. Skipped if already there."""
    if Application.objects.filter(number__startswith=VOLUME_PREFIX).count() >= count:
        stdout.write("subsidies: volume data already there")
        return
    organizations = list(
        Organization.objects.verified()
        .filter(memberships__isnull=False)
        .order_by("pk")
        .values_list("pk", "memberships__user_id")
        .distinct()[: max(count, 1)]
    )
    if not organizations:
        stdout.write("subsidies: no verified organisation with members: no volume data")
        return
    programmes = _volume_programmes(count)
    reviewers = _volume_reviewers()
    windows = {w.programme_id: w for w in IntakeWindow.objects.filter(programme__in=programmes)}
    categories = {c.programme_id: c for c in Category.objects.filter(programme__in=programmes)}
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(programme__in=programmes).order_by("sort_order"):
        criteria.setdefault(criterion.programme_id, []).append(criterion)
    rng = random.Random(4)
    tz = timezone.get_current_timezone()
    Application.objects.filter(number__startswith=VOLUME_PREFIX).delete()  # a partial earlier run

    for start in range(0, count, BATCH):
        numbers = range(start + 1, min(count, start + BATCH) + 1)
        rows = []
        for n in numbers:
            programme = programmes[n % len(programmes)]
            organization_id, applicant_id = organizations[n % len(organizations)]
            # Every year gets every state: the year follows n % years, so the state is shifted
            # by n // years.
            status = VOLUME_STATUSES[(n + n // len(programmes)) % len(VOLUME_STATUSES)]
            requested = rng.randrange(50, 301) * 1000
            decided = requested - rng.choice((0, 0, 10_000)) if status in DECIDED else None
            submitted = dt.datetime(programme.fiscal_year, 5, 1 + n % 28, 12, tzinfo=tz)
            rows.append(
                Application(
                    number=f"{VOLUME_PREFIX}{programme.fiscal_year}-{n:06d}",
                    programme=programme,
                    window=windows[programme.pk],
                    category=categories[programme.pk],
                    organization_id=organization_id,
                    applicant_id=applicant_id,
                    channel="web" if n % 5 else "paper",
                    status=status,
                    title=f"ボリューム事業{n:06d}",
                    purpose="地域のつながりづくり（ベンチマーク用の合成データです）",
                    content="定例活動と成果発表会",
                    starts_on=dt.date(programme.fiscal_year, 6, 1),
                    ends_on=dt.date(programme.fiscal_year + 1, 2, 15),
                    requested_amount=requested,
                    decided_amount=decided,
                    confirmed_amount=decided - 5_000 if status in CONFIRMED else None,
                    report_summary="計画どおり実施しました。" if status in CONFIRMED else "",
                    submitted_at=submitted,
                    status_changed_at=submitted + dt.timedelta(days=60),
                    decided_at=submitted + dt.timedelta(days=40) if decided else None,
                    created_at=submitted - dt.timedelta(days=3),
                )
            )
        Application.objects.bulk_create(rows)
        made = list(
            Application.objects.filter(number__in=[r.number for r in rows]).values_list(
                "pk", "programme_id", "status", "requested_amount"
            )
        )
        _volume_children(made, reviewers=reviewers, criteria=criteria, rng=rng)
    stdout.write(f"subsidies: {count} volume applications created")


def _volume_children(made, *, reviewers, criteria, rng) -> None:
    lines_in, lines_out, history, assignments = [], [], [], []
    for pk, _programme_id, status, requested in made:
        eligible = requested * 2
        lines_out += [
            ExpenseLine(
                application_id=pk, stage=BudgetStage.PLAN, item="consumables", amount=eligible // 2
            ),
            ExpenseLine(
                application_id=pk,
                stage=BudgetStage.PLAN,
                item="printing",
                amount=eligible - eligible // 2,
                sort_order=1,
            ),
            ExpenseLine(
                application_id=pk,
                stage=BudgetStage.PLAN,
                item="other",
                amount=10_000,
                eligible=False,
                sort_order=2,
            ),
        ]
        lines_in += [
            IncomeLine(
                application_id=pk, stage=BudgetStage.PLAN, kind="this_subsidy", amount=requested
            ),
            IncomeLine(
                application_id=pk,
                stage=BudgetStage.PLAN,
                kind="own_funds",
                amount=eligible + 10_000 - requested,
                sort_order=1,
            ),
        ]
        history.append(
            ApplicationStatusChange(application_id=pk, old_status="submitted", new_status=status)
        )
        if status in REVIEWED:
            first = pk % len(reviewers)
            for reviewer in (reviewers[first], reviewers[(first + 1) % len(reviewers)]):
                assignments.append(ReviewAssignment(application_id=pk, reviewer=reviewer))
    ExpenseLine.objects.bulk_create(lines_out, batch_size=BATCH)
    IncomeLine.objects.bulk_create(lines_in, batch_size=BATCH)
    ApplicationStatusChange.objects.bulk_create(history, batch_size=BATCH)
    ReviewAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    programme_of = {pk: programme_id for pk, programme_id, _s, _r in made}
    scores = [
        Score(assignment_id=assignment_id, criterion=criterion, score=rng.randint(1, 5))
        for assignment_id, application_id in ReviewAssignment.objects.filter(
            application_id__in=list(programme_of)
        ).values_list("pk", "application_id")
        for criterion in criteria.get(programme_of[application_id], [])
    ]
    Score.objects.bulk_create(scores, batch_size=BATCH)
