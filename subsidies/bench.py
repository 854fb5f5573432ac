"""The subsidy's pages in `make bench` (declared in muroran_kyodo/registry.py).

"adopted projects" is this 年度's public list: the demo's adopted projects (the volume
applications are in the ten years before, so this year's budgets stay right); "adopted
projects (last 年度)" is the year before, with its share of the volume applications (30 a
page); the admin list holds every application (the demo's and the volume ones)."""

from __future__ import annotations

from django.urls import reverse

from muroran_kyodo.lib.extension import BenchPage
from muroran_kyodo.lib.jp import current_fiscal_year


def pages(*, person, staff) -> list[BenchPage]:
    return [
        BenchPage("adopted projects", reverse("subsidies:adopted")),
        BenchPage(
            "adopted projects (last 年度)",
            reverse("subsidies:adopted_year", args=[current_fiscal_year() - 1]),
        ),
        BenchPage(
            "admin applications changelist",
            reverse("admin:subsidies_application_changelist"),
            who="staff",
            expect=('id="result_list"',),
        ),
    ]
