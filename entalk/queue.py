"""What waits for staff in enとーく, for the admin index's work queue (`registry.STAFF_QUEUE`):
for the staff who run it (秘書広報課), new requests to schedule and sessions held whose record
is not yet published; for a department's staff, its follow-ups open for longer than
`ENTALK["FOLLOW_UP_OVERDUE_DAYS"]` (a superuser sees every department's). Each count is the
rows the person may act on, and links to the changelist filtered to exactly those rows."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import QueueItem

from .models import FollowUp, Request
from .permissions import FOLLOW_UP_PERMISSION, department_ids_of, is_entalk_staff

S = Request.Status


def changelist_url(model_name: str, params: dict[str, str]) -> str:
    """The admin changelist of a model of this app, filtered to `params` (the admin's own
    filters: status, record=due, overdue=yes)."""
    url = reverse(f"admin:entalk_{model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def items(request: HttpRequest) -> list[QueueItem]:
    """One query for the requests (both counts), one for the follow-ups (one more for a
    department clerk's departments): the requests for 秘書広報課, the overdue follow-ups for
    the department that answers them and for 秘書広報課, which chases every department."""
    user = request.user
    now = timezone.now()
    group = _("en-talk")
    found: list[QueueItem] = []
    if is_entalk_staff(user):
        counts = Request.objects.filter(
            Q(status=S.REQUESTED) | Q(status=S.CONFIRMED, ends_at__lte=now)
        ).aggregate(
            requested=Count("pk", filter=Q(status=S.REQUESTED)),
            due=Count("pk", filter=Q(status=S.CONFIRMED)),
        )
        found.append(
            QueueItem(
                group,
                _("New requests waiting for a date"),
                counts["requested"],
                changelist_url("request", {"status__exact": S.REQUESTED}),
            )
        )
        found.append(
            QueueItem(
                group,
                _("Sessions held whose record is not published"),
                counts["due"],
                changelist_url("request", {"record": "due"}),
            )
        )
    if user.has_perm(FOLLOW_UP_PERMISSION) or is_entalk_staff(user):
        # The department answers its own; 秘書広報課 sees every department's, to chase them
        # (the follow-up list shows it every follow-up, read-only).
        departments = None if is_entalk_staff(user) else department_ids_of(user)
        overdue = FollowUp.objects.overdue_at(now)
        if departments is not None:
            overdue = overdue.filter(department__in=departments)
        found.append(
            QueueItem(
                group,
                _("Follow-ups overdue"),
                overdue.count(),
                changelist_url("followup", {"overdue": "yes"}),
            )
        )
    return found
