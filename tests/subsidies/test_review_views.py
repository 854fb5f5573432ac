"""The reviewer's page (審査委員): only their own assignments, the application as the committee
reads it, one score sheet per application saved whole through the services, every refusal, and
a fixed number of queries."""

import re
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, override

from subsidies import permissions, services
from subsidies.models import Application, Criterion, ExpenseLine, ReviewAssignment, Score
from subsidies.ranking import ranking
from tests import factories
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
LIST = reverse("subsidies:review_list")


def ja(message, **values):
    with override("ja"):
        text = gettext(message)
    return text % values if values else text


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def programme():
    # 公益性 weight 2, 実現性 weight 1
    return sf.make_programme(title="市民提案型協働事業")


@pytest.fixture
def reviewer(db):
    return factories.make_user("reviewer@example.jp")


@pytest.fixture
def other_reviewer(db):
    return factories.make_user("reviewer2@example.jp")


@pytest.fixture
def application(programme, organization, member):
    return sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.UNDER_REVIEW,
        title="港のまち花いっぱい運動",
        purpose="輪西の商店街に花を",
        expected_effects="来訪者が増える",
    )


@pytest.fixture
def assignment(application, reviewer, staff):
    return services.assign_reviewer(application=application, reviewer=reviewer, by=staff)


@pytest.fixture
def reviewer_client(client, reviewer):
    factories.with_second_factor(client, reviewer)
    return client


def _url(assignment):
    return reverse("subsidies:review_detail", args=[assignment.pk])


def _criteria(programme):
    return list(programme.criteria.order_by("sort_order"))


def _sheet(programme, scores, comments=None):
    data = {}
    for n, (criterion, score) in enumerate(zip(_criteria(programme), scores, strict=True)):
        if score is not None:
            data[f"score_{criterion.pk}"] = str(score)
        data[f"comment_{criterion.pk}"] = (comments or {}).get(n, "")
    return data


def _scores(assignment):
    return dict(Score.objects.filter(assignment=assignment).values_list("criterion__name", "score"))


# --- anonymous and people without assignments ----------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(client, assignment, method):
    for url in (LIST, _url(assignment)):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert not Score.objects.exists()


def test_a_person_without_assignments_gets_a_polite_page(client, resident, assignment):
    client.force_login(resident)
    response = client.get(LIST)
    assert response.status_code == 200
    html = _html(response)
    assert ja("Applications to review") in html
    assert (
        ja(
            "No applications have been assigned to you for review. When the Community Life "
            "Division asks you to review applications for the committee, they will be listed "
            "here."
        )
        in html
    )
    assert "港のまち花いっぱい運動" not in html


def test_staff_not_assigned_see_no_applications_here(client, staff, assignment):
    client.force_login(staff)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "港のまち花いっぱい運動" not in _html(response)
    assert client.get(_url(assignment)).status_code == 404


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_only_my_assignments_grouped_by_programme(
    reviewer_client, reviewer, other_reviewer, staff, assignment, other_organization, other_member
):
    city = sf.make_programme(track="city", title="行政提案型協働事業")
    mine = sf.make_application(
        programme=city,
        organization=other_organization,
        applicant=other_member,
        status=S.UNDER_REVIEW,
        title="白鳥台の子ども食堂",
    )
    services.assign_reviewer(application=mine, reviewer=reviewer, by=staff)
    not_mine = sf.make_application(
        programme=city,
        organization=other_organization,
        applicant=other_member,
        status=S.UNDER_REVIEW,
        title="他の委員の申請",
    )
    services.assign_reviewer(application=not_mine, reviewer=other_reviewer, by=staff)

    html = _html(reviewer_client.get(LIST))
    assert "市民提案型協働事業" in html and "行政提案型協働事業" in html
    assert "港のまち花いっぱい運動" in html and "白鳥台の子ども食堂" in html
    assert "他の委員の申請" not in html
    assert html.count(ja("Not scored yet")) == 2
    assert reverse("subsidies:review_detail", args=[assignment.pk]) in html


