"""The iCal feeds of enとーく (RFC 5545, with the `icalendar` library).

- The public feed: confirmed and published sessions, from a year ago to a year ahead, each
  with the town and venue and the group only as the public may read it (`public_name`); no
  contact data, nothing of a request not yet confirmed.
- A group's private feed: its own requests with a proposed date (TENTATIVE) or a confirmed
  one, named with the group's name, at a secret address (`CalendarFeed`: a random token the
  person makes and may replace)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.utils import timezone
from icalendar import Calendar, Event

from muroran_kyodo.lib.streaming import ical_chunks

from .models import CalendarFeed, Request

CONTENT_TYPE = "text/calendar; charset=utf-8"
TITLE = "enとーく"


def user_pk_of(token: str) -> int | None:
    """The person whose feed address this is, or None for any other string."""
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.filter(token=token).values_list("user_id", flat=True).first()


def public_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return now - dt.timedelta(days=365), now + dt.timedelta(days=365)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Muroran City//enとーく//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    return calendar


def _event(
    request: Request, *, host: str, summary: str, location: str, url: str, stamp: dt.datetime
) -> Event:
    event = Event()
    event.add("uid", f"entalk-{request.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", request.starts_at)
    event.add("dtend", request.ends_at)
    event.add("summary", summary)
    event.add("location", location)
    event.add("url", url)
    return event


def public_calendar(requests: Iterable[Request], *, host: str, base_url: str) -> Iterator[bytes]:
    """Needs `venue_district` loaded. `base_url` is the scheme and host of the session pages.
    Written one event at a time, as the requests are read."""
    stamp = timezone.now()

    def events() -> Iterator[Event]:
        for request in requests:
            event = _event(
                request,
                host=host,
                summary=f"{TITLE} {request.public_name}",
                location=request.public_venue,
                url=base_url + request.get_absolute_url(),
                stamp=stamp,
            )
            event.add("status", "CONFIRMED")
            yield event

    return ical_chunks(_calendar(TITLE), events())


def group_calendar(requests: Iterable[Request], *, host: str, base_url: str) -> Iterator[bytes]:
    """A group's own sessions: a proposed date is TENTATIVE; the link is its request page."""
    from django.urls import reverse

    stamp = timezone.now()

    def events() -> Iterator[Event]:
        for request in requests:
            event = _event(
                request,
                host=host,
                summary=f"{TITLE} {request.group_name}",
                location=f"{request.venue_name}（{request.venue_district}）",
                url=base_url + reverse("entalk:request_detail", args=[request.pk]),
                stamp=stamp,
            )
            tentative = request.status == Request.Status.PROPOSED
            event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
            yield event

    return ical_chunks(_calendar(TITLE), events())
