"""What waits for staff in パブリックコメント, for the admin index's work queue
(`registry.STAFF_QUEUE`): cases whose window has closed and whose result is not yet published
(considering), and opinion items not yet grouped under a 論点."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import QueueItem

from .models import Case, OpinionItem


def changelist_url(model_name: str, params: dict[str, str]) -> str:
    """The admin changelist of a model of this app, filtered to `params`."""
    url = reverse(f"admin:publiccomment_{model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def items(request: HttpRequest) -> list[QueueItem]:
    """One query for the cases, one for the items; only for staff who may change them."""
    user = request.user
    now = timezone.now()
    group = _("Public comment")
    found: list[QueueItem] = []
    if user.has_perm("publiccomment.change_case"):
        # The changelist filtered to exactly the counted rows: announced, closed by now.
        url = changelist_url("case", {"phase": Case.Phase.CONSIDERING})
        considering = Case.objects.considering_at(now).count()
        found.append(QueueItem(group, _("Closed cases waiting for a result"), considering, url))
    if user.has_perm("publiccomment.change_opinionitem"):
        # Items of abandoned cases are never grouped: only the cases still announced count.
        url = changelist_url(
            "opinionitem", {"grouped": "no", "case__status__exact": Case.Status.ANNOUNCED}
        )
        ungrouped = OpinionItem.objects.filter(
            issue__isnull=True, case__status=Case.Status.ANNOUNCED
        ).count()
        found.append(QueueItem(group, _("Opinion items not yet grouped"), ungrouped, url))
    return found
