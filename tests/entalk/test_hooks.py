"""What enとーく hands the site through the registry: the home page's sessions to come and the
call to request, マイページ's requests and tasks, the staff work queue per role, the bench pages
and the menu entry; each with a fixed number of queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from entalk import bench, queue, sections, services
from entalk.models import FollowUp, Request
from entalk.permissions import requests_of
from muroran_kyodo import registry
from muroran_kyodo.lib.extension import Urgency
from tests import factories
from tests.entalk import factories as ef
from tests.entalk.factories import JST, NOW, SLOT_1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Request.Status


def _request(rf, user=None):
    request = rf.get("/")
    request.user = user or AnonymousUser()
    return request


def _slots(day: int) -> list:
    """Three preferred slots starting `day` days after SLOT_1, never the same as another's."""
    first = SLOT_1 + dt.timedelta(days=day)
    return [first, first + dt.timedelta(hours=3), first + dt.timedelta(days=1)]


def _confirmed(day=0, staff=None, **overrides) -> Request:
    return ef.confirm(ef.make_request(slots=_slots(day), **overrides), staff=staff)


# --- home -------------------------------------------------------------------------------------


def test_home_lists_sessions_to_come_and_invites_groups(client, staff):
    named = _confirmed(0, staff, group_name="輪西町子育てサークル")
    unnamed = _confirmed(2, staff, group_name="名前を出さない会", public_naming=False)
    waiting = ef.make_request(slots=_slots(4), group_name="受付中の会")
    html = client.get("/").content.decode()
    assert named.get_absolute_url() in html and "輪西町子育てサークル" in html
    assert unnamed.get_absolute_url() in html and "名前を出さない会" not in html
    assert waiting.get_absolute_url() not in html and "受付中の会" not in html
    assert "令和8年7月20日 14:00" in html
    assert f'href="{reverse("entalk:request_new")}"' in html


def test_home_has_no_section_when_no_session_is_planned(rf, staff):
    ef.make_request(slots=_slots(0))
    cancelled = _confirmed(2, staff)
    services.request_cancel(request=cancelled, by=staff, reason="都合により")
    assert sections.home_upcoming_sessions(_request(rf)) is None


def test_home_section_states_the_minimum_number_of_participants(rf, staff, settings):
    settings.ENTALK = {**settings.ENTALK, "MIN_PARTICIPANTS": 7}
    _confirmed(0, staff)
    with translation.override("en"):
        section = sections.home_upcoming_sessions(_request(rf))
        html = render_to_string(section.template_name, {"data": section.context})
    assert "A group of 7 or more people" in html
    assert f'href="{reverse("entalk:request_new")}"' in html


@pytest.mark.parametrize("n", [1, 7])
def test_home_section_runs_one_query(rf, django_assert_num_queries, staff, n):
    for i in range(n):
        _confirmed(2 * i, staff)
    with django_assert_num_queries(1):
        section = sections.home_upcoming_sessions(_request(rf))
        names = [s.public_name for s in section.context["sessions"]]
        districts = [s.venue_district.name for s in section.context["sessions"]]
    assert len(names) == min(n, sections.HOME_SESSIONS) and set(districts) == {"輪西町"}
    assert section.context["more"] == (n > sections.HOME_SESSIONS)


# --- マイページ ---------------------------------------------------------------------------------


