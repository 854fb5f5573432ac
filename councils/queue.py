"""What waits for the staff who run councils, for the admin index's work queue
(`registry.STAFF_QUEUE`), each count scoped to the person's departments (a superuser: all) and
linking to the changelist filtered to exactly those rows (the filters of
councils/admin/filters.py, whose functions count them here too):

- workshops held whose outputs are not published (`/admin/councils/session/?outputs=due`);
- councils whose workshops all have their outputs published and whose reflection is to write
  (`/admin/councils/council/?reflection=due`);
- trainings held whose completions are not recorded (`/admin/councils/session/?completion=due`).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import QueueItem

from .models import Council, Session
from .permissions import department_ids_of, is_council_staff


def changelist_url(model_name: str, params: dict[str, str]) -> str:
    url = reverse(f"admin:councils_{model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def items(request: HttpRequest) -> list[QueueItem]:
    """One query for the sessions (both counts), one for the councils, and one for a clerk's
    departments (none for a superuser); nothing for anyone else."""
    # The admin's own filters, so a count is exactly the rows the link lists (the admin is
    # loaded at start-up, so this import costs nothing at request time).
    from .admin.filters import DUE, completion_due, outputs_due, reflection_due

    user = request.user
    if not is_council_staff(user):
        return []
    now = timezone.now()
    departments = department_ids_of(user)
    sessions = Session.objects.all()
    councils = Council.objects.all()
    if departments is not None:
        sessions = sessions.filter(department__in=departments)
        councils = councils.filter(department__in=departments)
    outputs = outputs_due(Session.objects.all(), now).values("pk")
    completions = completion_due(Session.objects.all(), now).values("pk")
    counts = sessions.filter(Q(pk__in=outputs) | Q(pk__in=completions)).aggregate(
        outputs=Count("pk", filter=Q(kind=Session.Kind.WORKSHOP)),
        completions=Count("pk", filter=Q(kind=Session.Kind.TRAINING)),
    )
    group = _("Community planning councils")
    return [
        QueueItem(
            group,
            _("Workshop outputs to publish"),
            counts["outputs"],
            changelist_url("session", {"outputs": DUE}),
        ),
        QueueItem(
            group,
            _("Reflections to write"),
            reflection_due(councils).count(),
            changelist_url("council", {"reflection": DUE}),
        ),
        QueueItem(
            group,
            _("Training completions to record"),
            counts["completions"],
            changelist_url("session", {"completion": DUE}),
        ),
    ]
