"""What パブリックコメント adds to the home page (cases taking opinions now) and マイページ (my
submissions with their receipt numbers), listed in muroran_kyodo/registry.py.

No マイページ task: once sent, an opinion asks nothing more of the person (the result page is
the answer, and those who gave an e-mail address are told when it is out)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import ProjectRecord, Section
from muroran_kyodo.lib.windows import call_to_action

from .models import Case, Submission

HOME_CASES = 5
MYPAGE_SUBMISSIONS = 10


def home_open_cases(request) -> Section | None:
    """Cases taking opinions now, the soonest to close first, with days left. One query;
    nothing when no case is open."""
    now = timezone.now()
    cases = list(
        Case.objects.open_at(now)
        .only("pk", "title", "department", "opens_at", "closes_at", "status")
        .order_by("closes_at", "pk")[: HOME_CASES + 1]
    )
    if not cases:
        return None
    for case in cases:
        case.days = call_to_action([case], now).days
    return Section(
        _("Public comment: drafts open for your opinion"),
        "publiccomment/case_home_section.html",
        {"cases": cases[:HOME_CASES], "more": len(cases) > HOME_CASES},
    )


def mypage_submissions(request) -> Section | None:
    """The opinions I sent while signed in, newest first, with their receipt numbers and the
    case's state (its result once published). One query; nothing when I sent none."""
    submissions = list(
        Submission.objects.of_user(request.user)
        .select_related("case")
        .only(
            "pk",
            "number",
            "received_at",
            "channel",
            "case__id",
            "case__title",
            "case__status",
            "case__opens_at",
            "case__closes_at",
        )
        .order_by("-received_at", "-pk")[: MYPAGE_SUBMISSIONS + 1]
    )
    if not submissions:
        return None
    return Section(
        _("My opinions on public comment cases"),
        "publiccomment/case_mypage_section.html",
        {
            "submissions": submissions[:MYPAGE_SUBMISSIONS],
            "more": len(submissions) > MYPAGE_SUBMISSIONS,
        },
    )


def project_records(project) -> list[ProjectRecord]:
    """The public cases about a project of the registry's catalogue, the latest first, with
    their window. One query."""
    now = timezone.now()
    cases = (
        Case.objects.public()
        .filter(project=project)
        .only("pk", "title", "status", "opens_at", "closes_at")
        .order_by("-opens_at", "-pk")
    )
    return [
        ProjectRecord(
            kind=str(_("Public comment")),
            title=case.title,
            url=case.get_absolute_url(),
            detail=str(case.Phase(case.phase_at(now)).label),
        )
        for case in cases
    ]
