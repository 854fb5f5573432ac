"""Factories for the public comment tests: a case announced with a 30-day window and three
sections, and submissions made through the service, as the form and the admin make them."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from publiccomment import services
from publiccomment.models import Case, Eligibility, Section, Submission

JST = ZoneInfo("Asia/Tokyo")
# Tests run with the clock frozen here: inside the window of `make_case`'s default case.
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=JST)
OPENS = dt.datetime(2026, 6, 1, 9, 0, tzinfo=JST)
CLOSES = dt.datetime(2026, 7, 1, 17, 0, tzinfo=JST)  # 30 days after the opening day
_seq = itertools.count(1)


def make_case(
    *,
    opens_at=OPENS,
    closes_at=CLOSES,
    status=Case.Status.ANNOUNCED,
    sections=("計画の目的", "施策の方向", "推進体制"),
    may_submit=tuple(Eligibility.values),
    **extra,
) -> Case:
    """A case straight in `status` (no transition, no history): for tests of what comes after.
    Tests of the transitions call the services."""
    n = next(_seq)
    case = services.case_create(
        by=None,
        opens_at=opens_at,
        closes_at=closes_at,
        title=extra.pop("title", f"室蘭市みどりの基本計画（案）{n}"),
        department=extra.pop("department", "都市政策課"),
        summary=extra.pop("summary", "みどりの保全と創出に関する計画の案です。"),
        purpose=extra.pop("purpose", "今後10年間のみどりのまちづくりの方針を定めるため。"),
        may_submit=list(may_submit),
        **extra,
    )
    Section.objects.bulk_create(
        Section(case=case, number=number, heading=heading, body=f"{heading}の本文です。")
        for number, heading in enumerate(sections, start=1)
    )
    if status != Case.Status.DRAFT:
        Case.objects.filter(pk=case.pk).update(
            status=status, announced_at=opens_at, status_changed_at=opens_at
        )
        case.refresh_from_db()
    return case


def submit(
    case: Case,
    *texts: str,
    name="輪西 花子",
    email="",
    eligibility=Eligibility.RESIDENT,
    section_numbers=None,
    **extra,
) -> Submission:
    """A submission through the service (the clock must be inside the window for the web)."""
    sections = {section.number: section for section in case.sections.all()}
    numbers = section_numbers or [None] * len(texts or ("意見です。",))
    opinions = [
        services.OpinionInput(section=sections.get(number) if number else None, text=text)
        for text, number in zip(texts or ("意見です。",), numbers, strict=True)
    ]
    submission, _created = services.submission_create(
        case=case,
        opinions=opinions,
        name=name,
        email=email,
        eligibility=eligibility,
        address=extra.pop("address", "室蘭市輪西町1丁目1番1号"),
        phone=extra.pop("phone", "0143-00-0000"),
        **extra,
    )
    return submission


def review_all(case: Case, *, by=None) -> int:
    """Staff have read every opinion of the (announced) case and found it fit to publish, as
    the result requires (`services.opinions_mark_reviewed`)."""
    return services.opinions_mark_reviewed(
        opinions=case.opinions.filter(reviewed_at__isnull=True), by=by
    )