def test_mypage_lists_my_groups_requests_with_their_state(client, representative, staff):
    mine = ef.make_request(by=representative)
    services.request_cancel(request=mine, by=representative, reason="都合により")
    again = ef.make_request(by=representative, slots=_slots(2))
    manager = factories.make_user("kaicho-et@example.jp")
    organization = factories.make_organization(name="母恋町内会テスト", representative=manager)
    of_organization = ef.make_request(by=manager, organization=organization, slots=_slots(4))
    someone_else = ef.make_request(slots=_slots(6))

    client.force_login(representative)
    with translation.override("en"):
        html = client.get("/mypage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert mine.number in html and again.number in html
    assert of_organization.number not in html and someone_else.number not in html
    assert f'href="{reverse("entalk:request_detail", args=[again.pk])}"' in html

    client.force_login(manager)
    html = client.get("/mypage/").content.decode()
    assert of_organization.number in html and mine.number not in html


def test_mypage_has_no_section_without_requests(rf):
    assert sections.mypage_requests(_request(rf, factories.make_user())) is None
    assert sections.mypage_requests(_request(rf)) is None


@pytest.mark.parametrize("n", [1, 11])
def test_mypage_section_runs_one_query(rf, django_assert_num_queries, representative, n):
    for i in range(n):
        request = ef.make_request(by=representative, slots=_slots(i))
        if i < n - 1:
            services.request_cancel(request=request, by=representative, reason="都合により")
    with django_assert_num_queries(1):
        section = sections.mypage_requests(_request(rf, representative))
    assert len(section.context["requests"]) == min(n, sections.MYPAGE_REQUESTS)
    assert section.context["more"] == (n > sections.MYPAGE_REQUESTS)


def test_tasks_ask_to_answer_a_proposal_and_show_the_session_to_come(
    rf, representative, staff, client
):
    proposed = ef.make_request(by=representative)
    services.request_propose(
        request=proposed, starts_at=dt.datetime(2026, 8, 3, 10, tzinfo=JST), by=staff
    )
    manager = factories.make_user()
    organization = factories.make_organization(representative=manager)
    confirmed = _confirmed(4, staff, by=manager, organization=organization)

    with translation.override("en"):
        (task,) = sections.mypage_tasks(_request(rf, representative))
        assert task.urgency == Urgency.ACTION and task.due is None
        assert task.url == reverse("entalk:request_detail", args=[proposed.pk])
        assert "2026/08/03 10:00" in task.detail and proposed.group_name in task.title
        (session,) = sections.mypage_tasks(_request(rf, manager))
    assert session.urgency == Urgency.DATED
    assert session.due == dt.date(2026, 7, 24)
    assert session.url == reverse("entalk:request_detail", args=[confirmed.pk])
    # Nothing for someone else, nor once the session is over or cancelled.
    assert sections.mypage_tasks(_request(rf, factories.make_user())) == []
    services.request_cancel(request=confirmed, by=manager, reason="都合により")
    assert sections.mypage_tasks(_request(rf, manager)) == []
    client.force_login(representative)
    html = client.get("/mypage/").content.decode()
    assert f'href="{task.url}"' in html


@pytest.mark.parametrize("n", [1, 4])
def test_tasks_run_one_query(rf, django_assert_num_queries, staff, n):
    manager = factories.make_user()
    for i in range(n):
        organization = factories.make_organization(representative=manager)
        _confirmed(2 * i, staff, by=manager, organization=organization)
    with django_assert_num_queries(1):
        tasks = sections.mypage_tasks(_request(rf, manager))
    assert len(tasks) == n


# --- the staff work queue ---------------------------------------------------------------------


@pytest.fixture
def work(staff, frozen):
    """Two requests waiting, one session held without its record, one published; follow-ups:
    土木課 one overdue and one recent, 環境課 one overdue, one 土木課 done long ago."""
    ef.make_request(slots=_slots(0))
    ef.make_request(slots=_slots(2))
    held = _confirmed(4, staff)
    published = ef.held(_confirmed(6, staff), topics=1)
    frozen.move_to(NOW + dt.timedelta(days=45))
    services.record_publish(request=published, by=staff)
    doboku, kankyo = ef.department("土木課"), ef.department("環境課")
    for department, matter in ((doboku, "古い"), (kankyo, "古い環境"), (doboku, "済んだ")):
        services.follow_up_open(request=published, department=department, matter=matter, by=staff)
    done = FollowUp.objects.get(matter="済んだ")
    FollowUp.objects.filter(pk=done.pk).update(status=FollowUp.Status.DONE, answer="対応しました")
    frozen.move_to(NOW + dt.timedelta(days=120))
    services.follow_up_open(request=held, department=doboku, matter="新しい", by=staff)
    return held


def _queue(rf, user):
    with translation.override("en"):
        return {item.label: item for item in queue.items(_request(rf, user))}


def test_entalk_staff_see_requests_waiting_and_records_due(rf, staff, work, client):
    found = _queue(rf, staff)
    assert set(found) == {
        "New requests waiting for a date",
        "Sessions held whose record is not published",
        "Follow-ups overdue",
    }
    # 秘書広報課 chases every department: both departments' overdue follow-ups.
    assert found["Follow-ups overdue"].count == 2
    assert found["New requests waiting for a date"].count == 2
    assert found["New requests waiting for a date"].url.endswith("?status__exact=requested")
    assert found["Sessions held whose record is not published"].count == 1
    assert found["Sessions held whose record is not published"].url.endswith("?record=due")


def test_a_department_clerk_sees_only_its_overdue_follow_ups(rf, work):
    doboku = ef.department_staff("土木課")
    found = _queue(rf, doboku)
    assert set(found) == {"Follow-ups overdue"}
    assert found["Follow-ups overdue"].count == 1
    assert found["Follow-ups overdue"].url == "/admin/entalk/followup/?overdue=yes"
    assert _queue(rf, ef.department_staff("環境課"))["Follow-ups overdue"].count == 1
    assert _queue(rf, ef.department_staff("子育て支援課"))["Follow-ups overdue"].count == 0


def test_a_superuser_sees_every_count(rf, work):
    found = _queue(rf, factories.make_user(superuser=True, staff=True))
    assert found["Follow-ups overdue"].count == 2
    assert found["New requests waiting for a date"].count == 2


def test_residents_and_other_staff_see_nothing(rf, work, representative):
    assert queue.items(_request(rf, representative)) == []
    assert queue.items(_request(rf)) == []
    clerk = factories.make_user("kikaku-et@city.muroran.example.jp", staff=True)
    assert queue.items(_request(rf, clerk)) == []


@pytest.mark.parametrize("n", [1, 5])
def test_queue_runs_two_queries(rf, django_assert_num_queries, staff, n):
    for i in range(n):
        ef.make_request(slots=_slots(2 * i))
    superuser = factories.make_user(superuser=True, staff=True)
    with django_assert_num_queries(2):
        queue.items(_request(rf, superuser))


# --- bench and menu ---------------------------------------------------------------------------


def test_bench_declares_the_list_and_a_record(staff, frozen):
    assert [p.name for p in bench.pages(person=None, staff=None)] == ["en-talk sessions"]
    published = ef.held(_confirmed(0, staff))
    frozen.move_to(NOW + dt.timedelta(days=45))
    services.record_publish(request=published, by=staff)
    pages = {page.name: page for page in bench.pages(person=None, staff=None)}
    assert pages["en-talk sessions"].path == reverse("entalk:session_list")
    assert pages["en-talk session record"].path == published.get_absolute_url()


def test_the_menu_links_to_entalk(client):
    assert any(m.url_name == "entalk:index" for m in registry.MECHANISMS)
    html = client.get("/").content.decode()
    assert f'href="{reverse("entalk:index")}"' in html
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_mypage_lists_the_requests_of_groups_i_manage_not_of_those_i_am_a_plain_member_of(
    client, representative
):
    """entalk.permissions.requests_of: the requests one sent, and those of the organisations
    one manages now (代表者・担当者); a plain member sees none of their group's."""
    manager = factories.make_user("kaicho-et@example.jp")
    managed = factories.make_organization(name="母恋町内会テスト", representative=manager)
    factories.add_member(managed, representative, factories.Membership.Role.CONTACT)
    as_contact = ef.make_request(by=manager, organization=managed, slots=_slots(2))
    member_of = factories.make_organization(name="御前水町内会テスト", representative=manager)
    factories.add_member(member_of, representative, factories.Membership.Role.MEMBER)
    as_member = ef.make_request(by=manager, organization=member_of, slots=_slots(4))
    mine = ef.make_request(by=representative, slots=_slots(6))

    assert set(requests_of(representative, Request.objects.all())) == {as_contact, mine}
    assert requests_of(representative, Request.objects.all()).count() == 2  # each once
    assert set(requests_of(manager, Request.objects.all())) == {as_contact, as_member}

    client.force_login(representative)
    html = client.get("/mypage/").content.decode()
    assert as_contact.number in html and mine.number in html
    assert as_member.number not in html
    assert client.get(reverse("entalk:request_detail", args=[as_member.pk])).status_code == 404