def test_the_list_shows_what_i_have_scored(reviewer_client, assignment, programme):
    reviewer_client.post(_url(assignment), _sheet(programme, [4, 3]))
    html = _html(reviewer_client.get(LIST))
    assert ja("Scored") in html
    assert ja("Not scored yet") not in html
    assert ja("Change the scores") in html


def test_after_the_decision_the_list_is_read_only(reviewer_client, assignment, application):
    Application.objects.filter(pk=application.pk).update(status=S.ADOPTED)
    html = _html(reviewer_client.get(LIST))
    assert ja("Adopted") in html
    assert ja("read-only") in html
    assert ja("Score") + "</a>" not in html


# --- the application as the committee reads it ---------------------------------------------


def test_the_page_shows_the_application_budget_and_documents(
    reviewer_client, assignment, application, organization
):
    ExpenseLine.objects.create(
        application=application,
        stage="plan",
        item=ExpenseLine.Item.OTHER,
        amount=5_000,
        eligible=False,
        description="打ち上げの飲食",
    )
    response = reviewer_client.get(_url(assignment))
    assert response.status_code == 200
    html = _html(response)
    for text in (
        organization.name,
        organization.description,
        "港のまち花いっぱい運動",
        "輪西の商店街に花を",
        "花壇づくりと清掃",
        "輪西町",
        "来訪者が増える",
        "2026-06-01",
        "2027-02-28",
        "打ち上げの飲食",
        "doc.pdf",
    ):
        assert text in html, text
    # The factory's budget: ¥200,000 eligible consumables, income ¥100,000 + ¥100,000, plus the
    # ¥5,000 line above that the subsidy does not cover.
    assert "205,000" in html  # total expenses
    assert "200,000" in html  # total income and eligible expenses
    # 1/2 of ¥200,000 rounded down to ¥1,000 and capped at ¥300,000: ¥100,000.
    assert response.context["eligible_amount"] == 100_000
    assert response.context["budget"].eligible_expenses == 200_000
    # Private contact details of the group are not part of the committee's page.
    assert "member@example.jp" not in html and "rep@example.jp" not in html


def test_documents_link_to_the_permission_checked_download(reviewer_client, assignment):
    attachment = assignment.application.attachments.first()
    html = _html(reviewer_client.get(_url(assignment)))
    try:
        href = reverse("subsidies:attachment", args=[attachment.pk])
    except NoReverseMatch:
        pytest.skip("the download view (subsidies:attachment) is not routed yet")
    assert f'href="{href}"' in html


@pytest.mark.parametrize("who", ["other_reviewer", "member", "other_member", "resident"])
def test_another_persons_assignment_is_404(client, assignment, programme, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(assignment)).status_code == 404
    assert client.post(_url(assignment), _sheet(programme, [5, 5])).status_code == 404
    assert not Score.objects.exists()


def test_an_unknown_assignment_is_404(reviewer_client, assignment):
    url = reverse("subsidies:review_detail", args=[assignment.pk + 1000])
    assert reviewer_client.get(url).status_code == 404


# --- scoring -------------------------------------------------------------------------------


def test_the_reviewer_scores_every_criterion_and_the_ranking_reflects_it(
    reviewer_client, assignment, application, programme
):
    response = reviewer_client.get(_url(assignment))
    html = _html(response)
    assert 'type="radio"' in html
    assert "公益性" in html and "実現性" in html

    response = reviewer_client.post(
        _url(assignment), _sheet(programme, [4, 3], {0: "地域への波及が大きい"}), follow=True
    )
    assert response.redirect_chain[-1][0] == LIST
    assert ja(
        "Your scores for “%(title)s” are saved. You can change them until the review closes.",
        title="港のまち花いっぱい運動",
    ) in _html(response)
    assert _scores(assignment) == {"公益性": 4, "実現性": 3}
    assert Score.objects.get(criterion__name="公益性").comment == "地域への波及が大きい"

    criteria, rows = ranking(programme)
    (row,) = rows
    assert row.application.pk == application.pk
    # 4 × 2 + 3 × 1, one reviewer.
    assert (row.reviewers, row.weighted_total) == (1, Fraction(11))
    assert row.averages == {criteria[0].pk: 4.0, criteria[1].pk: 3.0}


