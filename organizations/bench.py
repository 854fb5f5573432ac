"""The registry's pages in `make bench` (declared in muroran_kyodo/registry.py)."""

from __future__ import annotations

from muroran_kyodo.lib.extension import BenchPage

from .models import Organization


def pages(*, person, staff) -> list[BenchPage]:
    organization = (
        Organization.objects.verified().filter(name="輪西町内会").first()
        or Organization.objects.verified().order_by("pk").first()
    )
    found = [
        BenchPage("directory", "/organizations/"),
        BenchPage("directory ?type=npo", "/organizations/?type=npo"),
    ]
    if organization is not None:  # a page with members and projects
        found.append(BenchPage("organisation", organization.get_absolute_url()))
    found.append(BenchPage("projects", "/projects/"))
    return found
