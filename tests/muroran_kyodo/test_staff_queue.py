"""The staff work queue on the admin index (`registry.STAFF_QUEUE`): per department what waits,
each count linking to the filtered changelist that lists exactly those rows; only what the
person's permissions and department allow; a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from entalk.models import Department, FollowUp, Request
from organizations.models import District, Organization
from partners.models import (
    Equipment,
    EquipmentLoan,
    Opportunity,
    PickupRequest,
    RequestStatus,
    Shift,
    SupplyRequest,
)
from subsidies.models import Application, ChangeRequest, Programme
from tests import factories
from tests.entalk import factories as ef
from tests.publiccomment import factories as pcf
from tests.subsidies.factories import make_application, make_programme

pytestmark = pytest.mark.django_db


QUEUE = re.compile(r'<section class="module staff-queue".*?</section>', re.S)
ITEM = re.compile(r'<li><a href="([^"]+)">([^<:]+): (\d+) items?</a>')

ORGANISATIONS = "Organisations awaiting verification"
REGISTRATIONS = "Registrations to approve"
PICKUPS = "Rubbish pickups to route (土木課)"
SUPPLIES = "Supply requests to route (環境課)"
LOANS = "Equipment loan requests to route (地域生活課)"
OVERDUE = "Equipment loans overdue"
SHIFTS = "Shifts short of people"
APPLICATIONS = "Applications to receive"
REPORTS = "Completion reports to check"
CHANGES = "Change requests awaiting an answer"
STOPS = "Requests to stop a project (中止・廃止)"
CONSIDERING = "Closed cases waiting for a result"
UNGROUPED = "Opinion items not yet grouped"
EN_REQUESTS = "New requests waiting for a date"
EN_RECORDS = "Sessions held whose record is not published"
EN_FOLLOW_UPS = "Follow-ups overdue"
CO_OUTPUTS = "Workshop outputs to publish"
CO_REFLECTIONS = "Reflections to write"
CO_COMPLETIONS = "Training completions to record"
# The councils' lines, for the departments whose groups run councils (the world has none).
COUNCILS = {CO_OUTPUTS: 0, CO_REFLECTIONS: 0, CO_COMPLETIONS: 0}
# The admin index: 3 queries without the queue (session, user, the admin log; the second
# factor given in this session needs no authenticator lookup). The queue adds one count per line (the subsidy applications' two lines share one) and,
# for a clerk, their permissions (2) and groups (1), each read once per request. enとーく adds
# one count of requests (both lines) for its staff and, for whoever answers follow-ups (the
# departments' groups: 地域生活課, 土木課, 環境課, 企画課 … and a superuser), one count of the
# overdue ones, plus one read of a clerk's departments. The councils add, for the staff of a
# department running councils (the same groups) and a superuser, one count of sessions (two
# lines), one of councils, plus one read of a clerk's departments.
QUERIES_SUPERUSER = 3 + 11 + 2 + 2
QUERIES_PLANNING = 3 + 3 + 2 + 2 + 3
QUERIES_COMMUNITY = 3 + 3 + 7 + 2 + 3
QUERIES_CIVIL = 3 + 3 + 1 + 2 + 3

EVERYTHING = {
    ORGANISATIONS: 1,
    REGISTRATIONS: 2,
    PICKUPS: 2,
    SUPPLIES: 1,
    LOANS: 1,
    OVERDUE: 1,
    SHIFTS: 1,
    APPLICATIONS: 2,
    REPORTS: 1,
    STOPS: 1,
    CHANGES: 1,
    CONSIDERING: 1,
    UNGROUPED: 2,
    EN_REQUESTS: 1,
    EN_RECORDS: 1,
    EN_FOLLOW_UPS: 1,
    **COUNCILS,
}


def _clerk(*groups, superuser=False):
    user = factories.make_user(staff=True, superuser=superuser)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def _queue(client, user) -> dict[str, tuple[str, int]]:
    """{label: (url, count)} of the queue on the admin index in English."""
    factories.with_second_factor(client, user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    section = QUEUE.search(page)
    if section is None:
        return {}
    return {
        unescape(label).strip(): (unescape(url), int(count))
        for url, label, count in ITEM.findall(section.group(0))
    }


def _pickup(registration, status=RequestStatus.REQUESTED):
    return PickupRequest.objects.create(
        registration=registration,
        district=District.objects.get(name="輪西町"),
        location="輪西町 みなと公園の入口",
        burnable_bags=2,
        available_from=timezone.now(),
        status=status,
    )


def _loan(registration, *, status=RequestStatus.REQUESTED, days_ago=0, identifier="KUSA-001"):
    lend_on = timezone.localdate() - dt.timedelta(days=days_ago + 3)
    return EquipmentLoan.objects.create(
        registration=registration,
        equipment=Equipment.objects.get(identifier=identifier),
        lend_on=lend_on,
        return_by=lend_on + dt.timedelta(days=2) if days_ago else lend_on + dt.timedelta(days=30),
        status=status,
    )


def _short_shift(slots=3):
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        programme="magokoro",
        title="みなと祭り 会場案内",
        department="観光課",
        description="会場でご案内をお願いします。",
        place="室蘭港 中央ふ頭",
        signup_deadline=now + dt.timedelta(days=7),
        is_published=True,
    )
    return Shift.objects.create(
        opportunity=opportunity,
        starts_at=now + dt.timedelta(days=10),
        ends_at=now + dt.timedelta(days=10, hours=2),
        slots=slots,
    )


@pytest.fixture
def world(resident, organization, member):
    """Two of everything that waits, plus rows that do not wait (done, returned in time)."""
    partner = factories.make_registration(user=resident, status="registered")
    factories.make_registration(user=factories.make_user(), status="applied")
    factories.make_registration(user=factories.make_user(), status="applied")
    _pickup(partner)
    _pickup(partner)
    _pickup(partner, status=RequestStatus.DONE)
    SupplyRequest.objects.create(registration=partner, delivery_note="輪西町会館")
    _loan(partner)
    _loan(partner, status=RequestStatus.LENT, days_ago=5, identifier="KUSA-002")
    _short_shift()
    factories.make_organization(name="港の清掃の会", status=Organization.Status.PENDING)
    programme = make_programme()
    make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=Application.Status.SUBMITTED,
    )
    make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=Application.Status.SUBMITTED,
    )
    granted = make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=Application.Status.REPORTED,
    )
    ChangeRequest.objects.create(application=granted, description="日程の変更", requested_by=member)
    make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=Application.Status.STOP_REQUESTED,
        decided_amount=50_000,
    )
    # Public comment: a case closed and being considered, with two opinions not yet grouped
    # (keyed in from paper within its window), and an open case (its items wait too, below).
    now = timezone.now()
    closed = pcf.make_case(
        opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=20)
    )
    pcf.submit(closed, "意見1", "意見2", channel="post", received_at=now - dt.timedelta(days=30))
    # enとーく: a request waiting for a date, a session held ten days ago whose record is not
    # published, with a follow-up of 土木課 open for 100 days (overdue) and a recent one.
    _entalk_request(now + dt.timedelta(days=40))
    held = _entalk_request(now + dt.timedelta(days=50))
    Request.objects.filter(pk=held.pk).update(
        status=Request.Status.CONFIRMED,
        starts_at=now - dt.timedelta(days=10),
        ends_at=now - dt.timedelta(days=10) + dt.timedelta(minutes=90),
    )
    for days in (100, 1):
        FollowUp.objects.create(
            request=held,
            department=Department.objects.get(name="土木課"),
            matter="通学路の街灯",
            opened_at=now - dt.timedelta(days=days),
        )
    return partner


def _entalk_request(first_slot):
    return ef.make_request(
        slots=[first_slot, first_slot + dt.timedelta(days=1), first_slot + dt.timedelta(days=2)]
    )


def _counts(queue):
    return {label: count for label, (_url, count) in queue.items()}


def test_superuser_sees_every_line_with_its_count(client, world):
    queue = _queue(client, _clerk(superuser=True))
    assert _counts(queue) == EVERYTHING


def test_community_life_clerk_sees_registrations_loans_shifts_organisations_and_subsidies(
    client, world, staff
):
    queue = _queue(client, staff)
    assert _counts(queue) == {
        label: count
        for label, count in EVERYTHING.items()
        if label not in (PICKUPS, SUPPLIES, CONSIDERING, UNGROUPED, EN_REQUESTS, EN_RECORDS)
    } | {EN_FOLLOW_UPS: 0}


def test_planning_clerk_sees_public_comment_only(client, world):
    assert _counts(_queue(client, _clerk("企画課"))) == {
        CONSIDERING: 1,
        UNGROUPED: 2,
        EN_FOLLOW_UPS: 0,
        **COUNCILS,
    }


def test_civil_engineering_clerk_sees_pickups_only(client, world):
    assert _counts(_queue(client, _clerk("土木課"))) == {PICKUPS: 2, EN_FOLLOW_UPS: 1} | COUNCILS


def test_environment_clerk_sees_supplies_only(client, world):
    assert _counts(_queue(client, _clerk("環境課"))) == {SUPPLIES: 1, EN_FOLLOW_UPS: 0} | COUNCILS


def test_secretariat_clerk_sees_entalk_requests_and_every_overdue_follow_up(client, world):
    assert _counts(_queue(client, _clerk("秘書広報課"))) == {
        EN_REQUESTS: 1,
        EN_RECORDS: 1,
        EN_FOLLOW_UPS: 1,
    }


def test_staff_without_a_department_see_no_queue(client, world):
    assert _queue(client, _clerk()) == {}


def test_the_links_are_the_filtered_changelists(client, world):
    queue = _queue(client, _clerk(superuser=True))
    today = timezone.localdate().isoformat()
    assert queue[ORGANISATIONS][0] == "/admin/organizations/organization/?status__exact=pending"
    assert queue[REGISTRATIONS][0] == "/admin/partners/registration/?status__exact=applied"
    assert queue[PICKUPS][0] == "/admin/partners/pickuprequest/?status__exact=requested"
    assert queue[OVERDUE][0] == (
        f"/admin/partners/equipmentloan/?status__exact=lent&return_by__lt={today}"
    )
    assert queue[SHIFTS][0] == "/admin/partners/opportunity/?staffing=short"
    assert queue[APPLICATIONS][0] == "/admin/subsidies/application/?status__exact=submitted"
    assert queue[REPORTS][0] == "/admin/subsidies/application/?status__exact=reported"
    assert queue[STOPS][0] == "/admin/subsidies/application/?status__exact=stop_asked"
    assert queue[CHANGES][0] == "/admin/subsidies/changerequest/?status__exact=requested"
    assert queue[CONSIDERING][0] == "/admin/publiccomment/case/?phase=considering"
    assert queue[UNGROUPED][0] == (
        "/admin/publiccomment/opinionitem/?grouped=no&case__status__exact=announced"
    )
    assert queue[EN_REQUESTS][0] == "/admin/entalk/request/?status__exact=requested"
    assert queue[EN_RECORDS][0] == "/admin/entalk/request/?record=due"
    assert queue[EN_FOLLOW_UPS][0] == "/admin/entalk/followup/?overdue=yes"


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(lambda staff: _clerk(superuser=True), id="superuser"),
        pytest.param(lambda staff: staff, id="地域生活課"),
        pytest.param(lambda staff: _clerk("土木課"), id="土木課"),
        pytest.param(lambda staff: _clerk("環境課"), id="環境課"),
        pytest.param(lambda staff: _clerk("企画課"), id="企画課"),
        pytest.param(lambda staff: _clerk("秘書広報課"), id="秘書広報課"),
    ],
)
def test_every_link_opens_for_that_person_and_lists_the_counted_rows(client, world, staff, who):
    user = who(staff)
    queue = _queue(client, user)
    assert queue
    for label, (url, count) in queue.items():
        response = client.get(url)
        assert response.status_code == 200, (label, url)
        changelist = response.context["cl"]
        assert changelist.result_count == count, (label, url)


def test_a_loan_returned_in_time_or_lent_within_its_dates_is_not_overdue(client, staff, resident):
    partner = factories.make_registration(user=resident, status="registered")
    _loan(partner, status=RequestStatus.LENT)
    assert _counts(_queue(client, staff))[OVERDUE] == 0


def test_a_full_shift_is_not_short_of_people(client, staff, resident):
    from partners.models import Signup

    partner = factories.make_registration(user=resident, status="registered")
    shift = _short_shift(slots=1)
    Signup.objects.create(shift=shift, registration=partner, status=Signup.Status.CONFIRMED)
    assert _counts(_queue(client, staff))[SHIFTS] == 0


def test_the_queue_is_above_the_app_list(client, world, staff):
    factories.with_second_factor(client, staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert page.index("staff-queue") < page.index('class="app-')


def _many(partner, organization, member):
    for _n in range(15):
        factories.make_registration(user=factories.make_user(), status="applied")
        _pickup(partner)
        SupplyRequest.objects.create(registration=partner, delivery_note="輪西町会館")
        _short_shift()
        factories.make_organization(status=Organization.Status.PENDING)
    now = timezone.now()
    for _n in range(5):
        closed = pcf.make_case(
            opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=20)
        )
        pcf.submit(closed, "意見", channel="fax", received_at=now - dt.timedelta(days=30))
    programme = Programme.objects.get()
    for _n in range(8):
        make_application(
            programme=programme,
            organization=organization,
            applicant=member,
            status=Application.Status.SUBMITTED,
            budget=False,
            attachments=False,
        )


@pytest.mark.parametrize("many", [False, True], ids=["one", "many"])
@pytest.mark.parametrize("who", ["superuser", "地域生活課", "土木課", "企画課"])
def test_the_queue_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, world, resident, organization, member, many, who
):
    if many:
        _many(world, organization, member)
    user = _clerk(superuser=True) if who == "superuser" else _clerk(who)
    factories.with_second_factor(client, user)
    queries = {
        "superuser": QUERIES_SUPERUSER,
        "地域生活課": QUERIES_COMMUNITY,
        "土木課": QUERIES_CIVIL,
        "企画課": QUERIES_PLANNING,
    }
    with django_assert_num_queries(queries[who]):
        assert client.get(reverse("admin:index")).status_code == 200
