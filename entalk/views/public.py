"""The public pages of enとーく, for anyone without signing in: what it is and how to request a
session, the upcoming sessions, the published records (filtered by theme, town and 年度), one
session's page with its record, topics, photos and follow-ups, the photos themselves, and the
iCal feeds (public, and a group's own at a secret address).

Only confirmed and published sessions are public; a record (participants, topics, photos,
follow-ups) only once published. A group is named only with its consent
(`Request.public_name`); no page shows contact data. Every page runs a fixed number of
queries, whatever the number of sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from muroran_kyodo.lib.jp import fiscal_year_label
from muroran_kyodo.lib.pagecache import public_page
from muroran_kyodo.lib.streaming import rows_of
from muroran_kyodo.lib.uploads import serve_private_file

from .. import ical, services
from ..forms import SessionFilterForm
from ..models import FollowUp, FollowUpChange, ParticipantCount, Photo, Request, Theme
from ..permissions import is_entalk_staff, requests_of

PER_PAGE = 20
UPCOMING_SHOWN = 20
LATEST_SHOWN = 5


def _sessions():
    return Request.objects.select_related("venue_district")


def _record_index() -> tuple[list[dict], list[dict]]:
    """The published records counted by theme category and by town, each linking to the
    filtered list (an index of the records). Two queries."""
    published = Q(requests__status=Request.Status.PUBLISHED)
    themes = list(
        Theme.objects.annotate(records=Count("requests", filter=published))
        .filter(records__gt=0)
        .order_by("sort_order", "name")
        .values("pk", "name", "records")
    )
    districts = list(
        Request.objects.published()
        .order_by()
        .values("venue_district", "venue_district__name", "venue_district__sort_order")
        .annotate(records=Count("pk"))
        .order_by("venue_district__sort_order", "venue_district__name")
    )
    return themes, districts


@public_page
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """What enとーく is, how to request it, the upcoming sessions, the latest records and the
    index of records by theme and town. Four queries."""
    now = timezone.now()
    upcoming = list(_sessions().upcoming_at(now).order_by("starts_at", "pk")[:UPCOMING_SHOWN])
    latest = list(_sessions().published().order_by("-starts_at", "-pk")[:LATEST_SHOWN])
    by_theme, by_district = _record_index()
    the_rules = services.rules()
    return render(
        request,
        "entalk/index.html",
        {
            "upcoming": upcoming,
            "latest": latest,
            "by_theme": by_theme,
            "by_district": by_district,
            "rules": the_rules,
            "earliest": the_rules.earliest_start(now),
        },
    )


@public_page
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    """The published records, newest first, 20 a page, filtered by theme category, town and
    年度 with a GET form (anything not understood is ignored). Six queries: the years, the
    filter's themes and towns, the count, the page and its themes."""
    years = sorted(
        set(
            Request.objects.published()
            .exclude(held_fiscal_year=None)
            .order_by()
            .values_list("held_fiscal_year", flat=True)
            .distinct()
        ),
        reverse=True,
    )
    form = SessionFilterForm(
        request.GET or None, years=[(year, fiscal_year_label(year)) for year in years]
    )
    filters = form.filters() if request.GET else {}
    sessions = (
        _sessions()
        .published()
        .filter(**filters)
        .prefetch_related("themes")
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(sessions, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode(
        {
            name: request.GET[name]
            for name in ("theme", "district", "year")
            if request.GET.get(name) and name not in form.errors
        }
    )
    return render(
        request,
        "entalk/session_list.html",
        {"form": form, "page": page, "sessions": page.object_list, "query": query},
    )


def _status_changes():
    return FollowUpChange.objects.order_by("at", "pk")


@public_page
@require_safe
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmed or published session: date, venue, town, themes, the group as the public
    may read it; once published the record with participants by actor type, topics, photos
    and follow-ups with their dated history. Seven queries."""
    follow_ups = FollowUp.objects.select_related("department", "topic").prefetch_related(
        Prefetch("status_changes", queryset=_status_changes())
    )
    session = get_object_or_404(
        _sessions()
        .confirmed()
        .prefetch_related(
            "themes",
            Prefetch(
                "participant_counts",
                queryset=ParticipantCount.objects.select_related("actor_type"),
            ),
            "topics",
            "photos",
            Prefetch("follow_ups", queryset=follow_ups),
        ),
        pk=pk,
    )
    published = session.status == Request.Status.PUBLISHED
    return render(
        request,
        "entalk/session_detail.html",
        {
            "session": session,
            "published": published,
            "themes": list(session.themes.all()),
            "participant_counts": list(session.participant_counts.all()) if published else [],
            "topics": list(session.topics.all()) if published else [],
            "photos": list(session.photos.all()) if published else [],
            "follow_ups": list(session.follow_ups.all()) if published else [],
        },
    )


@require_safe
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo of a published record; before that only the enとーく staff see it."""
    item = get_object_or_404(Photo.objects.select_related("request"), pk=pk)
    if item.request.status != Request.Status.PUBLISHED and not is_entalk_staff(request.user):
        raise Http404
    return serve_private_file(
        request,
        item.image,
        content_type=item.content_type or "application/octet-stream",
        download_name=f"entalk-photo-{item.pk}",
    )


def _calendar_response(body: Iterator[bytes], *, private: bool) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=900"
    return response


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
def calendar_ics(request: HttpRequest) -> StreamingHttpResponse:
    """Confirmed and published sessions from a year ago to a year ahead, streamed. One
    query."""
    start, end = ical.public_window(timezone.now())
    sessions = rows_of(
        _sessions()
        .confirmed()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "pk")
    )
    body = ical.public_calendar(sessions, host=request.get_host(), base_url=_base_url(request))
    return _calendar_response(body, private=False)


@require_safe
def group_calendar_ics(request: HttpRequest, token: str) -> StreamingHttpResponse:
    """A group's own proposed and confirmed sessions at a secret address (no sign-in: a
    calendar program fetches it). A token not made by the site is 404."""
    user_pk = ical.user_pk_of(token)
    user = get_user_model().objects.filter(pk=user_pk, is_active=True).first() if user_pk else None
    if user is None:
        raise Http404
    statuses = (Request.Status.PROPOSED, *Request.HELD_STATES)
    window_start = timezone.now() - dt.timedelta(days=365)
    requests = rows_of(
        requests_of(user, _sessions())
        .filter(status__in=statuses, starts_at__gte=window_start)
        .order_by("starts_at", "pk")
    )
    body = ical.group_calendar(requests, host=request.get_host(), base_url=_base_url(request))
    return _calendar_response(body, private=True)


urlpatterns = [
    path("entalk/", index, name="index"),
    path("entalk/sessions/", session_list, name="session_list"),
    path("entalk/sessions/<int:pk>/", session_detail, name="session_detail"),
    path("entalk/photos/<int:pk>/", photo, name="photo"),
    path("entalk/calendar.ics", calendar_ics, name="calendar_ics"),
    path("entalk/calendar/<str:token>.ics", group_calendar_ics, name="group_calendar_ics"),
]
