"""Models: the database constraints that keep the money and the scores right, intake windows
as time, the reference data and the staff group's permissions."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from muroran_kyodo.lib.jp import end_of_day
from subsidies.models import (
    Application,
    AttachmentType,
    Category,
    IntakeWindow,
    Programme,
    ReviewAssignment,
    Score,
)
from tests import factories
from tests.subsidies import factories as sf
from tests.subsidies.factories import JST

pytestmark = pytest.mark.django_db


def test_reference_attachment_types_are_loaded():
    names = set(AttachmentType.objects.values_list("name", flat=True))
    assert {"企画書", "団体概要書", "予算書", "会則", "名簿", "見積書"} <= names
    assert AttachmentType.objects.get(code="photos").stage == AttachmentType.Stage.REPORT


def test_staff_group_may_run_the_subsidy_in_the_admin():
    codenames = set(
        Group.objects.get(name="地域生活課")
        .permissions.filter(content_type__app_label="subsidies")
        .values_list("codename", flat=True)
    )
    assert {"change_application", "view_score", "add_reviewassignment", "add_payment"} <= codenames
    # History and scores are read-only for staff.
    assert "change_applicationstatuschange" not in codenames
    assert "change_score" not in codenames


def test_window_is_open_inclusive_of_the_closing_day(programme):
    window = programme.windows.get(label="第1期")
    assert window.closes_at == end_of_day(dt.date(2026, 5, 31))
    assert window.is_open(dt.datetime(2026, 5, 31, 23, 59, 59, tzinfo=JST))
    assert not window.is_open(dt.datetime(2026, 6, 1, 0, 0, 0, tzinfo=JST))
    assert window.is_open(dt.datetime(2026, 4, 1, 0, 0, 0, tzinfo=JST))
    assert not window.is_open(dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=JST))


def test_open_windows_queryset(programme):
    now = dt.datetime(2026, 8, 10, 12, 0, tzinfo=JST)
    assert list(IntakeWindow.objects.open(now).values_list("label", flat=True)) == ["第2期"]
    assert not IntakeWindow.objects.open(dt.datetime(2026, 7, 1, tzinfo=JST)).exists()


def test_a_window_must_close_after_it_opens(programme):
    with pytest.raises(IntegrityError):
        IntakeWindow.objects.create(
            programme=programme,
            label="x",
            opens_at=dt.datetime(2026, 5, 1, tzinfo=JST),
            closes_at=dt.datetime(2026, 4, 1, tzinfo=JST),
        )


def test_one_programme_per_year_and_track(programme):
    with pytest.raises(IntegrityError):
        sf.make_programme(track=programme.track)


@pytest.mark.parametrize(("numerator", "denominator"), [(3, 2), (0, 2), (1, 0)])
def test_a_rate_outside_0_to_1_is_refused_by_the_database(programme, numerator, denominator):
    with pytest.raises(IntegrityError):
        Category.objects.create(
            programme=programme,
            name="x",
            cap=1,
            rate_numerator=numerator,
            rate_denominator=denominator,
        )


def test_category_rate_is_a_fraction(programme):
    category = programme.categories.get()
    assert str(category.rate) == "1/2"
    assert category.rate_label == "1/2"
    assert "上限300,000円" in str(category)


def test_decided_amount_cannot_exceed_the_request(application):
    with pytest.raises(IntegrityError):
        Application.objects.filter(pk=application.pk).update(decided_amount=100_001)


def test_confirmed_amount_cannot_exceed_the_decided_amount(application):
    Application.objects.filter(pk=application.pk).update(decided_amount=80_000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(confirmed_amount=80_001)
    Application.objects.filter(pk=application.pk).update(confirmed_amount=80_000)


def test_receipt_numbers_are_unique_but_drafts_have_none(programme, organization, member):
    first = sf.make_application(programme=programme, organization=organization, applicant=member)
    second = sf.make_application(programme=programme, organization=organization, applicant=member)
    assert first.number == second.number == ""
    Application.objects.filter(pk=first.pk).update(number="HS-2026-00001")
    with pytest.raises(IntegrityError):
        Application.objects.filter(pk=second.pk).update(number="HS-2026-00001")


def test_schedule_must_be_ordered(application):
    with pytest.raises(IntegrityError):
        Application.objects.filter(pk=application.pk).update(
            starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 6, 30)
        )


@pytest.mark.parametrize("value", [0, 6])
def test_scores_outside_1_to_5_are_refused_by_the_database(application, value):
    reviewer = factories.make_user()
    assignment = ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    with pytest.raises(IntegrityError):
        Score.objects.create(
            assignment=assignment,
            criterion=application.programme.criteria.first(),
            score=value,
        )


def test_a_reviewer_is_assigned_once(application):
    reviewer = factories.make_user()
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    with pytest.raises(IntegrityError):
        ReviewAssignment.objects.create(application=application, reviewer=reviewer)


def test_visible_to(application, member, other_member, staff, resident):
    reviewer = factories.make_user()
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    assert list(Application.objects.visible_to(member)) == [application]
    assert list(Application.objects.visible_to(staff)) == [application]
    assert list(Application.objects.visible_to(reviewer)) == [application]
    assert not Application.objects.visible_to(other_member).exists()
    assert not Application.objects.visible_to(resident).exists()


def test_programme_fiscal_year_label(programme):
    assert programme.fiscal_year_label == "2026年度（令和8年度）"
    assert programme.fiscal_year_dates == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert Programme.objects.for_fiscal_year(2026).get() == programme


def test_days_left_counts_to_the_closing_day(programme):
    window = programme.windows.get(label="第1期")
    assert window.days_left(dt.datetime(2026, 5, 15, 10, 0, tzinfo=JST)) == 16
    assert window.days_left(dt.datetime(2026, 5, 31, 23, 0, tzinfo=JST)) == 0
    assert window.days_left(dt.datetime(2026, 6, 1, 0, 0, tzinfo=JST)) is None


def test_adopted_lists_every_stage_after_adoption(programme, organization, member):
    statuses = list(Application.Status)
    for status in statuses:
        sf.make_application(
            programme=programme,
            organization=organization,
            applicant=member,
            status=status,
            budget=False,
            attachments=False,
        )
    adopted = set(
        Application.objects.adopted().for_fiscal_year(2026).values_list("status", flat=True)
    )
    assert adopted == {
        "adopted",
        "granted",
        "stop_asked",
        "reported",
        "confirmed",
        "paid",
        "repaid",
        "closed",
    }
    assert not Application.objects.adopted().for_fiscal_year(2025).exists()


def test_visible_to_lists_each_application_once_whichever_ways_in(
    programme, application, organization, member, other_organization, other_member
):
    """A member of two groups who also reviews one of their applications, and another group's:
    each application once, and none of a group they neither belong to nor review."""
    second_group = factories.make_organization()
    factories.add_member(second_group, member)
    of_second_group = sf.make_application(
        programme=programme, organization=second_group, applicant=member
    )
    reviewed = sf.make_application(
        programme=programme, organization=other_organization, applicant=other_member
    )
    sf.make_application(  # neither their group's nor assigned to them
        programme=programme, organization=other_organization, applicant=other_member
    )
    ReviewAssignment.objects.create(application=application, reviewer=member)
    ReviewAssignment.objects.create(application=reviewed, reviewer=member)

    visible = list(Application.objects.visible_to(member).order_by("pk"))

    assert visible == sorted([application, of_second_group, reviewed], key=lambda a: a.pk)
    assert Application.objects.visible_to(member).count() == 3
