"""Volume data of まちづくり協議会, for `seed_demo --volume`: at --volume 2000 (the
benchmark's), 50 councils with 6 workshops each (5 held with outputs published, 1 to come and
full with a waiting list): 300 sessions and 10,000 sign-ups, bulk-created; fewer for a smaller
volume. Written as `councils.demo` writes the demo, with the same dated history."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from muroran_kyodo.lib.jp import fiscal_year
from organizations.models import District

from .demo import NEEDS_KEEP_DAYS, at, code_for
from .models import (
    Channel,
    Council,
    CouncilStatusChange,
    Department,
    Opinion,
    Session,
    SessionStatusChange,
    Signup,
    SignupStatusChange,
)

C = Council.Status
S = Session.Status
SS = Signup.Status
W = Session.Kind.WORKSHOP

VOLUME_COUNCIL = "ボリューム協議会"  # + number (ベンチマーク用の合成データ)
VOLUME_MAX_COUNCILS = 50
VOLUME_WORKSHOPS = 6  # per council: 5 held, 1 to come
VOLUME_SIGNUPS = 200  # per council: 10,000 over 50 councils
VOLUME_DEPARTMENTS = ("企画課", "地域生活課", "土木課", "環境課", "都市政策課", "子育て支援課")


def volume_council_count(count: int) -> int:
    """50 councils at --volume 2000 (the benchmark's), fewer for a smaller volume."""
    return min(VOLUME_MAX_COUNCILS, max(1, count // 40))


def seed_volume(*, count: int, stdout) -> None:
    target = volume_council_count(count)
    existing = Council.objects.filter(title__startswith=VOLUME_COUNCIL).count()
    if existing >= target:
        stdout.write("councils: volume data already there")
        return
    with transaction.atomic():
        _volume(range(existing + 1, target + 1), today=timezone.localdate())
    added = target - existing
    stdout.write(
        f"councils: {added} volume councils, {added * VOLUME_WORKSHOPS} workshops,"
        f" {added * VOLUME_SIGNUPS} sign-ups"
    )


def _volume(numbers: range, *, today: dt.date) -> None:
    departments = list(Department.objects.filter(name__in=VOLUME_DEPARTMENTS).order_by("pk"))
    district = District.objects.order_by("sort_order", "pk").first()
    councils = []
    plans = []  # (council number, position, starts_at)
    for n in numbers:
        # Five workshops a fortnight apart, the last ending a month ago, then one to come.
        days = [-30 - 14 * (5 * (n - 1) + k) for k in range(4, -1, -1)] + [10 + n % 40]
        first = at(today, days[0], 10, 0)
        councils.append(
            Council(
                title=f"{VOLUME_COUNCIL}{n:03d}",
                department=departments[n % len(departments)],
                stage=Council.Stage.BASIC_PLAN,
                fiscal_year=fiscal_year(first),
                description="ベンチマーク用の合成データです。" * 4,
                status=C.ACTIVE,
                status_changed_at=first - dt.timedelta(days=40),
            )
        )
        plans.append([(position, at(today, d, 10, 0)) for position, d in enumerate(days, 1)])
    councils = Council.objects.bulk_create(councils, batch_size=500)
    CouncilStatusChange.objects.bulk_create(
        [
            CouncilStatusChange(
                council=c, old_status=C.DRAFT, new_status=C.ACTIVE, at=c.status_changed_at
            )
            for c in councils
        ],
        batch_size=1000,
    )
    sessions = []
    for council, council_plans in zip(councils, plans, strict=True):
        for position, starts_at in council_plans:
            past = position < VOLUME_WORKSHOPS
            ends_at = starts_at + dt.timedelta(hours=2)
            sessions.append(
                Session(
                    kind=W,
                    council=council,
                    department=council.department,
                    title=f"第{position}回（合成データ）",
                    description="合成データの説明です。",
                    starts_at=starts_at,
                    ends_at=ends_at,
                    fiscal_year=fiscal_year(starts_at),
                    venue_name="合成会館",
                    venue_address="室蘭市（合成データ）",
                    venue_district=district,
                    # The one to come is full: its last sign-ups wait.
                    capacity=40 if past else 30,
                    tables=4,
                    signup_closes_at=starts_at - dt.timedelta(days=3),
                    report="合成データの報告です。" if past else "",
                    status=S.PUBLISHED if past else S.SCHEDULED,
                    status_changed_at=(
                        ends_at + dt.timedelta(days=14)
                        if past
                        else starts_at - dt.timedelta(days=30)
                    ),
                )
            )
    sessions = Session.objects.bulk_create(sessions, batch_size=500)
    SessionStatusChange.objects.bulk_create(
        [
            change
            for s in sessions
            for change in (
                SessionStatusChange(
                    session=s,
                    old_status=S.DRAFT,
                    new_status=S.SCHEDULED,
                    at=s.starts_at - dt.timedelta(days=30),
                ),
                *(
                    (
                        SessionStatusChange(
                            session=s,
                            old_status=S.SCHEDULED,
                            new_status=S.PUBLISHED,
                            at=s.status_changed_at,
                        ),
                    )
                    if s.status == S.PUBLISHED
                    else ()
                ),
            )
        ],
        batch_size=1000,
    )
    Opinion.objects.bulk_create(
        [
            Opinion(
                session=s,
                table=table,
                theme=f"テーマ{table}",
                summary="合成データの意見のまとめです。" * 3,
                notes=10 + table,
            )
            for s in sessions
            if s.status == S.PUBLISHED
            for table in (1, 2)
        ],
        batch_size=1000,
    )
    per_session = VOLUME_SIGNUPS // VOLUME_WORKSHOPS
    extra = VOLUME_SIGNUPS - per_session * VOLUME_WORKSHOPS  # the first sessions take one more
    signups = []
    for index, s in enumerate(sessions):
        position = index % VOLUME_WORKSHOPS
        past = s.status == S.PUBLISHED
        for n in range(per_session + (1 if position < extra else 0)):
            waiting = n >= s.capacity
            created_at = s.starts_at - dt.timedelta(days=20, minutes=-n)
            signups.append(
                Signup(
                    session=s,
                    name=f"合成 参加者{n + 1:02d}",
                    phone="0143-00-0000",
                    channel=Channel.PAPER,
                    status=SS.WAITING if waiting else SS.REGISTERED,
                    status_changed_at=created_at,
                    created_at=created_at,
                    queued_at=created_at if waiting else None,
                    code=code_for(n),
                    attended_at=s.starts_at if past and n % 10 else None,
                    needs_erased_at=s.ends_at + dt.timedelta(days=NEEDS_KEEP_DAYS)
                    if past
                    else None,
                )
            )
    signups = Signup.objects.bulk_create(signups, batch_size=1000)
    SignupStatusChange.objects.bulk_create(
        [
            SignupStatusChange(signup=s, old_status="", new_status=s.status, at=s.created_at)
            for s in signups
        ],
        batch_size=1000,
    )
