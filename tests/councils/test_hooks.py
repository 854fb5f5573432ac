"""What まちづくり協議会 hands the site through the registry: the home page's workshops open for
sign-up, マイページ's sign-ups, pool entry and tasks, the staff work queue per department, the
yearly figures, the bench pages and the menu entry; each with a fixed number of queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from councils import bench, queue, sections, stats
from councils.models import Assignment, Council, Opinion, Session, Signup
from muroran_kyodo import registry
from muroran_kyodo.lib.extension import Urgency
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import JST, NOW, STARTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Session.Status
SS = Signup.Status


def _request(rf, user=None):
    request = rf.get("/")
    request.user = user or AnonymousUser()
    return request


def _later(days: int) -> dt.datetime:
    return STARTS + dt.timedelta(days=days)


def _past(days_ago: int) -> dt.datetime:
    """A session start `days_ago` days before NOW."""
    return NOW - dt.timedelta(days=days_ago)


# --- home -------------------------------------------------------------------------------------


def test_home_lists_workshops_open_for_signup_with_places_left_and_deadline(client, rf):
    council = cf.make_council()
    open_ = cf.make_workshop(council, capacity=3, title="あと2席のワークショップ")
    cf.make_signup(open_)
    cf.make_signup(open_, status=SS.CANCELLED)
    full = cf.make_workshop(council, capacity=1, starts_at=_later(1), title="満席の回")
    cf.make_signup(full)
    cf.make_signup(full, status=SS.WAITING)
    draft = cf.make_workshop(council, status=S.DRAFT, starts_at=_later(2), title="準備中の回")
    closed = cf.make_workshop(
        council,
        starts_at=_later(3),
        signup_closes_at=NOW - dt.timedelta(hours=1),
        title="締切済みの回",
    )
    training = cf.make_training(starts_at=_later(4))

    section = sections.home_open_workshops(_request(rf))
    places = {w.pk: w.places_left for w in section.context["workshops"]}
    assert places == {open_.pk: 2, full.pk: 0}

    html = client.get("/").content.decode()
    assert reverse("councils:session_detail", args=[open_.pk]) in html
    assert reverse("councils:session_detail", args=[full.pk]) in html
    for hidden in (draft, closed, training):
        assert reverse("councils:session_detail", args=[hidden.pk]) not in html
    assert f'href="{reverse("councils:session_list")}"' in html
    assert "令和8年7月1日" in html  # the deadline, 2026-07-01 23:59


def test_home_has_no_section_when_no_workshop_is_open(rf):
    cf.make_workshop(status=S.DRAFT)
    cf.make_workshop(starts_at=_past(10), status=S.PUBLISHED)
    cf.make_training()
    assert sections.home_open_workshops(_request(rf)) is None


@pytest.mark.parametrize("n", [1, 7])
def test_home_section_runs_one_query(rf, django_assert_num_queries, n):
    council = cf.make_council()
    for i in range(n):
        workshop = cf.make_workshop(council, starts_at=_later(i))
        cf.make_signup(workshop)
    with django_assert_num_queries(1):
        section = sections.home_open_workshops(_request(rf))
        titles = [w.council.title for w in section.context["workshops"]]
    assert len(titles) == min(n, sections.HOME_WORKSHOPS)
    assert section.context["more"] == (n > sections.HOME_WORKSHOPS)


# --- マイページ ---------------------------------------------------------------------------------


def test_mypage_lists_my_signups_to_come_with_status_and_code(client, rf, resident):
    council = cf.make_council()
    registered = cf.make_signup(cf.make_workshop(council), user=resident)
    waiting = cf.make_signup(
        cf.make_workshop(council, starts_at=_later(7), title="二回目"),
        user=resident,
        status=SS.WAITING,
    )
    cancelled = cf.make_signup(
        cf.make_workshop(council, starts_at=_later(14)), user=resident, status=SS.CANCELLED
    )
    past = cf.make_signup(cf.make_workshop(council, starts_at=_past(3)), user=resident)
    someone_else = cf.make_signup(cf.make_workshop(council, starts_at=_later(21)))

    section = sections.mypage_signups(_request(rf, resident))
    assert [s.pk for s in section.context["signups"]] == [registered.pk, waiting.pk]
    assert section.context["entry"] is None

    client.force_login(resident)
    html = client.get("/mypage/").content.decode()
    assert f'href="{reverse("councils:signup_detail", args=[registered.pk])}"' in html
    assert registered.code in html and waiting.code not in html  # the code once registered
    for hidden in (cancelled, past, someone_else):
        assert reverse("councils:signup_detail", args=[hidden.pk]) not in html
    assert f'href="{reverse("councils:my_signups")}"' in html


def test_mypage_shows_my_pool_entry_and_tables_to_come(client, rf, resident, staff):
    entry = cf.make_facilitator(resident)
    council = cf.make_council()
    coming = cf.make_workshop(council)
    held = cf.make_workshop(council, starts_at=_past(5))
    cancelled = cf.make_workshop(council, starts_at=_later(3), status=S.CANCELLED)
    for session in (coming, held, cancelled):
        Assignment.objects.create(session=session, table=2, facilitator=entry, assigned_by=staff)

    section = sections.mypage_signups(_request(rf, resident))
    assert section.context["entry"] == entry
    assert [a.session_id for a in section.context["assignments"]] == [coming.pk]
    client.force_login(resident)
    html = client.get("/mypage/").content.decode()
    assert reverse("councils:session_detail", args=[coming.pk]) in html
    assert reverse("councils:session_detail", args=[held.pk]) not in html

    # Once I leave the pool, nothing.
    entry.left_on = dt.date(2026, 6, 1)
    entry.save()
    assert sections.mypage_signups(_request(rf, resident)) is None


def test_mypage_has_no_section_without_signups_or_pool_entry(rf, resident):
    assert sections.mypage_signups(_request(rf, resident)) is None
    assert sections.mypage_signups(_request(rf)) is None
    assert sections.mypage_tasks(_request(rf)) == []


@pytest.mark.parametrize("in_pool", [False, True], ids=["resident", "facilitator"])
@pytest.mark.parametrize("n", [1, 6])
def test_mypage_section_and_tasks_run_a_fixed_number_of_queries(
    rf, django_assert_num_queries, resident, staff, n, in_pool
):
    council = cf.make_council()
    entry = cf.make_facilitator(resident) if in_pool else None
    for i in range(n):
        workshop = cf.make_workshop(council, starts_at=_later(i))
        cf.make_signup(workshop, user=resident, status=SS.WAITING if i % 2 else SS.REGISTERED)
        if entry is not None:
            other = cf.make_workshop(council, starts_at=_later(i) + dt.timedelta(hours=5))
            Assignment.objects.create(session=other, table=1, facilitator=entry, assigned_by=staff)
    request = _request(rf, resident)
    # My sign-ups and my pool entry, shared by the tasks and the section; my assignments when
    # I am in the pool.
    with django_assert_num_queries(3 if in_pool else 2):
        tasks = sections.mypage_tasks(request)
        section = sections.mypage_signups(request)
        [(s.session.title, s.session.council.title) for s in section.context["signups"]]
        [(a.session.title, a.session.council.title) for a in section.context["assignments"]]
    assert len(tasks) == n * (2 if in_pool else 1)


def test_tasks_attend_a_session_wait_for_a_place_and_facilitate_a_table(rf, resident, staff):
    council = cf.make_council()
    registered = cf.make_signup(cf.make_workshop(council), user=resident)
    waiting = cf.make_signup(
        cf.make_workshop(council, starts_at=_later(7)), user=resident, status=SS.WAITING
    )
    training = cf.make_signup(cf.make_training(starts_at=_later(10)), user=resident)
    cf.make_signup(cf.make_workshop(council, starts_at=_past(2)), user=resident)  # over
    entry = cf.make_facilitator(resident)
    table = cf.make_workshop(council, starts_at=_later(20))
    Assignment.objects.create(session=table, table=3, facilitator=entry, assigned_by=staff)

    with translation.override("en"):
        tasks = sections.mypage_tasks(_request(rf, resident))
    by_url = {}
    for task in tasks:
        by_url.setdefault(task.url, []).append(task)
    (attend,) = by_url[reverse("councils:signup_detail", args=[registered.pk])]
    assert attend.due == dt.date(2026, 7, 4) and attend.urgency == Urgency.DATED
    assert attend.action_label == "Attend" and registered.code in attend.detail
    assert council.title in attend.title
    (wait,) = by_url[reverse("councils:signup_detail", args=[waiting.pk])]
    assert wait.urgency == Urgency.WAITING and wait.due is None
    (course,) = by_url[reverse("councils:signup_detail", args=[training.pk])]
    assert course.due == dt.date(2026, 7, 14)
    (facilitate,) = by_url[reverse("councils:my_signups")]
    assert facilitate.due == dt.date(2026, 7, 24) and "3" in facilitate.title
    assert len(tasks) == 4
    assert sections.mypage_tasks(_request(rf, factories.make_user())) == []


def test_mypage_shows_the_tasks(client, resident):
    signup = cf.make_signup(cf.make_workshop(), user=resident)
    client.force_login(resident)
    response = client.get("/mypage/")
    assert response.status_code == 200
    assert (
        response.content.decode().count(
            f'href="{reverse("councils:signup_detail", args=[signup.pk])}"'
        )
        >= 2
    )  # the task and the section


# --- the staff work queue ---------------------------------------------------------------------


@pytest.fixture
def work(frozen):
    """都市政策課: a workshop held whose outputs wait, a council whose workshops all have their
    outputs published; 企画課: a training held whose completions wait; 環境課: a council whose
    workshops all have their outputs published, another with a workshop still a draft."""
    waiting_outputs = cf.make_council(title="出力待ちの協議会")
    cf.make_workshop(waiting_outputs, starts_at=_past(5))
    cf.make_workshop(waiting_outputs, starts_at=_later(0))  # to come: not due
    reflect = cf.make_council(title="反映を書く協議会")
    cf.make_workshop(reflect, starts_at=_past(30), status=S.PUBLISHED)
    cf.make_workshop(reflect, starts_at=_past(20), status=S.CANCELLED)
    reflected = cf.make_council(title="反映済みの協議会", status=Council.Status.REFLECTED)
    cf.make_workshop(reflected, starts_at=_past(40), status=S.PUBLISHED)
    cf.make_training(starts_at=_past(3))
    cf.make_training(starts_at=_past(60), status=S.COMPLETED)
    kankyo = cf.make_council(title="環境の協議会", department_name="環境課")
    cf.make_workshop(kankyo, starts_at=_past(50), status=S.PUBLISHED)
    drafting = cf.make_council(title="準備中の回がある協議会", department_name="環境課")
    cf.make_workshop(drafting, starts_at=_past(50), status=S.PUBLISHED)
    cf.make_workshop(drafting, starts_at=_past(3), status=S.DRAFT)  # neither due


OUTPUTS = "Workshop outputs to publish"
REFLECTIONS = "Reflections to write"
COMPLETIONS = "Training completions to record"


def _queue(rf, user):
    with translation.override("en"):
        return {item.label: item for item in queue.items(_request(rf, user))}


def _counts(found):
    return {label: item.count for label, item in found.items()}


def test_department_staff_see_their_departments_work(rf, staff, work):
    found = _queue(rf, staff)
    assert _counts(found) == {OUTPUTS: 1, REFLECTIONS: 1, COMPLETIONS: 0}
    assert found[OUTPUTS].url == "/admin/councils/session/?outputs=due"
    assert found[REFLECTIONS].url == "/admin/councils/council/?reflection=due"
    assert found[COMPLETIONS].url == "/admin/councils/session/?completion=due"


def test_another_department_sees_zero(rf, work):
    assert _counts(_queue(rf, cf.council_staff("企画課"))) == {
        OUTPUTS: 0,
        REFLECTIONS: 0,
        COMPLETIONS: 1,
    }
    assert _counts(_queue(rf, cf.council_staff("環境課"))) == {
        OUTPUTS: 0,
        REFLECTIONS: 1,
        COMPLETIONS: 0,
    }
    assert _counts(_queue(rf, cf.council_staff("保健福祉課"))) == {
        OUTPUTS: 0,
        REFLECTIONS: 0,
        COMPLETIONS: 0,
    }


def test_a_superuser_sees_every_department(rf, work):
    found = _queue(rf, factories.make_user(superuser=True, staff=True))
    assert _counts(found) == {OUTPUTS: 1, REFLECTIONS: 2, COMPLETIONS: 1}


def test_residents_and_staff_outside_the_departments_see_nothing(rf, work, resident):
    assert queue.items(_request(rf, resident)) == []
    assert queue.items(_request(rf)) == []
    assert queue.items(_request(rf, factories.make_user(staff=True))) == []


def test_each_count_is_the_rows_its_link_lists(client, rf, staff, work):
    factories.with_second_factor(client, staff)
    for label, item in _queue(rf, staff).items():
        response = client.get(item.url)
        assert response.status_code == 200, label
        assert response.context["cl"].result_count == item.count, label


@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("superuser", [False, True], ids=["clerk", "superuser"])
def test_queue_runs_a_fixed_number_of_queries(rf, django_assert_num_queries, n, superuser):
    for i in range(n):
        cf.make_workshop(cf.make_council(title=f"協議会{i}"), starts_at=_past(5 + i))
        done = cf.make_council(title=f"済んだ協議会{i}")
        cf.make_workshop(done, starts_at=_past(40 + i), status=S.PUBLISHED)
        cf.make_training(starts_at=_past(3 + i))
    if superuser:
        user = factories.make_user(superuser=True, staff=True)
    else:
        user = cf.council_staff("都市政策課")
        user.has_perm("councils.change_session")  # the permission cache, read once a request
    # One count of sessions (two lines), one of councils; a clerk's departments once.
    with django_assert_num_queries(2 if superuser else 3):
        found = queue.items(_request(rf, user))
    assert [item.count for item in found] == [n, n, n if superuser else 0]


# --- figures ----------------------------------------------------------------------------------


@pytest.fixture
def year_2026(frozen):
    """FY2026 (from 2026-04-01): a workshop published with attendance recorded (3 present of
    4 registered), one held without attendance (2 registered), one cancelled, one to come,
    both of the same council, plus a workshop of a second council; a training with 2
    completions; and in FY2025 a workshop of 5 registered and a training with 1 completion."""
    council = cf.make_council()
    published = cf.make_workshop(council, starts_at=_past(40), status=S.PUBLISHED)
    Opinion.objects.create(session=published, table=1, theme="遊具", summary="砂場を残して")
    for present in (True, True, True, False):
        cf.make_signup(published, attended_at=published.starts_at if present else None)
    cf.make_signup(published, status=SS.CANCELLED)
    unrecorded = cf.make_workshop(council, starts_at=_past(10))
    cf.make_signup(unrecorded)
    cf.make_signup(unrecorded)
    cf.make_signup(unrecorded, status=SS.WAITING)
    cancelled = cf.make_workshop(council, starts_at=_past(20), status=S.CANCELLED)
    cf.make_signup(cancelled, status=SS.CANCELLED)
    cf.make_signup(cf.make_workshop(council))  # to come
    other = cf.make_council(title="道の駅みたら室蘭魅力アップトーク", department_name="企画課")
    cf.make_signup(cf.make_workshop(other, starts_at=_past(30), status=S.PUBLISHED))
    training = cf.make_training(starts_at=_past(25), status=S.COMPLETED)
    for done in (True, True, False):
        cf.make_signup(
            training,
            user=factories.make_user(),
            attended_at=training.starts_at,
            completed_on=dt.date(2026, 5, 21) if done else None,
        )
    old_council = cf.make_council(title="複合公共施設・子育て応援ワークショップ", fiscal_year=2025)
    old = cf.make_workshop(
        old_council, starts_at=dt.datetime(2025, 11, 8, 10, tzinfo=JST), status=S.PUBLISHED
    )
    for _ in range(5):
        cf.make_signup(old)
    old_training = cf.make_training(
        starts_at=dt.datetime(2026, 2, 14, 10, tzinfo=JST), status=S.COMPLETED
    )
    cf.make_signup(
        old_training,
        user=factories.make_user(),
        attended_at=old_training.starts_at,
        completed_on=dt.date(2026, 2, 14),
    )


def _values(figures):
    return {f.key: f.value for f in figures}


def test_figures_per_fiscal_year(year_2026):
    assert _values(stats.figures(2026)) == {
        "councils.councils": 2,
        "councils.workshops": 3,
        "councils.participants": 3 + 2 + 1,  # attended; registered where not recorded
        "councils.trainings": 1,
        "councils.trainees": 2,
    }
    assert _values(stats.figures(2025)) == {
        "councils.councils": 1,
        "councils.workshops": 1,
        "councils.participants": 5,
        "councils.trainings": 1,
        "councils.trainees": 1,
    }
    assert set(_values(stats.figures(2024)).values()) == {0}


def test_figures_over_a_range_add_up(year_2026):
    assert _values(stats.figures_over(2025, 2026)) == {
        "councils.councils": 3,
        "councils.workshops": 4,
        "councils.participants": 11,
        "councils.trainings": 2,
        "councils.trainees": 3,
    }
    assert registry.FIGURE_RANGES and stats.figures_over in registry.FIGURE_RANGES
    assert stats.figures in registry.FIGURES


def test_a_session_to_come_counts_once_held(year_2026, frozen):
    frozen.move_to(STARTS + dt.timedelta(days=1))
    assert _values(stats.figures(2026))["councils.workshops"] == 4


@pytest.mark.parametrize("n", [1, 6])
def test_figures_run_one_query(django_assert_num_queries, n):
    council = cf.make_council()
    for i in range(n):
        workshop = cf.make_workshop(council, starts_at=_past(10 + i), status=S.PUBLISHED)
        cf.make_signup(workshop, attended_at=workshop.starts_at)
    with django_assert_num_queries(1):
        figures = stats.figures(2026)
    assert _values(figures)["councils.participants"] == n
    with django_assert_num_queries(1):
        stats.figures_over(2020, 2026)


def test_the_figures_page_shows_the_councils(client, year_2026):
    response = client.get("/figures.csv?year=2026")
    assert response.status_code == 200
    assert "councils.participants" in response.getvalue().decode()


# --- bench and menu ---------------------------------------------------------------------------


def test_bench_declares_the_workshop_list_and_a_council_page():
    assert [p.name for p in bench.pages(person=None, staff=None)] == ["councils workshops"]
    cf.make_council(status=Council.Status.DRAFT, title="準備中")
    council = cf.make_council()
    cf.make_workshop(council)
    pages = {page.name: page for page in bench.pages(person=None, staff=None)}
    assert pages["councils workshops"].path == reverse("councils:session_list")
    assert pages["councils council page"].path == council.get_absolute_url()
    assert bench.pages in registry.BENCH_PAGES


def test_the_menu_links_to_the_councils(client):
    assert any(m.url_name == "councils:index" for m in registry.MECHANISMS)
    html = client.get("/").content.decode()
    assert f'href="{reverse("councils:index")}"' in html


def test_registry_lists_every_hook():
    assert sections.home_open_workshops in registry.HOME_SECTIONS
    assert sections.mypage_signups in registry.MYPAGE_SECTIONS
    assert sections.mypage_tasks in registry.MYPAGE_TASKS
    assert queue.items in registry.STAFF_QUEUE
    import councils.reminders

    assert councils.reminders.send in registry.REMINDERS


# --- a project of the registry's catalogue: its パブコメ case and its council meet there -----


def test_a_project_page_lists_its_public_comment_case_and_its_council(client, db, frozen):
    from publiccomment.models import Case
    from tests.publiccomment import factories as pcf

    project = factories.make_project()
    council = cf.make_council(project=project)
    cf.make_council(project=project, status=Council.Status.DRAFT, title="準備中の協議会")
    cf.make_council(title="別の事業の協議会")
    case = pcf.make_case(project=project, title="高砂公園再整備基本計画（案）")
    pcf.make_case(project=project, status=Case.Status.DRAFT, title="未公示の案")

    response = client.get(reverse("organizations:project_detail", args=[project.pk]))

    html = response.content.decode()
    assert council.get_absolute_url() in html and council.title in html
    assert case.get_absolute_url() in html and case.title in html
    assert "準備中の協議会" not in html and "未公示の案" not in html
    assert "別の事業の協議会" not in html
    assert "この事業への意見の出し方" in html
