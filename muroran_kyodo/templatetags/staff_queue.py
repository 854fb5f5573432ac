"""`{% staff_queue as groups %}`: the admin index's work queue from `registry.STAFF_QUEUE`,
grouped by the contributing area, in the registry's order."""

from __future__ import annotations

from django import template

from muroran_kyodo import registry
from muroran_kyodo.lib.extension import QueueItem

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_queue(context: template.Context) -> list[tuple[str, list[QueueItem]]]:
    request = context["request"]
    groups: dict[str, list[QueueItem]] = {}
    for contribute in registry.STAFF_QUEUE:
        for item in contribute(request):
            groups.setdefault(item.group, []).append(item)
    return list(groups.items())
