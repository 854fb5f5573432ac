"""The subsidy's public pages, for anyone without signing in: the programmes of this and next
年度 and each programme's page (what it funds, rules, caps and rates, windows, documents, how to
consult first), the adopted projects of a 年度 with their CSV and JSON (open data), an adopted
project's page with its report, and the 報告会 (results meeting) of a 年度.

Only organisations are named: applicants, reviewers and staff never appear. Every page runs a
fixed number of queries, whatever the number of programmes and projects."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.csvexport import csv_response
from muroran_kyodo.lib.jp import current_fiscal_year, fiscal_year_label, wareki_fiscal_year
from muroran_kyodo.lib.pagecache import public_page
from muroran_kyodo.lib.streaming import Streamed, json_response, rows_of
from muroran_kyodo.lib.windows import call_to_action

from ..models import Application, AttachmentType, IntakeWindow, Programme, ResultsMeeting

S = Application.Status
ADOPTED_PAGE_SIZE = 30
MEETING_PAGE_SIZE = 100
# The completion report is public once staff have accepted it (額の確定 and after); a report
# filed but not yet accepted, or returned for changes, stays private.
REPORT_PUBLIC_STATUSES = (S.CONFIRMED, S.PAID, S.REPAID, S.CLOSED)


def rate_text(category) -> str:
    """補助率 for people: “half of the eligible expenses (1/2)”, “all of the eligible expenses
    (10/10)”, or “2/3 of the eligible expenses”; the Japanese catalogue says 2分の1 etc."""
    numbers = {"numerator": category.rate_numerator, "denominator": category.rate_denominator}
    if category.rate_numerator == category.rate_denominator:
        return _("all of the eligible expenses (%(numerator)s/%(denominator)s)") % numbers
    if category.rate_numerator * 2 == category.rate_denominator:
        return _("half of the eligible expenses (%(numerator)s/%(denominator)s)") % numbers
    return _("%(numerator)s/%(denominator)s of the eligible expenses") % numbers


def _window_states(windows, now) -> list[IntakeWindow]:
    """Each window with `state` (open, upcoming, closed) and `days` (left, while open)."""
    for window in windows:
        if window.is_open(now):
            window.state, window.days = "open", window.days_left(now)
        elif now < window.opens_at:
            window.state, window.days = "upcoming", None
        else:
            window.state, window.days = "closed", None
    return windows


def _with_display(programme: Programme, now) -> Programme:
    """Annotate the prefetched windows and categories; no query."""
    programme.window_list = _window_states(list(programme.windows.all()), now)
    programme.open_windows = [w for w in programme.window_list if w.state == "open"]
    programme.category_list = list(programme.categories.all())
    for category in programme.category_list:
        category.rate_text = rate_text(category)
    return programme


# --- Programmes -------------------------------------------------------------------------------


@public_page
def programme_list(request):
    """The published programmes of this and next 年度, by year and track. Three queries."""
    year = current_fiscal_year()
    now = timezone.now()
    programmes = [
        _with_display(programme, now)
        for programme in Programme.objects.published()
        .filter(fiscal_year__in=(year, year + 1))
        .prefetch_related("windows", "categories")
        .order_by("fiscal_year", "track", "pk")
    ]
    years = [
        {
            "year": y,
            "label": fiscal_year_label(y),
            "programmes": [p for p in programmes if p.fiscal_year == y],
        }
        for y in (year, year + 1)
    ]
    return render(
        request,
        "subsidies/public_programme_list.html",
        {"years": [y for y in years if y["programmes"]], "current_year": year},
    )


@public_page
def programme_detail(request, pk):
    """One published programme with everything a group needs before applying. Six queries."""
    programme = get_object_or_404(
        Programme.objects.published().prefetch_related(
            "eligible_actor_types",
            "windows",
            "categories",
            Prefetch(
                "required_attachment_types",
                queryset=AttachmentType.objects.order_by("stage", "sort_order", "pk"),
            ),
            "criteria",
        ),
        pk=pk,
    )
    now = timezone.now()
    _with_display(programme, now)
    documents = list(programme.required_attachment_types.all())
    return render(
        request,
        "subsidies/public_programme_detail.html",
        {
            "programme": programme,
            "actor_types": list(programme.eligible_actor_types.all()),
            "application_documents": [
                d for d in documents if d.stage == AttachmentType.Stage.APPLICATION
            ],
            "report_documents": [d for d in documents if d.stage == AttachmentType.Stage.REPORT],
            "criteria": list(programme.criteria.all()),
            "call_to_action": call_to_action(programme.window_list, now),
        },
    )


# --- Adopted projects and open data ------------------------------------------------------------


def adopted_projects(year: int):
    """The adopted projects of a 年度's published programmes, by track and receipt number: the
    organisation, never a person. One query."""
    return (
        Application.objects.adopted()
        .for_fiscal_year(year)
        .filter(programme__is_published=True)
        .select_related("organization", "category", "programme")
        .only(
            "pk",
            "number",
            "title",
            "status",
            "decided_amount",
            "confirmed_amount",
            "report_summary",
            "organization__name",
            "category__name",
            "programme__fiscal_year",
            "programme__track",
            "programme__title",
        )
        .order_by("programme__track", "number", "pk")
    )


def _check_year(year: int) -> int:
    # The range of Programme.fiscal_year: anything else has no data, and no 和暦 either.
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _public_summary(application: Application) -> str:
    return application.report_summary if application.status in REPORT_PUBLIC_STATUSES else ""


@public_page
def adopted(request, year=None):
    """A 年度's adopted projects, paginated, with links to its CSV, JSON and 報告会. Four
    queries: the years, the meeting, the count and the page."""
    year = _check_year(year or current_fiscal_year())
    page = Paginator(adopted_projects(year), ADOPTED_PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page:
        application.public_summary = _public_summary(application)
    years = sorted(
        set(
            Programme.objects.published()
            .order_by()
            .values_list("fiscal_year", flat=True)
            .distinct()
        )
        | {year},
        reverse=True,
    )
    return render(
        request,
        "subsidies/public_adopted.html",
        {
            "year": year,
            "year_label": fiscal_year_label(year),
            "years": [(y, fiscal_year_label(y)) for y in years],
            "page": page,
            "meeting": ResultsMeeting.objects.published().filter(fiscal_year=year).first(),
        },
    )


@public_page
def adopted_detail(request, pk):
    """One adopted project: the plan, the amounts and (once accepted) its report. One query."""
    application = get_object_or_404(
        Application.objects.adopted()
        .filter(programme__is_published=True)
        .select_related("organization", "category", "programme"),
        pk=pk,
    )
    return render(
        request,
        "subsidies/public_adopted_detail.html",
        {
            "application": application,
            "report_public": application.status in REPORT_PUBLIC_STATUSES,
        },
    )


OPEN_DATA_FIELDS = [
    "fiscal_year",
    "fiscal_year_wareki",
    "track",
    "programme",
    "number",
    "organization",
    "title",
    "category",
    "decided_amount",
    "confirmed_amount",
    "status",
    "report_summary",
]


def _open_data_rows(year: int):
    wareki = wareki_fiscal_year(year)
    for application in rows_of(adopted_projects(year)):
        yield {
            "fiscal_year": year,
            "fiscal_year_wareki": wareki,
            "track": application.programme.track,
            "programme": application.programme.title,
            "number": application.number,
            "organization": application.organization.name,
            "title": application.title,
            "category": application.category.name if application.category else "",
            "decided_amount": application.decided_amount,
            "confirmed_amount": application.confirmed_amount,
            "status": application.status,
            "report_summary": _public_summary(application),
        }


def adopted_csv(request, year):
    """The 年度's adopted projects as CSV (UTF-8 with a BOM), streamed. One query."""
    _check_year(year)
    return csv_response(
        f"muroran-subsidy-adopted-{year}.csv",
        OPEN_DATA_FIELDS,
        ([row[field] for field in OPEN_DATA_FIELDS] for row in _open_data_rows(year)),
    )