def test_scores_can_be_changed_until_the_review_closes(reviewer_client, assignment, programme):
    reviewer_client.post(_url(assignment), _sheet(programme, [4, 3]))
    html = _html(reviewer_client.get(_url(assignment)))
    first, second = _criteria(programme)
    # The saved scores are chosen when the sheet is opened again.
    checked = re.findall(r'<input type="radio" name="(score_\d+)" value="(\d)"[^>]* checked>', html)
    assert sorted(checked) == [(f"score_{first.pk}", "4"), (f"score_{second.pk}", "3")]
    reviewer_client.post(_url(assignment), _sheet(programme, [2, 5]))
    assert _scores(assignment) == {"公益性": 2, "実現性": 5}
    assert Score.objects.count() == 2


def test_two_reviewers_are_averaged_in_the_ranking(
    client, reviewer_client, assignment, other_reviewer, staff, application, programme
):
    second = services.assign_reviewer(application=application, reviewer=other_reviewer, by=staff)
    reviewer_client.post(_url(assignment), _sheet(programme, [5, 1]))
    factories.with_second_factor(client, other_reviewer)
    client.post(_url(second), _sheet(programme, [4, 2]))
    _criteria_, (row,) = ranking(programme)
    assert (row.reviewers, row.weighted_total) == (2, Fraction(21, 2))


def test_every_criterion_is_required_and_nothing_is_saved_half_way(
    reviewer_client, assignment, programme
):
    first, second = _criteria(programme)
    response = reviewer_client.post(_url(assignment), _sheet(programme, [4, None]))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        f"score_{second.pk}": [ja("Give a score from 1 to 5.")]
    }
    html = _html(response)
    assert ja("Give a score from 1 to 5.") in html
    assert 'id="error-summary"' in html
    assert not Score.objects.exists()


@pytest.mark.parametrize("value", ["0", "6", "three", "3.5"])
def test_a_score_outside_1_to_5_is_refused(reviewer_client, assignment, programme, value):
    first, second = _criteria(programme)
    data = _sheet(programme, [4, 3])
    data[f"score_{second.pk}"] = value
    response = reviewer_client.post(_url(assignment), data)
    assert response.status_code == 200
    assert ja("Give a score from 1 to 5.") in _html(response)
    assert not Score.objects.exists()


def test_a_refusal_on_a_later_criterion_keeps_none_of_the_sheet(
    reviewer_client, assignment, programme, monkeypatch
):
    real = services.review.score_save
    calls = []

    def second_fails(**kwargs):
        calls.append(kwargs["criterion"].name)
        if len(calls) == 2:
            raise ValidationError({"score": "boom"})
        return real(**kwargs)

    monkeypatch.setattr(services.review, "score_save", second_fails)
    response = reviewer_client.post(_url(assignment), _sheet(programme, [4, 3]))
    assert response.status_code == 200
    assert calls == ["公益性", "実現性"]
    assert "boom" in _html(response)
    assert not Score.objects.exists()


def test_a_criterion_added_after_scoring_must_be_scored_too(reviewer_client, assignment, programme):
    reviewer_client.post(_url(assignment), _sheet(programme, [4, 3]))
    Criterion.objects.create(programme=programme, name="継続性", weight=1, sort_order=3)
    html = _html(reviewer_client.get(LIST))
    assert ja("Partly scored") in html
    response = reviewer_client.post(_url(assignment), _sheet(programme, [5, 5, None]))
    assert response.status_code == 200
    assert _scores(assignment) == {"公益性": 4, "実現性": 3}
    reviewer_client.post(_url(assignment), _sheet(programme, [5, 5, 2]))
    assert _scores(assignment) == {"公益性": 5, "実現性": 5, "継続性": 2}


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.ADOPTED, "The review of this application is closed. Your scores are shown read-only."),
        (S.REJECTED, "The review of this application is closed. Your scores are shown read-only."),
        (S.ACCEPTED, "Scoring opens when the city starts the review of this application."),
        (S.WITHDRAWN, "The group has withdrawn this application; it is not scored."),
    ],
)
def test_outside_the_review_the_page_is_read_only_and_scores_are_refused(
    reviewer_client, assignment, application, programme, status, message
):
    reviewer_client.post(_url(assignment), _sheet(programme, [4, 3]))
    Application.objects.filter(pk=application.pk).update(status=status)

    html = _html(reviewer_client.get(_url(assignment)))
    assert ja(message) in html
    assert 'type="radio"' not in html
    # The scores given during the review are shown read-only.
    assert "公益性" in html

    response = reviewer_client.post(_url(assignment), _sheet(programme, [1, 1]), follow=True)
    assert response.redirect_chain[-1][0] == _url(assignment)
    assert ja(
        "Scores can be given only while the application is under review. Nothing was saved."
    ) in _html(response)
    assert _scores(assignment) == {"公益性": 4, "実現性": 3}


