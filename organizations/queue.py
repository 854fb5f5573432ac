"""What waits for staff in the organisation registry, for the admin index's work queue
(`registry.STAFF_QUEUE`): organisations awaiting verification."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import QueueItem

from .models import Organization


def items(request: HttpRequest) -> list[QueueItem]:
    """One query when the person may change organisations, none otherwise."""
    if not request.user.has_perm("organizations.change_organization"):
        return []
    pending = Organization.objects.filter(status=Organization.Status.PENDING).count()
    url = reverse("admin:organizations_organization_changelist")
    return [
        QueueItem(
            group=_("Organisations"),
            label=_("Organisations awaiting verification"),
            count=pending,
            url=f"{url}?{urlencode({'status__exact': Organization.Status.PENDING})}",
        )
    ]
