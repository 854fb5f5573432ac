"""The public pages of パブリックコメント, for anyone without signing in: the list of cases (open
with days left, opening soon, past by 年度), a case's page (the draft by section, documents,
the window, who may submit and every way to submit), the result (43条1項) with its CSV, every
opinion as published (43条2項, after the result), the documents and the printable blank
意見記入用紙.

A case in preparation is never shown (404). No page names a private person: submitters are
counted, never listed; an organisation is named only when it agreed
(`Submission.public_name`). Every page runs a fixed number of queries, whatever the number of
cases and opinions."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from muroran_kyodo.lib import scanning
from muroran_kyodo.lib.csvexport import csv_response
from muroran_kyodo.lib.jp import fiscal_year_label
from muroran_kyodo.lib.pagecache import public_page
from muroran_kyodo.lib.windows import CallToAction, call_to_action

from ..models import Case, Channel, Document, Facility, Issue, Opinion, Submission

S = Case.Status
P = Case.Phase

LIST_FIELDS = (
    "pk",
    "fiscal_year",
    "serial",
    "title",
    "department",
    "summary",
    "opens_at",
    "closes_at",
    "status",
    "result_published_at",
    "abandoned_at",
)


def case_call_to_action(case: Case, now) -> CallToAction:
    """The window as the page shows it: only an announced case takes opinions (a case
    abandoned or with its result is closed whatever its dates)."""
    if case.status != S.ANNOUNCED:
        return CallToAction("closed")
    # The window closes at closes_at exactly (the services refuse a submission then).
    if now >= case.closes_at:
        return CallToAction("closed")
    return call_to_action([case], now)


def _public_case(pk: int, queryset=None) -> Case:
    base = Case.objects.all() if queryset is None else queryset
    return get_object_or_404(base.public(), pk=pk)


def _address(case: Case) -> str:
    return case.submit_address or settings.PUBLICCOMMENT_ADDRESS


# --- The list and a case's page -----------------------------------------------------------------


def _chosen_year(request, years: list[int]) -> int | None:
    """The 年度 asked for (`?year=2025`) if it has past cases, else the latest one; anything
    else typed in the address is ignored."""
    try:
        asked = int(request.GET.get("year", ""))
    except ValueError:
        asked = None
    if asked in years:
        return asked
    return years[0] if years else None


@public_page
@require_safe
def case_list(request):
    """Open cases (closing first, with days left), cases opening soon, and the past cases
    (being considered, with their result, abandoned) of one 年度 at a time, with links to the
    other years: three queries, and a page that stays short as the years pass."""
    now = timezone.now()
    current = list(
        Case.objects.filter(status=S.ANNOUNCED, closes_at__gt=now)
        .only(*LIST_FIELDS)
        .order_by("closes_at", "pk")
    )
    open_cases, upcoming = [], []
    for case in current:
        case.phase_now = case.phase_at(now)
        case.cta = case_call_to_action(case, now)
        (open_cases if case.phase_now == P.OPEN else upcoming).append(case)
    upcoming.sort(key=lambda case: (case.opens_at, case.pk))
    past = Case.objects.past_at(now)
    years = sorted(set(past.values_list("fiscal_year", flat=True)), reverse=True)
    year = _chosen_year(request, years)
    cases = []
    if year is not None:
        cases = list(past.filter(fiscal_year=year).only(*LIST_FIELDS).order_by("-opens_at", "-pk"))
        for case in cases:
            case.phase_now = case.phase_at(now)
    return render(
        request,
        "publiccomment/case_list.html",
        {
            "open_cases": open_cases,
            "upcoming": upcoming,
            "year": year,
            "year_label": fiscal_year_label(year) if year else "",
            "years": [{"year": y, "label": fiscal_year_label(y)} for y in years],
            "past": cases,
        },
    )


@public_page
@require_safe
def case_detail(request, pk):
    """One case: the summary, purpose and legal basis, the draft by section, the documents,
    the window (with the reason for a short one), who may submit and every way to submit;
    for an abandoned case that fact and the reason (43条4項). Four queries."""
    case = _public_case(
        pk,
        Case.objects.prefetch_related(
            "sections",
            "documents",
            Prefetch("facilities", queryset=Facility.objects.filter(is_active=True)),
        ),
    )
    now = timezone.now()
    documents = list(case.documents.all())
    return render(
        request,
        "publiccomment/case_detail.html",
        {
            "case": case,
            "phase": case.phase_at(now),
            "sections": list(case.sections.all()),
            "draft_documents": [d for d in documents if d.kind == Document.Kind.DRAFT],
            "result_documents": [d for d in documents if d.kind == Document.Kind.RESULT]
            if case.status == S.RESULT_PUBLISHED
            else [],
            "facilities": list(case.facilities.all()),
            "address": _address(case),
            "call_to_action": case_call_to_action(case, now),
        },
    )


# --- The result (43条1項) ------------------------------------------------------------------------


def _result_case(pk: int) -> Case:
    """A case whose result is published; anything else (in preparation, open, being
    considered, abandoned) has no result page."""
    return get_object_or_404(Case.objects.filter(status=S.RESULT_PUBLISHED), pk=pk)


def _issues(case: Case) -> list[Issue]:
    return list(
        case.issues.select_related("section")
        .annotate(item_count=Count("items"))
        .order_by("number", "pk")
    )


def _channel_counts(case: Case) -> tuple[list[dict], dict]:
    """Submitters and opinions by channel, in the order of Channel (a channel nobody used is
    left out), and the totals. One query."""
    rows = {
        row["channel"]: row
        for row in Submission.objects.filter(case=case)
        .order_by()
        .values("channel")
        .annotate(submitters=Count("pk", distinct=True), opinions=Count("opinions"))
    }
    channels = [
        {
            "label": label,
            "submitters": rows[value]["submitters"],
            "opinions": rows[value]["opinions"],
        }
        for value, label in Channel.choices
        if value in rows
    ]
    totals = {
        "submitters": sum(row["submitters"] for row in channels),
        "opinions": sum(row["opinions"] for row in channels),
    }
    return channels, totals


@public_page
@require_safe
def case_result(request, pk):
    """「意見等の概要と室蘭市の考え方」: the case, the date the draft was published, the number
    of submitters and opinions by channel, each 論点 with the city's view and disposition (or
    that no opinion came), the final plan and what changed; printable. Four queries."""
    case = _result_case(pk)
    channels, totals = _channel_counts(case)
    return render(
        request,
        "publiccomment/case_result.html",
        {
            "case": case,
            "issues": _issues(case),
            "channels": channels,
            "totals": totals,
            "result_documents": list(case.documents.filter(kind=Document.Kind.RESULT)),
        },
    )


def _section_label(section) -> str:
    return str(section) if section is not None else _("The draft as a whole")


RESULT_CSV_HEADER = ["番号", "該当箇所", "意見の概要", "市の考え方", "対応"]


@require_safe
def result_csv(request, pk):
    """The opinion table in the layout the city publishes: one row per 論点. Two queries."""
    case = _result_case(pk)
    rows = (
        [
            issue.number,
            _section_label(issue.section),
            issue.summary,
            issue.city_view,
            issue.get_disposition_display(),
        ]
        for issue in _issues(case)
    )
    return csv_response(f"muroran-publiccomment-{case.code}-result.csv", RESULT_CSV_HEADER, rows)


@public_page
@require_safe
def case_opinions(request, pk):
    """Every opinion as submitted, with what may not be published removed (43条2項, 3項): the
    published text, or 「公表しません」 with the reason; the section and a number, never who
    sent it (an organisation only when it agreed). Two queries."""
    case = _result_case(pk)
    opinions = list(
        Opinion.objects.filter(case=case)
        .select_related("section", "submission")
        .only(
            "pk",
            "position",
            "text",
            "public_text",
            "withheld",
            "redaction_reason",
            "section__number",
            "section__heading",
            "submission__sequence",
            "submission__kind",
            "submission__organization_name",
            "submission__organization_name_public",
        )
        .order_by("submission__sequence", "position")
    )
    return render(
        request,
        "publiccomment/case_opinions.html",
        {"case": case, "opinions": opinions},
    )


# --- Documents and the blank form ------------------------------------------------------------------


@require_safe
def document(request, pk, document_pk):
    """A document of a public case, as a download under its original name; the result's
    documents once the result is published."""
    item = get_object_or_404(
        Document.objects.filter(case__in=Case.objects.public()).select_related("case"),
        pk=document_pk,
        case_id=pk,
    )
    if item.kind == Document.Kind.RESULT and item.case.status != S.RESULT_PUBLISHED:
        raise Http404
    if not item.file:
        raise Http404
    refused = scanning.refusal(request, item.file)  # only a file found clean by the virus check
    if refused is not None:
        return refused
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.original_name or "document",
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_safe
def blank_form(request, pk):
    """The printable 意見記入用紙 of a case: its title and number, the sections to point at,
    the fields to fill in, the boxes of who may submit, and where to drop or send it by the
    deadline. Three queries."""
    case = _public_case(
        pk,
        Case.objects.prefetch_related(
            "sections",
            Prefetch("facilities", queryset=Facility.objects.filter(is_active=True)),
        ),
    )
    return render(
        request,
        "publiccomment/case_blank_form.html",
        {
            "case": case,
            "sections": list(case.sections.all()),
            "facilities": list(case.facilities.all()),
            "address": _address(case),
            "document_title": _("Opinion form"),
            "document_number": case.code,
            "number_label": _("Case number"),
            "back_url": case.get_absolute_url(),
            "back_label": _("Back to the case"),
            "blank_lines": range(6),
        },
    )


urlpatterns = [
    path("publiccomment/", case_list, name="case_list"),
    path("publiccomment/<int:pk>/", case_detail, name="case_detail"),
    path("publiccomment/<int:pk>/result/", case_result, name="case_result"),
    path("publiccomment/<int:pk>/result.csv", result_csv, name="result_csv"),
    path("publiccomment/<int:pk>/opinions/", case_opinions, name="case_opinions"),
    path(
        "publiccomment/<int:pk>/documents/<int:document_pk>/",
        document,
        name="document",
    ),
    path("publiccomment/<int:pk>/form/", blank_form, name="blank_form"),
]
