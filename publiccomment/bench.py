"""パブリックコメント's pages in `make bench` (declared in muroran_kyodo/registry.py): the list of
cases, a case's page and a result page (the volume data's: 200 opinions a case), and the
admin's opinion list. Built from the data at hand; nothing is created."""

from __future__ import annotations

from django.urls import reverse

from muroran_kyodo.lib.extension import BenchPage

from .models import Case
from .queue import changelist_url


def pages(*, person, staff) -> list[BenchPage]:
    found = [BenchPage("public comment cases", reverse("publiccomment:case_list"))]
    case = Case.objects.public().order_by("-opens_at", "-pk").only("pk").first()
    if case is not None:
        found.append(
            BenchPage("public comment case", reverse("publiccomment:case_detail", args=[case.pk]))
        )
    result = (
        Case.objects.filter(status=Case.Status.RESULT_PUBLISHED)
        .order_by("-result_published_at", "-pk")
        .only("pk")
        .first()
    )
    if result is not None:
        found.append(
            BenchPage(
                "public comment result", reverse("publiccomment:case_result", args=[result.pk])
            )
        )
    found.append(
        BenchPage(
            "admin opinions changelist",
            changelist_url("opinion", {}),
            who="staff",
            expect=('id="result_list"',),
        )
    )
    return found
