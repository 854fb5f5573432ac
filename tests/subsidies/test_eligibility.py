"""Who and what may be submitted: every rule of the programme, one broken at a time, each with a
message under its field, all reported at once."""

import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import override

from subsidies.eligibility import submission_errors
from subsidies.models import Application, Attachment, Consultation, ExpenseLine, IncomeLine
from tests import factories
from tests.subsidies import factories as sf
from tests.subsidies.factories import JST, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _errors(application, by, now=None):
    """The messages in English, so the tests read the rule, not the translation."""
    with override("en"):
        return submission_errors(Application.objects.get(pk=application.pk), by=by, now=now or NOW)


def test_a_complete_application_has_no_errors(application, member):
    assert _errors(application, member) == {}


def test_any_member_may_apply_for_the_organisation(application, representative):
    assert _errors(application, representative) == {}


def test_a_non_member_cannot_apply(application, other_member, resident):
    for user in (other_member, resident):
        errors = _errors(application, user)
        assert list(errors) == [NON_FIELD_ERRORS]
        assert "member" in errors[NON_FIELD_ERRORS][0]


def test_an_unverified_organisation_cannot_apply(programme, other_organization, other_member):
    application = sf.make_application(
        programme=programme, organization=other_organization, applicant=other_member
    )
    errors = _errors(application, other_member)
    assert list(errors) == ["organization"]
    assert "verified" in errors["organization"][0]


def test_an_actor_type_not_eligible_is_refused(programme, application, member):
    programme.eligible_actor_types.set([factories.actor_type("neighbourhood")])
    errors = _errors(application, member)
    assert list(errors) == ["organization"]
    programme.eligible_actor_types.add(factories.actor_type("npo"))
    assert _errors(application, member) == {}


def test_the_window_closes_at_the_end_of_its_last_day(application, member):
    last_second = dt.datetime(2026, 5, 31, 23, 59, 59, tzinfo=JST)
    assert _errors(application, member, now=last_second) == {}
    errors = _errors(application, member, now=dt.datetime(2026, 6, 1, 0, 0, 0, tzinfo=JST))
    assert list(errors) == ["window"]
    assert "closed" in errors["window"][0]


def test_an_application_returned_for_changes_may_be_resubmitted_after_the_window(
    application, member
):
    """It was submitted in time; the city asked for changes after the window closed."""
    after = dt.datetime(2026, 6, 10, 9, 0, tzinfo=JST)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.RETURNED)
    assert _errors(application, member, now=after) == {}
    Application.objects.filter(pk=application.pk).update(status=Application.Status.DRAFT)
    assert list(_errors(application, member, now=after)) == ["window"]


def test_a_window_not_yet_open_is_refused(programme, application, member):
    Application.objects.filter(pk=application.pk).update(
        window=programme.windows.get(label="第2期")
    )
    errors = _errors(application, member)
    assert "open on 2026-08-01" in errors["window"][0]


def test_staff_may_key_in_a_paper_application_after_the_window(application, staff):
    after = dt.datetime(2026, 6, 3, 9, 0, tzinfo=JST)
    assert _errors(application, staff, now=after) == {}


def test_a_window_and_category_of_another_programme_are_refused(application, member):
    other = sf.make_programme(track="city")
    Application.objects.filter(pk=application.pk).update(
        window=other.windows.first(), category=other.categories.first()
    )
    assert set(_errors(application, member)) == {"window", "category"}


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (dt.date(2026, 3, 31), dt.date(2026, 6, 1), "starts_on"),
        (dt.date(2026, 6, 1), dt.date(2027, 4, 1), "ends_on"),
        (None, None, "starts_on"),
    ],
)
def test_the_schedule_must_be_inside_the_fiscal_year(
    application, member, starts_on, ends_on, field
):
    Application.objects.filter(pk=application.pk).update(starts_on=starts_on, ends_on=ends_on)
    errors = _errors(application, member)
    assert list(errors) == [field]


def test_a_schedule_over_the_year_end_is_allowed_where_the_programme_allows_it(
    programme, application, member
):
    programme.within_fiscal_year = False
    programme.save()
    Application.objects.filter(pk=application.pk).update(ends_on=dt.date(2027, 6, 30))
    assert _errors(application, member) == {}


def test_missing_required_attachments_are_named(application, member):
    Attachment.objects.filter(application=application, type__code="budget").delete()
    errors = _errors(application, member)
    assert list(errors) == ["attachments"]
    assert "Budget" in errors["attachments"][0]
    assert "Plan" not in errors["attachments"][0]


def test_an_unbalanced_budget_is_refused(application, member):
    IncomeLine.objects.filter(application=application, kind="own_funds").update(amount=1)
    assert list(_errors(application, member)) == ["income_lines"]


def test_a_request_over_the_rate_is_refused(application, member):
    # ¥200,000 eligible at 1/2 allows ¥100,000; part of it made not eligible: ¥50,000 only.
    ExpenseLine.objects.filter(application=application).update(eligible=False)
    ExpenseLine.objects.create(
        application=application, stage="plan", item="printing", amount=100_000, eligible=True
    )
    IncomeLine.objects.filter(application=application, kind="own_funds").update(amount=200_000)
    errors = _errors(application, member)
    assert list(errors) == ["requested_amount"]
    assert "50,000" in errors["requested_amount"][0]


