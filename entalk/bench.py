"""enとーく's pages in `make bench` (declared in muroran_kyodo/registry.py): the list of
sessions and the record page of a published session (the volume data's: topics and
follow-ups with their dated changes). Built from the data at hand; nothing is created."""

from __future__ import annotations

from django.urls import reverse

from muroran_kyodo.lib.extension import BenchPage

from .models import Request


def pages(*, person, staff) -> list[BenchPage]:
    found = [BenchPage("en-talk sessions", reverse("entalk:session_list"))]
    record = Request.objects.published().order_by("-starts_at", "-pk").only("pk").first()
    if record is not None:
        found.append(
            BenchPage("en-talk session record", reverse("entalk:session_detail", args=[record.pk]))
        )
    return found
