"""What enとーく adds to the home page (the sessions coming up, with the call to invite the
mayor) and to マイページ (my group's requests with their state, and the tasks of 次にすること: a
date the city proposed, to accept or decline; the next confirmed session), listed in
muroran_kyodo/registry.py. One query each."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import Section, Task, Urgency

from .models import Request
from .permissions import requests_of
from .services import rules

S = Request.Status
HOME_SESSIONS = 5
MYPAGE_REQUESTS = 10


def home_upcoming_sessions(request) -> Section | None:
    """The confirmed sessions to come, the soonest first (date, town, the group as the public
    may read it), and the link to invite the mayor. One query; nothing when no session is
    planned (the home page then says that nothing is open, and the mechanism's box below
    still leads to the request form)."""
    sessions = list(
        Request.objects.upcoming_at(timezone.now())
        .select_related("venue_district")
        .only(
            "pk",
            "status",
            "starts_at",
            "ends_at",
            "group_name",
            "public_naming",
            "venue_district__id",
            "venue_district__name",
        )
        .order_by("starts_at", "pk")[: HOME_SESSIONS + 1]
    )
    if not sessions:
        return None
    return Section(
        _("en-talk: the mayor comes to talk with your group"),
        "entalk/session_home_section.html",
        {
            "sessions": sessions[:HOME_SESSIONS],
            "more": len(sessions) > HOME_SESSIONS,
            "min_participants": rules().min_participants,
        },
    )


def mypage_requests(request) -> Section | None:
    """The requests of my groups (mine as the representative of an informal group, and those
    of organisations I manage), newest first, with their state. One query; nothing when
    there is none."""
    requests = list(
        requests_of(request.user, Request.objects.all())
        .only("pk", "number", "group_name", "status", "starts_at", "received_at")
        .order_by("-received_at", "-pk")[: MYPAGE_REQUESTS + 1]
    )
    if not requests:
        return None
    return Section(
        _("My en-talk requests"),
        "entalk/request_mypage_section.html",
        {"requests": requests[:MYPAGE_REQUESTS], "more": len(requests) > MYPAGE_REQUESTS},
    )


def mypage_tasks(request) -> list[Task]:
    """A date the city proposed, to accept or decline now, and each confirmed session to
    come, due on its day. One query."""
    now = timezone.now()
    found: list[Task] = []
    for r in (
        requests_of(
            request.user,
            Request.objects.filter(Q(status=S.PROPOSED) | Q(status=S.CONFIRMED, starts_at__gt=now)),
        )
        .only("pk", "number", "group_name", "status", "starts_at", "ends_at")
        .order_by("starts_at", "pk")
    ):
        starts = timezone.localtime(r.starts_at)
        when = f"{starts:%Y/%m/%d %H:%M}"
        url = reverse("entalk:request_detail", args=[r.pk])
        if r.status == S.PROPOSED:
            found.append(
                Task(
                    title=_t("enとーく: the city proposes another date for %(group)s")
                    % {"group": r.group_name},
                    detail=_t("Proposed: %(when)s (%(number)s)")
                    % {"when": when, "number": r.number},
                    url=url,
                    action_label=_t("Accept or decline the date"),
                    urgency=Urgency.ACTION,
                )
            )
        else:
            found.append(
                Task(
                    title=_t("enとーく with the mayor: %(group)s") % {"group": r.group_name},
                    detail=_t("%(when)s (%(number)s)") % {"when": when, "number": r.number},
                    due=starts.date(),
                    due_label=_t("Day of the session"),
                    url=url,
                    action_label=_t("See the request"),
                )
            )
    return found
