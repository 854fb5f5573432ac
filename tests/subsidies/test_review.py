"""Review: staff assign reviewers, never a member of the applicant organisation; only the
assigned reviewer scores, 1-5 per criterion; the ranking in a fixed number of queries."""

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subsidies import services
from subsidies.models import Application, ReviewAssignment, Score
from subsidies.ranking import ranking
from tests import factories
from tests.subsidies import factories as sf

pytestmark = pytest.mark.django_db

S = Application.Status


@pytest.fixture
def programme():
    # 公益性 weight 2, 実現性 weight 1
    return sf.make_programme()


@pytest.fixture
def application(programme, organization, member):
    application = sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.UNDER_REVIEW
    )
    return Application.objects.select_related("organization", "programme").get(pk=application.pk)


@pytest.fixture
def reviewer(db):
    return factories.make_user("reviewer@example.jp")


def _criteria(programme):
    return list(programme.criteria.order_by("sort_order"))


def test_staff_assign_a_reviewer(application, reviewer, staff):
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    assert assignment.assigned_by == staff
    assert list(application.review_assignments.values_list("reviewer", flat=True)) == [reviewer.pk]


@pytest.mark.parametrize("who", ["member", "representative"])
def test_a_member_of_the_applicant_organisation_is_never_assigned(application, staff, who, request):
    person = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as error:
        services.assign_reviewer(application=application, reviewer=person, by=staff)
    assert "reviewer" in error.value.message_dict
    assert "輪西まちづくりの会" in error.value.message_dict["reviewer"][0]
    assert not ReviewAssignment.objects.exists()


def test_a_member_of_another_organisation_may_review(application, other_member, staff):
    services.assign_reviewer(application=application, reviewer=other_member, by=staff)
    assert ReviewAssignment.objects.filter(reviewer=other_member).exists()


def test_a_reviewer_is_assigned_only_once(application, reviewer, staff):
    services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    with pytest.raises(ValidationError):
        services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    assert ReviewAssignment.objects.count() == 1


def test_only_staff_assign_reviewers(application, reviewer, member):
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(application=application, reviewer=reviewer, by=member)


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.ADOPTED, S.WITHDRAWN])
def test_reviewers_are_assigned_between_acceptance_and_decision(
    application, reviewer, staff, status
):
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    with pytest.raises(ValidationError):
        services.assign_reviewer(application=application, reviewer=reviewer, by=staff)


def test_the_assigned_reviewer_scores_each_criterion(application, reviewer, staff):
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    first, second = _criteria(application.programme)
    services.score_save(
        assignment=assignment, criterion=first, score=4, comment="良い", by=reviewer
    )
    services.score_save(assignment=assignment, criterion=second, score=3, by=reviewer)
    # Scoring again replaces the score.
    services.score_save(assignment=assignment, criterion=first, score=5, by=reviewer)
    assert dict(Score.objects.values_list("criterion__name", "score")) == {"公益性": 5, "実現性": 3}


@pytest.mark.parametrize("value", [0, 6, "3", None])
def test_a_score_outside_1_to_5_is_refused(application, reviewer, staff, value):
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    with pytest.raises(ValidationError):
        services.score_save(
            assignment=assignment,
            criterion=_criteria(application.programme)[0],
            score=value,
            by=reviewer,
        )
    assert not Score.objects.exists()


def test_nobody_else_scores_an_assignment(application, reviewer, staff, member, other_member):
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    criterion = _criteria(application.programme)[0]
    for user in (staff, member, other_member):
        with pytest.raises(PermissionDenied):
            services.score_save(assignment=assignment, criterion=criterion, score=3, by=user)


def test_a_reviewer_who_joined_the_organisation_since_cannot_score(
    application, reviewer, staff, organization
):
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    factories.add_member(organization, reviewer)
    with pytest.raises(PermissionDenied):
        services.score_save(
            assignment=assignment,
            criterion=_criteria(application.programme)[0],
            score=3,
            by=reviewer,
        )


def test_scores_only_while_under_review(application, reviewer, staff):
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    Application.objects.filter(pk=application.pk).update(status=S.ADOPTED)
    assignment = ReviewAssignment.objects.select_related("application").get(pk=assignment.pk)
    with pytest.raises(PermissionDenied):
        services.score_save(
            assignment=assignment,
            criterion=_criteria(application.programme)[0],
            score=3,
            by=reviewer,
        )


def test_a_criterion_of_another_programme_is_refused(application, reviewer, staff):
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    other = sf.make_programme(track="city")
    with pytest.raises(ValidationError):
        services.score_save(
            assignment=assignment, criterion=other.criteria.first(), score=3, by=reviewer
        )


# --- ranking -------------------------------------------------------------------------------------


def _score(application, reviewer, scores, staff):
    assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
    for criterion, value in zip(_criteria(application.programme), scores, strict=True):
        services.score_save(assignment=assignment, criterion=criterion, score=value, by=reviewer)


def _scored_programme(programme, organization, member, staff, count):
    reviewers = [factories.make_user() for _ in range(2)]
    for n in range(count):
        application = sf.make_application(
            programme=programme,
            organization=organization,
            applicant=member,
            status=S.UNDER_REVIEW,
            attachments=False,
            budget=False,
        )
        application = Application.objects.select_related("programme").get(pk=application.pk)
        for reviewer in reviewers:
            _score(application, reviewer, [1 + n % 5, 5 - n % 5], staff)


def test_ranking_weights_averages_and_reviewer_counts(programme, organization, member, staff):
    first, second = _criteria(programme)
    a = sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.UNDER_REVIEW
    )
    b = sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.UNDER_REVIEW
    )
    unscored = sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.UNDER_REVIEW
    )
    sf.make_application(programme=programme, organization=organization, applicant=member)
    r1, r2, r3 = (factories.make_user() for _ in range(3))
    a = Application.objects.select_related("programme").get(pk=a.pk)
    b = Application.objects.select_related("programme").get(pk=b.pk)
    # a: r1 (5, 1) → 11, r2 (4, 2) → 10: per reviewer 10.5
    _score(a, r1, [5, 1], staff)
    _score(a, r2, [4, 2], staff)
    # b: r1 (3, 5) → 11, r2 (3, 5) → 11, r3 (4, 4) → 12: per reviewer 34/3
    _score(b, r1, [3, 5], staff)
    _score(b, r2, [3, 5], staff)
    _score(b, r3, [4, 4], staff)

    criteria, rows = ranking(programme)
    assert [c.name for c in criteria] == ["公益性", "実現性"]
    assert [row.application.pk for row in rows] == [b.pk, a.pk, unscored.pk]  # no draft
    top, second_row, last = rows
    assert (top.reviewers, top.weighted_sum, top.weighted_total) == (3, 34, Fraction(34, 3))
    assert top.averages == {first.pk: pytest.approx(10 / 3), second.pk: pytest.approx(14 / 3)}
    assert (second_row.reviewers, second_row.weighted_total) == (2, Fraction(21, 2))
    assert second_row.averages == {first.pk: 4.5, second.pk: 1.5}
    assert (last.reviewers, last.weighted_total, last.averages) == (0, 0, {})


@pytest.mark.parametrize("count", [1, 12])
def test_ranking_runs_a_fixed_number_of_queries(programme, organization, member, staff, count):
    _scored_programme(programme, organization, member, staff, count)
    with CaptureQueriesContext(connection) as queries:
        criteria, rows = ranking(programme)
        for row in rows:
            str(row.application.organization), str(row.application.category)
    assert len(rows) == count
    assert len(queries) == 3
