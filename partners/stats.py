"""The partner programme's yearly figures for the 実績 page and open data, and the totals of the
public programme pages.

The aggregates over registrations and activity reports scan whole tables (10,000 partners and
100,000 reports at `seed_demo --volume 2000`), so their results - plain numbers, never labels,
which depend on the reader's language - are kept in Django's cache:

- every key carries a *version*, one cache entry of its own; `invalidate()` replaces it, so all
  the programme's cached totals are dropped at once. partners/signals.py calls it when a
  registration, a status change, an activity report or a district is saved or deleted (also
  once the transaction commits, so that a request which re-read the old numbers before the
  commit does not keep them);
- every entry is stored with the generations of the tables it was computed from (the page
  cache's, `pagecache.stamped`) and served only while they are unchanged: a write that sends no
  signal (`QuerySet.update()`, `bulk_create()`, raw SQL) is seen at once too. With the default
  per-process memory cache the generations are per process as well, so set `CACHE_URL` to a
  shared cache (Redis) in production so that a change shows in every worker at once;
- every entry also expires after PARTNERS_STATS_CACHE_SECONDS (default 300 s), which bounds the
  memory they take.

A cold call runs the queries its docstring names; a warm one runs none. The まごころ・まかせて
opportunity figures are not cached: sign-ups are cancelled and attendance recorded with
`QuerySet.update()` (no signal), and the year's shifts are few.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from muroran_kyodo.lib import pagecache
from muroran_kyodo.lib.extension import Figure
from muroran_kyodo.lib.jp import fiscal_year_dates, fiscal_year_datetimes

from .models import (
    ActivityPlace,
    ActivityReport,
    EquipmentLoan,
    Programme,
    Registration,
    RequestStatus,
    Shift,
    Signup,
    SupplyItem,
    SupplyRequestLine,
    counted_people,
)

VERSION_KEY = "partners:stats:version"
DEFAULT_TIMEOUT = 300


def _timeout() -> int:
    return getattr(settings, "PARTNERS_STATS_CACHE_SECONDS", DEFAULT_TIMEOUT)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), None)
        version = cache.get(VERSION_KEY) or "0"
    return version


def _bump() -> None:
    # A new random version, never a counter: an evicted version key cannot bring old entries back.
    cache.set(VERSION_KEY, secrets.token_hex(8), None)


def invalidate(using: str | None = None) -> None:
    """Drop every cached total now and, inside a transaction, again when it commits."""
    _bump()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        transaction.on_commit(_bump, using=using)


def _cached(name: str, compute, *args):
    # Kept with the generations of the tables it was computed from (muroran_kyodo.lib.pagecache):
    # served only while none of them has been written since, by any path; and a page of the page
    # cache that shows it depends on them though it read none of their rows.
    key = ":".join(["partners:stats:3", _version(), name, *map(str, args)])
    found = cache.get(key)
    if found is not None:
        value, stamp = found
        if pagecache.current(stamp):
            pagecache.depends_on(stamp)
            return value
    with pagecache.stamped() as stamp:
        value = compute(*args)
    cache.set(key, (value, stamp), _timeout())
    return value


# --- Cached aggregates (numbers only) --------------------------------------------------------


def registered_at_year_end(fiscal_year: int):
    """Registrations accepted by the end of the year and not withdrawn before it ended."""
    _start, last_day = fiscal_year_dates(fiscal_year)
    _s, end = fiscal_year_datetimes(fiscal_year)
    return Registration.objects.filter(registered_on__lte=last_day).exclude(
        status=Registration.Status.WITHDRAWN, status_changed_at__lt=end
    )


def _at_year_end(fiscal_year: int) -> dict:
    registrations = registered_at_year_end(fiscal_year)
    rows = {
        row["programme"]: row
        for row in registrations.order_by()
        .values("programme")
        .annotate(
            people=Coalesce(Sum(counted_people()), 0),
            groups=Count("pk", filter=~Q(kind=Registration.Kind.INDIVIDUAL)),
        )
    }
    places = (
        ActivityPlace.objects.filter(registrations__in=registrations.values("pk"))
        .order_by()
        .aggregate(n=Count("pk", distinct=True))["n"]
    )
    return {
        "people": {p: rows.get(p, {}).get("people", 0) for p in Programme.values},
        "groups": {p: rows.get(p, {}).get("groups", 0) for p in Programme.values},
        "places": places,
    }


def at_year_end(fiscal_year: int) -> dict:
    """The partners registered at the end of the fiscal year: `people` and `groups` (groups and
    organisations) per programme, and `places`, the activity places they look after. Cold: two
    queries (registrations, places)."""
    return _cached("at_year_end", _at_year_end, fiscal_year)


def people_at_year_end(fiscal_year: int) -> dict[str, int]:
    """Persons registered at the end of the fiscal year, per programme. Cold: two queries."""
    return at_year_end(fiscal_year)["people"]


REPORT_TOTALS = ("reports", "participants", "burnable", "non_burnable")


def _report_totals(fiscal_year: int) -> dict[str, dict[str, int]]:
    rows = (
        ActivityReport.objects.for_fiscal_year(fiscal_year)
        .order_by()
        .values("registration__programme")
        .annotate(
            reports=Count("pk"),
            participants=Coalesce(Sum("participants"), 0),
            burnable=Coalesce(Sum("burnable_bags"), 0),
            non_burnable=Coalesce(Sum("non_burnable_bags"), 0),
        )
    )
    by_programme = {
        programme: dict.fromkeys(REPORT_TOTALS, 0) for programme in [*Programme.values, ""]
    }
    for row in rows:
        programme = row.pop("registration__programme")
        for name in REPORT_TOTALS:
            by_programme.setdefault(programme, dict.fromkeys(REPORT_TOTALS, 0))
            by_programme[programme][name] += row[name]
            by_programme[""][name] += row[name]
    return by_programme


def report_totals(fiscal_year: int, programme: str | None = None) -> dict[str, int]:
    """The fiscal year's activity reports, participants and bags of burnable and non-burnable
    rubbish: of one programme's partners, or of all (None). Cold: one query for every
    programme at once."""
    totals = _cached("report_totals", _report_totals, fiscal_year)
    return dict(totals[programme or ""])


def _registered_people() -> dict[str, int]:
    totals = {
        row["programme"]: row["people"]
        for row in Registration.objects.active()
        .order_by()
        .values("programme")
        .annotate(people=Sum(counted_people()))
    }
    return {programme: totals.get(programme, 0) or 0 for programme in Programme.values}


def registered_people_by_programme() -> dict[str, int]:
    """Persons registered now (REGISTERED only), per programme. Cold: one query."""
    return _cached("registered_people", _registered_people)


def _people_by_district(programme: str) -> list[dict]:
    return list(
        Registration.objects.active()
        .filter(programme=programme)
        .order_by("district__sort_order", "district__kana")
        .values("district__name", "district__sort_order", "district__kana")
        .annotate(people=Sum(counted_people()))
    )


def people_by_district(programme: str) -> list[dict]:
    """Persons registered now in the programme, by the district where the partner lives or is
    based, in the districts' order. Cold: one query."""
    return _cached("people_by_district", _people_by_district, str(programme))


