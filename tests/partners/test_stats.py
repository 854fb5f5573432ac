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


def test_figures_run_five_queries_whatever_the_data(frozen, superuser, django_assert_num_queries):
    _registered()
    with django_assert_num_queries(5):  # registrations, places, reports, requests, shifts
        stats.figures(2026)
    for n in range(5):
        partner = _registered(places=[_place(f"輪西町 {n}丁目の歩道")])
        _delivered(partner, superuser, {"混合燃料（草刈機用）": 2})
        _lent(partner, superuser, "KUSA-001" if n % 2 else "KUSA-002", day=n * 3)
    stats.invalidate()
    with django_assert_num_queries(5):
        stats.figures(2026)


# --- What the city lent and supplied, places and groups ---------------------------------------


def _place(words, district="輪西町"):
    from partners.models import ActivityPlace

    return ActivityPlace(district=factories.district(district), kind="road", description=words)


def _delivered(registration, staff, quantities, *, deliver=True):
    """A supply request of `quantities` (item name -> quantity), delivered by 環境課 now."""
    from partners import services
    from partners.models import SupplyItem, SupplyRequest, SupplyRequestLine

    request = services.request_create(
        request=SupplyRequest(registration=registration, delivery_note="輪西町会館"),
        lines=[
            SupplyRequestLine(item=SupplyItem.objects.get(name=name), quantity=quantity)
            for name, quantity in quantities.items()
        ],
        by=staff,
    )
    if deliver:
        services.request_mark_done(request=request, by=staff)
    return request


def _lent(registration, staff, identifier, *, hand_over=True, day=0):
    from django.utils import timezone

    from partners import services
    from partners.models import Equipment, EquipmentLoan

    today = timezone.localdate() + dt.timedelta(days=day)  # inside each test's frozen clock
    loan = services.request_create(
        request=EquipmentLoan(
            registration=registration,
            equipment=Equipment.objects.get(identifier=identifier),
            lend_on=today,
            return_by=today + dt.timedelta(days=2),
        ),
        by=staff,
    )
    if hand_over:
        services.request_mark_lent(request=loan, by=staff)
    return loan


@pytest.fixture
def superuser():
    return factories.make_user(superuser=True)


def test_mowers_lent_fuel_and_bags_supplied_in_the_fiscal_year(superuser):
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, 0, tzinfo=JST), tick=False):
        partner = _registered()
        _lent(partner, superuser, "KUSA-001")  # FY2025
        _delivered(partner, superuser, {"混合燃料（草刈機用）": 9})  # FY2025
    with time_machine.travel(dt.datetime(2026, 11, 28, 10, 0, tzinfo=JST), tick=False):
        _lent(partner, superuser, "KUSA-001")
        _lent(partner, superuser, "KUSA-002", hand_over=False)  # asked for, not handed over
        _delivered(
            partner,
            superuser,
            {
                "ボランティア袋（可燃）": 30,
                "ボランティア袋（不燃）": 10,
                "混合燃料（草刈機用）": 5,
                "軍手": 3,
            },
        )
        _delivered(partner, superuser, {"ボランティア袋（可燃）": 20, "混合燃料（草刈機用）": 2})
        _delivered(partner, superuser, {"混合燃料（草刈機用）": 7}, deliver=False)

        this_year, last_year = _values(2026), _values(2025)

    assert this_year["partners.mowers_lent"] == 1
    assert this_year["partners.fuel_supplied"] == 7
    assert this_year["partners.bags_supplied.burnable"] == 50
    assert this_year["partners.bags_supplied.non_burnable"] == 10
    assert last_year["partners.mowers_lent"] == 1
    assert last_year["partners.fuel_supplied"] == 9
    assert last_year["partners.bags_supplied.burnable"] == 0


def test_an_item_counts_in_the_figure_staff_chose_for_it(frozen, superuser):
    from partners.models import SupplyItem

    SupplyItem.objects.filter(name="軍手").update(counted_as="bags_burnable")  # staff's choice
    SupplyItem.objects.filter(name="ボランティア袋（可燃）").update(counted_as="")
    _delivered(_registered(), superuser, {"軍手": 4, "ボランティア袋（可燃）": 30})

    assert _values(2026)["partners.bags_supplied.burnable"] == 4


def test_places_and_groups_of_partners_registered_at_the_end_of_the_year(
    frozen, organization, representative
):
    shared = _place("輪西町 みなと公園")
    individual = _registered(places=[shared, _place("輪西町 駅前の歩道")])
    group = _registered(kind="group", group_name="東町クリーン隊", member_count=5)
    group.places.add(shared)  # two partners look after one place: it counts once
    factories.make_registration(
        organization=organization,
        user=representative,
        status="registered",
        member_count=12,
        places=[_place("中島町 中島公園", "中島町")],
    )
    _registered(status="applied", kind="group", group_name="申請中の会", places=[_place("母恋")])
    _registered(programme="magokoro", kind="group", group_name="まごころの会")
    assert individual.places.count() == 2

    values = _values(2026)

    assert values["partners.places"] == 3
    assert values["partners.pika.groups"] == 2
    assert values["partners.magokoro.groups"] == 1
    assert values["partners.makasete.groups"] == 0
    assert values["partners.pika.people"] == 1 + 5 + 12


def test_the_figures_read_in_the_csv_and_json_with_their_columns(frozen, client, superuser):
    import csv
    import io
    import json

    partner = _registered(places=[_place("輪西町 みなと公園")])
    _lent(partner, superuser, "KUSA-001")
    _delivered(partner, superuser, {"混合燃料（草刈機用）": 6, "ボランティア袋（不燃）": 8})

    text = client.get("/figures.csv?year=2026").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_key = {row["key"]: row for row in rows}
    assert by_key["partners.fuel_supplied"]["value"] == "6"
    assert by_key["partners.fuel_supplied"]["unit"] == "リットル"
    assert by_key["partners.fuel_supplied"]["label"] == "草刈機用燃料の支給"
    assert by_key["partners.mowers_lent"]["value"] == "1"
    assert by_key["partners.bags_supplied.non_burnable"]["value"] == "8"
    assert by_key["partners.places"]["value"] == "1"
    assert by_key["partners.pika.groups"]["value"] == "0"
    assert {row["fiscal_year"] for row in rows} == {"2026"}

    data = json.loads(client.get("/figures.json?year=2026").getvalue())
    figures = {f["key"]: f for f in data["figures"]}
    assert figures["partners.fuel_supplied"] == {
        "group": "行政パートナー",
        "key": "partners.fuel_supplied",
        "label": "草刈機用燃料の支給",
        "value": 6,
        "unit": "リットル",
    }
    assert figures["partners.bags_supplied.non_burnable"]["value"] == 8
    assert figures["partners.mowers_lent"]["unit"] == "件"


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
