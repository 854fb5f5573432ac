"""Site-wide pages: home, the guideline, 実績 (figures) with its open data, マイページ, languages."""

import csv
import datetime as dt
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.html import escape
from django.utils.translation import gettext, override

from organizations.models import Organization
from tests import factories

JST = ZoneInfo("Asia/Tokyo")
TODAY = dt.datetime(2026, 11, 28, 12, 0, tzinfo=JST)  # FY2026 (令和8年度)


def _ja(msgid: str) -> str:
    """A string as the Japanese page shows it, translated or not (yet), HTML-escaped."""
    with override("ja"):
        return escape(gettext(msgid))


def _section(html: str, label: str) -> str:
    match = re.search(
        rf'<section class="card" aria-label="{re.escape(label)}">(.*?)</section>', html, re.S
    )
    assert match, f"no section {label!r}"
    return match.group(1)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


# --- Home ------------------------------------------------------------------------------------


def test_home_lists_the_ways_to_take_part(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="/organizations/">{_ja("Organisation directory")}</a>' in html
    assert f'<a href="/projects/">{_ja("Collaboration projects")}</a>' in html
    assert 'href="/guideline/"' in html


def test_home_shows_newly_verified_organisations_but_not_pending_ones(
    client, organization, other_organization
):
    html = client.get("/").content.decode()
    section = _section(html, _ja("Newly registered organisations"))
    assert f'<a href="/organizations/{organization.pk}/">輪西まちづくりの会</a>' in section
    assert other_organization.name not in html  # pending


def test_home_without_verified_organisations_says_nothing_is_open(client, other_organization):
    html = client.get("/").content.decode()
    assert _ja("Newly registered organisations") not in html
    assert _ja("Nothing is open for applications at the moment.") in html


def test_home_shows_the_five_latest_verifications_first(client, staff):
    organizations = [
        factories.make_organization(name=f"団体{n}", status="pending") for n in range(7)
    ]
    from organizations import services

    with time_machine.travel(TODAY, tick=False) as clock:
        for organization in organizations:
            clock.shift(dt.timedelta(minutes=1))
            services.organization_verify(organization=organization, by=staff)
    section = _section(client.get("/").content.decode(), _ja("Newly registered organisations"))
    names = re.findall(r">(団体\d)</a>", section)
    assert names == ["団体6", "団体5", "団体4", "団体3", "団体2"]


# --- The guideline ---------------------------------------------------------------------------


def test_guideline_shows_the_six_actors_and_seven_principles(client, db):
    html = client.get("/guideline/").content.decode()
    actors = re.search(r'id="actors".*?</section>', html, re.S).group(0)
    assert actors.count('<th scope="row" data-label=') == 6
    for name in (
        "市民（市民個人）",
        "町内会・自治会",
        "市民活動団体（NPO）",
        "大学等",
        "企業・団体",
        "行政",
    ):
        assert name in actors
    principles = re.search(r'id="principles".*?</section>', html, re.S).group(0)
    assert principles.count('<th scope="row" data-label=') == 7
    for name in (
        "目的共有",
        "相互理解",
        "自主・自立",
        "対等",
        "役割分担",
        "情報公開、情報共有",
        "評価の原則",
    ):
        assert name in principles


def test_guideline_shows_the_eight_forms_by_lead_with_muroran_examples(client, db):
    html = client.get("/guideline/").content.decode()
    forms = re.search(r'id="forms".*?</section>', html, re.S).group(0)
    assert forms.count('<th scope="row" data-label=') == 8
    assert forms.count('scope="rowgroup"') == 3
    for lead in ("市民主導", "協力・連携", "行政主導"):
        assert lead in forms
    for example in (
        "ビオトープ・イタンキ管理協定",
        "まちづくり活動支援補助金",
        "みなとオアシス室蘭運営協議会",
        "パブリックコメント",
    ):
        assert example in forms
    assert 'href="/projects/?form=agreement"' in forms


def test_guideline_shows_self_help_mutual_help_public_help_pillars_and_policies(client, db):
    html = client.get("/guideline/").content.decode()
    spheres = re.search(r'id="spheres".*?</section>', html, re.S).group(0)
    assert re.findall(r"<dt>(.*?)</dt>", spheres) == ["自助", "共助", "公助"]
    pillars = re.search(r'id="pillars".*?</section>', html, re.S).group(0)
    assert re.findall(r"<h3>(.*?)</h3>", pillars) == [
        "理念の共有",
        "行動・取り組み",
        "評価・検証・改善",
    ]
    assert "～みんなで考えよう～" in pillars
    policies = re.search(r'id="policies".*?</section>', html, re.S).group(0)
    assert re.findall(r"<h3>(\d)\. ", policies) == ["1", "2", "3", "4", "5"]
    assert "パブリックコメントの実施" in policies


def test_guideline_in_english_uses_the_english_names(client, db):
    client.cookies["django_language"] = "en"
    html = client.get("/guideline/").content.decode()
    assert "Shared purpose" in html
    assert "Cooperation agreement" in html
    assert "ビオトープ・イタンキ管理協定" in html  # examples stay in the guideline's words


# --- Figures (実績) ----------------------------------------------------------------------------


def _csv_rows(response):
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _csv_values(response) -> dict[str, float]:
    rows = _csv_rows(response)
    return {row[3]: float(row[5]) for row in rows[1:]}


def _registry_keys(keys):
    return [key for key in keys if key.startswith(("organizations.", "projects."))]


def test_figures_page_shows_the_chosen_fiscal_year(client, db, frozen):
    response = client.get("/figures/?year=2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2025年度（令和7年度）" in html
    assert '<option value="2025" selected>' in html
    assert 'href="/figures.csv?year=2025"' in html
    assert 'href="/figures.json?year=2025"' in html


def test_figures_page_defaults_to_the_current_fiscal_year(client, db, frozen):
    html = client.get("/figures/").content.decode()
    assert "2026年度（令和8年度）" in html
    assert '<option value="2026" selected>' in html
    # Every year since the start of Muroran's collaboration plan can be chosen, and no future one.
    assert '<option value="2003">' in html
    assert '<option value="2027"' not in html


@pytest.mark.parametrize("year", ["abc", "1900", "3000", "2027", "", "2026.5", "-2025", "9" * 400])
def test_figures_with_a_bad_year_fall_back_to_the_current_one(client, db, frozen, year):
    for path in ("/figures/", "/figures.csv", "/figures.json"):
        response = client.get(path, {"year": year})
        assert response.status_code == 200, path
    assert json.loads(client.get("/figures.json", {"year": year}).getvalue())["fiscal_year"] == 2026
    assert (
        '<option value="2026" selected>' in client.get("/figures/", {"year": year}).content.decode()
    )


def test_figures_understand_a_year_typed_in_full_width(client, db, frozen):
    assert (
        json.loads(client.get("/figures.json", {"year": "２０２５"}).getvalue())["fiscal_year"]
        == 2025
    )


def test_figures_csv_has_a_bom_a_header_and_one_row_per_figure(client, db, frozen):
    response = client.get("/figures.csv?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="muroran-kyodo-figures-2026.csv"'
    )
    rows = _csv_rows(response)
    assert rows[0] == [
        "fiscal_year",
        "fiscal_year_wareki",
        "group",
        "key",
        "label",
        "value",
        "unit",
    ]
    keys = [row[3] for row in rows[1:]]
    assert len(keys) == len(set(keys))
    # The registry's own: five actor types that register as organisations, eight forms.
    assert len(_registry_keys(keys)) == 13
    assert "organizations.individual" not in keys
    assert {row[0] for row in rows[1:]} == {"2026"}
    assert {row[1] for row in rows[1:]} == {"令和8年度"}


def test_figures_count_verified_organisations_only(client, db, frozen):
    factories.make_organization(type_code="npo")
    factories.make_organization(type_code="npo")
    factories.make_organization(type_code="npo", status=Organization.Status.PENDING)
    factories.make_organization(type_code="npo", status=Organization.Status.RETURNED)
    factories.make_organization(type_code="neighbourhood")
    values = _csv_values(client.get("/figures.csv?year=2026"))
    assert values["organizations.npo"] == 2
    assert values["organizations.neighbourhood"] == 1
    assert values["organizations.university"] == 0


def test_figures_count_organisations_registered_by_the_end_of_the_year(client, db):
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 59, tzinfo=JST), tick=False):
        factories.make_organization(type_code="npo")  # FY2025
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=JST), tick=False):
        factories.make_organization(type_code="npo")  # FY2026
    with time_machine.travel(TODAY, tick=False):
        assert _csv_values(client.get("/figures.csv?year=2025"))["organizations.npo"] == 1
        assert _csv_values(client.get("/figures.csv?year=2026"))["organizations.npo"] == 2
        assert _csv_values(client.get("/figures.csv?year=2024"))["organizations.npo"] == 0


