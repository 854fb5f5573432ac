"""What waits for staff in the subsidy programmes, for the admin index's work queue
(`registry.STAFF_QUEUE`): applications to receive, completion reports to check and change
requests awaiting an answer,
requests to stop a project (中止・廃止)."""

from __future__ import annotations

from django.db.models import Count, Model, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import QueueItem

from .models import Application, ChangeRequest


def _link(model: type[Model], status: str) -> str:
    url = reverse(f"admin:subsidies_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode({'status__exact': status})}"


def items(request: HttpRequest) -> list[QueueItem]:
    """One query for the applications (both counts), one for the change requests."""
    user = request.user
    group = _("Community activity subsidy")
    found: list[QueueItem] = []
    if user.has_perm("subsidies.change_application"):
        submitted, reported = Application.Status.SUBMITTED, Application.Status.REPORTED
        stop = Application.Status.STOP_REQUESTED
        counts = Application.objects.aggregate(
            submitted=Count("pk", filter=Q(status=submitted)),
            reported=Count("pk", filter=Q(status=reported)),
            stop=Count("pk", filter=Q(status=stop)),
        )
        found += [
            QueueItem(
                group,
                _("Applications to receive"),
                counts["submitted"],
                _link(Application, submitted),
            ),
            QueueItem(
                group,
                _("Completion reports to check"),
                counts["reported"],
                _link(Application, reported),
            ),
            QueueItem(
                group,
                _("Requests to stop a project (中止・廃止)"),
                counts["stop"],
                _link(Application, stop),
            ),
        ]
    if user.has_perm("subsidies.change_changerequest"):
        requested = ChangeRequest.Status.REQUESTED
        found.append(
            QueueItem(
                group,
                _("Change requests awaiting an answer"),
                ChangeRequest.objects.filter(status=requested).count(),
                _link(ChangeRequest, requested),
            )
        )
    return found