def test_a_decision_taken_while_the_sheet_was_open_refuses_it(
    reviewer_client, assignment, application, programme, monkeypatch
):
    # The page was opened under review; the decision lands just before the sheet is saved.
    real = permissions.reviewer_conflict

    def decide_then_check(user, application_):
        Application.objects.filter(pk=application.pk).update(status=S.ADOPTED)
        return real(user, application_)

    monkeypatch.setattr(permissions, "reviewer_conflict", decide_then_check)
    response = reviewer_client.post(_url(assignment), _sheet(programme, [4, 3]), follow=True)
    assert ja(
        "Scores can be given only while the application is under review. Nothing was saved."
    ) in _html(response)
    assert not Score.objects.exists()


def test_a_reviewer_who_has_joined_the_organisation_is_refused(
    reviewer_client, reviewer, assignment, organization, programme
):
    factories.add_member(organization, reviewer)
    refusal = ja(
        "%(reviewer)s is a member of %(organization)s and cannot review its application.",
        reviewer=reviewer,
        organization=organization,
    )
    html = _html(reviewer_client.get(_url(assignment)))
    assert 'type="radio"' not in html
    assert organization.name in html

    response = reviewer_client.post(_url(assignment), _sheet(programme, [5, 5]), follow=True)
    assert refusal in _html(response)
    assert not Score.objects.exists()


def test_a_staff_member_who_is_assigned_scores_here(client, staff, application, programme):
    assignment = services.assign_reviewer(application=application, reviewer=staff, by=staff)
    factories.with_second_factor(client, staff)
    assert "港のまち花いっぱい運動" in _html(client.get(LIST))
    client.post(_url(assignment), _sheet(programme, [3, 3]))
    assert _scores(assignment) == {"公益性": 3, "実現性": 3}


def test_a_reviewer_removed_from_the_application_loses_the_page(
    reviewer_client, assignment, programme
):
    ReviewAssignment.objects.filter(pk=assignment.pk).delete()
    assert reviewer_client.get(_url(assignment)).status_code == 404
    assert ja("Applications to review") in _html(reviewer_client.get(LIST))


# --- query counts ----------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [1, 8])
def test_the_list_runs_a_fixed_number_of_queries(
    reviewer_client, reviewer, staff, organization, member, count
):
    for n in range(count):
        programme = sf.make_programme(
            fiscal_year=2020 + n % 3, track=["citizen", "city", "youth"][n // 3 % 3]
        )
        application = sf.make_application(
            programme=programme,
            organization=organization,
            applicant=member,
            status=S.UNDER_REVIEW,
            budget=False,
            attachments=False,
        )
        services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    # session, user, count, page
    # session, user, the reviewer's second factor (has an assignment), count, page
    assert _queries(reviewer_client, LIST) == 5


@pytest.mark.parametrize("count", [1, 8])
def test_the_score_sheet_runs_a_fixed_number_of_queries(
    reviewer_client, reviewer, staff, organization, member, other_organization, count
):
    programme = sf.make_programme(
        criteria=[(f"基準{n}", 1 + n % 3) for n in range(count)],
        required=("plan", "budget", "roster")[: 1 + min(count, 2)],
    )
    application = sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.UNDER_REVIEW
    )
    for n in range(count):
        ExpenseLine.objects.create(
            application=application, stage="plan", item="printing", amount=1_000 + n
        )
    application.partner_organizations.set([other_organization])
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    reviewer_client.post(_url(assignment), _sheet(programme, [3] * count))
    assert Score.objects.filter(assignment=assignment).count() == count
    # session, user, assignment (with application, programme, category, window, form,
    # organisation, type, district), criteria, scores, conflict check, income, expenses,
    # organisation's fields, partners, documents
    assert _queries(reviewer_client, _url(assignment)) == 12  # 1: the second factor's check


