"""What a page says about a participation window (an intake, a sign-up period, a comment
period): open with so many days left, opening on a date, or closed. Any object with aware
`opens_at` and `closes_at` will do; the template `includes/call_to_action.html` shows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone


class Window(Protocol):
    opens_at: dt.datetime
    closes_at: dt.datetime


@dataclass(frozen=True)
class CallToAction:
    state: str  # "open", "upcoming" or "closed"
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    days: int | None = None  # calendar days to the closing day (open) or the opening day (upcoming)

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def call_to_action(windows: Iterable[Window], now: dt.datetime | None = None) -> CallToAction:
    """The window that matters now: the open one closing first, else the next to open, else
    closed. Days count calendar days in Japan time (0 = today), the way a deadline is read."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    windows = list(windows)
    open_now = [w for w in windows if w.opens_at <= now <= w.closes_at]
    if open_now:
        window = min(open_now, key=lambda w: w.closes_at)
        days = (timezone.localdate(window.closes_at) - today).days
        return CallToAction("open", window.opens_at, window.closes_at, days)
    upcoming = [w for w in windows if now < w.opens_at]
    if upcoming:
        window = min(upcoming, key=lambda w: w.opens_at)
        days = (timezone.localdate(window.opens_at) - today).days
        return CallToAction("upcoming", window.opens_at, window.closes_at, days)
    return CallToAction("closed")
