"""The partner programme's cached totals (partners/stats.py): a warm call runs fewer queries,
and every write path shows at once: through the signals, and by the tables' generations for
writes that send none."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils.translation import override

from partners import services, stats
from partners.models import ActivityReport, Registration
from tests import factories

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=JST)  # FY2026


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def partner(frozen, resident):
    return factories.make_registration(user=resident, status="registered")


def _values(year=2026):
    return {f.key: f.value for f in stats.figures(year)}


def _report(registration, **fields):
    values = {"registration": registration, "activity_date": dt.date(2026, 11, 1)}
    values.update({"participants": 4, "burnable_bags": 2, "non_burnable_bags": 1, **fields})
    return ActivityReport(**values)


# --- Queries ---------------------------------------------------------------------------------


def test_figures_run_five_queries_cold_and_two_warm(partner, django_assert_num_queries):
    with django_assert_num_queries(5):  # registrations, places, reports, requests, shifts
        cold = stats.figures(2026)
    with django_assert_num_queries(2):  # requests, shifts: never cached
        warm = stats.figures(2026)
    assert warm == cold


def test_each_fiscal_year_is_cached_apart(partner, django_assert_num_queries):
    services.report_create(report=_report(partner), by=partner.user)
    assert _values(2026)["partners.reports"] == 1
    with django_assert_num_queries(5):
        assert _values(2025)["partners.reports"] == 0
    with django_assert_num_queries(2):
        assert _values(2026)["partners.reports"] == 1


def test_programme_page_totals_run_one_query_each_cold_and_none_warm(
    partner, django_assert_num_queries
):
    def totals():
        return (
            stats.registered_people_by_programme(),
            stats.people_by_district("pika"),
            stats.report_totals(2026, "pika"),
        )

    with django_assert_num_queries(3):
        cold = totals()
    with django_assert_num_queries(0):
        warm = totals()
    assert warm == cold
    assert cold[0] == {"pika": 1, "magokoro": 0, "makasete": 0}
    assert [(row["district__name"], row["people"]) for row in cold[1]] == [("輪西町", 1)]


def test_the_cache_keeps_numbers_not_labels(partner):
    with override("en"):
        english = {f.key: f.label for f in stats.figures(2026)}
    with override("ja"):
        japanese = {f.key: f.label for f in stats.figures(2026)}  # warm
    assert english["partners.reports"] == "Activity reports"
    assert japanese["partners.reports"] != "Activity reports"


# --- Invalidation ----------------------------------------------------------------------------


def test_a_report_filed_through_the_service_shows_at_once(partner):
    assert _values()["partners.reports"] == 0  # cached now
    assert stats.report_totals(2026, "pika")["reports"] == 0

    services.report_create(report=_report(partner, participants=6), by=partner.user)

    values = _values()
    assert (values["partners.reports"], values["partners.participants"]) == (1, 6)
    assert (values["partners.bags.burnable"], values["partners.bags.non_burnable"]) == (2, 1)
    assert stats.report_totals(2026, "pika") == {
        "reports": 1,
        "participants": 6,
        "burnable": 2,
        "non_burnable": 1,
    }
    assert stats.report_totals(2026, "magokoro")["reports"] == 0


def test_a_report_keyed_in_on_the_model_changed_and_deleted_shows_at_once(partner):
    report = ActivityReport.objects.create(
        registration=partner, activity_date=dt.date(2026, 6, 1), participants=3
    )
    assert _values()["partners.participants"] == 3

    report.participants = 9
    report.save()
    assert _values()["partners.participants"] == 9

    report.delete()
    assert _values()["partners.reports"] == 0


def test_a_bulk_delete_of_reports_shows_at_once(partner):
    for _ in range(3):
        ActivityReport.objects.create(
            registration=partner, activity_date=dt.date(2026, 6, 1), participants=1
        )
    assert _values()["partners.reports"] == 3
    ActivityReport.objects.filter(registration=partner).delete()
    assert _values()["partners.reports"] == 0


def test_a_status_change_through_the_service_shows_at_once(frozen, resident, staff):
    registration = factories.make_registration(user=resident)  # applied
    assert stats.registered_people_by_programme()["pika"] == 0
    assert stats.people_by_district("pika") == []
    assert _values()["partners.pika.people"] == 0

    services.registration_approve(registration=registration, by=staff)

    assert stats.registered_people_by_programme()["pika"] == 1
    assert stats.people_by_district("pika")[0]["people"] == 1
    assert _values()["partners.pika.people"] == 1

    services.registration_withdraw(registration=registration, by=resident)

    assert stats.registered_people_by_programme()["pika"] == 0
    assert _values()["partners.pika.people"] == 0


def test_a_new_registration_and_an_edited_one_show_at_once(frozen, partner):
    assert _values()["partners.pika.people"] == 1
    group = factories.make_registration(
        user=factories.make_user(), kind="group", member_count=5, status="registered"
    )
    assert _values()["partners.pika.people"] == 6
    assert stats.registered_people_by_programme()["pika"] == 6

    group.member_count = 2
    group.save()  # staff edit in the admin
    assert _values()["partners.pika.people"] == 3
    assert stats.registered_people_by_programme()["pika"] == 3


def test_invalidation_is_repeated_when_the_transaction_commits(
    partner, django_capture_on_commit_callbacks
):
    assert _values()["partners.reports"] == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            services.report_create(report=_report(partner), by=partner.user)
    # Another process may have cached the old totals between the save and the commit: the
    # commit drops them again.
    assert callbacks, "no invalidation scheduled for the commit"
    version = stats._version()
    for callback in callbacks:
        callback()
    assert stats._version() != version


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writes_without_signals_show_at_once_when_committed(frozen, resident):
    partner = factories.make_registration(user=resident, status="registered")
    assert _values()["partners.pika.people"] == 1
    # QuerySet.update() sends no signal; committed (autocommit), it gives the table a new
    # generation, and the totals computed from it are computed again.
    Registration.objects.filter(pk=partner.pk).update(member_count=4, kind="group")
    assert _values()["partners.pika.people"] == 4
    ActivityReport.objects.bulk_create([_report(partner)])  # no signal either
    assert _values()["partners.reports"] == 1


def test_entries_expire_after_the_timeout(partner, frozen, settings, django_assert_num_queries):
    settings.PARTNERS_STATS_CACHE_SECONDS = 60
    _values()
    with django_assert_num_queries(2):  # warm: requests and shifts only
        _values()
    frozen.shift(dt.timedelta(seconds=61))
    with django_assert_num_queries(5):  # computed again
        _values()


# --- The programme page ----------------------------------------------------------------------


@pytest.fixture
def listed(frozen):
    return factories.make_registration(
        user=factories.make_user(),
        kind="group",
        group_name="輪西ご近所クリーン隊",
        member_count=3,
        list_publicly=True,
        status="registered",
    )


def test_the_programme_page_runs_fewer_queries_warm(
    client, partner, listed, django_assert_num_queries
):
    from django.urls import reverse

    url = reverse("partners:programme_detail", args=["pika"])
    # people, districts, count of names, names, activity, places
    with django_assert_num_queries(6):
        cold = client.get(url)
    # count of names, names: paginated, never cached; places (whose state follows every
    # registration's)
    with django_assert_num_queries(3):
        warm = client.get(url)
    assert warm.context["people"] == cold.context["people"] == 4
    assert warm.context["totals"] == cold.context["totals"]
    with django_assert_num_queries(0):  # the programme list: people by programme, cached
        client.get(reverse("partners:programme_list"))


def test_the_programme_page_shows_a_new_report_and_partner_at_once(
    client, partner, listed, staff, django_assert_num_queries
):
    from django.urls import reverse

    url = reverse("partners:programme_detail", args=["pika"])
    assert client.get(url).context["totals"]["reports"] == 0  # cached now
    client.get(url)
    with django_assert_num_queries(3):  # really cached: nothing but the names and places
        client.get(url)

    services.report_create(report=_report(partner, participants=5), by=partner.user)
    newcomer = factories.make_registration(user=factories.make_user())
    services.registration_approve(registration=newcomer, by=staff)

    response = client.get(url)
    assert response.context["totals"]["reports"] == 1
    assert response.context["totals"]["participants"] == 5
    assert response.context["people"] == 5
    assert sum(row["people"] for row in response.context["by_district"]) == 5
