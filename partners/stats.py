"""The partner programme's yearly figures for the 実績 page and open data."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from muroran_kyodo.extension import Figure
from muroran_kyodo.jp import fiscal_year_dates, fiscal_year_datetimes

from .models import ActivityReport, Programme, Registration, Shift, Signup, counted_people


def registered_at_year_end(fiscal_year: int):
    """Registrations accepted by the end of the year and not withdrawn before it ended."""
    _start, last_day = fiscal_year_dates(fiscal_year)
    _s, end = fiscal_year_datetimes(fiscal_year)
    return Registration.objects.filter(registered_on__lte=last_day).exclude(
        status=Registration.Status.WITHDRAWN, status_changed_at__lt=end
    )


def figures(fiscal_year: int) -> list[Figure]:
    """Registered persons per programme (and their share of the population), and the year's
    まち「ピカ」 activity reports, and the まごころ・まかせて opportunities of the year. Three
    queries."""
    group = _("Administrative partners")
    rows = []
    totals = {
        row["programme"]: row
        for row in registered_at_year_end(fiscal_year)
        .values("programme")
        .annotate(people=Coalesce(Sum(counted_people()), 0), registrations=Count("pk"))
    }
    population = settings.CITY_POPULATION
    for programme in Programme:
        people = totals.get(programme.value, {}).get("people", 0)
        rows.append(
            Figure(
                group, f"partners.{programme.value}.people", programme.label, people, _("people")
            )
        )
        if programme == Programme.PIKA and population:
            rows.append(
                Figure(
                    group,
                    "partners.pika.share_of_population",
                    _("Machi Pika partners per 100 residents"),
                    round(people * 100 / population, 2),
                    "%",
                )
            )
    reports = ActivityReport.objects.for_fiscal_year(fiscal_year).aggregate(
        n=Count("pk"),
        participants=Coalesce(Sum("participants"), 0),
        burnable=Coalesce(Sum("burnable_bags"), 0),
        non_burnable=Coalesce(Sum("non_burnable_bags"), 0),
    )
    rows += [
        Figure(group, "partners.reports", _("Activity reports"), reports["n"], _("reports")),
        Figure(
            group,
            "partners.participants",
            _("Participants in activities"),
            reports["participants"],
            _("people"),
        ),
        Figure(
            group,
            "partners.bags.burnable",
            _("Bags of burnable rubbish collected"),
            reports["burnable"],
            _("bags"),
        ),
        Figure(
            group,
            "partners.bags.non_burnable",
            _("Bags of non-burnable rubbish collected"),
            reports["non_burnable"],
            _("bags"),
        ),
    ]
    return rows + opportunity_figures(fiscal_year, group)


def opportunity_figures(fiscal_year: int, group: str) -> list[Figure]:
    """Published opportunities with a shift in the year, confirmed sign-ups on those shifts and
    the hours まかせて partners worked. One query over the year's shifts."""
    start, end = fiscal_year_datetimes(fiscal_year)
    confirmed = Q(signups__status=Signup.Status.CONFIRMED)
    totals = Shift.objects.filter(
        opportunity__is_published=True, starts_at__gte=start, starts_at__lt=end
    ).aggregate(
        n_opportunities=Count("opportunity", distinct=True),
        n_signups=Count("signups", filter=confirmed),
        worked_hours=Sum(
            "signups__hours",
            filter=confirmed & Q(signups__attended=True, opportunity__programme=Programme.MAKASETE),
        ),
    )
    return [
        Figure(
            group,
            "partners.opportunities",
            _("Magokoro and Makasete opportunities"),
            totals["n_opportunities"],
            _("opportunities"),
        ),
        Figure(
            group,
            "partners.signups",
            _("Partners signed up for shifts"),
            totals["n_signups"],
            _("sign-ups"),
        ),
        Figure(
            group,
            "partners.makasete.hours",
            _("Hours worked by Makasete partners"),
            round(float(totals["worked_hours"] or 0), 2),
            _("hours"),
        ),
    ]