def test_figures_count_published_projects_of_the_year_by_form(client, db, frozen):
    # The guideline's own examples are catalogued for FY2026: three of them are 事業協力・協定.
    base = _csv_values(client.get("/figures.csv?year=2026"))
    assert base["projects.agreement"] == 3
    factories.make_project(form_code="agreement", fiscal_year=2026)
    factories.make_project(form_code="agreement", fiscal_year=2026, is_published=False)
    factories.make_project(form_code="agreement", fiscal_year=2025)
    values = _csv_values(client.get("/figures.csv?year=2026"))
    assert values["projects.agreement"] == 4
    assert _csv_values(client.get("/figures.csv?year=2025"))["projects.agreement"] == 1


def test_figures_page_shows_the_counts(client, db, frozen):
    factories.make_organization(type_code="university")
    factories.make_organization(type_code="university")
    html = client.get("/figures/?year=2026").content.decode()
    assert re.search(
        r'<th scope="row" data-label="[^"]+">大学等</th><td class="num" data-label="[^"]+">2 ', html
    )


def test_figures_json_parses_and_names_the_year(client, db, frozen):
    factories.make_organization(type_code="npo")
    response = client.get("/figures.json?year=2025")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.getvalue()  # streamed: read once
    data = json.loads(body)
    assert data["fiscal_year"] == 2025
    assert data["fiscal_year_wareki"] == "令和7年度"
    assert data["period"] == {"start": "2025-04-01", "end": "2026-03-31"}
    assert len(_registry_keys([f["key"] for f in data["figures"]])) == 13
    figure = next(f for f in data["figures"] if f["key"] == "organizations.npo")
    assert figure["value"] == 0  # registered in FY2026
    assert set(figure) == {"group", "key", "label", "value", "unit"}
    assert "令和7年度" in body.decode()  # not \\u-escaped