def adopted_json(request, year):
    """The same as JSON, streamed like the CSV. One query."""
    _check_year(year)
    data = {
        "fiscal_year": year,
        "fiscal_year_wareki": wareki_fiscal_year(year),
        "period": {"start": f"{year}-04-01", "end": f"{year + 1}-03-31"},
        "projects": Streamed(_open_data_rows(year)),
    }
    return json_response(data)


# --- 報告会 ----------------------------------------------------------------------------------------


@public_page
def meeting_detail(request, year):
    """The 年度's results meeting and every adopted project presenting there, by programme.
    Three queries: the meeting, the count and the page."""
    meeting = get_object_or_404(ResultsMeeting.objects.published(), fiscal_year=year)
    page = Paginator(adopted_projects(year), MEETING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "subsidies/meeting_detail.html",
        {"meeting": meeting, "page": page, "year_label": fiscal_year_label(year)},
    )


urlpatterns = [
    path("subsidies/", programme_list, name="programme_list"),
    path("subsidies/programmes/<int:pk>/", programme_detail, name="programme_detail"),
    path("subsidies/adopted/", adopted, name="adopted"),
    path("subsidies/adopted/<int:year>/", adopted, name="adopted_year"),
    path("subsidies/adopted/<int:year>.csv", adopted_csv, name="adopted_csv"),
    path("subsidies/adopted/<int:year>.json", adopted_json, name="adopted_json"),
    path("subsidies/projects/<int:pk>/", adopted_detail, name="adopted_detail"),
    path("subsidies/meetings/<int:year>/", meeting_detail, name="meeting_detail"),
]
