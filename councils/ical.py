"""The iCal feeds of the councils (RFC 5545, with the `icalendar` library): one session as an
event to add to a calendar, and the public feed of announced workshops and trainings from a
year ago to a year ahead (past ones kept so that a subscribed calendar keeps them). A
cancelled session stays in the feed as STATUS:CANCELLED, so calendars drop it. Nothing about
participants or facilitators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.utils import timezone
from icalendar import Calendar, Event

from muroran_kyodo.lib.streaming import ical_chunks

from .models import Session

CONTENT_TYPE = "text/calendar; charset=utf-8"
TITLE = "まちづくり協議会"


def public_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return now - dt.timedelta(days=365), now + dt.timedelta(days=365)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Muroran City//まちづくり協議会//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    return calendar


def location_of(session: Session) -> str:
    """The venue, its town and address (needs `venue_district` loaded)."""
    place = session.venue_name
    if session.venue_district_id:
        place += f"（{session.venue_district}）"
    if session.venue_address:
        place += f" {session.venue_address}"
    return place


def summary_of(session: Session) -> str:
    """The event's title: the council's for a workshop (needs `council` loaded), then the
    theme."""
    if session.council is not None:
        return f"{session.council.title} {session.title}"
    return session.title


def event_of(session: Session, *, host: str, base_url: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"councils-session-{session.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", summary_of(session))
    event.add("location", location_of(session))
    url = base_url + session.get_absolute_url()
    event.add("url", url)
    event.add("description", url)
    cancelled = session.status == Session.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_of(sessions: Iterable[Session], *, host: str, base_url: str) -> Iterator[bytes]:
    """Sessions (with `council` and `venue_district` loaded) as one calendar, written one event
    at a time as the sessions are read. `base_url` is the scheme and host of the session
    pages."""
    stamp = timezone.now()
    events = (event_of(session, host=host, base_url=base_url, stamp=stamp) for session in sessions)
    return ical_chunks(_calendar(TITLE), events)