def test_consultation_is_required_where_the_programme_says(programme, application, member):
    programme.consultation_required = True
    programme.save()
    assert "consult" in _errors(application, member)["consultation"][0]
    # A consultation with another programme, or booked for a later day, does not count.
    sf.consult(application.organization, sf.make_programme(track="city"))
    sf.consult(application.organization, programme, held_on=dt.date(2026, 5, 20))
    assert "consultation" in _errors(application, member)
    sf.consult(application.organization, programme)
    assert _errors(application, member) == {}


def test_everything_wrong_is_reported_at_once(programme, other_organization, other_member):
    application = sf.make_application(
        programme=programme,
        organization=other_organization,
        applicant=other_member,
        budget=False,
        attachments=False,
        purpose="",
    )
    errors = _errors(application, other_member)
    assert {"organization", "purpose", "attachments", "expense_lines"} <= set(errors)


# --- the youth track ---------------------------------------------------------------------------


@pytest.fixture
def youth():
    return sf.make_youth_programme()


def _youth_application(youth, organization, member, **extra):
    application = sf.make_application(
        programme=youth,
        organization=organization,
        applicant=member,
        budget=False,
        requested_amount=extra.pop("requested_amount", 80_000),
        **extra,
    )
    expenses = max(80_000, application.requested_amount)
    sf.add_budget(application, expenses=((ExpenseLine.Item.CONSUMABLES, expenses, True),))
    return application


def test_a_youth_group_of_three_with_two_young_members_may_apply(youth, organization, member):
    application = _youth_application(youth, organization, member, member_count=3, youth_count=2)
    assert _errors(application, member) == {}


def test_exactly_half_in_the_age_band_is_enough(youth, organization, member):
    application = _youth_application(youth, organization, member, member_count=4, youth_count=2)
    assert _errors(application, member) == {}


def test_less_than_half_in_the_age_band_is_refused(youth, organization, member):
    application = _youth_application(youth, organization, member, member_count=5, youth_count=2)
    errors = _errors(application, member)
    assert list(errors) == ["youth_count"]
    assert "50%" in errors["youth_count"][0]


def test_fewer_than_three_members_is_refused(youth, organization, member):
    application = _youth_application(youth, organization, member, member_count=2, youth_count=2)
    assert list(_errors(application, member)) == ["member_count"]


def test_the_youth_track_needs_the_member_counts(youth, organization, member):
    application = _youth_application(youth, organization, member)
    assert list(_errors(application, member)) == ["member_count"]
    Application.objects.filter(pk=application.pk).update(member_count=4)
    assert list(_errors(application, member)) == ["youth_count"]


def test_youth_track_is_ten_tenths_up_to_100000(youth, organization, member):
    application = _youth_application(
        youth,
        organization,
        member,
        member_count=3,
        youth_count=3,
        requested_amount=100_001,
    )
    errors = _errors(application, member)
    assert list(errors) == ["requested_amount"]
    assert "100,000" in errors["requested_amount"][0]


@pytest.mark.parametrize(
    ("earlier_status", "refused"),
    [
        (Application.Status.SUBMITTED, True),
        (Application.Status.CLOSED, True),
        (Application.Status.REJECTED, True),
        (Application.Status.WITHDRAWN, False),
        (Application.Status.DRAFT, False),
    ],
)
def test_once_per_group_counts_every_earlier_application_but_withdrawn_and_drafts(
    youth, organization, member, earlier_status, refused
):
    earlier_programme = sf.make_youth_programme(fiscal_year=2025)
    sf.make_application(
        programme=earlier_programme,
        organization=organization,
        applicant=member,
        status=earlier_status,
    )
    application = _youth_application(youth, organization, member, member_count=3, youth_count=2)
    assert ("organization" in _errors(application, member)) is refused


def test_once_per_group_does_not_count_other_tracks(youth, programme, organization, member):
    sf.make_application(
        programme=programme, organization=organization, applicant=member, status="closed"
    )
    application = _youth_application(youth, organization, member, member_count=3, youth_count=2)
    assert _errors(application, member) == {}


def test_a_booked_consultation_counts_only_once_staff_record_it_held(
    programme, application, organization, member, staff
):
    from subsidies import services

    programme.consultation_required = True
    programme.save()
    Consultation.objects.filter(organization=organization).delete()
    booked = services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=dt.date(2026, 4, 20),
        topic="予算の相談",
        by=member,
    )
    assert not booked.held
    assert "consult" in _errors(application, member)["consultation"][0]

    services.consultation_mark_held(consultation=booked, by=staff)

    assert _errors(application, member) == {}


def test_only_staff_record_a_consultation_as_held(programme, organization, member):
    from django.core.exceptions import PermissionDenied

    from subsidies import services

    with pytest.raises(PermissionDenied):
        services.consultation_book(
            organization=organization,
            programme=programme,
            held_on=dt.date(2026, 4, 20),
            topic="予算の相談",
            by=member,
            held=True,
        )
    booked = services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=dt.date(2026, 4, 20),
        topic="予算の相談",
        by=member,
    )
    with pytest.raises(PermissionDenied):
        services.consultation_mark_held(consultation=booked, by=member)
    assert not Consultation.objects.get(pk=booked.pk).held
