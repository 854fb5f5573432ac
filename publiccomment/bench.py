"""パブリックコメント's pages in `make bench` (declared in muroran_kyodo/registry.py): the list of
cases, a case's page and a result page (the volume data's: 200 opinions a case), the opinion
form of a case open now (which the capacity run also fills in and sends, without an account),
and the admin's opinion list. Built from the data at hand; nothing is created."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from muroran_kyodo.lib.extension import BenchPage

from .forms import WHOLE
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
    open_case = Case.objects.public().open_at(timezone.now()).order_by("closes_at", "pk").first()
    if open_case is not None:
        found.append(
            BenchPage(
                "public comment opinion form",
                reverse("publiccomment:submit", args=[open_case.pk]),
                form=(
                    ("kind", "individual"),
                    ("name", "ベンチ 花子"),
                    ("address", "室蘭市幸町1番2号"),
                    ("eligibility", sorted(open_case.may_submit)[0]),
                    ("opinion1_section", WHOLE),
                    ("opinion1_text", "ベンチマークの意見です。案に賛成します。"),
                ),
                confirm=True,
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
