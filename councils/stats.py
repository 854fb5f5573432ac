"""まちづくり協議会's yearly figures for the 実績 page and open data (muroran_kyodo/registry.py
FIGURES), by the 年度 of the session's date (`Session.fiscal_year`):

- councils: councils with at least one workshop held in the 年度;
- workshops held, and their participants;
- trainings held, and the trainees who completed one.

A session counts as held once its outputs are published (a workshop) or its completions
recorded (a training), or when it was announced and its time is over (the outputs may come
weeks later). Cancelled and draft sessions never count.

Participants: the people marked present when attendance was recorded for the session (at least
one sign-up has `attended_at`); for a session whose attendance was not recorded, the people
registered (the guideline's 「参加者数」 is what the city knows: a list ticked at the door where
there is one, the registrations otherwise). Trainees: sign-ups with `completed_on` set (people
put in the pool by a training on the portal; pre-portal entries added by hand are not counted
here). One query, one row per session held.

`figures_over(first, last)` gives the same five numbers over a range of 年度, the guideline's
「平成23年度～平成26年度 4回 189名」 style."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from muroran_kyodo.lib.extension import Figure

from .models import Session, Signup

S = Session.Status


def _held(now) -> Q:
    return Q(status__in=[S.PUBLISHED, S.COMPLETED]) | Q(status=S.SCHEDULED, ends_at__lte=now)


def counts_between(first_year: int, last_year: int) -> dict[str, int]:
    """The five numbers over the 年度 first_year to last_year inclusive. One query."""
    rows = (
        Session.objects.filter(_held(timezone.now()))
        .filter(fiscal_year__gte=first_year, fiscal_year__lte=last_year)
        .values("pk", "kind", "council_id")
        .annotate(
            attended=Count("signups", filter=Q(signups__attended_at__isnull=False)),
            registered=Count("signups", filter=Q(signups__status=Signup.Status.REGISTERED)),
            completed=Count("signups", filter=Q(signups__completed_on__isnull=False)),
        )
        .order_by()
    )
    councils: set[int] = set()
    found = {"councils": 0, "workshops": 0, "participants": 0, "trainings": 0, "trainees": 0}
    for row in rows:
        if row["kind"] == Session.Kind.WORKSHOP:
            councils.add(row["council_id"])
            found["workshops"] += 1
            found["participants"] += row["attended"] or row["registered"]
        else:
            found["trainings"] += 1
            found["trainees"] += row["completed"]
    found["councils"] = len(councils)
    return found


def _figures(counts: dict[str, int]) -> list[Figure]:
    group = _("Community planning councils")
    return [
        Figure(
            group,
            "councils.councils",
            _("Councils with a workshop"),
            counts["councils"],
            _("councils"),
        ),
        Figure(
            group, "councils.workshops", _("Workshops held"), counts["workshops"], _("workshops")
        ),
        Figure(
            group,
            "councils.participants",
            _("Workshop participants"),
            counts["participants"],
            _("people"),
        ),
        Figure(
            group,
            "councils.trainings",
            _("Facilitator trainings held"),
            counts["trainings"],
            _("trainings"),
        ),
        Figure(
            group,
            "councils.trainees",
            _("People who completed a training"),
            counts["trainees"],
            _("people"),
        ),
    ]


def figures(fiscal_year: int) -> list[Figure]:
    return _figures(counts_between(fiscal_year, fiscal_year))


def figures_over(first_year: int, last_year: int) -> list[Figure]:
    """The five numbers over a range of 年度 (registry FIGURE_RANGES). One query."""
    return _figures(counts_between(first_year, last_year))
