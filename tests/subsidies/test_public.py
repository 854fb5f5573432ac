"""The public pages: programme list and page, adopted projects with CSV/JSON, an adopted
project's page, the 報告会 page; what they show, what they hide (people, unaccepted reports,
unpublished programmes) and fixed query counts."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, override

from subsidies.models import Application, Category, Programme, ResultsMeeting
from subsidies.views import public
from tests import factories
from tests.subsidies import factories as sf
from tests.subsidies.factories import JST

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status


def _ja(message, **values):
    with override("ja"):
        return gettext(message) % values if values else gettext(message)


def _adopted(programme, organization, applicant, *, status=S.GRANTED, **extra):
    application = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=applicant,
        status=status,
        budget=False,
        attachments=False,
        **extra,
    )
    changes = {"decided_amount": extra.get("requested_amount", 100_000)}
    if status in public.REPORT_PUBLIC_STATUSES:
        changes["confirmed_amount"] = 90_000
    Application.objects.filter(pk=application.pk).update(**changes)
    return application


def _unpublished(programme):
    Programme.objects.filter(pk=programme.pk).update(is_published=False)
    return programme


# --- Programme pages ----------------------------------------------------------------------------


def test_it_lists_this_and_next_years_programmes_by_track(client):
    sf.make_programme(title="市民提案型 令和8年度")
    sf.make_programme(fiscal_year=2027, track=Programme.Track.YOUTH, title="若者 令和9年度")
    sf.make_programme(fiscal_year=2025, title="昨年度の補助金")
    _unpublished(sf.make_programme(track=Programme.Track.CITY, title="非公開の補助金"))

    html = client.get("/subsidies/").content.decode()

    assert "市民提案型 令和8年度" in html and "若者 令和9年度" in html
    assert "昨年度の補助金" not in html and "非公開の補助金" not in html
    assert html.index("市民提案型 令和8年度") < html.index("若者 令和9年度")


@pytest.mark.parametrize("n", [1, 3])
def test_programme_list_runs_three_queries(client, django_assert_num_queries, n):
    for track in list(Programme.Track)[:n]:
        sf.make_programme(track=track)
    with django_assert_num_queries(3):
        assert client.get("/subsidies/").status_code == 200


def test_programme_page_shows_rules_caps_rates_windows_and_documents(client):
    programme = sf.make_programme(
        cap=300_000,
        rate=(1, 2),
        min_members=3,
        age_band_share_percent=50,
        once_per_group=True,
        theme="港の夜景を生かした観光の担い手づくり",
        track=Programme.Track.CITY,
        required=("plan", "budget", "report"),
    )
    Category.objects.create(
        programme=programme,
        name="地域enづくり",
        cap=100_000,
        rate_numerator=10,
        rate_denominator=10,
    )
    programme.eligible_actor_types.add(factories.actor_type("npo"))

    with override("ja"):
        html = client.get(f"/subsidies/programmes/{programme.pk}/").content.decode()

    assert "港の夜景を生かした観光の担い手づくり" in html
    assert "300,000" in html and "100,000" in html
    assert (
        _ja(
            "half of the eligible expenses (%(numerator)s/%(denominator)s)",
            numerator=1,
            denominator=2,
        )
        in html
    )
    assert (
        _ja(
            "all of the eligible expenses (%(numerator)s/%(denominator)s)",
            numerator=10,
            denominator=10,
        )
        in html
    )
    # 第1期 is open on 15 May (closes 31 May: 16 days left); 第2期 opens in August.
    assert "第1期" in html and "第2期" in html
    with override("ja"):
        from django.utils.translation import ngettext

        assert (
            ngettext("Open: %(days)s day left", "Open: %(days)s days left", 16) % {"days": 16}
            in html
        )
    assert _ja("Not open yet") in html
    assert "企画書" in html and "予算書" in html and "実績報告書" in html
    assert "公益性" in html
    assert str(factories.actor_type("npo").name) in html


def test_programme_page_links_to_apply_and_consult_only_when_those_pages_exist(client):
    programme = sf.make_programme()
    html = client.get(f"/subsidies/programmes/{programme.pk}/").content.decode()
    for name in ("subsidies:apply", "subsidies:consultation_book"):
        try:
            url = reverse(name, args=[programme.pk])
        except NoReverseMatch:
            continue
        assert f'href="{url}"' in html


def test_a_closed_programme_offers_no_apply_button(client):
    programme = sf.make_programme(fiscal_year=2025)
    html = client.get(f"/subsidies/programmes/{programme.pk}/").content.decode()
    assert "button--primary" not in html


def test_an_unpublished_programme_is_not_found(client):
    programme = _unpublished(sf.make_programme())
    assert client.get(f"/subsidies/programmes/{programme.pk}/").status_code == 404


@pytest.mark.parametrize("n", [1, 5])
def test_programme_page_runs_six_queries(client, django_assert_num_queries, n):
    programme = sf.make_programme(criteria=[(f"基準{i}", 1) for i in range(n)])
    for i in range(n):
        Category.objects.create(programme=programme, name=f"区分{i}", cap=1000)
    with django_assert_num_queries(6):
        assert client.get(f"/subsidies/programmes/{programme.pk}/").status_code == 200


def test_rate_text_says_half_full_or_the_fraction():
    with override("en"):
        assert public.rate_text(Category(rate_numerator=1, rate_denominator=2)).startswith("half")
        assert public.rate_text(Category(rate_numerator=10, rate_denominator=10)).startswith("all")
        assert public.rate_text(Category(rate_numerator=2, rate_denominator=3)).startswith("2/3")


# --- Adopted projects ------------------------------------------------------------------------------


@pytest.fixture
def programme():
    return sf.make_programme(title="まちづくり活動支援補助金（市民提案型）")


def test_adopted_lists_organisation_title_category_amounts_and_accepted_reports(
    client, programme, organization, member
):
    _adopted(
        programme,
        organization,
        member,
        status=S.PAID,
        title="輪西の花壇づくり",
        report_summary="花壇を12か所つくった",
    )
    _adopted(
        programme,
        organization,
        member,
        status=S.REPORTED,
        title="商店街の灯り",
        report_summary="まだ受理されていない報告",
    )
    sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.UNDER_REVIEW,
        title="審査中の事業",
    )
    sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.REJECTED,
        title="不採択の事業",
    )

    html = client.get("/subsidies/adopted/").content.decode()

    assert "輪西の花壇づくり" in html and "商店街の灯り" in html
    assert "審査中の事業" not in html and "不採択の事業" not in html
    assert organization.name in html and "一般" in html
    assert "100,000" in html and "90,000" in html
    assert "花壇を12か所つくった" in html
    assert "まだ受理されていない報告" not in html
    assert member.email not in html and member.given_name not in html


def test_adopted_of_another_year(client, organization, member):
    old = sf.make_programme(fiscal_year=2024)
    _adopted(old, organization, member, title="令和6年度の事業")
    assert "令和6年度の事業" not in client.get("/subsidies/adopted/").content.decode()
    assert "令和6年度の事業" in client.get("/subsidies/adopted/2024/").content.decode()


@pytest.mark.parametrize("n", [1, 30])
def test_adopted_runs_four_queries_whatever_the_number_of_projects(
    client, django_assert_num_queries, programme, organization, member, n
):
    for _ in range(n):
        _adopted(programme, organization, member, status=S.CLOSED, report_summary="報告")
    ResultsMeeting.objects.create(
        fiscal_year=2026,
        held_at=dt.datetime(2027, 3, 10, 14, tzinfo=JST),
        place="市民会館",
        is_published=True,
    )
    # Years, meeting, count, page.
    with django_assert_num_queries(4):
        response = client.get("/subsidies/adopted/2026/")
    assert response.content.decode().count("/subsidies/projects/") == n


def test_adopted_is_paginated(client, programme, organization, member):
    for _ in range(public.ADOPTED_PAGE_SIZE + 1):
        _adopted(programme, organization, member)
    html = client.get("/subsidies/adopted/?page=2").content.decode()
    assert html.count("/subsidies/projects/") == 1


def _csv(response):
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


@pytest.mark.parametrize("n", [1, 30])
def test_open_data_csv_and_json_run_one_query(
    client, django_assert_num_queries, programme, organization, member, n
):
    for _ in range(n):
        _adopted(programme, organization, member)
    with django_assert_num_queries(1):
        rows = _csv(client.get("/subsidies/adopted/2026.csv"))
    with django_assert_num_queries(1):
        data = json.loads(client.get("/subsidies/adopted/2026.json").getvalue())
    assert len(rows) == len(data["projects"]) == n


def test_open_data_names_organisations_never_people(client, programme, organization, member):
    application = _adopted(
        programme,
        organization,
        member,
        status=S.CONFIRMED,
        title="=HYPERLINK(1)",
        report_summary="清掃を10回行った",
    )
    rows = _csv(client.get("/subsidies/adopted/2026.csv"))
    data = json.loads(client.get("/subsidies/adopted/2026.json").getvalue())

    assert rows[0]["organization"] == organization.name
    assert rows[0]["title"] == "'=HYPERLINK(1)"  # not run as a formula
    assert rows[0]["decided_amount"] == "100000" and rows[0]["confirmed_amount"] == "90000"
    assert rows[0]["report_summary"] == "清掃を10回行った"
    assert rows[0]["number"] == application.number
    assert data["projects"][0]["organization"] == organization.name
    assert data["fiscal_year"] == 2026
    assert set(rows[0]) == set(public.OPEN_DATA_FIELDS)
    body = client.get("/subsidies/adopted/2026.csv").getvalue().decode()
    body += client.get("/subsidies/adopted/2026.json").getvalue().decode()
    assert member.email not in body and member.given_name not in body


def test_open_data_page_lists_the_adopted_projects(client):
    html = client.get("/opendata/").content.decode()
    assert "/subsidies/adopted/2026.csv" in html and "/subsidies/adopted/2026.json" in html


def test_adopted_project_page_shows_the_report_once_accepted(
    client, programme, organization, member
):
    accepted = _adopted(
        programme, organization, member, status=S.CONFIRMED, report_summary="参加者120名"
    )
    pending = _adopted(
        programme, organization, member, status=S.REPORTED, report_summary="未受理の報告"
    )
    assert "参加者120名" in client.get(f"/subsidies/projects/{accepted.pk}/").content.decode()
    html = client.get(f"/subsidies/projects/{pending.pk}/").content.decode()
    assert "未受理の報告" not in html
    assert _ja("The completion report is published once the city has accepted it.") in html


def test_a_project_not_adopted_has_no_public_page(client, programme, organization, member):
    application = sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.UNDER_REVIEW
    )
    assert client.get(f"/subsidies/projects/{application.pk}/").status_code == 404


# --- 報告会 ----------------------------------------------------------------------------------------


def test_meeting_page_lists_every_adopted_project_with_its_presenter(
    client, programme, organization, member, other_organization, other_member
):
    youth = sf.make_youth_programme(title="若者チャレンジ応援事業")
    first = _adopted(programme, organization, member, title="花壇づくり")
    second = _adopted(youth, other_organization, other_member, title="学生の港まち案内")
    sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.REJECTED,
        title="不採択",
    )
    ResultsMeeting.objects.create(
        fiscal_year=2026,
        held_at=dt.datetime(2027, 3, 10, 14, tzinfo=JST),
        place="室蘭市市民会館 大会議室",
        description="採択団体が一年の成果を発表します。",
        is_published=True,
    )

    html = client.get("/subsidies/meetings/2026/").content.decode()

    assert "室蘭市市民会館 大会議室" in html and "2027-03-10 14:00" in html
    for application, org in ((first, organization), (second, other_organization)):
        assert application.title in html and org.name in html
        assert f"/subsidies/projects/{application.pk}/#report" in html
    assert "若者チャレンジ応援事業" in html and "不採択" not in html


def test_an_unpublished_meeting_is_not_found(client):
    ResultsMeeting.objects.create(
        fiscal_year=2026, held_at=dt.datetime(2027, 3, 10, 14, tzinfo=JST), place="市民会館"
    )
    assert client.get("/subsidies/meetings/2026/").status_code == 404
    assert client.get("/subsidies/meetings/2025/").status_code == 404


@pytest.mark.parametrize("n", [1, 30])
def test_meeting_page_runs_three_queries(
    client, django_assert_num_queries, programme, organization, member, n
):
    for _ in range(n):
        _adopted(programme, organization, member)
    ResultsMeeting.objects.create(
        fiscal_year=2026,
        held_at=dt.datetime(2027, 3, 10, 14, tzinfo=JST),
        place="市民会館",
        is_published=True,
    )
    with django_assert_num_queries(3):
        response = client.get("/subsidies/meetings/2026/")
    assert response.content.decode().count("#report") == n


def test_meetings_are_kept_by_staff_in_the_admin(staff_client):
    response = staff_client.get("/admin/subsidies/resultsmeeting/add/")
    assert response.status_code == 200
    response = staff_client.post(
        "/admin/subsidies/resultsmeeting/add/",
        {
            "fiscal_year": 2026,
            "held_at_0": "2027-03-10",
            "held_at_1": "14:00",
            "place": "市民会館",
            "description": "",
            "is_published": "on",
            "created_at_0": "2026-05-15",
            "created_at_1": "10:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ResultsMeeting.objects.get().place == "市民会館"


@pytest.mark.parametrize(
    "path",
    ["/subsidies/adopted/99999/", "/subsidies/adopted/1999.csv", "/subsidies/adopted/0.json"],
)
def test_a_year_out_of_range_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_adopted_amounts_say_their_source_and_date(client, programme, organization, member):
    _adopted(programme, organization, member, status=S.PAID, title="輪西の花壇づくり")
    with override("ja"):
        html = client.get("/subsidies/adopted/").content.decode()
    label = "出典：このポータルの記録（2026年度（令和8年度）、2026年5月15日現在）"
    assert html.count(label) == 1
    assert html.index(label) < html.index("輪西の花壇づくり")  # said before the amounts
