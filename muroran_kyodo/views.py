"""Site-wide pages: home, the guideline, 実績 (yearly figures) and open data, privacy, マイページ."""

from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from organizations.models import (
    ActorType,
    CollaborationLead,
    Pillar,
    Policy,
    Principle,
    SupportSphere,
)

from . import registry
from .lib.csvexport import csv_response
from .lib.extension import Task, Urgency
from .lib.jp import current_fiscal_year, fiscal_year_label, wareki_fiscal_year
from .lib.pagecache import public_page
from .lib.streaming import json_response

FIRST_FISCAL_YEAR = 2003  # 協働改革プラン (平成15年度): the start of Muroran's collaboration work


def _sections(functions, request):
    return [section for section in (f(request) for f in functions) if section is not None]


@public_page
def home(request):
    return render(
        request,
        "muroran_kyodo/home.html",
        {"sections": _sections(registry.HOME_SECTIONS, request), "mechanisms": registry.MECHANISMS},
    )


@public_page
def guideline(request):
    leads = CollaborationLead.objects.prefetch_related("forms")
    return render(
        request,
        "muroran_kyodo/guideline.html",
        {
            "actor_types": ActorType.objects.all(),
            "principles": Principle.objects.all(),
            "leads": leads,
            "spheres": SupportSphere.objects.all(),
            "pillars": Pillar.objects.all(),
            "policies": Policy.objects.all(),
        },
    )


@public_page
def privacy(request):
    return render(request, "muroran_kyodo/privacy.html")


@public_page
def accessibility(request):
    return render(request, "muroran_kyodo/accessibility.html")


# The order of マイページ's tasks on the same day: what the city returned first, then what is late.
_URGENCY_ORDER = {Urgency.ACTION: 0, Urgency.OVERDUE: 1, Urgency.SOON: 2, Urgency.LATER: 3}


def mypage_tasks(request) -> list[dict]:
    """Every app's tasks for the signed-in user (registry.MYPAGE_TASKS), ordered by date: a
    task without a date is to be done now and counts as today; tasks waiting for the city's
    answer come last. Each row: the task, its urgency and the days left (negative: late)."""
    today = timezone.localdate()
    rows = []
    for function in registry.MYPAGE_TASKS:
        for task in function(request):
            urgency = Urgency.of(task, today)
            rows.append(
                {
                    "task": task,
                    "urgency": urgency,
                    "days": None if task.due is None else (task.due - today).days,
                    "late": None if task.due is None else (today - task.due).days,
                }
            )

    def order(row):
        task: Task = row["task"]
        return (
            row["urgency"] == Urgency.WAITING,
            task.due or today,
            _URGENCY_ORDER.get(row["urgency"], 4),
            str(task.title),
        )

    return sorted(rows, key=order)


@never_cache
@login_required
def mypage(request):
    # The sections first: the tasks reuse what they read (organizations.sections.read_memberships).
    sections = _sections(registry.MYPAGE_SECTIONS, request)
    return render(
        request,
        "muroran_kyodo/mypage.html",
        {"tasks": mypage_tasks(request), "sections": sections},
    )


# --- 実績 and open data ----------------------------------------------------------------------


def _year(request) -> int:
    current = current_fiscal_year()
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if FIRST_FISCAL_YEAR <= year <= current else current


def collect_figures(fiscal_year: int):
    rows = []
    for function in registry.FIGURES:
        rows.extend(function(fiscal_year))
    return rows


def _range(request) -> tuple[int, int] | None:
    """The range of 年度 asked for (?from=2023&to=2026, either order), or None when absent or
    not a pair of years the portal knows."""
    current = current_fiscal_year()
    try:
        first, last = int(request.GET["from"]), int(request.GET["to"])
    except (KeyError, ValueError):
        return None
    first, last = min(first, last), max(first, last)
    if first < FIRST_FISCAL_YEAR or last > current:
        return None
    return first, last


@public_page
def figures(request):
    year = _year(request)
    rows = collect_figures(year)
    groups = [(group, list(items)) for group, items in groupby(rows, key=lambda f: f.group)]
    years = list(range(current_fiscal_year(), FIRST_FISCAL_YEAR - 1, -1))
    span = _range(request)
    range_groups = []
    if span is not None:
        range_rows = [f for function in registry.FIGURE_RANGES for f in function(*span)]
        range_groups = [
            (group, list(items)) for group, items in groupby(range_rows, key=lambda f: f.group)
        ]
    return render(
        request,
        "muroran_kyodo/figures.html",
        {
            "year": year,
            "year_label": fiscal_year_label(year),
            "groups": groups,
            "years": [(y, fiscal_year_label(y)) for y in years],
            "span": span,
            "span_labels": span and (fiscal_year_label(span[0]), fiscal_year_label(span[1])),
            "range_groups": range_groups,
            "csv_url": reverse("figures_csv") + "?" + urlencode({"year": year}),
            "json_url": reverse("figures_json") + "?" + urlencode({"year": year}),
        },
    )


def figures_csv(request):
    year = _year(request)
    return csv_response(
        f"muroran-kyodo-figures-{year}.csv",
        ["fiscal_year", "fiscal_year_wareki", "group", "key", "label", "value", "unit"],
        (
            [year, wareki_fiscal_year(year), f.group, f.key, f.label, f.value, f.unit]
            for f in collect_figures(year)
        ),
    )


def figures_json(request):
    year = _year(request)
    data = {
        "fiscal_year": year,
        "fiscal_year_wareki": wareki_fiscal_year(year),
        "period": {"start": f"{year}-04-01", "end": f"{year + 1}-03-31"},
        "city_population": settings.CITY_POPULATION,
        "figures": [
            {
                "group": str(f.group),
                "key": f.key,
                "label": str(f.label),
                "value": f.value,
                "unit": str(f.unit),
            }
            for f in collect_figures(year)
        ],
    }
    return json_response(data)


@public_page
def opendata(request):
    year = current_fiscal_year()
    datasets = [
        {
            "title": _("Yearly figures of collaboration (実績)"),
            "description": _(
                "Organisations by actor type, projects by form and every mechanism's figures, per fiscal year."
            ),
            "csv": reverse("figures_csv") + "?" + urlencode({"year": year}),
            "json": reverse("figures_json") + "?" + urlencode({"year": year}),
        },
        {
            "title": _("Community activity subsidy: adopted projects"),
            "description": _(
                "Each adopted project of the fiscal year: the organisation, title, category, the grant decided and confirmed, and the report summary. Change the year in the address (/subsidies/adopted/2025.csv)."
            ),
            "csv": reverse("subsidies:adopted_csv", args=[year]),
            "json": reverse("subsidies:adopted_json", args=[year]),
        },
    ]
    return render(
        request,
        "muroran_kyodo/opendata.html",
        {"datasets": datasets, "year_label": fiscal_year_label(year)},
    )


def admin_login(request):
    """The admin has no login form of its own: staff sign in (with their second factor)
    through the same page as everyone, then come back."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(reverse("account_login") + "?" + urlencode({"next": target}))