def test_open_data_page_links_the_current_years_files(client, db, frozen):
    response = client.get("/opendata/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/figures.csv?year=2026"' in html
    assert 'href="/figures.json?year=2026"' in html
    assert "2026年度（令和8年度）" in html


# --- My page ---------------------------------------------------------------------------------


def test_my_page_requires_sign_in(client, db):
    response = client.get("/mypage/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/mypage/"


def test_my_page_shows_my_details_and_my_organisations(
    client, member, organization, other_organization
):
    client.force_login(member)
    response = client.get("/mypage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{_ja('My details')}</h2>" in html
    assert f">{_ja('My organisations')}</h2>" in html
    assert "member@example.jp" in html
    assert 'href="/accounts/profile/"' in html
    assert f'<a href="/organizations/{organization.pk}/manage/">輪西まちづくりの会</a>' in html
    assert other_organization.name not in html


def test_my_page_of_someone_without_organisations_offers_to_register_one(client, resident):
    client.force_login(resident)
    html = client.get("/mypage/").content.decode()
    assert _ja("You do not belong to any organisation on the portal yet.") in html
    assert 'href="/organizations/new/"' in html
    assert "輪西 花子（ワニシ ハナコ）" in html


# --- Languages -------------------------------------------------------------------------------


def test_japanese_is_the_default_language(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="ja">' in html
    assert '<button type="submit" name="language" value="ja" lang="ja"' in html


def test_switching_to_english_shows_the_site_in_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/guideline/"})
    assert response.status_code == 302
    assert response["Location"] == "/guideline/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Ways to take part" in html
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert '<html lang="ja">' in client.get("/").content.decode()


def test_a_browser_set_to_english_still_gets_japanese_until_english_is_chosen(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ja">' in html


def test_an_unknown_language_is_ignored(client, db):
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="ja">' in client.get("/").content.decode()


# --- Query counts ----------------------------------------------------------------------------


def _make_rows(n: int):
    for i in range(n):
        organization = factories.make_organization(
            type_code=("npo", "neighbourhood", "business")[i % 3],
            fields=("まちづくり・地域活性化",),
        )
        factories.make_project(
            form_code=("agreement", "subsidy")[i % 2], organizations=[organization]
        )
    factories.make_organization(status=Organization.Status.PENDING)


@pytest.mark.parametrize("n", [1, 50])
def test_home_runs_two_queries_whatever_the_number_of_organisations(
    client, db, django_assert_num_queries, n
):
    _make_rows(n)
    # New organisations, open partner opportunities, open subsidy intake windows, public
    # comment cases taking opinions, enとーく sessions to come, council workshops open for
    # sign-up.
    with django_assert_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 50])
@pytest.mark.parametrize(
    "path", ["/figures/?year=2026", "/figures.csv?year=2026", "/figures.json?year=2026"]
)
def test_figures_run_a_fixed_number_of_queries_whatever_the_number_of_rows(
    client, db, frozen, django_assert_num_queries, n, path
):
    _make_rows(n)
    # Two for the registry's figures, five for the partner programme's (registrations, places,
    # reports, requests, shifts), one for the subsidy's, two for public comment's, one for
    # enとーく's, one for the councils'.
    with django_assert_num_queries(12):
        response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["/figures/?year=2026", "/figures.csv?year=2026", "/figures.json?year=2026"]
)
def test_figures_cached_by_the_partner_programme_cost_fewer_queries_warm(
    client, db, frozen, django_assert_num_queries, path
):
    _make_rows(3)
    with django_assert_num_queries(12):
        cold = client.get(path).getvalue()
    # The registry's two, the partner programme's requests and shifts, the subsidy's one,
    # public comment's two, enとーく's one and the councils' one (not cached); the partners'
    # registrations, places and reports come from the cache.
    with django_assert_num_queries(9):
        warm = client.get(path).getvalue()
    if "/figures/" in path:  # the language form's CSRF token is masked anew on every page
        cold, warm = (re.sub(rb'value="[^"]{64}"', b"", body) for body in (cold, warm))
    assert warm == cold


def test_figures_show_a_new_report_at_once_though_cached(client, db, frozen, resident):
    from partners import services
    from partners.models import ActivityReport

    registration = factories.make_registration(user=resident, status="registered")
    before = _csv_values(client.get("/figures.csv?year=2026"))  # cached now
    assert (before["partners.reports"], before["partners.pika.people"]) == (0, 1)

    services.report_create(
        report=ActivityReport(
            registration=registration,
            activity_date=dt.date(2026, 11, 1),
            participants=7,
            burnable_bags=3,
        ),
        by=resident,
    )

    after = _csv_values(client.get("/figures.csv?year=2026"))
    assert (after["partners.reports"], after["partners.participants"]) == (1, 7)
    assert after["partners.bags.burnable"] == 3
    html = client.get("/figures/?year=2026").content.decode()
    label = re.escape(_ja("Participants in activities"))
    assert re.search(
        rf'<th scope="row" data-label="[^"]+">{label}</th><td class="num" data-label="[^"]+">7 ',
        html,
    )


@pytest.mark.parametrize("n", [1, 50])
def test_figures_counts_scale_with_the_data(client, db, frozen, n):
    _make_rows(n)
    values = _csv_values(client.get("/figures.csv?year=2026"))
    assert sum(v for k, v in values.items() if k.startswith("organizations.")) == n
    assert sum(v for k, v in values.items() if k.startswith("projects.")) == 14 + n


def test_guideline_runs_seven_queries(client, db, django_assert_num_queries):
    with django_assert_num_queries(7):
        assert client.get("/guideline/").status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_my_page_runs_a_fixed_number_of_queries(client, member, django_assert_num_queries, n):
    for _ in range(n):
        factories.add_member(factories.make_organization(), member)
    client.force_login(member)
    # Session, user, memberships, open invitations, partner registrations, subsidy applications,
    # public comment submissions, enとーく requests, my groups' applications that ask for
    # something and my enとーく requests that do (次にすること), my council sign-ups and my
    # facilitator pool entry (shared by the councils' tasks and section). Not whether I am a
    # group's 代表者 without a second factor (subsidies.sections.mypage_second_factor_task): my
    # memberships say I am a plain member.
    with django_assert_num_queries(12):
        response = client.get("/mypage/")
    assert response.content.decode().count('/manage/">') == n
