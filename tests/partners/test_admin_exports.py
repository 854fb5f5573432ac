"""The admin lists of partners' records beyond registrations: CSV export of reports, requests,
opportunities and sign-ups (the selected rows only, BOM, the partner's name and number, no
contact details); search by name and reading; filters by district and fiscal year; fixed query
counts of the opportunity and sign-up lists."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners import services as rq
from partners.models import (
    ActivityReport,
    Equipment,
    EquipmentLoan,
    Opportunity,
    Shift,
    Signup,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from partners.services import signup_create
from tests import factories

pytestmark = pytest.mark.django_db


def export(client, model, rows, action="export_csv"):
    response = client.post(
        reverse(f"admin:partners_{model}_changelist"),
        {"action": action, "_selected_action": [r.pk for r in rows], "index": "0"},
    )
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def superuser_client(client):
    """Every department's lists (a superuser, with the second factor, as the admin demands)."""
    boss = factories.make_user("boss@city.muroran.example.jp", superuser=True)
    return factories.with_second_factor(client, boss)


@pytest.fixture
def group_partner(resident):
    return factories.make_registration(
        user=resident,
        kind="group",
        group_name="白鳥台ファミリー",
        member_count=4,
        contact_name="白鳥 太郎",
        contact_kana="ハクチョウ タロウ",
        contact_phone="0143-99-0000",
        status="registered",
        district_name="白鳥台",
    )


@pytest.fixture
def other_partner(other_member):
    return factories.make_registration(user=other_member, status="registered")


def test_reports_csv_has_the_selected_reports_with_partner_and_place(
    superuser_client, group_partner, other_partner
):
    place = factories.make_place(description="白鳥台 中央公園", district_name="白鳥台")
    mine = ActivityReport.objects.create(
        registration=group_partner,
        activity_date=dt.date(2026, 5, 3),
        place=place,
        participants=4,
        burnable_bags=3,
        non_burnable_bags=1,
        notes="=HYPERLINK(1)",
    )
    ActivityReport.objects.create(
        registration=other_partner, activity_date=dt.date(2026, 5, 4), participants=1
    )

    rows = export(superuser_client, "activityreport", [mine])

    assert rows[0] == [
        "number",
        "partner",
        "programme",
        "district",
        "activity_date",
        "place",
        "participants",
        "burnable_bags",
        "non_burnable_bags",
        "photo",
        "channel",
        "notes",
    ]
    assert len(rows) == 2  # only the selected report
    row = rows[1]
    assert row[:2] == [group_partner.number, "白鳥台ファミリー"]
    assert row[3:9] == ["白鳥台", "2026-05-03", str(place), "4", "3", "1"]
    assert row[-1] == "'=HYPERLINK(1)"  # a spreadsheet will not run it
    assert "0143-99-0000" not in ",".join(row)


def test_reports_are_found_by_reading_and_filtered_by_district(
    superuser_client, group_partner, other_partner
):
    for registration in (group_partner, other_partner):
        ActivityReport.objects.create(
            registration=registration, activity_date=dt.date(2026, 5, 3), participants=1
        )
    url = reverse("admin:partners_activityreport_changelist")

    by_kana = superuser_client.get(url, {"q": "ハクチョウ"})
    by_group = superuser_client.get(url, {"q": "白鳥台ファミリー"})
    by_district = superuser_client.get(
        url, {"registration__district__id__exact": group_partner.district_id}
    )

    for response in (by_kana, by_group, by_district):
        assert [r.registration_id for r in response.context["cl"].result_list] == [group_partner.pk]


def test_supply_request_csv_lists_the_items(superuser_client, group_partner, resident):
    gloves = SupplyItem.objects.get(name="軍手")
    supply = rq.request_create(
        request=SupplyRequest(registration=group_partner, delivery_note="白鳥台会館"),
        lines=[SupplyRequestLine(item=gloves, quantity=4)],
        by=resident,
    )

    rows = export(superuser_client, "supplyrequest", [supply])

    header, row = rows
    assert header[:4] == ["number", "partner", "district_of_partner", "requested"]
    assert row[header.index("delivery")] == "白鳥台会館"
    assert row[header.index("items")] == "軍手×4"
    assert row[header.index("status")] == "依頼中"


