"""The mayor's diary in the admin: blocks entered, changed and deleted through the service
(refused over a confirmed session, the refusal next to the field), and the month view of
requests and sessions (a calendar table, a fixed number of queries whatever it holds)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entalk import services
from entalk.admin.diary import month_weeks, parse_month
from entalk.models import Block, Request
from tests.entalk import factories as ef
from tests.entalk.factories import JST, SLOT_1, SLOT_2, SLOT_3

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

MONTH = reverse("admin:entalk_request_month")


def _url(view="changelist", *args):
    return reverse(f"admin:entalk_block_{view}", args=args)


def _block_data(start, end, **extra):
    return {
        "starts_at_0": f"{start:%Y-%m-%d}",
        "starts_at_1": f"{start:%H:%M}",
        "ends_at_0": f"{end:%Y-%m-%d}",
        "ends_at_1": f"{end:%H:%M}",
        "kind": Block.Kind.DUTY,
        "note": "議会",
        **extra,
    }


# --- blocks ------------------------------------------------------------------------------------


def test_staff_enter_a_block(staff_client, staff):
    start = dt.datetime(2026, 7, 30, 9, 0, tzinfo=JST)
    response = staff_client.post(
        _url("add"), _block_data(start, start + dt.timedelta(hours=3)), follow=True
    )
    assert response.status_code == 200
    block = Block.objects.get()
    assert (block.starts_at, block.ends_at, block.note, block.created_by) == (
        start,
        start + dt.timedelta(hours=3),
        "議会",
        staff,
    )
    page = staff_client.get(_url()).content.decode()
    assert "2026/07/30 09:00" in page


def test_a_block_over_a_confirmed_session_is_refused_on_the_form(staff_client, entalk_request):
    ef.confirm(entalk_request)
    response = staff_client.post(
        _url("add"), _block_data(SLOT_1 - dt.timedelta(hours=1), SLOT_1 + dt.timedelta(hours=1))
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert entalk_request.number in " ".join(form.errors["starts_at"])
    assert not Block.objects.exists()
    assert "議会" in response.content.decode()  # nothing typed is lost


def test_a_block_ending_before_it_starts_is_refused(staff_client):
    start = dt.datetime(2026, 7, 30, 9, 0, tzinfo=JST)
    response = staff_client.post(_url("add"), _block_data(start, start - dt.timedelta(hours=1)))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Block.objects.exists()


def test_a_block_is_changed_through_the_service(staff_client, staff, entalk_request):
    ef.confirm(entalk_request)
    start = dt.datetime(2026, 7, 30, 9, 0, tzinfo=JST)
    block = services.block_create(starts_at=start, ends_at=start + dt.timedelta(hours=2), by=staff)
    later = start + dt.timedelta(hours=4)
    staff_client.post(
        _url("change", block.pk), _block_data(later, later + dt.timedelta(hours=1), note="出張")
    )
    moved = Block.objects.get()
    assert (moved.starts_at, moved.note) == (later, "出張")
    # Moved over the confirmed session: refused, the block stays as it was.
    response = staff_client.post(
        _url("change", moved.pk), _block_data(SLOT_1, SLOT_1 + dt.timedelta(hours=1))
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"]
    assert Block.objects.get().starts_at == later


def test_a_block_can_be_deleted(staff_client, staff):
    start = dt.datetime(2026, 7, 30, 9, 0, tzinfo=JST)
    block = services.block_create(starts_at=start, ends_at=start + dt.timedelta(hours=2), by=staff)
    staff_client.post(_url("delete", block.pk), {"post": "yes"})
    assert not Block.objects.exists()


# --- the month view ----------------------------------------------------------------------------


def test_parse_month_falls_back_to_the_current_month():
    today = dt.date(2026, 6, 15)
    assert parse_month("2026-07", today) == dt.date(2026, 7, 1)
    for bad in ("", None, "2026-13", "abc", "2026-7-1", "0-01", "99999-01"):
        assert parse_month(bad, today) == dt.date(2026, 6, 1)
    weeks = month_weeks(dt.date(2026, 7, 1))
    assert weeks[0][0] == dt.date(2026, 6, 29) and weeks[0][0].weekday() == 0
    assert all(len(week) == 7 for week in weeks)


def test_the_month_view_shows_every_kind_of_entry(staff_client, staff, entalk_request):
    other = ef.make_request(group_name="中島町子ども会", slots=[SLOT_3])
    ef.confirm(other)
    third = ef.make_request(group_name="東町の会", slots=[SLOT_2])
    services.request_propose(
        request=third, starts_at=dt.datetime(2026, 7, 28, 10, 0, tzinfo=JST), by=staff
    )
    services.block_create(
        starts_at=dt.datetime(2026, 7, 30, 9, 0, tzinfo=JST),
        ends_at=dt.datetime(2026, 7, 31, 17, 0, tzinfo=JST),
        kind=Block.Kind.TRAVEL,
        note="東京出張",
        by=staff,
    )
    response = staff_client.get(MONTH, {"month": "2026-07"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<caption>" in page and 'scope="col"' in page
    rows = response.context["rows"]
    cells = {cell["day"]: cell["entries"] for week in rows for cell in week}
    assert [(e["kind"], e["time"]) for e in cells[dt.date(2026, 7, 20)]] == [("requested", "14:00")]
    assert entalk_request.number in cells[dt.date(2026, 7, 20)][0]["label"]
    # The session confirmed on 7/25, and the first request's third preference at that time.
    day = {e["kind"]: e["label"] for e in cells[dt.date(2026, 7, 25)]}
    assert set(day) == {"confirmed", "requested"}
    assert "中島町子ども会" in day["confirmed"] and f"{entalk_request.number}" in day["requested"]
    assert [e["kind"] for e in cells[dt.date(2026, 7, 28)]] == ["proposed"]
    # The block covers both days.
    assert [e["kind"] for e in cells[dt.date(2026, 7, 30)]] == ["block"]
    assert [e["kind"] for e in cells[dt.date(2026, 7, 31)]] == ["block"]
    assert "東京出張" in page
    assert reverse("admin:entalk_request_change", args=[other.pk]) in page
    assert "?month=2026-06" in page and "?month=2026-08" in page


def test_a_bad_month_shows_the_current_month(staff_client):
    for bad in ("2026-13", "x", "2026-00", "-1", "9999-12", "1900-01", "2037-01", "0-1"):
        response = staff_client.get(MONTH, {"month": bad})
        assert response.status_code == 200
        assert response.context["month"] == dt.date(2026, 6, 1)


def test_the_month_view_is_linked_from_the_list_and_closed_to_others(client, staff_client):
    assert MONTH in staff_client.get(reverse("admin:entalk_request_changelist")).content.decode()
    from tests import factories

    clerk = factories.with_second_factor(client, ef.department_staff())
    assert clerk.get(MONTH).status_code == 403


def _count(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(MONTH, {"month": "2026-07"}).status_code == 200
    return len(captured)


def test_the_month_view_takes_as_many_queries_for_ten_requests_as_for_one(
    staff_client, staff, entalk_request
):
    one = _count(staff_client)
    start = dt.datetime(2026, 7, 16, 10, 0, tzinfo=JST)
    for n in range(9):
        request = ef.make_request(slots=[start + dt.timedelta(days=n, hours=h) for h in (0, 2, 4)])
        if n % 3 == 0:
            ef.confirm(request, staff=staff)
        services.block_create(
            starts_at=start + dt.timedelta(days=n, hours=6),
            ends_at=start + dt.timedelta(days=n, hours=7),
            by=staff,
        )
    assert Request.objects.count() == 10
    ten = _count(staff_client)
    assert one == ten
    print(f"month view: {ten} queries")
