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


def test_figures_run_two_queries(frozen, django_assert_num_queries):
    _registered()
    with django_assert_num_queries(2):
        stats.figures(2026)
