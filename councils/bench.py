"""まちづくり協議会's pages in `make bench` (declared in muroran_kyodo/registry.py): the workshop
list (upcoming workshops with their places left, past ones with outputs) and the page of the
public council with the most workshops (the volume data's: six sessions each). Built from the
data at hand; nothing is created."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from muroran_kyodo.lib.extension import BenchPage

from .models import Council


def pages(*, person, staff) -> list[BenchPage]:
    found = [BenchPage("councils workshops", reverse("councils:session_list"))]
    council = (
        Council.objects.public()
        .annotate(workshops=Count("sessions"))
        .order_by("-workshops", "-pk")
        .only("pk")
        .first()
    )
    if council is not None:
        found.append(
            BenchPage(
                "councils council page", reverse("councils:council_detail", args=[council.pk])
            )
        )
    return found
