"""The councils' iCal feeds parsed back with icalendar: one session's event, and the public
feed of announced workshops and trainings (drafts left out, a cancelled one marked so,
nothing about participants)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from councils.models import Session
from tests.councils import factories as cf
from tests.councils.factories import ENDS, JST, STARTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(response.getvalue()).walk("VEVENT"))


def test_session_event_has_summary_time_and_place(client, workshop):
    cf.make_signup(workshop, name="参加 花子", email="hanako@example.jp")
    response = client.get(reverse("councils:session_ics", args=[workshop.pk]))
    [event] = _events(response)
    assert str(event["SUMMARY"]) == "高砂公園リニューアル 公園の使い方を話そう"
    assert event.decoded("DTSTART") == STARTS
    assert event.decoded("DTEND") == ENDS
    location = str(event["LOCATION"])
    assert "室蘭市生涯学習センター きらん" in location
    assert "東町" in location and "室蘭市東町2丁目1-7" in location
    assert str(event["URL"]) == "http://testserver" + reverse(
        "councils:session_detail", args=[workshop.pk]
    )
    assert str(event["UID"]) == f"councils-session-{workshop.pk}@testserver"
    assert str(event["STATUS"]) == "CONFIRMED"
    body = response.getvalue().decode()
    assert "参加 花子" not in body and "hanako@example.jp" not in body


def test_public_feed_lists_announced_sessions_only(client, workshop):
    training = cf.make_training(starts_at=STARTS + dt.timedelta(days=1))
    cancelled = cf.make_workshop(
        starts_at=STARTS + dt.timedelta(days=2), status=Session.Status.CANCELLED
    )
    cf.make_workshop(starts_at=STARTS + dt.timedelta(days=3), status=Session.Status.DRAFT)
    # More than a year ahead: outside the window.
    cf.make_workshop(starts_at=dt.datetime(2027, 7, 1, 10, 0, tzinfo=JST))
    events = _events(client.get(reverse("councils:calendar_ics")))
    assert [str(e["UID"]) for e in events] == [
        f"councils-session-{workshop.pk}@testserver",
        f"councils-session-{training.pk}@testserver",
        f"councils-session-{cancelled.pk}@testserver",
    ]
    assert str(events[1]["SUMMARY"]) == training.title
    assert events[1].decoded("DTSTART") == STARTS + dt.timedelta(days=1)
    assert str(events[2]["STATUS"]) == "CANCELLED"


def test_public_feed_runs_one_query(client, django_assert_num_queries):
    for i in range(5):
        cf.make_workshop(starts_at=STARTS + dt.timedelta(days=i))
    with django_assert_num_queries(1):
        assert len(_events(client.get(reverse("councils:calendar_ics")))) == 5


def test_draft_session_has_no_event(client):
    draft = cf.make_workshop(status=Session.Status.DRAFT)
    assert client.get(reverse("councils:session_ics", args=[draft.pk])).status_code == 404
