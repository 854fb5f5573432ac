"""The partner programme's yearly figures (実績 page and open data)."""

import datetime as dt

import pytest
import time_machine

from partners import stats
from partners.models import ActivityReport, Registration
from tests import factories

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 28, 10, 0, tzinfo=JST), tick=False):
        yield


def _values(year):
    return {f.key: f.value for f in stats.figures(year)}


def _registered(status="registered", **kwargs):
    return factories.make_registration(user=factories.make_user(), status=status, **kwargs)


def test_an_individual_counts_one_and_a_group_its_members(frozen, settings):
    settings.CITY_POPULATION = 1000
    _registered()
    _registered(kind="group", group_name="輪西ご近所クリーン隊", member_count=7)
    _registered(programme="magokoro")

    values = _values(2026)

    assert values["partners.pika.people"] == 8
    assert values["partners.magokoro.people"] == 1
    assert values["partners.makasete.people"] == 0
    assert values["partners.pika.share_of_population"] == 0.8


def test_applications_and_returned_ones_are_not_counted(frozen):
    _registered(status="applied")
    _registered(status="returned")
    assert _values(2026)["partners.pika.people"] == 0


def test_suspended_partners_are_still_registered(frozen):
    _registered(status="suspended")
    assert _values(2026)["partners.pika.people"] == 1


def test_a_partner_who_withdrew_this_year_still_counts_for_last_year(frozen):
    registration = _registered()
    Registration.objects.filter(pk=registration.pk).update(
        registered_on=dt.date(2025, 6, 1), status="withdrawn"
    )  # withdrew now, in FY2026

    assert _values(2025)["partners.pika.people"] == 1
    assert _values(2026)["partners.pika.people"] == 0


def test_reports_of_the_fiscal_year_are_summed(frozen):
    registration = _registered()
    for day, people, burnable, non_burnable in [
        (dt.date(2026, 3, 31), 100, 100, 100),  # FY2025
        (dt.date(2026, 4, 1), 5, 3, 1),
        (dt.date(2026, 11, 1), 10, 6, 2),
    ]:
        ActivityReport.objects.create(
            registration=registration,
            activity_date=day,
            participants=people,
            burnable_bags=burnable,
            non_burnable_bags=non_burnable,
        )

    values = _values(2026)

    assert values["partners.reports"] == 2
    assert values["partners.participants"] == 15
    assert values["partners.bags.burnable"] == 9
    assert values["partners.bags.non_burnable"] == 3


def test_figures_run_three_queries(frozen, django_assert_num_queries):
    _registered()
    with django_assert_num_queries(3):
        stats.figures(2026)


def test_opportunities_sign_ups_and_makasete_hours_of_the_fiscal_year(frozen, staff):
    from partners.models import Opportunity, Shift, Signup

    def shift(opportunity, day):
        starts = dt.datetime.combine(day, dt.time(9), tzinfo=JST)
        return Shift.objects.create(
            opportunity=opportunity,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            slots=5,
        )

    deadline = dt.datetime(2026, 12, 1, tzinfo=JST)
    job = Opportunity.objects.create(
        programme="makasete",
        title="公園管理",
        department="都市建設部",
        description="-",
        place="-",
        signup_deadline=deadline,
        hourly_honorarium=1000,
        is_published=True,
    )
    help_ = Opportunity.objects.create(
        programme="magokoro",
        title="祭り",
        department="観光課",
        description="-",
        place="-",
        signup_deadline=deadline,
        is_published=True,
    )
    Opportunity.objects.create(
        programme="magokoro",
        title="下書き",
        department="観光課",
        description="-",
        place="-",
        signup_deadline=deadline,
        is_published=False,
    )
    a, b = _registered(programme="makasete"), _registered(programme="magokoro")
    worked = shift(job, dt.date(2026, 6, 1))
    Signup.objects.create(
        shift=worked, registration=a, status="confirmed", attended=True, hours=2.5
    )
    Signup.objects.create(
        shift=shift(job, dt.date(2026, 3, 31)),
        registration=a,
        status="confirmed",
        attended=True,
        hours=8,
    )  # FY2025
    festival = shift(help_, dt.date(2026, 8, 1))
    Signup.objects.create(
        shift=festival, registration=b, status="confirmed", attended=True, hours=4
    )
    Signup.objects.create(shift=festival, registration=a, status="cancelled")

    values = _values(2026)

    assert values["partners.opportunities"] == 2
    assert values["partners.signups"] == 2
    assert values["partners.makasete.hours"] == 2.5
    assert _values(2025)["partners.makasete.hours"] == 8
