"""enとーく's yearly figures for the 実績 page and open data (muroran_kyodo/registry.py
FIGURES): the sessions held in a 年度 (by the session's date, `held_fiscal_year`) and their
participants, and the requests received in it (by the receipt date). A session counts as held
once its record is published, or when it was confirmed and its time is over (the record may
come weeks later; the guideline's figures count the dialogue, not the paperwork). One query.

`sessions_over(first, last)` gives the same two numbers over a range of 年度, the guideline's
「平成23年度～平成26年度 46回 940名」 style."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import Figure

from .models import Request

S = Request.Status


def _held(now) -> Q:
    """Sessions that took place: recorded, or confirmed and over by `now`."""
    return Q(status=S.PUBLISHED) | Q(status=S.CONFIRMED, ends_at__lte=now)


def held_sessions() -> QuerySet[Request]:
    return Request.objects.filter(_held(timezone.now()))


def figures(fiscal_year: int) -> list[Figure]:
    held = _held(timezone.now()) & Q(held_fiscal_year=fiscal_year)
    counts = Request.objects.filter(
        Q(held_fiscal_year=fiscal_year) | Q(fiscal_year=fiscal_year)
    ).aggregate(
        sessions=Count("pk", filter=held),
        participants=Sum("participants", filter=held, default=0),
        received=Count("pk", filter=Q(fiscal_year=fiscal_year)),
    )
    group = _("en-talk")
    return [
        Figure(group, "entalk.sessions", _("Sessions held"), counts["sessions"], _("sessions")),
        Figure(
            group,
            "entalk.participants",
            _("Participants in the sessions"),
            counts["participants"],
            _("people"),
        ),
        Figure(group, "entalk.requests", _("Requests received"), counts["received"], _("requests")),
    ]


def sessions_over(first_year: int, last_year: int) -> tuple[int, int]:
    """(sessions held, participants) over the 年度 first_year to last_year inclusive. One
    query."""
    counts = (
        held_sessions()
        .filter(held_fiscal_year__gte=first_year, held_fiscal_year__lte=last_year)
        .aggregate(sessions=Count("pk"), participants=Sum("participants", default=0))
    )
    return counts["sessions"], counts["participants"]


def figures_over(first_year: int, last_year: int) -> list[Figure]:
    """The sessions and participants over a range of 年度, for the 実績 page's range
    (registry FIGURE_RANGES). One query."""
    sessions, participants = sessions_over(first_year, last_year)
    group = _("en-talk")
    return [
        Figure(group, "entalk.sessions", _("Sessions held"), sessions, _("sessions")),
        Figure(
            group,
            "entalk.participants",
            _("Participants in the sessions"),
            participants,
            _("people"),
        ),
    ]
