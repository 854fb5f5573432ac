"""The subsidy on the home page (open intake) and マイページ (my groups' applications)."""

import pytest
from django.urls import NoReverseMatch, reverse

from subsidies import sections
from subsidies.models import Application, Programme
from tests import factories
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status


def test_home_shows_an_open_intake_with_days_left(client):
    programme = sf.make_programme(title="まちづくり活動支援補助金（市民提案型）")
    html = client.get("/").content.decode()
    assert "まちづくり活動支援補助金（市民提案型）" in html
    assert f"/subsidies/programmes/{programme.pk}/" in html
    assert "2026-05-31" in html and "16" in html  # 第1期 closes on 31 May


def test_home_shows_no_subsidy_section_when_nothing_is_open(rf):
    sf.make_programme(fiscal_year=2025)  # its windows closed a year ago
    unpublished = sf.make_programme(track=Programme.Track.CITY)
    Programme.objects.filter(pk=unpublished.pk).update(is_published=False)
    request = rf.get("/")
    assert sections.home_open_intake(request) is None


@pytest.mark.parametrize("n", [1, 3])
def test_home_section_runs_one_query(rf, django_assert_num_queries, n):
    for track in list(Programme.Track)[:n]:
        sf.make_programme(track=track)
    with django_assert_num_queries(1):
        section = sections.home_open_intake(rf.get("/"))
    assert len(section.context["windows"]) == n


def test_mypage_lists_my_groups_applications_with_their_state(
    client, organization, member, other_organization, other_member
):
    programme = sf.make_programme()
    mine = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.RETURNED,
        title="花壇づくり",
    )
    sf.make_application(
        programme=programme,
        organization=other_organization,
        applicant=other_member,
        title="よその団体の申請",
    )
    client.force_login(member)
    html = client.get("/mypage/").content.decode()
    assert "花壇づくり" in html and mine.number in html
    assert "status--returned" in html
    assert "よその団体の申請" not in html
    try:
        assert reverse("subsidies:application_detail", args=[mine.pk]) in html
    except NoReverseMatch:
        pass


def test_mypage_has_no_subsidy_section_without_applications(rf, member):
    request = rf.get("/mypage/")
    request.user = member
    assert sections.mypage_applications(request) is None


@pytest.mark.parametrize("n", [1, 15])
def test_mypage_section_runs_one_query(rf, django_assert_num_queries, organization, member, n):
    programme = sf.make_programme()
    for _ in range(n):
        sf.make_application(programme=programme, organization=organization, applicant=member)
    for _ in range(3):
        factories.add_member(factories.make_organization(), member)
    request = rf.get("/mypage/")
    request.user = member
    with django_assert_num_queries(1):
        section = sections.mypage_applications(request)
    assert len(section.context["applications"]) == min(n, sections.MYPAGE_APPLICATIONS)
    assert section.context["more"] == (n > sections.MYPAGE_APPLICATIONS)


def test_figures_include_the_subsidy(client, organization, member):
    programme = sf.make_programme()
    application = sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.GRANTED
    )
    Application.objects.filter(pk=application.pk).update(decided_amount=80_000)
    body = client.get("/figures.csv?year=2026").getvalue().decode()
    assert "subsidies.adopted," in body.replace('"', "") or "subsidies.adopted" in body
    assert "80000" in body
    assert "subsidies.decided_yen" in client.get("/figures.json?year=2026").getvalue().decode()
    assert client.get("/figures/?year=2026").status_code == 200


def test_home_lists_the_subsidy_among_the_ways_to_take_part(client):
    assert 'href="/subsidies/"' in client.get("/").content.decode()