# --- Figures ---------------------------------------------------------------------------------


def figures(fiscal_year: int) -> list[Figure]:
    """Registered persons and groups per programme (and the まち「ピカ」 share of the
    population), the places they look after, the year's activity reports, what the city lent
    and supplied, and the まごころ・まかせて opportunities of the year. Five queries cold
    (registrations, places, reports, requests, shifts); two warm (requests, shifts)."""
    group = _("Administrative partners")
    rows = []
    year_end = at_year_end(fiscal_year)
    population = settings.CITY_POPULATION
    for programme in Programme:
        people = year_end["people"][programme.value]
        rows.append(
            Figure(
                group, f"partners.{programme.value}.people", programme.label, people, _("people")
            )
        )
        rows.append(
            Figure(
                group,
                f"partners.{programme.value}.groups",
                _("%(programme)s: groups and organisations") % {"programme": programme.label},
                year_end["groups"][programme.value],
                _("groups"),
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
    reports = report_totals(fiscal_year)
    rows += [
        Figure(group, "partners.reports", _("Activity reports"), reports["reports"], _("reports")),
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
        Figure(
            group,
            "partners.places",
            _("Activity places looked after by partners"),
            year_end["places"],
            _("sites"),
        ),
    ]
    return rows + request_figures(fiscal_year, group) + opportunity_figures(fiscal_year, group)


def _request_totals(fiscal_year: int) -> dict[str, int]:
    start, end = fiscal_year_datetimes(fiscal_year)
    first_day, last_day = fiscal_year_dates(fiscal_year)
    supplied = (
        SupplyRequestLine.objects.filter(
            request__status=RequestStatus.DONE,
            request__handled_at__gte=start,
            request__handled_at__lt=end,
        )
        .exclude(item__counted_as=SupplyItem.Counted.NOTHING)
        .order_by()
        .values(figure=F("item__counted_as"))
        .annotate(total=Sum("quantity"))
    )
    lent = (
        EquipmentLoan.objects.filter(lent_on__gte=first_day, lent_on__lte=last_day)
        .order_by()
        .values(figure=Value("loans", output_field=CharField()))
        .annotate(total=Count("pk"))
    )
    totals = dict.fromkeys(["loans", *SupplyItem.Counted.values], 0)
    for row in supplied.union(lent, all=True):
        totals[row["figure"]] += row["total"] or 0
    return totals


def request_figures(fiscal_year: int, group: str) -> list[Figure]:
    """Equipment (mowers) handed over in the year, and the bags and fuel delivered in it (supply
    items by their `counted_as`). One query (a UNION of loans and supply lines); not cached,
    as requests change state by `QuerySet.update()`, which sends no signal."""
    totals = _request_totals(fiscal_year)
    counted = SupplyItem.Counted
    return [
        Figure(
            group,
            "partners.mowers_lent",
            _("Mowers and other equipment lent"),
            totals["loans"],
            _("loans"),
        ),
        Figure(
            group,
            "partners.fuel_supplied",
            _("Fuel for mowers supplied"),
            totals[counted.FUEL_LITRES],
            _("litres"),
        ),
        Figure(
            group,
            "partners.bags_supplied.burnable",
            _("Bags for burnable rubbish supplied"),
            totals[counted.BURNABLE_BAGS],
            _("bags"),
        ),
        Figure(
            group,
            "partners.bags_supplied.non_burnable",
            _("Bags for non-burnable rubbish supplied"),
            totals[counted.NON_BURNABLE_BAGS],
            _("bags"),
        ),
    ]


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