def test_loan_csv_has_the_dates_and_the_handover(superuser_client, group_partner, resident, staff):
    start = timezone.localdate() + dt.timedelta(days=1)
    loan = rq.request_create(
        request=EquipmentLoan(
            registration=group_partner,
            equipment=Equipment.objects.get(identifier="KUSA-001"),
            lend_on=start,
            return_by=start + dt.timedelta(days=2),
        ),
        by=resident,
    )
    rq.request_mark_lent(request=loan, by=staff)

    header, row = export(superuser_client, "equipmentloan", [loan])

    assert row[header.index("lend_on")] == start.isoformat()
    assert row[header.index("handed_over_on")] == timezone.localdate().isoformat()
    assert row[header.index("returned_on")] == ""


def test_requests_filter_by_the_fiscal_year_requested(superuser_client, group_partner, resident):
    gloves = SupplyItem.objects.get(name="軍手")
    supply = rq.request_create(
        request=SupplyRequest(registration=group_partner, delivery_note="白鳥台会館"),
        lines=[SupplyRequestLine(item=gloves, quantity=1)],
        by=resident,
    )
    SupplyRequest.objects.filter(pk=supply.pk).update(
        created_at=dt.datetime(2025, 3, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    )
    url = reverse("admin:partners_supplyrequest_changelist")

    fy2024 = superuser_client.get(url, {"fiscal_year": "2024"})
    fy2025 = superuser_client.get(url, {"fiscal_year": "2025"})

    assert [r.pk for r in fy2024.context["cl"].result_list] == [supply.pk]
    assert list(fy2025.context["cl"].result_list) == []


def _opportunity(programme="magokoro", slots=3, shifts=2):
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        programme=programme,
        title="みなと祭り 会場案内",
        department="観光課",
        description="会場でご案内をお願いします。",
        place="室蘭港 中央ふ頭",
        signup_deadline=now + dt.timedelta(days=7),
        hourly_honorarium=1000 if programme == "makasete" else None,
        is_published=True,
    )
    for day in range(shifts):
        Shift.objects.create(
            opportunity=opportunity,
            starts_at=now + dt.timedelta(days=10 + day),
            ends_at=now + dt.timedelta(days=10 + day, hours=3),
            slots=slots,
        )
    return opportunity


def test_opportunity_csv_counts_shifts_and_places(superuser_client):
    opportunity = _opportunity(slots=3, shifts=2)

    header, row = export(superuser_client, "opportunity", [opportunity])

    assert row[header.index("title")] == "みなと祭り 会場案内"
    assert (row[header.index("shifts")], row[header.index("places")]) == ("2", "6")


def test_signup_csv_has_the_partner_state_and_attendance(superuser_client, resident):
    magokoro = factories.make_registration(
        programme="magokoro", user=resident, status="registered", group_name=""
    )
    shift = _opportunity().shifts.first()
    signup = signup_create(shift=shift, registration=magokoro, by=resident)

    header, row = export(superuser_client, "signup", [signup])

    assert row[header.index("number")] == magokoro.number
    assert row[header.index("partner")] == magokoro.contact_name
    assert row[header.index("status")] == "確定"
    assert row[header.index("channel")] == "ウェブ"
    assert (row[header.index("attended")], row[header.index("hours")]) == ("", "")


def test_signups_are_found_by_reading(superuser_client, resident, other_member):
    mine = factories.make_registration(
        programme="magokoro",
        user=resident,
        status="registered",
        contact_kana="ミナト ハナコ",
    )
    theirs = factories.make_registration(
        programme="magokoro", user=other_member, status="registered"
    )
    shift = _opportunity().shifts.first()
    signup_create(shift=shift, registration=mine, by=resident)
    signup_create(shift=shift, registration=theirs, by=other_member)

    response = superuser_client.get(reverse("admin:partners_signup_changelist"), {"q": "ミナト"})

    assert [s.registration_id for s in response.context["cl"].result_list] == [mine.pk]


@pytest.mark.parametrize("model", ["opportunity", "signup"])
def test_opportunity_and_signup_lists_run_a_fixed_number_of_queries(
    superuser_client, django_assert_num_queries, model
):
    url = reverse(f"admin:partners_{model}_changelist")

    def add(n):
        for _ in range(n):
            shift = _opportunity(slots=5, shifts=1).shifts.get()
            registration = factories.make_registration(
                programme="magokoro", user=factories.make_user(), status="registered"
            )
            signup_create(shift=shift, registration=registration, by=registration.user)

    add(1)
    superuser_client.get(url)
    with CaptureQueriesContext(connection) as one:
        superuser_client.get(url)
    add(9)
    with django_assert_num_queries(len(one)):
        response = superuser_client.get(url)
    assert len(response.context["cl"].result_list) == 10
    assert Signup.objects.count() == 10
