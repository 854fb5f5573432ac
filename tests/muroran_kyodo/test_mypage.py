"""マイページ: 次にすること gathers every app's tasks (registry.MYPAGE_TASKS) in date order, in a
fixed number of queries; the partner registrations say their state as a badge, give their
links, and never offer to register for a programme the person is registered in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from muroran_kyodo.lib.extension import Task, Urgency
from muroran_kyodo.views import mypage_tasks
from partners import services as ps
from partners.models import Equipment, EquipmentLoan
from subsidies.models import Application
from tests import factories
from tests.entalk import factories as ef
from tests.partners.test_opportunities import make_opportunity
from tests.subsidies import factories as sf
from tests.subsidies.factories import NOW

pytestmark = pytest.mark.django_db


def _ja(msgid: str) -> str:
    with override("ja"):
        return escape(gettext(msgid))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _tasks_section(html: str) -> str:
    return html.split('id="mypage-tasks"')[1].split("</section>")[0]


def _lend(registration, staff, *, return_in, equipment=None):
    today = timezone.localdate()
    loan = ps.request_create(
        request=EquipmentLoan(
            registration=registration,
            equipment=equipment or Equipment.objects.get(identifier="KUSA-001"),
            lend_on=today + dt.timedelta(days=1),
            return_by=today + dt.timedelta(days=return_in),
        ),
        by=registration.user,
    )
    return ps.request_mark_lent(request=loan, by=staff)


def world_of(user, staff, organization):
    """A partner with a shift in 3 days, equipment to return in 5, and a group application
    returned for changes (to be done now)."""
    magokoro = factories.make_registration(user=user, programme="magokoro", status="registered")
    opportunity = make_opportunity(
        title="港まつり 会場案内", starts=timezone.now() + dt.timedelta(days=3)
    )
    ps.signup_create(shift=opportunity.shifts.get(), registration=magokoro, by=user)
    _lend(magokoro, staff, return_in=5)
    application = sf.make_application(
        programme=sf.make_programme(),
        organization=organization,
        applicant=user,
        status=Application.Status.RETURNED,
        title="花いっぱい運動",
    )
    return magokoro, opportunity, application


# --- 次にすること --------------------------------------------------------------------------------


def test_next_steps_list_every_apps_tasks_in_date_order_with_their_links(
    client, member, staff, organization
):
    magokoro, opportunity, application = world_of(member, staff, organization)
    client.force_login(member)

    section = _tasks_section(client.get("/mypage/").content.decode())

    titles = re.findall(r'<h3 class="task__title"[^>]*>([^<]+)</h3>', section)
    assert len(titles) == 3
    assert "花いっぱい運動" in titles[0]  # returned: to do now (today)
    assert "港まつり 会場案内" in titles[1]  # in 3 days
    assert "草刈機" in titles[2] or "KUSA-001" in titles[2]  # return in 5 days
    assert reverse("subsidies:application_edit", args=[application.pk]) in section
    assert reverse("partners:opportunity_detail", args=[opportunity.pk]) in section
    assert reverse("partners:request_list", args=[magokoro.pk]) in section
    assert _ja("Your action is needed") in section
    in_3_days = (timezone.localdate() + dt.timedelta(days=3)).strftime("%Y-%m-%d")
    assert f'<time datetime="{in_3_days}">{in_3_days}</time>' in section


def test_next_steps_say_when_nothing_is_to_be_done(client, resident):
    client.force_login(resident)
    section = _tasks_section(client.get("/mypage/").content.decode())
    assert "task__title" not in section
    assert (
        _ja(
            "Nothing to do at the moment: no shift coming, no report due, nothing to bring back or to correct."
        )
        in section
    )


def test_tasks_are_ordered_by_date_late_first_undated_as_today_waiting_last(rf, member):
    today = timezone.localdate()

    def tasks(request):
        return [
            Task("waiting", "/w/", "see", urgency=Urgency.WAITING),
            Task("later", "/l/", "do", due=today + dt.timedelta(days=20)),
            Task("now", "/n/", "do", urgency=Urgency.ACTION),
            Task("late", "/o/", "do", due=today - dt.timedelta(days=2)),
            Task("soon", "/s/", "do", due=today + dt.timedelta(days=2)),
        ]

    request = rf.get("/mypage/")
    request.user = member
    from muroran_kyodo import registry

    saved = registry.MYPAGE_TASKS
    registry.MYPAGE_TASKS = [tasks]
    try:
        rows = mypage_tasks(request)
    finally:
        registry.MYPAGE_TASKS = saved
    assert [row["task"].title for row in rows] == ["late", "now", "soon", "later", "waiting"]
    assert [row["urgency"] for row in rows] == ["overdue", "action", "soon", "later", "waiting"]
    assert [row["days"] for row in rows] == [-2, None, 2, 20, None]


@pytest.mark.parametrize("n", [1, 6])
def test_my_page_runs_the_same_queries_for_few_or_many_records(
    client, representative, staff, django_assert_num_queries, n
):
    entalk_staff = ef.entalk_staff()
    for i in range(n):
        organization = factories.make_organization(name=f"団体{i}", representative=representative)
        registration = factories.make_registration(
            user=representative, organization=organization, status="registered"
        )
        registration.registered_on = timezone.localdate() - dt.timedelta(days=40)
        registration.save(update_fields=["registered_on"])  # a report due
        equipment = Equipment.objects.create(name="草刈機", identifier=f"TEST-{i}")
        _lend(registration, staff, return_in=3 + i, equipment=equipment)
        make_opportunity(starts=timezone.now() + dt.timedelta(days=2 + i))
        sf.make_application(
            programme=sf.make_programme(fiscal_year=2026 - i),
            organization=organization,
            applicant=representative,
            status=Application.Status.RETURNED,
        )
        # An enとーく session of the organisation, confirmed and to come.
        first = timezone.now() + dt.timedelta(days=40 + 2 * i)
        ef.confirm(
            ef.make_request(
                by=representative,
                organization=organization,
                slots=[first, first + dt.timedelta(hours=3), first + dt.timedelta(days=1)],
            ),
            staff=entalk_staff,
        )
    client.force_login(representative)
    # Session, user, memberships, open invitations (my organisations); my partner
    # registrations, my upcoming shifts, my equipment out on loan, my groups' applications and
    # my groups' enとーく requests that ask for something (次にすること); my requests (one
    # UNION), my groups' applications, my public comment submissions, my enとーく requests;
    # my council sign-ups and my facilitator pool entry (shared by the tasks and the section);
    # whether I am a 代表者 without a second factor (one task more: I am).
    with django_assert_num_queries(16):
        response = client.get("/mypage/")
    assert _tasks_section(response.content.decode()).count('class="task__title"') == 4 * n + 1


@pytest.mark.parametrize("n", [1, 6])
def test_my_page_of_a_resident_in_no_group_skips_the_queries_about_groups(
    client, resident, representative, django_assert_num_queries, n
):
    """Other groups' applications do not make a resident's page ask about groups: the
    memberships read for the organisations section say there are none."""
    for i in range(n):
        organization = factories.make_organization(name=f"団体{i}", representative=representative)
        sf.make_application(
            programme=sf.make_programme(fiscal_year=2026 - i),
            organization=organization,
            applicant=representative,
            status=Application.Status.RETURNED,
        )
    client.force_login(resident)
    # Session, user, memberships, open invitations, my partner registrations, my public comment
    # submissions, my enとーく requests and those that ask for something, my council sign-ups
    # and my facilitator pool entry: no subsidy applications, none that ask for something, no
    # second-factor check.
    with django_assert_num_queries(10):
        response = client.get("/mypage/")
    html = response.content.decode()
    assert "task__title" not in _tasks_section(html)
    assert _ja("My subsidy applications") not in html
    assert _ja("My organisations") in html


# --- the partner registrations ------------------------------------------------------------------


def test_after_registering_the_programme_says_registered_instead_of_offering_to_register(
    client, resident
):
    client.force_login(resident)
    pika_url = reverse("partners:register", args=["pika"])
    assert f'href="{pika_url}"' in client.get("/mypage/").content.decode()

    registration = factories.make_registration(user=resident)  # 申請中
    html = client.get("/mypage/").content.decode()

    assert f'href="{pika_url}"' not in html
    assert f'href="{reverse("partners:register", args=["magokoro"])}"' in html
    assert (
        f"まち「ピカ」パートナー（清掃・美化）：<strong>登録済み</strong>（{registration.number}）"
        in html
    )

    ps.registration_withdraw(registration=registration, by=resident)
    assert f'href="{pika_url}"' in client.get("/mypage/").content.decode()


def test_a_registration_shows_its_state_as_a_badge_and_its_direct_links(client, resident):
    registration = factories.make_registration(user=resident, status="registered")
    client.force_login(resident)

    html = client.get("/mypage/").content.decode()

    with override("ja"):
        badge = gettext("Status: %(status)s") % {"status": gettext("Registered")}
    assert badge == "状態：登録済み"
    assert f'<span class="status status--registered">{badge}</span>' in html
    for name in ("certificate", "report_create", "report_list"):
        assert reverse(f"partners:{name}", args=[registration.pk]) in html
    assert _ja("File an activity report") in html and _ja("All activity reports") in html
    # The requests say what they are, not 「MP-2026-00005の依頼」.
    assert (
        f"市への依頼（ごみ回収・用品・用具の貸出し）：まち「ピカ」パートナー（清掃・美化） "
        f"{registration.number}</a>"
    ) in html


def test_an_application_still_being_checked_offers_no_certificate_nor_report(client, resident):
    registration = factories.make_registration(user=resident)  # 申請中
    client.force_login(resident)
    html = client.get("/mypage/").content.decode()
    assert "状態：申請中" in html
    assert reverse("partners:certificate", args=[registration.pk]) not in html
    assert reverse("partners:report_create", args=[registration.pk]) not in html


@pytest.mark.parametrize(
    ("programme", "status", "links"),
    [
        ("pika", "applied", []),
        ("pika", "returned", ["registration_edit"]),
        ("pika", "registered", ["certificate", "report_create", "report_list"]),
        ("pika", "suspended", ["report_create", "report_list"]),
        ("pika", "withdrawn", ["report_list"]),
        ("magokoro", "registered", ["certificate", "opportunity_list"]),
        ("makasete", "suspended", []),
    ],
)
def test_each_state_offers_only_the_links_that_work(resident, programme, status, links):
    from partners.sections import registration_links

    registration = factories.make_registration(user=resident, programme=programme, status=status)
    expected = [
        reverse(f"partners:{name}", args=[] if name == "opportunity_list" else [registration.pk])
        for name in links
    ]
    assert [url for url, _label in registration_links(registration)] == expected
