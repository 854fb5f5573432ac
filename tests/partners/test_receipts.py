"""受付票 of what partners submit (partners/receipts.py on the printable-document pattern): the
registration, an activity report and the three kinds of request. Each shows its number, the
time it was received in 和暦 and 西暦, the channel, who sent it and what it held; another
person gets 404; 地域生活課 staff (and a request's department) may print it; the queries do
not grow with the contents; the pages and the admin link to it."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from partners import services
from partners.models import (
    ActivityReport,
    Equipment,
    EquipmentLoan,
    PickupRequest,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from tests import factories
from tests.images import tiny_png

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))
RECEIVED = dt.datetime(2026, 12, 5, 14, 5, tzinfo=JST)
RECEIVED_TEXT = "令和8年12月5日（2026年12月5日） 14:05"


def _ja(msgid: str) -> str:
    with override("ja"):
        return escape(gettext(msgid))


def _clerk(group):
    user = factories.make_user(staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def frozen():
    with time_machine.travel(RECEIVED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def registration(frozen, resident):
    place = factories.make_place(description="輪西町 みなと公園とその周辺の歩道")
    return factories.make_registration(
        programme="pika", user=resident, places=[place], status="registered"
    )


def _get(client, user, url):
    return factories.sign_in(client, user).get(url)


def test_the_registration_receipt_shows_what_was_received(client, resident, registration):
    url = reverse("partners:registration_receipt", args=[registration.pk])
    response = _get(client, resident, url)
    assert response.status_code == 200
    assert response.templates[0].name == "print/receipt.html"
    html = response.content.decode()
    assert _ja("Receipt slip") in html
    assert registration.number in html
    assert RECEIVED_TEXT in html
    assert _ja("Web") in html
    assert "輪西 花子" in html
    assert "輪西町 みなと公園とその周辺の歩道" in html
    assert _ja("Partner registration") in html
    assert "室蘭市 地域生活課" in html
    # No state at the time of printing: a receipt says what arrived.
    assert "status--" not in html


def test_the_registration_receipt_is_404_for_someone_else(client, registration, other_member):
    url = reverse("partners:registration_receipt", args=[registration.pk])
    assert _get(client, other_member, url).status_code == 404
    assert _get(client, _clerk("土木課"), url).status_code == 404


def test_staff_print_the_registration_receipt_and_find_it_in_the_admin(client, registration, staff):
    url = reverse("partners:registration_receipt", args=[registration.pk])
    assert _get(client, staff, url).status_code == 200
    change = reverse("admin:partners_registration_change", args=[registration.pk])
    html = client.get(change).content.decode()
    assert f'href="{url}"' in html
    assert f'href="{reverse("partners:certificate", args=[registration.pk])}"' in html


def test_the_registration_and_completion_pages_link_to_the_receipt(client, resident, registration):
    url = reverse("partners:registration_receipt", args=[registration.pk])
    factories.sign_in(client, resident)
    for page in ("partners:registration_detail", "partners:registered"):
        html = client.get(reverse(page, args=[registration.pk])).content.decode()
        assert url in html
        assert _ja("Print the receipt slip") in html


def test_the_registration_receipt_runs_the_same_queries_with_more_places(
    client, resident, registration
):
    url = reverse("partners:registration_receipt", args=[registration.pk])
    factories.sign_in(client, resident)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _n in range(4):
        registration.places.add(factories.make_place())
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    assert len(five) == len(one)


def _report(registration, by, *, photo=False):
    report = ActivityReport(
        registration=registration,
        activity_date=dt.date(2026, 12, 4),
        participants=6,
        burnable_bags=4,
        non_burnable_bags=1,
        place=registration.places.first(),
        notes="側溝の落ち葉も集めました",
    )
    if photo:
        report.photo = SimpleUploadedFile("photo.png", tiny_png(), content_type="image/png")
    return services.report_create(report=report, by=by)


def test_the_activity_report_receipt(client, resident, registration, other_member, staff):
    report = _report(registration, resident, photo=True)
    url = reverse("partners:report_receipt", args=[report.pk])
    html = _get(client, resident, url).content.decode()
    assert f"AR-2026-{report.pk:05d}" in html
    assert RECEIVED_TEXT in html
    assert "2026-12-04" in html and "側溝の落ち葉も集めました" in html
    assert _ja("Activity report") in html
    # The photo is counted and named by what it is, never by the uploader's file name.
    assert "1件" in html and _ja("Photo") in html and "photo.png" not in html
    assert _get(client, other_member, url).status_code == 404
    assert _get(client, staff, url).status_code == 200
    list_html = _get(client, resident, reverse("partners:report_list", args=[registration.pk]))
    assert url in list_html.content.decode()


def _pickup(registration, by):
    return services.request_create(
        request=PickupRequest(
            registration=registration,
            district=factories.district("輪西町"),
            location="みなと公園の入口",
            burnable_bags=3,
            non_burnable_bags=0,
            available_from=RECEIVED,
        ),
        by=by,
    )


def _supplies(registration, by, items):
    return services.request_create(
        request=SupplyRequest(registration=registration, delivery_note="輪西町会館"),
        lines=[SupplyRequestLine(item=item, quantity=5) for item in items],
        by=by,
    )


def test_a_pickup_receipt_for_the_partner_and_the_department(
    client, resident, registration, other_member
):
    pickup = _pickup(registration, resident)
    url = reverse("partners:request_receipt", args=["pickup", pickup.pk])
    html = _get(client, resident, url).content.decode()
    assert f"PU-2026-{pickup.pk:05d}" in html
    assert RECEIVED_TEXT in html
    assert "みなと公園の入口" in html
    assert _get(client, other_member, url).status_code == 404
    # 土木課 collects the bags; 環境課 has nothing to do with it.
    assert _get(client, _clerk("土木課"), url).status_code == 200
    assert _get(client, _clerk("環境課"), url).status_code == 404
    # The same id under another kind's word is not this request.
    wrong = reverse("partners:request_receipt", args=["loan", pickup.pk])
    assert _get(client, resident, wrong).status_code == 404
    assert _get(client, resident, "/partners/requests/nothing/1/receipt/").status_code == 404


def test_a_supply_receipt_lists_every_item_with_the_same_queries(client, resident, registration):
    items = list(SupplyItem.objects.filter(is_active=True)[:3])
    assert len(items) == 3
    one = _supplies(registration, resident, items[:1])
    three = _supplies(registration, resident, items)
    factories.sign_in(client, resident)
    counts = []
    for request_obj in (one, three):
        url = reverse("partners:request_receipt", args=["supplies", request_obj.pk])
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    for item in items:
        assert f"5{item.unit}" in html and item.name in html
    assert "輪西町会館" in html
    assert _get(client, _clerk("環境課"), url).status_code == 200


def test_a_loan_receipt_and_the_request_list_links(client, resident, registration, staff):
    equipment = Equipment.objects.filter(is_active=True).first()
    loan = services.request_create(
        request=EquipmentLoan(
            registration=registration,
            equipment=equipment,
            lend_on=dt.date(2026, 12, 10),
            return_by=dt.date(2026, 12, 12),
        ),
        by=resident,
    )
    url = reverse("partners:request_receipt", args=["loan", loan.pk])
    html = _get(client, resident, url).content.decode()
    assert f"EL-2026-{loan.pk:05d}" in html and equipment.identifier in html
    assert "2026-12-10" in html and "2026-12-12" in html
    list_html = _get(client, resident, reverse("partners:request_list", args=[registration.pk]))
    assert url in list_html.content.decode()
    # Staff print it from the admin.
    assert _get(client, staff, url).status_code == 200
    change = reverse("admin:partners_equipmentloan_change", args=[loan.pk])
    assert f'href="{url}"' in client.get(change).content.decode()


def test_the_admin_links_a_report_and_a_pickup_to_their_receipts(
    client, resident, registration, staff
):
    report = _report(registration, resident)
    factories.sign_in(client, staff)
    change = reverse("admin:partners_activityreport_change", args=[report.pk])
    url = reverse("partners:report_receipt", args=[report.pk])
    assert f'href="{url}"' in client.get(change).content.decode()

    pickup = _pickup(registration, resident)
    civil = _clerk("土木課")
    factories.sign_in(client, civil)
    change = reverse("admin:partners_pickuprequest_change", args=[pickup.pk])
    url = reverse("partners:request_receipt", args=["pickup", pickup.pk])
    assert f'href="{url}"' in client.get(change).content.decode()
    # From the admin, the slip links back to the admin, not to the partner's page.
    html = client.get(url).content.decode()
    assert f'href="{change}"' in html
