"""The public pages of enとーく through the client: the index, the session list and its filters,
a session's page with its record and follow-ups, the photos, and fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entalk import services
from entalk.models import FollowUp, ParticipantCount, Photo, Request, Theme
from tests import factories
from tests.entalk import factories as ef
from tests.entalk.factories import JST
from tests.images import tiny_png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

AFTER = dt.datetime(2026, 9, 1, 10, 0, tzinfo=JST)


def _slot(i: int) -> dt.datetime:
    """Distinct mornings from 2026-07-16, one session each."""
    return dt.datetime(2026, 7, 16, 10, 0, tzinfo=JST) + dt.timedelta(days=i)


def _confirmed(staff, i: int, **fields) -> Request:
    request = ef.make_request(slots=[_slot(i)], **fields)
    return ef.confirm(request, staff=staff)


def _record(request: Request, staff, *, photos=1, follow_ups=1) -> Request:
    """A held session recorded in full and published (the clock must be after it)."""
    ParticipantCount.objects.create(
        request=request, actor_type=factories.actor_type("npo"), count=8
    )
    ParticipantCount.objects.create(
        request=request, actor_type=factories.actor_type("individual"), count=12
    )
    for n in range(photos):
        Photo.objects.create(
            request=request,
            image=SimpleUploadedFile(f"p{n}.png", tiny_png()),
            content_type="image/png",
            caption=f"意見交換の様子{n}",
            position=n + 1,
        )
    published = ef.held(request, participants=20, topics=2, publish=True, staff=staff)
    clerk = ef.department_staff()
    for n in range(follow_ups):
        follow_up = services.follow_up_open(
            request=published, department=ef.department(), matter=f"遊具の点検{n}", by=staff
        )
        services.follow_up_change(
            follow_up=follow_up, status=FollowUp.Status.IN_PROGRESS, answer="点検中です", by=clerk
        )
    return published


@pytest.fixture
def sessions(frozen, staff):
    """Twelve sessions recorded and published (two pages of the list would need 21)."""
    made = [
        _confirmed(staff, i, public_naming=i % 2 == 0, group_name=f"サークル{i}") for i in range(12)
    ]
    frozen.move_to(AFTER)
    return [_record(request, staff) for request in made]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


# --- index ---------------------------------------------------------------------------------


def test_index_explains_and_lists_upcoming_sessions(client, staff):
    named = _confirmed(staff, 0, group_name="輪西町子育てサークル", public_naming=True)
    anonymous = _confirmed(staff, 1, group_name="秘密の会", public_naming=False)
    response = client.get(reverse("entalk:index"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "輪西町子育てサークル" in content
    assert "秘密の会" not in content
    assert [s.pk for s in response.context["upcoming"]] == [named.pk, anonymous.pk]
    assert reverse("entalk:request_new") in content
    assert reverse("entalk:calendar_ics") in content
    assert "2011" in content


def test_index_does_not_show_unconfirmed_requests(client, entalk_request):
    response = client.get(reverse("entalk:index"))
    assert response.context["upcoming"] == []
    assert entalk_request.group_name not in response.content.decode()


def test_index_query_count_is_fixed(client, staff, frozen, django_assert_num_queries):
    held = _confirmed(staff, 0)
    _confirmed(staff, 60)  # after AFTER: upcoming
    frozen.move_to(AFTER)
    _record(held, staff)
    with django_assert_num_queries(4):
        response = client.get(reverse("entalk:index"))
    assert (len(response.context["upcoming"]), len(response.context["latest"])) == (1, 1)
    frozen.move_to(ef.NOW)
    more_held = [_confirmed(staff, i) for i in range(1, 9)]
    for i in range(61, 70):
        _confirmed(staff, i)
    frozen.move_to(AFTER)
    for request in more_held:
        _record(request, staff)
    with django_assert_num_queries(4):
        response = client.get(reverse("entalk:index"))
    assert (len(response.context["upcoming"]), len(response.context["latest"])) == (10, 5)


def test_index_counts_the_published_records_by_theme_and_town(client, staff, frozen):
    """The index of records: each theme and town with its published sessions, linked to the
    filtered list; a session not yet published is not counted."""
    first = _confirmed(staff, 0)
    second = _confirmed(staff, 1, venue_district=factories.district("中島町"))
    _confirmed(staff, 2)  # held but not published
    frozen.move_to(AFTER)
    _record(first, staff)
    _record(second, staff)
    response = client.get(reverse("entalk:index"))
    themes = {t["name"]: t["records"] for t in response.context["by_theme"]}
    towns = {d["venue_district__name"]: d["records"] for d in response.context["by_district"]}
    assert themes == {"子育て・教育": 2} and towns == {"輪西町": 1, "中島町": 1}
    content = response.content.decode()
    theme = first.themes.get()
    assert f"{reverse('entalk:session_list')}?theme={theme.pk}" in content
    assert f"{reverse('entalk:session_list')}?district={second.venue_district_id}" in content


# --- session list ------------------------------------------------------------------------------


def test_session_list_shows_published_records_only(client, sessions, staff):
    frozen_unpublished = ef.make_request(slots=[_slot(90)], group_name="未実施の会")
    response = client.get(reverse("entalk:session_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 12
    content = response.content.decode()
    assert "サークル0" in content
    assert "サークル1<" not in content  # no consent: 「市内の団体」
    assert frozen_unpublished.group_name not in content


def test_session_list_filters_by_theme_district_and_year(client, sessions):
    theme = Theme.objects.get(name="防災・防犯")
    sessions[3].themes.add(theme)
    district = factories.district("中島町")
    Request.objects.filter(pk=sessions[5].pk).update(venue_district=district)
    url = reverse("entalk:session_list")

    by_theme = client.get(url, {"theme": theme.pk})
    assert [s.pk for s in by_theme.context["sessions"]] == [sessions[3].pk]
    by_district = client.get(url, {"district": district.pk})
    assert [s.pk for s in by_district.context["sessions"]] == [sessions[5].pk]
    assert client.get(url, {"year": 2026}).context["page"].paginator.count == 12
    assert client.get(url, {"year": 2025}).context["page"].paginator.count == 12  # ignored
    junk = client.get(url, {"theme": "abc", "district": "99999", "year": "x"})
    assert junk.status_code == 200
    assert junk.context["page"].paginator.count == 12


def test_session_list_paginates_by_twenty(client, staff, frozen):
    made = [_confirmed(staff, i) for i in range(21)]
    frozen.move_to(AFTER)
    for request in made:
        ef.held(request, publish=True, staff=staff)
    url = reverse("entalk:session_list")
    assert len(client.get(url).context["sessions"]) == 20
    assert len(client.get(url, {"page": 2}).context["sessions"]) == 1
    assert client.get(url, {"page": "zzz"}).status_code == 200


def test_session_list_query_count_is_fixed(client, staff, frozen, django_assert_num_queries):
    first = _confirmed(staff, 0)
    frozen.move_to(AFTER)
    _record(first, staff)
    url = reverse("entalk:session_list") + "?theme=1&district=1&year=2026"
    plain = reverse("entalk:session_list")
    with django_assert_num_queries(6):
        client.get(plain)
    one = _queries(client, url)
    frozen.move_to(ef.NOW)
    made = [_confirmed(staff, i) for i in range(1, 11)]
    frozen.move_to(AFTER)
    for request in made:
        _record(request, staff)
    with django_assert_num_queries(6):
        client.get(plain)
    assert _queries(client, url) == one


# --- session page --------------------------------------------------------------------------------


def test_confirmed_session_page_has_no_record(client, staff):
    session = _confirmed(
        staff, 0, group_name="秘密の会", public_naming=False, venue_name="輪西ＸＱさん宅"
    )
    response = client.get(reverse("entalk:session_detail", args=[session.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert not response.context["published"]
    assert "秘密の会" not in content
    assert "ＸＱ" not in content and "輪西町" in content  # the town, not the venue
    assert "hanako@example.jp" not in content
    assert "0143-22-1111" not in content


@pytest.mark.parametrize("status", ["requested", "declined", "cancelled"])
def test_session_page_is_404_before_confirmation(client, entalk_request, staff, status):
    if status == "declined":
        services.request_decline(request=entalk_request, by=staff, reason="日程が合わない")
    elif status == "cancelled":
        services.request_cancel(request=entalk_request, by=staff, reason="中止")
    url = reverse("entalk:session_detail", args=[entalk_request.pk])
    assert client.get(url).status_code == 404


def test_published_session_page_shows_the_record(client, sessions):
    session = sessions[0]
    response = client.get(reverse("entalk:session_detail", args=[session.pk]))
    content = response.content.decode()
    assert response.context["published"]
    assert "サークル0" in content
    counts = {row.actor_type.code: row.count for row in response.context["participant_counts"]}
    assert counts == {"npo": 8, "individual": 12}
    assert "公園の遊具について1" in content
    assert "現地を確認し、更新を検討します。" in content
    photo = session.photos.get()
    assert f'src="{reverse("entalk:photo", args=[photo.pk])}"' in content
    assert 'alt="意見交換の様子0"' in content
    assert "遊具の点検0" in content
    assert "点検中です" in content
    follow_up = response.context["follow_ups"][0]
    assert [c.new_status for c in follow_up.status_changes.all()] == [
        "considering",
        "in_progress",
    ]
    assert "hanako@example.jp" not in content


def test_session_page_query_count_is_fixed(client, staff, frozen, django_assert_num_queries):
    small = _confirmed(staff, 0)
    big = _confirmed(staff, 1)
    frozen.move_to(AFTER)
    small = _record(small, staff, photos=1, follow_ups=1)
    big = _record(big, staff, photos=5, follow_ups=6)
    with django_assert_num_queries(7):
        client.get(reverse("entalk:session_detail", args=[small.pk]))
    with django_assert_num_queries(7):
        client.get(reverse("entalk:session_detail", args=[big.pk]))


# --- photos ------------------------------------------------------------------------------------


def test_photo_of_a_published_record_is_served(client, sessions):
    photo = sessions[0].photos.get()
    response = client.get(reverse("entalk:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_photo_of_an_unpublished_session_is_404_except_for_staff(client, staff, staff_client):
    session = _confirmed(staff, 0)
    photo = Photo.objects.create(
        request=session,
        image=SimpleUploadedFile("p.png", tiny_png()),
        content_type="image/png",
        caption="下見",
    )
    url = reverse("entalk:photo", args=[photo.pk])
    assert staff_client.get(url).status_code == 200
    staff_client.logout()
    assert client.get(url).status_code == 404
    client.force_login(factories.make_user("someone@example.jp"))
    assert client.get(url).status_code == 404
