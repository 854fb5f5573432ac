"""The subsidy's new e-mails: a reviewer told of an assignment; a 事前相談 booked (the group
and 地域生活課), recorded by staff (the group's 代表者), marked held (the group, once); the
reminder before the completion report (実績報告) is due — once, in its window of days, never
for an application whose report is filed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from subsidies import services
from subsidies.models import Application
from subsidies.reminders import report_due_on
from tests import factories
from tests.subsidies import factories as sf

pytestmark = pytest.mark.django_db

S = Application.Status


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://kyodo.example.jp"


@pytest.fixture
def programme():
    return sf.make_programme()


@pytest.fixture
def reviewer(db):
    return factories.make_user("reviewer@example.jp")


@pytest.fixture
def under_review(programme, organization, member):
    return sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.UNDER_REVIEW
    )


# --- the committee -------------------------------------------------------------------------


def test_a_reviewer_is_told_of_an_assignment(
    under_review, reviewer, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assign_reviewer(application=under_review, reviewer=reviewer, by=staff)

    (message,) = mail.outbox
    assert message.to == ["reviewer@example.jp"]
    assert message.subject.endswith(f"審査のお願い：{under_review.number} {under_review.title}")
    assert "申請団体： 輪西まちづくりの会" in message.body
    review_url = reverse("subsidies:review_detail", args=[assignment.pk])
    assert f"https://kyodo.example.jp{review_url}" in message.body


def test_a_refused_assignment_mails_nobody(
    under_review, member, staff, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):  # a member of the applicant organisation
            services.assign_reviewer(application=under_review, reviewer=member, by=staff)
        with pytest.raises(PermissionDenied):
            services.assign_reviewer(application=under_review, reviewer=reviewer, by=member)
    assert mail.outbox == []


def test_a_reviewer_assigned_in_the_admin_is_told(
    staff_client, under_review, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:subsidies_reviewassignment_add"),
            {"application": under_review.pk, "reviewer": reviewer.pk},
        )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["reviewer@example.jp"]]


# --- 事前相談 --------------------------------------------------------------------------------


@pytest.fixture
def clerks(staff):
    """地域生活課: the staff fixture and a second clerk; a 土木課 clerk who is not told."""
    second = factories.make_user("clerk2@city.muroran.example.jp", staff=True)
    second.groups.add(Group.objects.get(name="地域生活課"))
    civil = factories.make_user("doboku@city.muroran.example.jp", staff=True)
    civil.groups.add(Group.objects.get(name="土木課"))
    return [staff, second]


def _book(organization, programme, by, **extra):
    return services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=dt.date(2026, 5, 20),
        topic="計画の相談",
        by=by,
        **extra,
    )


def test_a_member_booking_is_confirmed_and_the_division_told(
    organization, programme, member, clerks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        consultation = _book(organization, programme, member)

    to_group, to_staff = mail.outbox
    assert to_group.to == [member.email]
    assert to_group.subject.endswith("事前相談の予約を受け付けました")
    assert "輪西まちづくりの会の事前相談の予約を受け付けました" in to_group.body
    assert "日付： 2026-05-20" in to_group.body and "相談内容： 計画の相談" in to_group.body
    assert "https://kyodo.example.jp" + reverse("subsidies:application_list") in to_group.body

    assert sorted(to_staff.to) == sorted(clerk.email for clerk in clerks)
    assert to_staff.subject.endswith("事前相談の予約：輪西まちづくりの会")
    admin_url = reverse("admin:subsidies_consultation_change", args=[consultation.pk])
    assert f"https://kyodo.example.jp{admin_url}" in to_staff.body


def test_a_refused_booking_mails_nobody(
    organization, programme, other_member, member, clerks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(PermissionDenied):  # not a member of the group
            _book(organization, programme, other_member)
        with pytest.raises(ValidationError):
            services.consultation_book(
                organization=organization,
                programme=programme,
                held_on=dt.date(2026, 5, 20),
                topic=" ",
                by=member,
            )
    assert mail.outbox == []


def test_one_staff_record_tells_the_groups_representative_not_the_division(
    organization, programme, representative, staff, clerks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _book(organization, programme, staff, held=True)

    (message,) = mail.outbox
    assert message.to == [representative.email]
    assert message.subject.endswith("事前相談を記録しました")
    assert "地域生活課が、輪西まちづくりの会との事前相談を記録しました。" in message.body
    assert "記録したときにメールでお知らせします" not in message.body  # already held


def test_marking_held_tells_the_booker_once(
    organization, programme, member, staff, django_capture_on_commit_callbacks
):
    consultation = _book(organization, programme, member)
    with time_machine.travel(dt.datetime(2026, 5, 21, 10, 0, tzinfo=sf.JST), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.consultation_mark_held(consultation=consultation, by=staff)
            services.consultation_mark_held(consultation=consultation, by=staff, note="済")

    (message,) = mail.outbox
    assert message.to == [member.email]
    assert message.subject.endswith("事前相談を実施済みとして記録しました")
    assert "この補助金に必要な事前相談として扱われます" in message.body


# --- the 実績報告 reminder ---------------------------------------------------------------------


def test_the_report_is_due_30_days_after_the_end_at_the_latest_on_10_april(programme):
    application = Application(programme=programme, ends_on=dt.date(2026, 9, 30))
    assert report_due_on(application) == dt.date(2026, 10, 30)
    application.ends_on = dt.date(2027, 3, 20)
    assert report_due_on(application) == dt.date(2027, 4, 10)
    application.ends_on = None
    assert report_due_on(application) is None


def _remind(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=open("/dev/null", "w"))


@pytest.mark.parametrize(
    "today, reminded",
    [
        (dt.date(2026, 10, 22), False),  # 8 days before
        (dt.date(2026, 10, 23), True),  # 7 days before
        (dt.date(2026, 10, 30), True),  # the day it is due
        (dt.date(2026, 10, 31), False),  # overdue: the division follows up, not the cron
    ],
)
def test_the_group_is_reminded_in_the_week_before_the_report_is_due(
    programme, organization, member, today, reminded, django_capture_on_commit_callbacks
):
    sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.GRANTED,
        ends_on=dt.date(2026, 9, 30),  # due 30 October
    )
    at = dt.datetime.combine(today, dt.time(6, 0), tzinfo=sf.JST)
    with time_machine.travel(at, tick=False):
        _remind(django_capture_on_commit_callbacks)
        _remind(django_capture_on_commit_callbacks)  # cron ran twice

    assert len(mail.outbox) == (1 if reminded else 0)
    if reminded:
        (message,) = mail.outbox
        assert message.to == [member.email]
        assert "実績報告の期限は10/30です" in message.subject
        assert "2026-10-30 (金)" in message.body


@pytest.mark.parametrize("status", [S.ADOPTED, S.REPORTED, S.CONFIRMED, S.WITHDRAWN])
def test_no_reminder_unless_the_report_is_still_to_file(
    programme, organization, member, status, django_capture_on_commit_callbacks
):
    sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=status,
        ends_on=dt.date(2026, 9, 30),
    )
    with time_machine.travel(dt.datetime(2026, 10, 29, 6, 0, tzinfo=sf.JST), tick=False):
        _remind(django_capture_on_commit_callbacks)
    assert mail.outbox == []
