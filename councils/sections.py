"""What まちづくり協議会 adds to the home page (workshops open for sign-up, with the places left
and the deadline) and to マイページ (my sign-ups to come with their state and attendance code, my
entry in the facilitator pool with the tables I am assigned to; and the tasks of 次にすること: a
session I am registered for, a place on a waiting list, a table to facilitate), listed in
muroran_kyodo/registry.py.

The home box runs one query. マイページ's section and tasks share what they read (cached on the
request): one query for my sign-ups and one for my pool entry, plus one for my assignments
when I am in the pool."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.extension import ProjectRecord, Section, Task, Urgency

from .models import Assignment, Council, Facilitator, Session, Signup

HOME_WORKSHOPS = 5
MYPAGE_SIGNUPS = 20
SS = Signup.Status


def home_open_workshops(request) -> Section | None:
    """Workshops open for sign-up (announced, before the deadline and the start), the soonest
    first, each with its places left and its deadline; a full one still takes people onto its
    waiting list, so it is listed, marked full. One query; nothing when none is open."""
    workshops = list(
        Session.objects.workshops()
        .open_for_signup_at(timezone.now())
        .select_related("council")
        .only(
            "pk",
            "title",
            "starts_at",
            "signup_closes_at",
            "capacity",
            "venue_name",
            "council__id",
            "council__title",
        )
        .annotate(registered_count=Count("signups", filter=Q(signups__status=SS.REGISTERED)))
        .order_by("starts_at", "pk")[: HOME_WORKSHOPS + 1]
    )
    if not workshops:
        return None
    for workshop in workshops:
        workshop.places_left = max(0, workshop.capacity - workshop.registered_count)
    return Section(
        _("Community planning councils: workshops open for sign-up"),
        "councils/council_home_section.html",
        {"workshops": workshops[:HOME_WORKSHOPS], "more": len(workshops) > HOME_WORKSHOPS},
    )


def _my_signups(request) -> list[Signup]:
    """My active sign-ups to sessions that have not ended, soonest first (one more than the
    section shows, to know there are more). One query, shared by the section and the tasks."""
    if not hasattr(request, "_councils_signups"):
        user = request.user
        request._councils_signups = (
            list(
                Signup.objects.filter(
                    user=user,
                    status__in=Signup.ACTIVE_STATES,
                    session__ends_at__gt=timezone.now(),
                )
                .select_related("session__council")
                .only(
                    "pk",
                    "status",
                    "code",
                    "session__id",
                    "session__kind",
                    "session__title",
                    "session__starts_at",
                    "session__ends_at",
                    "session__venue_name",
                    "session__council__id",
                    "session__council__title",
                )
                .order_by("session__starts_at", "pk")[: MYPAGE_SIGNUPS + 1]
            )
            if user.is_authenticated
            else []
        )
    return request._councils_signups


def _my_pool_entry(request) -> Facilitator | None:
    """My entry in the facilitator pool, with my assignments to workshops to come. One query,
    and one more for the assignments when I am in the pool; shared by the section and the
    tasks."""
    if not hasattr(request, "_councils_pool_entry"):
        user = request.user
        upcoming = (
            Assignment.objects.filter(session__starts_at__gt=timezone.now())
            .exclude(session__status=Session.Status.CANCELLED)
            .select_related("session__council")
            .order_by("session__starts_at", "pk")
        )
        request._councils_pool_entry = (
            Facilitator.objects.in_pool()
            .filter(user=user)
            .prefetch_related(Prefetch("assignments", queryset=upcoming, to_attr="upcoming"))
            .first()
            if user.is_authenticated
            else None
        )
    return request._councils_pool_entry


def mypage_signups(request) -> Section | None:
    """My sign-ups to sessions to come, with their state and attendance code, and my place in
    the facilitator pool with the tables I am assigned to. Nothing when I have neither."""
    signups = _my_signups(request)
    entry = _my_pool_entry(request)
    if not signups and entry is None:
        return None
    return Section(
        _("My workshops and trainings"),
        "councils/signup_mypage_section.html",
        {
            "signups": signups[:MYPAGE_SIGNUPS],
            "more": len(signups) > MYPAGE_SIGNUPS,
            "entry": entry,
            "assignments": entry.upcoming if entry is not None else [],
        },
    )


def _session_name(session: Session) -> str:
    """「高砂公園リニューアル：公園の使い方を話そう」 for a workshop; the course for a training."""
    if session.council_id:
        return f"{session.council.title}: {session.title}"
    return session.title


def _when(session: Session) -> str:
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{starts:%Y/%m/%d %H:%M}–{ends:%H:%M}"


def mypage_tasks(request) -> list[Task]:
    """A session I am registered for (due its day, with my attendance code), a place on a
    waiting list (the city moves me up when a place frees: nothing to do but look), a table I
    facilitate (due its day). No query of its own beyond the shared ones."""
    now = timezone.now()
    found: list[Task] = []
    for signup in _my_signups(request):
        session = signup.session
        if session.starts_at <= now:
            continue
        url = reverse("councils:signup_detail", args=[signup.pk])
        if signup.status == SS.REGISTERED:
            found.append(
                Task(
                    title=(
                        _t("Workshop: %(name)s")
                        if session.is_workshop
                        else _t("Facilitator training: %(name)s")
                    )
                    % {"name": _session_name(session)},
                    detail=_t("%(when)s at %(place)s (attendance code %(code)s)")
                    % {"when": _when(session), "place": session.venue_name, "code": signup.code},
                    due=timezone.localtime(session.starts_at).date(),
                    due_label=_t("Day of the session"),
                    url=url,
                    action_label=_t("Attend"),
                )
            )
        elif signup.status == SS.WAITING:
            found.append(
                Task(
                    title=_t("On the waiting list: %(name)s") % {"name": _session_name(session)},
                    detail=_t("%(when)s at %(place)s; you get an e-mail if a place frees up.")
                    % {"when": _when(session), "place": session.venue_name},
                    url=url,
                    action_label=_t("See your sign-up"),
                    urgency=Urgency.WAITING,
                )
            )
    entry = _my_pool_entry(request)
    for assignment in entry.upcoming if entry is not None else []:
        session = assignment.session
        found.append(
            Task(
                title=_t("Facilitate table %(table)s: %(name)s")
                % {"table": assignment.table, "name": _session_name(session)},
                detail=_t("%(when)s at %(place)s")
                % {"when": _when(session), "place": session.venue_name},
                due=timezone.localtime(session.starts_at).date(),
                due_label=_t("Day of the workshop"),
                url=reverse("councils:my_signups"),
                action_label=_t("See your assignments"),
            )
        )
    return found


def project_records(project) -> list[ProjectRecord]:
    """The public councils of a project of the registry's catalogue, with their state. One
    query."""
    councils = (
        Council.objects.public()
        .filter(project=project)
        .select_related("department")
        .only("pk", "title", "status", "department__name")
        .order_by("-fiscal_year", "-pk")
    )
    return [
        ProjectRecord(
            kind=str(_("Community planning council")),
            title=council.title,
            url=council.get_absolute_url(),
            detail=f"{council.department.name}・{council.get_status_display()}",
        )
        for council in councils
    ]
