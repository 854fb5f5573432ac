"""What パブリックコメント hands the site through the registry: the home page's open cases,
マイページ's submissions, the yearly figures, the staff work queue, the bench pages and the menu
entry; each with a fixed number of queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from muroran_kyodo import registry
from publiccomment import bench, queue, sections, stats
from publiccomment.models import Case, Channel
from tests import factories
from tests.publiccomment import factories as pf
from tests.publiccomment.results import group_all, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Case.Status


def _request(rf, user=None):
    request = rf.get("/")
    request.user = user or AnonymousUser()
    return request


# --- home -------------------------------------------------------------------------------------


def test_home_lists_open_cases_with_days_left(client):
    case = pf.make_case(title="みどりの基本計画（案）")
    pf.make_case(title="準備中の計画（案）", status=S.DRAFT)
    pf.make_case(
        title="来月の計画（案）",
        opens_at=pf.NOW + dt.timedelta(days=20),
        closes_at=pf.NOW + dt.timedelta(days=60),
    )
    html = client.get("/").content.decode()
    assert "パブリックコメント：意見募集中の案件" in html
    assert "みどりの基本計画（案）" in html and case.get_absolute_url() in html
    assert "令和8年7月1日まで（残り16日）" in html
    assert "準備中の計画（案）" not in html and "来月の計画（案）" not in html


def test_home_has_no_section_when_nothing_is_open(rf):
    pf.make_case(status=S.DRAFT)
    publish(pf.make_case())
    assert sections.home_open_cases(_request(rf)) is None


@pytest.mark.parametrize("n", [1, 8])
def test_home_section_runs_one_query(rf, django_assert_num_queries, n):
    for _ in range(n):
        pf.make_case()
    with django_assert_num_queries(1):
        section = sections.home_open_cases(_request(rf))
    assert len(section.context["cases"]) == min(n, sections.HOME_CASES)
    assert section.context["more"] == (n > sections.HOME_CASES)


# --- マイページ ---------------------------------------------------------------------------------


def test_mypage_lists_my_submissions_with_their_receipt_numbers(client):
    me = factories.make_user("resident-pc@example.jp")
    case = pf.make_case(title="みどりの基本計画（案）")
    mine = pf.submit(case, "意見です。", user=me)
    other = pf.submit(case, "ほかの人の意見です。", user=factories.make_user())
    client.force_login(me)
    html = client.get("/mypage/").content.decode()
    assert "パブリックコメントに提出した意見" in html
    assert mine.number in html and "みどりの基本計画（案）" in html
    assert other.number not in html
    assert "令和8年6月15日提出" in html and "状態：募集中" in html
    receipt = reverse("publiccomment:submission_receipt", args=[mine.pk])
    assert f'href="{receipt}"' in html


def test_mypage_links_to_the_result_once_published(client):
    me = factories.make_user()
    case = pf.make_case()
    pf.submit(case, "意見です。", user=me)
    group_all(case)
    publish(case)
    client.force_login(me)
    html = client.get("/mypage/").content.decode()
    assert reverse("publiccomment:case_result", args=[case.pk]) in html


def test_mypage_has_no_section_without_submissions(rf):
    assert sections.mypage_submissions(_request(rf, factories.make_user())) is None
    assert sections.mypage_submissions(_request(rf)) is None


@pytest.mark.parametrize("n", [1, 12])
def test_mypage_section_runs_one_query(rf, django_assert_num_queries, n):
    me = factories.make_user()
    case = pf.make_case()
    for _ in range(n):
        pf.submit(case, "意見です。", user=me)
    with django_assert_num_queries(1):
        section = sections.mypage_submissions(_request(rf, me))
    assert len(section.context["submissions"]) == min(n, sections.MYPAGE_SUBMISSIONS)
    assert section.context["more"] == (n > sections.MYPAGE_SUBMISSIONS)


# --- figures ----------------------------------------------------------------------------------


def test_figures_count_cases_submitters_and_opinions_by_channel(django_assert_num_queries):
    case = pf.make_case()
    pf.submit(case, "一つ目", "二つ目")
    pf.submit(case, "FAXの意見", channel=Channel.FAX, received_at=pf.NOW)
    pf.submit(case, "意見箱の意見", channel=Channel.BOX, received_at=pf.NOW)
    result = pf.make_case()
    pf.submit(result, "結果の出た案件への意見")
    group_all(result)
    publish(result)
    pf.make_case(status=S.ABANDONED)
    pf.make_case(status=S.DRAFT)  # not counted
    earlier = pf.make_case(
        opens_at=dt.datetime(2025, 6, 1, 9, tzinfo=pf.JST),
        closes_at=dt.datetime(2025, 7, 1, 17, tzinfo=pf.JST),
    )
    assert earlier.fiscal_year == 2025

    with django_assert_num_queries(2):
        values = {figure.key: figure.value for figure in stats.figures(2026)}

    assert values["publiccomment.cases"] == 3
    assert values["publiccomment.results"] == 1
    assert values["publiccomment.abandoned"] == 1
    assert values["publiccomment.submitters"] == 4
    assert values["publiccomment.opinions"] == 5
    assert values["publiccomment.submitters.web"] == 2
    assert values["publiccomment.opinions.web"] == 3
    assert values["publiccomment.submitters.fax"] == 1
    assert values["publiccomment.opinions.box"] == 1
    assert values["publiccomment.opinions.post"] == 0
    assert {figure.value for figure in stats.figures(2025)} - {0} == {1}


def test_figures_appear_on_the_figures_page(client):
    pf.submit(pf.make_case(), "意見です。")
    html = client.get("/figures/?year=2026").content.decode()
    assert "パブリックコメント" in html and "意見数：電子申請（Webフォーム）" in html
    csv_text = client.get("/figures.csv?year=2026").getvalue().decode("utf-8-sig")
    assert "publiccomment.opinions.web" in csv_text


# --- the staff work queue ---------------------------------------------------------------------


def test_queue_counts_closed_cases_and_ungrouped_items(rf, comment_staff, client):
    considering = pf.make_case()
    pf.submit(considering, "一つ目", "二つ目")
    Case.objects.filter(pk=considering.pk).update(closes_at=pf.NOW - dt.timedelta(hours=1))
    pf.submit(pf.make_case(), "受付中の意見")  # open: its item waits too
    grouped = pf.make_case()
    pf.submit(grouped, "まとめた意見")
    group_all(grouped)
    publish(grouped)
    abandoned = pf.make_case()
    pf.submit(abandoned, "中止した案件の意見")
    Case.objects.filter(pk=abandoned.pk).update(status=S.ABANDONED)
    with translation.override("en"):
        found = {item.label: item for item in queue.items(_request(rf, comment_staff))}
    assert found["Closed cases waiting for a result"].count == 1
    assert found["Opinion items not yet grouped"].count == 3
    factories.with_second_factor(client, comment_staff)
    for item in found.values():
        response = client.get(item.url)
        assert response.status_code == 200, item.url  # a lookup the admin refuses redirects


def test_queue_is_empty_for_staff_without_the_permission(rf):
    clerk = factories.make_user("doboku-pc@city.muroran.example.jp", staff=True)
    assert queue.items(_request(rf, clerk)) == []


@pytest.mark.parametrize("n", [1, 5])
def test_queue_runs_two_queries(rf, django_assert_num_queries, n):
    superuser = factories.make_user(superuser=True)
    for _ in range(n):
        pf.submit(pf.make_case(), "意見です。")
    request = _request(rf, superuser)
    with django_assert_num_queries(2):
        queue.items(request)


# --- bench and menu ---------------------------------------------------------------------------


def test_bench_declares_the_list_a_case_and_a_result():
    open_case = pf.make_case()
    result = publish(pf.make_case())
    pages = {page.name: page for page in bench.pages(person=None, staff=None)}
    assert pages["public comment cases"].path == reverse("publiccomment:case_list")
    assert pages["public comment case"].path in {
        open_case.get_absolute_url(),
        result.get_absolute_url(),
    }
    assert pages["public comment result"].path == reverse(
        "publiccomment:case_result", args=[result.pk]
    )
    assert pages["admin opinions changelist"].who == "staff"
    # The open case's form, which the capacity run fills in and sends without an account.
    form = pages["public comment opinion form"]
    assert form.path == reverse("publiccomment:submit", args=[open_case.pk])
    assert form.who == "" and form.confirm
    assert dict(form.form)["eligibility"] in open_case.may_submit
    assert {"name", "address", "opinion1_text"} <= dict(form.form).keys()


def test_no_form_is_declared_without_an_open_case():
    publish(pf.make_case())
    names = {page.name for page in bench.pages(person=None, staff=None)}
    assert "public comment opinion form" not in names


def test_the_menu_says_pabukome(client):
    assert any(m.url_name == "publiccomment:case_list" for m in registry.MECHANISMS)
    html = client.get("/").content.decode()
    assert ">パブコメ</a>" in html
    assert f'href="{reverse("publiccomment:case_list")}"' in html
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
