"""Cases with their result for the public-page tests: opinions submitted inside the window,
grouped under 論点 with the city's view, checked for publishing, then the case put straight in
結果公表 (the publishing transition itself is tested with the services)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from publiccomment import services
from publiccomment.models import Case, Channel, Document, Issue, OpinionItem
from tests.publiccomment import factories as pf

RESULT_AT = dt.datetime(2026, 8, 20, 10, 0, tzinfo=pf.JST)


def group_all(case: Case, *, summaries=("計画の目的に賛成する意見",)) -> list[Issue]:
    """One 論点 per summary, answered; every item of the case under the first."""
    issues = []
    for n, summary in enumerate(summaries, start=1):
        issue = services.issue_create(
            case=case, summary=summary, section=case.sections.filter(number=n).first()
        )
        Issue.objects.filter(pk=issue.pk).update(
            city_view=f"市の考え方その{n}です。",
            disposition=Issue.Disposition.NOTED if n % 2 else Issue.Disposition.REFLECTED,
            draft_changed=not n % 2,
        )
        issues.append(issue)
    if issues:
        services.items_group(items=OpinionItem.objects.filter(case=case), issue=issues[0])
    return issues


def publish(case: Case, **changes) -> Case:
    """Every opinion checked for publishing by staff (as the transition requires), then the case
    straight in 結果公表."""
    pf.review_all(case)
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.RESULT_PUBLISHED,
        result_published_at=RESULT_AT,
        status_changed_at=RESULT_AT,
        final_plan=changes.pop("final_plan", "室蘭市みどりの基本計画を策定しました。"),
        draft_changed=changes.pop("draft_changed", True),
        changes_summary=changes.pop("changes_summary", "第2章に公園の管理方針を加えました。"),
        **changes,
    )
    case.refresh_from_db()
    return case


def result_case(*, opinions=3, channels=(Channel.WEB,), summaries=("計画の目的に賛成する意見",)):
    """A case with `opinions` opinions (one submission each, round the channels), grouped and
    published. Needs the clock inside the default window (the `frozen` fixture)."""
    case = pf.make_case()
    for n in range(opinions):
        channel = channels[n % len(channels)]
        extra = {} if channel == Channel.WEB else {"received_at": pf.NOW - dt.timedelta(hours=1)}
        pf.submit(case, f"意見その{n + 1}です。", name=f"提出者{n + 1}", channel=channel, **extra)
    group_all(case, summaries=summaries if opinions else ())
    return publish(case)


def add_document(case: Case, *, kind=Document.Kind.DRAFT, title="計画（案）本文") -> Document:
    content = b"%PDF-1.4 test document"
    return Document.objects.create(
        case=case,
        kind=kind,
        title=title,
        file=SimpleUploadedFile("x.pdf", content, content_type="application/pdf"),
        original_name="みどりの基本計画（案）.pdf",
        content_type="application/pdf",
        size=len(content),
    )
