"""The programme page's action (apply, with the days left, when the next window opens, or
closed) near the top, before the programme's details, and again at the end. The clock is frozen
around the factory's FY2026 windows: 第1期 1 April - 31 May, 第2期 1 - 31 August."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext, ngettext, override

from muroran_kyodo.lib.windows import call_to_action
from tests.subsidies import factories as sf
from tests.subsidies.factories import JST

pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JST)


def page_html(client, programme) -> str:
    with override("ja"):
        return client.get(f"/subsidies/programmes/{programme.pk}/").content.decode()


def ja(function, *args):
    with override("ja"):
        return function(*args)


def positions(html: str, needle: str) -> list[int]:
    found, start = [], 0
    while (i := html.find(needle, start)) != -1:
        found.append(i)
        start = i + 1
    return found


def details_position(html: str) -> int:
    """Where the programme's details begin: its first heading after the title."""
    return html.index(f"<h2>{ja(gettext, 'What it funds')}</h2>")


def test_it_shows_apply_and_days_left_before_the_details_and_again_at_the_end(client):
    programme = sf.make_programme()
    with time_machine.travel(at(2026, 5, 20, 12, 0), tick=False):
        html = page_html(client, programme)
    apply_link = f'href="{reverse("subsidies:apply", args=[programme.pk])}"'
    days_left = ja(
        ngettext,
        "Open: %(days)s day left (until %(date)s)",
        "Open: %(days)s days left (until %(date)s)",
        11,
    ) % {"days": 11, "date": "2026-05-31 23:59"}
    buttons, days = positions(html, apply_link), positions(html, days_left)
    assert len(buttons) == 2 and len(days) == 2
    details = details_position(html)
    assert buttons[0] < details and days[0] < details
    assert buttons[1] > details and days[1] > details
    assert buttons[1] > html.index(ja(gettext, "How applications are screened"))
    assert "call-to-action--open call-to-action--top" in html
    assert "call-to-action--open call-to-action--end" in html


def test_it_says_closes_today_on_the_closing_day(client):
    programme = sf.make_programme()
    with time_machine.travel(at(2026, 5, 31, 18, 0), tick=False):
        html = page_html(client, programme)
    today = ja(gettext, "Open: closes today at %(date)s") % {"date": "2026-05-31 23:59"}
    assert len(positions(html, today)) == 2


def test_between_windows_it_says_when_the_next_opens_and_offers_no_button(client):
    programme = sf.make_programme()
    with time_machine.travel(at(2026, 7, 22, 9, 0), tick=False):
        html = page_html(client, programme)
    upcoming = ja(
        ngettext,
        "Not open yet: opens on %(date)s (in %(days)s day)",
        "Not open yet: opens on %(date)s (in %(days)s days)",
        10,
    ) % {"days": 10, "date": "2026-08-01 00:00"}
    found = positions(html, upcoming)
    assert len(found) == 2 and found[0] < details_position(html) < found[1]
    assert reverse("subsidies:apply", args=[programme.pk]) not in html
    assert "button--primary" not in html


def test_after_the_last_window_it_says_closed_and_offers_no_button(client):
    programme = sf.make_programme()
    with time_machine.travel(at(2026, 9, 1, 0, 0), tick=False):
        html = page_html(client, programme)
    closed = ja(gettext, "Closed: no window is open or planned at the moment.")
    found = positions(html, closed)
    assert len(found) == 2 and found[0] < details_position(html) < found[1]
    assert reverse("subsidies:apply", args=[programme.pk]) not in html


def test_call_to_action_picks_the_window_that_matters_now():
    class W:
        def __init__(self, opens_at, closes_at):
            self.opens_at, self.closes_at = opens_at, closes_at

    first = W(at(2026, 4, 1), at(2026, 5, 31, 23, 59, 59))
    second = W(at(2026, 8, 1), at(2026, 8, 31, 23, 59, 59))
    assert call_to_action([second, first], at(2026, 3, 31, 23, 0)) == call_to_action(
        [first], at(2026, 3, 31, 23, 0)
    )
    before = call_to_action([second, first], at(2026, 3, 31, 23, 0))
    assert (before.state, before.days, before.opens_at) == ("upcoming", 1, first.opens_at)
    during = call_to_action([first, second], at(2026, 5, 31, 23, 59, 59))
    assert (during.state, during.days, during.is_open) == ("open", 0, True)
    assert call_to_action([first, second], at(2026, 6, 1)).opens_at == second.opens_at
    assert call_to_action([first, second], at(2026, 9, 1)).state == "closed"
    assert call_to_action([], at(2026, 9, 1)).state == "closed"
