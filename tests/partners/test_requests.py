"""Partners' requests: rubbish pickups (土木課), supplies (環境課) and equipment loans (地域生活課) —
the services' rules and refusals, the partner's pages, routing by department in the admin, the
history, the e-mails and fixed query counts."""

import csv
import datetime as dt
import io
import threading

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from organizations.models import District
from partners import services as rq
from partners.models import (
    Equipment,
    EquipmentLoan,
    PickupRequest,
    PickupRequestStatusChange,
    RequestStatus,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from partners.views.requests import MYPAGE_REQUESTS
from tests import factories

pytestmark = pytest.mark.django_db

RS = RequestStatus


def _ja(msgid: str) -> str:
    with override("ja"):
        return escape(gettext(msgid))


def _clerk_client(client, user):
    """Signed in with a TOTP second factor, as the admin demands."""
    return factories.with_second_factor(client, user)


def _clerk(group):
    user = factories.make_user(staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def civil():
    return _clerk("土木課")


@pytest.fixture
def environment():
    return _clerk("環境課")


@pytest.fixture
def partner(resident):
    return factories.make_registration(user=resident, status="registered")


@pytest.fixture
def other_partner(other_member):
    return factories.make_registration(user=other_member, status="registered")


def _pickup(registration, **fields):
    values = {
        "registration": registration,
        "district": District.objects.get(name="輪西町"),
        "location": "輪西町 みなと公園の入口",
        "burnable_bags": 3,
        "non_burnable_bags": 1,
        "available_from": timezone.now(),
    }
    values.update(fields)
    return PickupRequest(**values)


def _loan(registration, equipment=None, lend_on=None, days=2):
    lend_on = lend_on or timezone.localdate() + dt.timedelta(days=1)
    return EquipmentLoan(
        registration=registration,
        equipment=equipment or Equipment.objects.get(identifier="KUSA-001"),
        lend_on=lend_on,
        return_by=lend_on + dt.timedelta(days=days),
    )


def _item(name="軍手"):
    return SupplyItem.objects.get(name=name)


def _supply(registration):
    return SupplyRequest(registration=registration, delivery_note="輪西町会館")


def _history(obj):
    return list(obj.status_changes.values_list("old_status", "new_status", "by", "reason"))


# --- data migration -------------------------------------------------------------------------


def test_the_migration_offers_supplies_equipment_and_department_groups():
    assert list(SupplyItem.objects.values_list("name", "unit", "counted_as")) == [
        ("ボランティア袋（可燃）", "枚", "bags_burnable"),
        ("ボランティア袋（不燃）", "枚", "bags_non_burnable"),
        ("軍手", "双", ""),
        ("トング", "本", ""),
        ("混合燃料（草刈機用）", "L", "fuel_litres"),
    ]
    assert set(Equipment.objects.values_list("identifier", flat=True)) == {"KUSA-001", "KUSA-002"}
    perms = {
        # the partner programmes' permissions (the same groups hold other apps' too)
        group: set(
            Group.objects.get(name=group)
            .permissions.filter(content_type__app_label="partners")
            .values_list("codename", flat=True)
        )
        for group in ("土木課", "環境課", "地域生活課")
    }
    assert {"view_pickuprequest", "change_pickuprequest"} <= perms["土木課"]
    assert "view_supplyrequest" not in perms["土木課"]
    assert {"view_supplyrequest", "change_supplyrequest"} <= perms["環境課"]
    assert "view_pickuprequest" not in perms["環境課"]
    assert {"change_equipmentloan", "change_equipment", "change_supplyitem"} <= perms["地域生活課"]
    assert not any(p.startswith("delete_") for p in perms["土木課"] | perms["環境課"])


# --- request_create -------------------------------------------------------------------------


def test_a_registered_partner_asks_for_a_pickup(resident, partner):
    pickup = rq.request_create(request=_pickup(partner), by=resident)

    saved = PickupRequest.objects.get(pk=pickup.pk)
    assert saved.status == RS.REQUESTED
    assert saved.created_by == resident


def test_a_pickup_without_bags_is_refused(resident, partner):
    with pytest.raises(ValidationError):
        rq.request_create(
            request=_pickup(partner, burnable_bags=0, non_burnable_bags=0), by=resident
        )
    assert not PickupRequest.objects.exists()


def test_an_outsider_cannot_ask_for_another_partners_registration(other_member, partner):
    with pytest.raises(PermissionDenied):
        rq.request_create(request=_pickup(partner), by=other_member)
    assert not PickupRequest.objects.exists()


@pytest.mark.parametrize("status", ["applied", "suspended", "returned"])
def test_requests_need_an_accepted_registration(resident, status):
    registration = factories.make_registration(user=resident, status=status)
    with pytest.raises(ValidationError):
        rq.request_create(request=_pickup(registration), by=resident)
    assert not PickupRequest.objects.exists()


def test_a_manager_of_the_organisation_may_ask_for_it(representative, organization):
    registration = factories.make_registration(
        user=representative, organization=organization, status="registered"
    )
    rq.request_create(request=_pickup(registration), by=representative)
    assert PickupRequest.objects.filter(registration=registration).exists()


def test_department_staff_key_in_a_request_but_other_departments_cannot(
    civil, environment, partner
):
    rq.request_create(request=_pickup(partner, channel="paper"), by=civil)
    with pytest.raises(PermissionDenied):
        rq.request_create(request=_pickup(partner), by=environment)
    assert PickupRequest.objects.count() == 1


def test_supplies_are_saved_with_their_lines(resident, partner):
    supply = rq.request_create(
        request=_supply(partner),
        lines=[
            SupplyRequestLine(item=_item("軍手"), quantity=10),
            SupplyRequestLine(item=_item("トング"), quantity=2),
        ],
        by=resident,
    )
    assert sorted(supply.lines.values_list("item__name", "quantity")) == [
        ("トング", 2),
        ("軍手", 10),
    ]


@pytest.mark.parametrize("quantity", [0, 31])
def test_a_supply_quantity_outside_one_to_the_maximum_is_refused(resident, partner, quantity):
    assert _item("軍手").max_per_request == 30
    with pytest.raises(ValidationError):
        rq.request_create(
            request=_supply(partner),
            lines=[SupplyRequestLine(item=_item("軍手"), quantity=quantity)],
            by=resident,
        )
    assert not SupplyRequest.objects.exists()


def test_supplies_need_at_least_one_line(resident, partner):
    with pytest.raises(ValidationError):
        rq.request_create(request=_supply(partner), lines=[], by=resident)
    assert not SupplyRequest.objects.exists()


def test_an_item_no_longer_offered_is_refused(resident, partner):
    item = _item("トング")
    item.is_active = False
    item.save()
    with pytest.raises(ValidationError):
        rq.request_create(
            request=_supply(partner), lines=[SupplyRequestLine(item=item, quantity=1)], by=resident
        )
    assert not SupplyRequest.objects.exists()


def test_a_loan_returning_before_it_starts_is_refused(resident, partner):
    loan = _loan(partner)
    loan.return_by = loan.lend_on - dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        rq.request_create(request=loan, by=resident)
    assert not EquipmentLoan.objects.exists()


def test_an_overlapping_loan_of_the_same_equipment_is_refused(
    resident, partner, other_member, other_partner
):
    start = timezone.localdate() + dt.timedelta(days=3)
    rq.request_create(request=_loan(partner, lend_on=start, days=3), by=resident)

    with pytest.raises(ValidationError) as error:
        rq.request_create(
            request=_loan(other_partner, lend_on=start + dt.timedelta(days=3)), by=other_member
        )
    assert "equipment" in error.value.message_dict
    # Another machine, or the day after the return, is fine.
    rq.request_create(
        request=_loan(
            other_partner, equipment=Equipment.objects.get(identifier="KUSA-002"), lend_on=start
        ),
        by=other_member,
    )
    rq.request_create(
        request=_loan(other_partner, lend_on=start + dt.timedelta(days=4)), by=other_member
    )
    assert EquipmentLoan.objects.count() == 3


def test_a_returned_or_cancelled_loan_frees_the_equipment(resident, partner, staff):
    first = rq.request_create(request=_loan(partner), by=resident)
    rq.request_cancel(request=first, by=resident)
    rq.request_create(request=_loan(partner), by=resident)
    assert EquipmentLoan.objects.filter(status=RS.REQUESTED).count() == 1


# --- request_transition ---------------------------------------------------------------------


def test_department_staff_mark_a_pickup_collected_with_history_and_email(
    resident, partner, civil, django_capture_on_commit_callbacks
):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rq.request_mark_done(request=pickup, by=civil, reason="午前に回収")

    saved = PickupRequest.objects.get(pk=pickup.pk)
    assert (saved.status, saved.handled_by) == (RS.DONE, civil)
    assert saved.handled_at is not None
    assert _history(pickup) == [(RS.REQUESTED, RS.DONE, civil.pk, "午前に回収")]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [resident.email]
    assert partner.number in mail.outbox[0].subject


def test_staff_of_another_department_cannot_mark_done(resident, partner, environment, staff):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    for clerk in (environment, staff):  # 環境課, 地域生活課
        with pytest.raises(PermissionDenied):
            rq.request_mark_done(request=pickup, by=clerk)
    assert PickupRequest.objects.get(pk=pickup.pk).status == RS.REQUESTED
    assert _history(pickup) == []


def test_the_partner_cannot_mark_their_own_request_done(resident, partner):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    with pytest.raises(PermissionDenied):
        rq.request_mark_done(request=pickup, by=resident)


def test_the_partner_cancels_and_nothing_moves_after(resident, partner, civil):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    rq.request_cancel(request=pickup, by=resident)
    with pytest.raises(rq.TransitionError):
        rq.request_mark_done(request=pickup, by=civil)
    assert _history(pickup) == [(RS.REQUESTED, RS.CANCELLED, resident.pk, "")]


def test_a_stale_copy_cannot_overwrite_a_concurrent_change(resident, partner, civil):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    stale = PickupRequest.objects.get(pk=pickup.pk)
    rq.request_cancel(request=pickup, by=resident)
    with pytest.raises(rq.TransitionError):
        rq.request_mark_done(request=stale, by=civil)
    assert PickupRequest.objects.get(pk=pickup.pk).status == RS.CANCELLED


def test_a_loan_is_handed_over_then_returned_with_both_dates(
    resident, partner, staff, django_capture_on_commit_callbacks
):
    loan = rq.request_create(request=_loan(partner), by=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rq.request_mark_lent(request=loan, by=staff)
    saved = EquipmentLoan.objects.get(pk=loan.pk)
    assert (saved.status, saved.lent_on, saved.returned_on) == (
        RS.LENT,
        timezone.localdate(),
        None,
    )
    assert _ja("Lent out") in mail.outbox[0].body

    rq.request_mark_done(request=loan, by=staff)
    saved = EquipmentLoan.objects.get(pk=loan.pk)
    assert (saved.status, saved.returned_on) == (RS.DONE, timezone.localdate())
    assert [h[:2] for h in reversed(_history(loan))] == [
        (RS.REQUESTED, RS.LENT),
        (RS.LENT, RS.DONE),
    ]


def test_a_loan_cannot_be_returned_before_it_was_handed_over(resident, partner, staff):
    loan = rq.request_create(request=_loan(partner), by=resident)
    with pytest.raises(rq.TransitionError):
        rq.request_mark_done(request=loan, by=staff)
    assert EquipmentLoan.objects.get(pk=loan.pk).status == RS.REQUESTED


def test_a_partner_cannot_cancel_a_loan_once_the_equipment_is_out(resident, partner, staff):
    loan = rq.request_create(request=_loan(partner), by=resident)
    rq.request_mark_lent(request=loan, by=staff)
    with pytest.raises(rq.TransitionError):
        rq.request_cancel(request=loan, by=resident)
    assert EquipmentLoan.objects.get(pk=loan.pk).status == RS.LENT


def test_pickups_and_supplies_are_never_lent(resident, partner, civil):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    with pytest.raises(rq.TransitionError):
        rq.request_mark_lent(request=pickup, by=civil)
    assert PickupRequest.objects.get(pk=pickup.pk).status == RS.REQUESTED


def test_equipment_out_still_blocks_its_dates_until_it_is_returned(
    resident, partner, staff, other_member, other_partner
):
    loan = rq.request_create(request=_loan(partner), by=resident)
    rq.request_mark_lent(request=loan, by=staff)
    with pytest.raises(ValidationError) as error:
        rq.request_create(request=_loan(other_partner), by=other_member)
    assert "equipment" in error.value.message_dict

    rq.request_mark_done(request=loan, by=staff)
    rq.request_create(request=_loan(other_partner), by=other_member)
    assert EquipmentLoan.objects.filter(status=RS.REQUESTED).count() == 1


def test_a_superuser_handles_every_department(resident, partner):
    boss = factories.make_user(superuser=True)
    supply = rq.request_create(
        request=_supply(partner),
        lines=[SupplyRequestLine(item=_item(), quantity=1)],
        by=resident,
    )
    rq.request_mark_done(request=supply, by=boss)
    assert SupplyRequest.objects.get(pk=supply.pk).status == RS.DONE


# --- the partner's pages --------------------------------------------------------------------


def _url(name, registration, *args):
    return reverse(f"partners:{name}", args=[registration.pk, *args])


def test_the_partner_asks_for_a_pickup_in_the_browser(client, resident, partner):
    client.force_login(resident)
    assert client.get(_url("pickup_new", partner)).status_code == 200

    response = client.post(
        _url("pickup_new", partner),
        {
            "district": District.objects.get(name="輪西町").pk,
            "location": "みなと公園の入口",
            "burnable_bags": "2",
            "non_burnable_bags": "",
            "available_from": "2026-12-01T09:00",
            "notes": "",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == _url("request_list", partner)
    pickup = PickupRequest.objects.get()
    assert (pickup.burnable_bags, pickup.non_burnable_bags, pickup.registration) == (2, 0, partner)
    html = client.get(_url("request_list", partner)).content.decode()
    assert "みなと公園の入口" in html
    assert _ja("Requested") in html


def test_a_pickup_form_without_bags_keeps_the_input_and_saves_nothing(client, resident, partner):
    client.force_login(resident)
    response = client.post(
        _url("pickup_new", partner),
        {
            "district": District.objects.get(name="輪西町").pk,
            "location": "みなと公園の入口",
            "burnable_bags": "0",
            "non_burnable_bags": "",
            "available_from": "2026-12-01T09:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _ja("Write how many bags there are to collect.") in html
    assert 'value="みなと公園の入口"' in html
    assert not PickupRequest.objects.exists()


def test_the_partner_asks_for_supplies_with_a_box_per_item(client, resident, partner):
    client.force_login(resident)
    gloves, tongs = _item("軍手"), _item("トング")
    html = client.get(_url("supplies_new", partner)).content.decode()
    for item in SupplyItem.objects.all():
        assert f'name="item_{item.pk}"' in html

    response = client.post(
        _url("supplies_new", partner),
        {f"item_{gloves.pk}": "5", f"item_{tongs.pk}": "", "delivery_note": "輪西町会館"},
    )

    assert response.status_code == 302
    supply = SupplyRequest.objects.get()
    assert list(supply.lines.values_list("item__name", "quantity")) == [("軍手", 5)]


def test_a_supply_form_over_the_maximum_or_empty_is_refused(client, resident, partner):
    client.force_login(resident)
    gloves = _item("軍手")
    response = client.post(
        _url("supplies_new", partner),
        {f"item_{gloves.pk}": "31", "delivery_note": "輪西町会館"},
    )
    assert response.status_code == 200
    assert 'value="31"' in response.content.decode()
    assert response.context["form"].errors[f"item_{gloves.pk}"]

    response = client.post(_url("supplies_new", partner), {"delivery_note": "輪西町会館"})
    assert _ja("Write the quantity of at least one item.") in response.content.decode()
    assert not SupplyRequest.objects.exists()


def test_the_partner_borrows_equipment_and_an_overlap_is_shown_next_to_the_field(
    client, resident, partner, other_member, other_partner
):
    machine = Equipment.objects.get(identifier="KUSA-001")
    start = timezone.localdate() + dt.timedelta(days=2)
    rq.request_create(request=_loan(other_partner, lend_on=start), by=other_member)
    client.force_login(resident)
    data = {
        "equipment": machine.pk,
        "lend_on": start.isoformat(),
        "return_by": (start + dt.timedelta(days=1)).isoformat(),
    }

    response = client.post(_url("loan_new", partner), data)

    assert response.status_code == 200
    assert response.context["form"].errors["equipment"]
    assert not EquipmentLoan.objects.filter(registration=partner).exists()

    data["lend_on"] = (start + dt.timedelta(days=5)).isoformat()
    data["return_by"] = (start + dt.timedelta(days=6)).isoformat()
    assert client.post(_url("loan_new", partner), data).status_code == 302
    assert EquipmentLoan.objects.filter(registration=partner).count() == 1


def test_a_loan_form_returning_before_it_starts_is_refused(client, resident, partner):
    client.force_login(resident)
    start = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(
        _url("loan_new", partner),
        {
            "equipment": Equipment.objects.get(identifier="KUSA-001").pk,
            "lend_on": start.isoformat(),
            "return_by": (start - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert _ja("The return date cannot be before the start.") in response.content.decode()
    assert not EquipmentLoan.objects.exists()


def test_a_partner_not_yet_accepted_gets_no_form_and_nothing_is_saved(client, resident):
    registration = factories.make_registration(user=resident)  # 申請中
    client.force_login(resident)
    response = client.get(_url("pickup_new", registration))
    assert _ja("Requests can be made once the city has accepted your registration.") in (
        response.content.decode()
    )
    assert 'name="location"' not in response.content.decode()


def test_the_partner_cancels_their_request(client, resident, partner):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    client.force_login(resident)
    url = _url("request_cancel", partner, "pickup", pickup.pk)

    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    assert PickupRequest.objects.get(pk=pickup.pk).status == RS.CANCELLED
    assert _history(pickup) == [(RS.REQUESTED, RS.CANCELLED, resident.pk, "")]
    # Once cancelled, a second cancel changes nothing.
    client.post(url)
    assert PickupRequestStatusChange.objects.count() == 1


def test_another_partners_requests_and_forms_are_404(client, resident, partner, other_member):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    client.force_login(other_member)
    for url in (
        _url("request_list", partner),
        _url("pickup_new", partner),
        _url("supplies_new", partner),
        _url("loan_new", partner),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_url("request_cancel", partner, "pickup", pickup.pk)).status_code == 404
    assert PickupRequest.objects.get(pk=pickup.pk).status == RS.REQUESTED


def test_a_request_id_under_my_own_registration_is_404_if_not_mine(
    client, resident, partner, other_member, other_partner
):
    theirs = rq.request_create(request=_pickup(other_partner), by=other_member)
    client.force_login(resident)
    url = _url("request_cancel", partner, "pickup", theirs.pk)
    assert client.post(url).status_code == 404
    assert client.post(_url("request_cancel", partner, "bogus", theirs.pk)).status_code == 404
    assert PickupRequest.objects.get(pk=theirs.pk).status == RS.REQUESTED


def test_anonymous_is_sent_to_log_in(client, partner):
    response = client.get(_url("pickup_new", partner))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- マイページ ------------------------------------------------------------------------------


def test_my_page_lists_my_requests_with_their_states(
    client, resident, partner, other_member, other_partner, civil
):
    mine = rq.request_create(request=_pickup(partner, location="みなと公園の入口"), by=resident)
    rq.request_mark_done(request=mine, by=civil)
    rq.request_create(request=_pickup(other_partner, location="白鳥台の公園"), by=other_member)
    client.force_login(resident)

    html = client.get(reverse("mypage")).content.decode()

    assert _ja("My requests to the city") in html
    assert "みなと公園の入口" in html
    assert _ja("Collected") in html
    assert "白鳥台の公園" not in html
    assert _url("request_list", partner) in html


@pytest.mark.parametrize("n", [1, 20])
def test_my_page_requests_run_a_fixed_number_of_queries(
    rf, resident, partner, django_assert_num_queries, n
):
    from partners.sections import mypage_requests

    for i in range(n):
        rq.request_create(request=_pickup(partner, location=f"場所{i}"), by=resident)
        rq.request_create(
            request=_supply(partner),
            lines=[SupplyRequestLine(item=_item(), quantity=1)],
            by=resident,
        )
        rq.request_create(
            request=_loan(partner, lend_on=timezone.localdate() + dt.timedelta(days=10 * i + 1)),
            by=resident,
        )
    request = rf.get("/mypage/")
    request.user = resident
    # My registrations (shared with the registrations section), then one UNION of the kinds.
    with django_assert_num_queries(2):
        section = mypage_requests(request)
    with django_assert_num_queries(1):
        section = mypage_requests(request)
    assert len(section.context["rows"]) == min(3 * n, MYPAGE_REQUESTS)


# --- the admin: routing by department -------------------------------------------------------


def test_a_civil_engineering_clerk_sees_pickups_not_supplies(client, civil, resident, partner):
    rq.request_create(request=_pickup(partner, location="みなと公園の入口"), by=resident)
    rq.request_create(
        request=_supply(partner), lines=[SupplyRequestLine(item=_item(), quantity=1)], by=resident
    )
    client = _clerk_client(client, civil)

    response = client.get(reverse("admin:partners_pickuprequest_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    assert client.get(reverse("admin:partners_supplyrequest_changelist")).status_code == 403
    assert client.get(reverse("admin:partners_equipmentloan_changelist")).status_code == 403


def test_an_environment_clerk_sees_supplies_not_pickups(client, environment, resident, partner):
    rq.request_create(request=_pickup(partner), by=resident)
    rq.request_create(
        request=_supply(partner), lines=[SupplyRequestLine(item=_item(), quantity=1)], by=resident
    )
    client = _clerk_client(client, environment)

    response = client.get(reverse("admin:partners_supplyrequest_changelist"))
    assert len(response.context["cl"].result_list) == 1
    assert client.get(reverse("admin:partners_pickuprequest_changelist")).status_code == 403


def test_a_permission_without_the_department_group_shows_no_rows(client, resident, partner):
    from django.contrib.auth.models import Permission

    outsider = factories.make_user(staff=True)
    outsider.user_permissions.add(Permission.objects.get(codename="view_pickuprequest"))
    rq.request_create(request=_pickup(partner), by=resident)
    client = _clerk_client(client, outsider)

    response = client.get(reverse("admin:partners_pickuprequest_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0


def test_the_history_is_on_the_request_page_for_its_department_only_and_read_only(
    client, civil, resident, partner
):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    supply = rq.request_create(
        request=_supply(partner), lines=[SupplyRequestLine(item=_item(), quantity=1)], by=resident
    )
    rq.request_cancel(request=pickup, by=resident, reason="雨のため延期")
    rq.request_cancel(request=supply, by=resident)
    client = _clerk_client(client, civil)

    response = client.get(reverse("admin:partners_pickuprequest_change", args=[pickup.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "雨のため延期" in html
    assert 'name="status_changes-0-reason"' not in html  # shown, not editable
    # 土木課 does not see 環境課's requests, nor their history.
    supply_url = reverse("admin:partners_supplyrequest_change", args=[supply.pk])
    assert client.get(supply_url).status_code in (302, 403, 404)
    assert PickupRequestStatusChange.objects.get().reason == "雨のため延期"


def _action(client, url, action, rows, reason=""):
    return client.post(
        url,
        {
            "action": action,
            "_selected_action": [r.pk for r in rows],
            "select_across": "0",
            "index": "0",
            "reason": reason,
        },
        follow=True,
    )


def test_the_collected_action_goes_through_the_service(client, civil, resident, partner):
    pickups = [rq.request_create(request=_pickup(partner), by=resident) for _ in range(2)]
    client = _clerk_client(client, civil)

    _action(client, reverse("admin:partners_pickuprequest_changelist"), "mark_done", pickups, "済")

    assert set(PickupRequest.objects.values_list("status", flat=True)) == {RS.DONE}
    assert _history(pickups[0]) == [(RS.REQUESTED, RS.DONE, civil.pk, "済")]


def test_the_cancel_action_and_a_refused_row(client, civil, resident, partner):
    done = rq.request_create(request=_pickup(partner), by=resident)
    rq.request_mark_done(request=done, by=civil)
    waiting = rq.request_create(request=_pickup(partner), by=resident)
    client = _clerk_client(client, civil)

    response = _action(
        client, reverse("admin:partners_pickuprequest_changelist"), "cancel", [done, waiting]
    )

    assert PickupRequest.objects.get(pk=done.pk).status == RS.DONE
    assert PickupRequest.objects.get(pk=waiting.pk).status == RS.CANCELLED
    assert "warning" in [m.level_tag for m in response.context["messages"]]


def test_the_lent_and_returned_actions_set_the_dates(client, staff_client, resident, partner):
    loan = rq.request_create(request=_loan(partner), by=resident)
    url = reverse("admin:partners_equipmentloan_changelist")

    response = _action(staff_client, url, "mark_done", [loan])  # not handed over yet
    assert EquipmentLoan.objects.get(pk=loan.pk).status == RS.REQUESTED
    assert "warning" in [m.level_tag for m in response.context["messages"]]

    _action(staff_client, url, "mark_lent", [loan])
    assert EquipmentLoan.objects.get(pk=loan.pk).lent_on == timezone.localdate()
    _action(staff_client, url, "mark_done", [loan])

    saved = EquipmentLoan.objects.get(pk=loan.pk)
    assert (saved.status, saved.returned_on) == (RS.DONE, timezone.localdate())


def test_the_admin_finds_overdue_equipment(staff_client, resident, partner, staff):
    today = timezone.localdate()
    late = rq.request_create(
        request=_loan(partner, lend_on=today - dt.timedelta(days=5)), by=resident
    )
    EquipmentLoan.objects.filter(pk=late.pk).update(return_by=today - dt.timedelta(days=1))
    rq.request_mark_lent(request=late, by=staff)
    on_time = rq.request_create(
        request=_loan(partner, lend_on=today + dt.timedelta(days=10)), by=resident
    )
    url = reverse("admin:partners_equipmentloan_changelist")

    response = staff_client.get(url, {"overdue": "yes"})

    assert [row.pk for row in response.context["cl"].result_list] == [late.pk]
    assert on_time.pk not in [row.pk for row in response.context["cl"].result_list]
    with override("ja"):
        overdue = gettext("%(status)s — overdue") % {"status": gettext("Lent out")}
    assert escape(overdue) in response.content.decode()


def test_the_status_is_read_only_in_the_change_form(client, civil, resident, partner):
    pickup = rq.request_create(request=_pickup(partner), by=resident)
    client = _clerk_client(client, civil)
    url = reverse("admin:partners_pickuprequest_change", args=[pickup.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields


def test_the_pickup_route_csv(client, civil, resident, partner):
    rq.request_create(
        request=_pickup(
            partner,
            location="みなと公園の入口",
            burnable_bags=4,
            non_burnable_bags=0,
            available_from=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
        ),
        by=resident,
    )
    client = _clerk_client(client, civil)

    response = client.post(
        reverse("admin:partners_pickuprequest_changelist"),
        {
            "action": "export_route",
            "_selected_action": list(PickupRequest.objects.values_list("pk", flat=True)),
            "select_across": "0",
            "index": "0",
        },
    )

    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8").lstrip("\ufeff"))))
    assert rows[0][:5] == [
        "district",
        "location",
        "burnable_bags",
        "non_burnable_bags",
        "available_from",
    ]
    assert rows[1][:5] == ["輪西町", "みなと公園の入口", "4", "0", "2026-12-01 18:00"]


@pytest.mark.parametrize("model", ["pickuprequest", "supplyrequest", "equipmentloan"])
def test_request_changelists_run_a_fixed_number_of_queries(
    client, resident, partner, django_assert_num_queries, model
):
    boss = factories.make_user(superuser=True)
    client = _clerk_client(client, boss)
    url = reverse(f"admin:partners_{model}_changelist")

    def add(n, offset):
        for i in range(n):
            rq.request_create(request=_pickup(partner), by=resident)
            rq.request_create(
                request=_supply(partner),
                lines=[SupplyRequestLine(item=_item(), quantity=1)],
                by=resident,
            )
            day = timezone.localdate() + dt.timedelta(days=10 * (i + offset) + 1)
            rq.request_create(request=_loan(partner, lend_on=day), by=resident)

    add(1, 0)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add(19, 1)
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 20


def test_staff_key_in_a_paper_supply_request_with_its_lines(client, environment, partner):
    client = _clerk_client(client, environment)
    gloves = _item("軍手")
    response = client.post(
        reverse("admin:partners_supplyrequest_add"),
        {
            "registration": partner.pk,
            "delivery_note": "市役所で受け取り",
            "notes": "",
            "staff_note": "",
            "channel": "paper",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-item": gloves.pk,
            "lines-0-quantity": "4",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    supply = SupplyRequest.objects.get()
    assert (supply.channel, supply.created_by) == ("paper", environment)
    assert list(supply.lines.values_list("item__name", "quantity")) == [("軍手", 4)]


def test_the_registration_page_links_to_the_requests(client, resident, partner):
    client.force_login(resident)
    html = client.get(partner.get_absolute_url()).content.decode()
    assert _url("request_list", partner) in html


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
)
def test_partners_racing_for_the_same_machine_and_dates_get_one_loan():
    threads_count = 6
    registrations = [
        factories.make_registration(user=factories.make_user(), status="registered")
        for _ in range(threads_count)
    ]
    start = timezone.localdate() + dt.timedelta(days=5)
    barrier = threading.Barrier(threads_count)
    lent, refused, errors = [], [], []
    lock = threading.Lock()

    def borrow(registration):
        try:
            barrier.wait(timeout=10)
            rq.request_create(request=_loan(registration, lend_on=start), by=registration.user)
            with lock:
                lent.append(registration.pk)
        except ValidationError:
            with lock:
                refused.append(registration.pk)
        except Exception as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=borrow, args=(r,)) for r in registrations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert (len(lent), len(refused)) == (1, threads_count - 1)
    assert EquipmentLoan.objects.filter(status=RS.REQUESTED).count() == 1


def test_a_paper_supply_request_without_lines_is_refused_next_to_the_lines(
    client, environment, partner
):
    client = _clerk_client(client, environment)
    response = client.post(
        reverse("admin:partners_supplyrequest_add"),
        {
            "registration": partner.pk,
            "delivery_note": "市役所で受け取り",
            "channel": "paper",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-item": "",
            "lines-0-quantity": "",
        },
    )
    assert response.status_code == 200
    assert _ja("Write the quantity of at least one item.") in response.content.decode()
    assert not SupplyRequest.objects.exists()


def test_a_paper_loan_overlapping_another_is_refused_in_the_admin(
    client, staff, resident, partner, other_partner
):
    start = timezone.localdate() + dt.timedelta(days=2)
    rq.request_create(request=_loan(partner, lend_on=start), by=resident)
    client = _clerk_client(client, staff)
    response = client.post(
        reverse("admin:partners_equipmentloan_add"),
        {
            "registration": other_partner.pk,
            "equipment": Equipment.objects.get(identifier="KUSA-001").pk,
            "lend_on": start.isoformat(),
            "return_by": start.isoformat(),
            "channel": "paper",
        },
    )
    assert response.status_code == 200
    assert "equipment" in response.context["adminform"].form.errors
    assert EquipmentLoan.objects.count() == 1


def test_the_admin_pages_open_for_each_department(client, civil, environment, staff, partner):
    supply = rq.request_create(
        request=_supply(partner),
        lines=[SupplyRequestLine(item=_item(), quantity=2)],
        by=environment,
    )
    pages = {
        civil: [reverse("admin:index"), reverse("admin:partners_pickuprequest_add")],
        environment: [
            reverse("admin:index"),
            reverse("admin:partners_supplyrequest_add"),
            reverse("admin:partners_supplyrequest_change", args=[supply.pk]),
            reverse("admin:partners_supplyitem_changelist"),
        ],
        staff: [
            reverse("admin:index"),
            reverse("admin:partners_equipmentloan_add"),
            reverse("admin:partners_equipment_changelist"),
        ],
    }
    for user, urls in pages.items():
        client.logout()
        signed_in = _clerk_client(client, user)
        for url in urls:
            assert signed_in.get(url).status_code == 200, (user, url)


# --- dates people can't mean ------------------------------------------------------------------

FROZEN = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
TODAY = dt.date(2026, 12, 7)


def _loan_form(partner, lend_on, return_by):
    return {
        "equipment": Equipment.objects.get(identifier="KUSA-001").pk,
        "lend_on": lend_on.isoformat(),
        "return_by": return_by.isoformat(),
    }


@pytest.mark.parametrize(
    ("lend_on", "return_by", "field"),
    [
        (TODAY + dt.timedelta(days=1), dt.date(9999, 12, 31), "return_by"),
        (TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=92), "return_by"),  # 91 days
        (dt.date(9999, 12, 30), dt.date(9999, 12, 31), "lend_on"),
        (TODAY + dt.timedelta(days=366), TODAY + dt.timedelta(days=367), "lend_on"),
    ],
)
def test_a_loan_that_would_block_the_equipment_is_refused_next_to_the_field(
    client, resident, partner, lend_on, return_by, field
):
    client.force_login(resident)

    with time_machine.travel(FROZEN, tick=False):
        response = client.post(_url("loan_new", partner), _loan_form(partner, lend_on, return_by))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not EquipmentLoan.objects.exists()


def test_the_loan_message_says_until_when(client, resident, partner):
    client.force_login(resident)
    lend_on = TODAY + dt.timedelta(days=1)

    with time_machine.travel(FROZEN, tick=False):
        response = client.post(
            _url("loan_new", partner), _loan_form(partner, lend_on, dt.date(9999, 12, 31))
        )

    with override("ja"):
        expected = gettext(
            "A loan lasts at most %(days)s days: return it by %(day)s at the latest."
        ) % {"days": 90, "day": "2027/03/08"}
    assert escape(expected) in response.content.decode()


def test_a_loan_of_90_days_booked_a_year_ahead_is_accepted(client, resident, partner):
    client.force_login(resident)
    lend_on = TODAY + dt.timedelta(days=365)

    with time_machine.travel(FROZEN, tick=False):
        response = client.post(
            _url("loan_new", partner),
            _loan_form(partner, lend_on, lend_on + dt.timedelta(days=90)),
        )

    assert response.status_code == 302
    assert EquipmentLoan.objects.get().return_by == lend_on + dt.timedelta(days=90)


@pytest.mark.parametrize("moment", ["9999-12-31T09:00", "0001-01-01T09:00", "2027-12-08T09:00"])
def test_a_pickup_at_a_time_nobody_means_is_refused(client, resident, partner, moment):
    client.force_login(resident)

    with time_machine.travel(FROZEN, tick=False):
        response = client.post(
            _url("pickup_new", partner),
            {
                "district": District.objects.get(name="輪西町").pk,
                "location": "みなと公園の入口",
                "burnable_bags": "2",
                "available_from": moment,
            },
        )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["available_from"]
    assert not PickupRequest.objects.exists()