# --- the ranking page in the admin ------------------------------------------------------------


def _ranking_url(programme):
    return reverse("admin:subsidies_programme_ranking", args=[programme.pk])


def test_staff_see_the_ranking_reflecting_the_reviewers_scores(
    staff_client,
    client,
    reviewer,
    other_reviewer,
    staff,
    application,
    programme,
    organization,
    member,
):
    first = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    second = services.assign_reviewer(application=application, reviewer=other_reviewer, by=staff)
    lower = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.UNDER_REVIEW,
        title="低い評価の申請",
    )
    third = services.assign_reviewer(application=lower, reviewer=reviewer, by=staff)
    for user, assignment, scores in (
        (reviewer, first, [5, 1]),
        (other_reviewer, second, [4, 2]),
        (reviewer, third, [1, 1]),
    ):
        as_reviewer = Client()
        factories.with_second_factor(as_reviewer, user)
        as_reviewer.post(_url(assignment), _sheet(programme, scores))

    response = staff_client.get(_ranking_url(programme))
    assert response.status_code == 200
    html = _html(response)
    # 港のまち: (11 + 10) / 2 = 10.50, averages 4.50 and 1.50, two reviewers; the other: 3.00.
    assert html.index("港のまち花いっぱい運動") < html.index("低い評価の申請")
    for text in ("10.50", "4.50", "1.50", "3.00", "公益性 (×2)", "実現性 (×1)"):
        assert text in html, text
    rows = response.context["rows"]
    assert [(rank, row.reviewers, averages) for rank, row, averages in rows] == [
        (1, 2, [4.5, 1.5]),
        (2, 1, [1.0, 1.0]),
    ]


def test_the_ranking_is_linked_from_the_programme_pages_and_exports_csv(
    staff_client, assignment, programme
):
    href = _ranking_url(programme)
    assert href in _html(staff_client.get(reverse("admin:subsidies_programme_changelist")))
    change = reverse("admin:subsidies_programme_change", args=[programme.pk])
    assert href in _html(staff_client.get(change))
    response = staff_client.get(href + "?format=csv")
    assert response.status_code == 200
    assert "港のまち花いっぱい運動" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_reviewers_do_not_reach_the_admin_ranking(reviewer_client, assignment, programme):
    response = reviewer_client.get(_ranking_url(programme))
    assert response.status_code == 403
    assert "港のまち花いっぱい運動" not in _html(response)


@pytest.mark.parametrize("count", [1, 6])
def test_the_ranking_page_runs_a_fixed_number_of_queries(
    staff_client, staff, organization, member, count
):
    programme = sf.make_programme(criteria=[(f"基準{n}", 1) for n in range(count)])
    reviewers = [factories.make_user() for _ in range(2)]
    for _n in range(count):
        application = sf.make_application(
            programme=programme,
            organization=organization,
            applicant=member,
            status=S.UNDER_REVIEW,
            budget=False,
            attachments=False,
        )
        for user in reviewers:
            assignment = services.assign_reviewer(application=application, reviewer=user, by=staff)
            as_reviewer = Client()
            factories.with_second_factor(as_reviewer, user)
            as_reviewer.post(_url(assignment), _sheet(programme, [3] * count))
    assert Score.objects.count() == count * count * 2
    # No authenticator lookup: the second factor was given in this session.
    assert _queries(staff_client, _ranking_url(programme)) == 8
