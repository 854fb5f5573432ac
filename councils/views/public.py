"""The public pages of the councils (まちづくり協議会), for anyone without signing in: what the
councils are, the upcoming workshops with places left and the past ones with their outputs,
the facilitator trainings, the councils by 年度 and one council's page with its materials,
sessions, summary and how the opinions were reflected; one session's page; the materials and
photos themselves; and the iCal feeds.

A draft council or session is 404. A workshop's outputs (report, opinions by table, photos)
show once published; the facilitators are never named publicly and no page shows a
participant. Every list runs a fixed number of queries, whatever the number of sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from muroran_kyodo.lib.pagecache import public_page
from muroran_kyodo.lib.streaming import rows_of
from muroran_kyodo.lib.uploads import serve_private_file

from .. import ical
from ..forms import age_band_label, districts_label, interpreting_offered
from ..models import Council, Material, Opinion, Photo, Session, Signup
from ..permissions import can_manage_session

PER_PAGE = 20
INDEX_SHOWN = 10
REFLECTIONS_SHOWN = 5
PAST_TRAININGS_SHOWN = 20

# Sessions people may still come to: announced, or cancelled after announcing (so that those
# who saw the date learn it is off).
UPCOMING_STATES = (Session.Status.SCHEDULED, Session.Status.CANCELLED)


def _signups_counted(status: str) -> Coalesce:
    """The number of the session's sign-ups in `status`, as a subquery per session: counted for
    the rows shown, not by grouping every sign-up of every session the list reads."""
    counted = (
        Signup.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_places(queryset: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with `registered_count`, `waiting_count` and `places_left` annotated, and what
    a list row shows loaded (council, venue district): one query for any number of rows."""
    return (
        queryset.select_related("council", "venue_district")
        .annotate(
            registered_count=_signups_counted(Signup.Status.REGISTERED),
            waiting_count=_signups_counted(Signup.Status.WAITING),
        )
        .annotate(
            places_left=Greatest(
                F("capacity") - F("registered_count"), Value(0), output_field=IntegerField()
            )
        )
    )


def upcoming(queryset: QuerySet[Session], now: dt.datetime) -> QuerySet[Session]:
    return queryset.filter(status__in=UPCOMING_STATES, starts_at__gt=now).order_by(
        "starts_at", "pk"
    )


def mark_open(sessions: Iterable[Session], now: dt.datetime) -> list[Session]:
    """Each session with `is_open` (sign-up open now), for the templates."""
    marked = list(sessions)
    for session in marked:
        session.is_open = session.is_open_for_signup_at(now)  # type: ignore[attr-defined]
    return marked


@public_page
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """What the councils are, the workshops open for sign-up, the coming trainings and the
    councils that published how the opinions were reflected. Three queries."""
    now = timezone.now()
    workshops = mark_open(
        with_places(Session.objects.workshops().open_for_signup_at(now)).order_by(
            "starts_at", "pk"
        )[:INDEX_SHOWN],
        now,
    )
    trainings = mark_open(
        with_places(upcoming(Session.objects.trainings(), now))[:INDEX_SHOWN], now
    )
    reflected = list(
        Council.objects.filter(status=Council.Status.REFLECTED)
        .select_related("department")
        .order_by("-reflected_on", "-pk")[:REFLECTIONS_SHOWN]
    )
    return render(
        request,
        "councils/index.html",
        {"workshops": workshops, "trainings": trainings, "reflected": reflected},
    )


@public_page
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    """The upcoming workshops with places left and the deadline, then the past ones whose
    outputs are published, newest first; each list 20 a page (`?coming=`, `?page=`). Four
    queries."""
    now = timezone.now()
    coming_page = Paginator(
        with_places(upcoming(Session.objects.workshops(), now)), PER_PAGE
    ).get_page(request.GET.get("coming"))
    coming = mark_open(coming_page.object_list, now)
    past = (
        Session.objects.workshops()
        .filter(status=Session.Status.PUBLISHED)
        .select_related("council", "venue_district")
        .annotate(opinion_count=Count("opinions"))
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(past, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "councils/session_list.html",
        {
            "upcoming": coming,
            "coming_page": coming_page,
            "page": page,
            "past": page.object_list,
            # each list's links keep the other list's page
            "coming_query": _query(request, "page"),
            "past_query": _query(request, "coming"),
        },
    )


def _query(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name, "")
    return urlencode({name: value}) if value.isdigit() else ""


@public_page
@require_safe
def training_list(request: HttpRequest) -> HttpResponse:
    """The coming facilitator trainings with places left, and the past ones. Two queries."""
    now = timezone.now()
    coming = mark_open(with_places(upcoming(Session.objects.trainings(), now)), now)
    past = list(
        Session.objects.trainings()
        .public()
        .filter(starts_at__lte=now)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("venue_district")
        .order_by("-starts_at", "-pk")[:PAST_TRAININGS_SHOWN]
    )
    return render(request, "councils/training_list.html", {"upcoming": coming, "past": past})


@public_page
@require_safe
def council_list(request: HttpRequest) -> HttpResponse:
    """The councils that are not in preparation, by 年度, newest first. One query."""
    councils = list(
        Council.objects.public()
        .select_related("department")
        .annotate(
            workshop_count=Count(
                "sessions", filter=~Q(sessions__status=Session.Status.DRAFT), distinct=True
            )
        )
        .order_by("-fiscal_year", "-pk")
    )
    return render(request, "councils/council_list.html", {"councils": councils})


@public_page
@require_safe
def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A council: what it is about, its department and stage, its materials and workshops;
    once reflected, the summary and how the opinions were reflected, dated. Three queries."""
    council = get_object_or_404(
        Council.objects.public()
        .select_related("department", "project")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("position", "pk"))
        ),
        pk=pk,
    )
    now = timezone.now()
    sessions = mark_open(
        with_places(council.sessions.public()).order_by("starts_at", "pk"),
        now,
    )
    project = council.project if council.project and council.project.is_published else None
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "materials": list(council.materials.all()),
            "sessions": sessions,
            "project": project,
            "reflected": council.status == Council.Status.REFLECTED,
        },
    )


@require_safe
def material(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A council's document, once the council is public."""
    item = get_object_or_404(Material.objects.filter(council__in=Council.objects.public()), pk=pk)
    return serve_private_file(
        request,
        item.file,
        content_type=item.content_type or "application/octet-stream",
        download_name=item.original_name or f"council-material-{item.pk}",
    )


def public_session(pk: int, queryset: QuerySet[Session] | None = None) -> Session:
    """An announced session (not a draft) with its places counted; 404 otherwise."""
    queryset = queryset if queryset is not None else Session.objects.all()
    return get_object_or_404(
        with_places(queryset.public())
        .select_related("department")
        .prefetch_related("eligible_districts"),
        pk=pk,
    )


def session_context(session: Session, now: dt.datetime) -> dict[str, Any]:
    """What a session's summary shows (the sign-up pages reuse it)."""
    is_open = session.is_open_for_signup_at(now)
    session.is_open = is_open  # type: ignore[attr-defined]
    return {
        "session": session,
        "is_open": is_open,
        "started": session.has_started_at(now),
        "districts": districts_label(session)
        if session.eligibility == Session.Eligibility.DISTRICTS
        else "",
        "age_band": age_band_label(session)
        if session.eligibility == Session.Eligibility.AGE
        else "",
        "interpreting": interpreting_offered(session),
    }


@public_page
@require_safe
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A workshop or training: theme, council, date, venue, who may join, places left or the
    waiting list, deadline, accessibility, description and the sign-up button while open;
    once published, the report, the opinions by table and the photos. Five queries."""
    now = timezone.now()
    session = public_session(pk)
    published = session.status == Session.Status.PUBLISHED
    opinions: list[Opinion] = []
    photos: list[Photo] = []
    if published:
        opinions = list(session.opinions.order_by("table", "position", "pk"))
        photos = list(session.photos.order_by("position", "pk"))
    tables: dict[int, list[Opinion]] = {}
    for opinion in opinions:
        tables.setdefault(opinion.table, []).append(opinion)
    return render(
        request,
        "councils/session_detail.html",
        {
            **session_context(session, now),
            "published": published,
            "tables": sorted(tables.items()),
            "photos": photos,
        },
    )


@require_safe
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo of a workshop once its outputs are published; before that only the staff of
    the session's department see it."""
    item = get_object_or_404(Photo.objects.select_related("session"), pk=pk)
    if item.session.status != Session.Status.PUBLISHED and not can_manage_session(
        request.user, item.session
    ):
        raise Http404
    return serve_private_file(
        request,
        item.image,
        content_type=item.content_type or "application/octet-stream",
        download_name=f"council-photo-{item.pk}",
    )


def _calendar_response(body: Iterator[bytes], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Cache-Control"] = "public, max-age=900"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
def session_ics(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """One session as an iCal event, to add to a calendar. One query."""
    session = get_object_or_404(
        Session.objects.public().select_related("council", "venue_district"), pk=pk
    )
    body = ical.calendar_of([session], host=request.get_host(), base_url=_base_url(request))
    return _calendar_response(body, filename=f"council-session-{session.pk}.ics")


@require_safe
def calendar_ics(request: HttpRequest) -> StreamingHttpResponse:
    """The announced sessions from a year ago to a year ahead, streamed. One query."""
    start, end = ical.public_window(timezone.now())
    sessions = rows_of(
        Session.objects.public()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("council", "venue_district")
        .order_by("starts_at", "pk")
    )
    body = ical.calendar_of(sessions, host=request.get_host(), base_url=_base_url(request))
    return _calendar_response(body, filename="councils.ics")
