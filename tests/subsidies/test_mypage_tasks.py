"""マイページ's 次にすること, the subsidy's part (subsidies.sections.mypage_tasks): a draft to
submit before its window closes, an application or a completion report returned for changes,
the completion report due, a change request waiting for the city, a repayment. Each with its
link; nothing of another group's; gone once done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from muroran_kyodo.lib.extension import Urgency
from subsidies import sections
from subsidies import services as ss
from subsidies.models import Application, ChangeRequest, Payment, Repayment
from tests.subsidies import factories as sf
from tests.subsidies.factories import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status


def tasks_of(rf, user):
    request = rf.get("/mypage/")
    request.user = user
    return sections.mypage_tasks(request)


def test_a_draft_is_due_when_its_window_closes(rf, application, member, representative, frozen):
    [task] = tasks_of(rf, member)
    assert application.title in task.title
    assert task.due == dt.date(2026, 5, 31)  # 第1期 closes on 31 May
    assert task.url == reverse("subsidies:application_edit", args=[application.pk])
    assert tasks_of(rf, representative) == [task]  # any member of the group

    frozen.move_to(NOW + dt.timedelta(days=30))  # between the windows: 第2期 next
    [task] = tasks_of(rf, member)
    assert task.due == dt.date(2026, 8, 31)
    assert "2026-08-01" in task.detail

    frozen.move_to(dt.datetime(2026, 9, 1, 9, 0, tzinfo=NOW.tzinfo))  # no window left
    assert tasks_of(rf, member) == []


def test_a_submitted_application_asks_nothing_until_it_is_returned(rf, application, member, staff):
    ss.application_submit(application=application, by=member)
    assert tasks_of(rf, member) == []

    ss.application_return(application=application, by=staff, reason="予算書の合計が違います")
    [task] = tasks_of(rf, member)

    assert application.title in task.title
    assert task.detail == "予算書の合計が違います"
    assert task.urgency == Urgency.ACTION and task.due is None
    assert task.url == reverse("subsidies:application_edit", args=[application.pk])

    ss.application_submit(application=application, by=member)
    assert tasks_of(rf, member) == []


def test_a_granted_project_has_its_completion_report_due_30_days_after_it_ends(
    rf, programme, organization, member, staff
):
    granted = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.GRANTED,
        ends_on=dt.date(2027, 2, 28),
    )
    [task] = tasks_of(rf, member)
    assert task.due == dt.date(2027, 3, 30)
    assert task.url == reverse("subsidies:report", args=[granted.pk])
    assert task.urgency == Urgency.DATED

    Application.objects.filter(pk=granted.pk).update(status=S.REPORTED)
    assert tasks_of(rf, member) == []  # filed: the city's turn

    granted.status = S.REPORTED
    ss.application_return_report(application=granted, by=staff, reason="領収書の写しがありません")
    [task] = tasks_of(rf, member)
    assert task.detail == "領収書の写しがありません"
    assert task.urgency == Urgency.ACTION
    assert task.url == reverse("subsidies:report", args=[granted.pk])


def test_a_change_request_waits_for_the_citys_answer_then_goes(
    rf, programme, organization, member, staff
):
    granted = sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.GRANTED
    )
    change = ss.change_request_create(application=granted, by=member, description="会場の変更")

    waiting = [t for t in tasks_of(rf, member) if t.urgency == Urgency.WAITING]
    assert [t.url for t in waiting] == [reverse("subsidies:change_request", args=[granted.pk])]

    ss.change_request_approve(change_request=ChangeRequest.objects.get(pk=change.pk), by=staff)
    assert [t for t in tasks_of(rf, member) if t.urgency == Urgency.WAITING] == []


def test_a_repayment_due_is_a_task_until_received(rf, programme, organization, member, staff):
    confirmed = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.CONFIRMED,
        decided_amount=100_000,
        confirmed_amount=80_000,
    )
    assert tasks_of(rf, member) == []  # nothing to repay
    repayment = Repayment.objects.create(
        application=confirmed, amount=20_000, requested_on=dt.date(2026, 5, 1)
    )
    [task] = tasks_of(rf, member)
    assert "20,000" in task.detail
    assert task.url == reverse("subsidies:notice_confirmation", args=[confirmed.pk])

    ss.repayment_received(repayment=repayment, by=staff, repaid_on=dt.date(2026, 5, 10))
    assert tasks_of(rf, member) == []


def test_an_application_with_two_repayments_due_is_one_task(
    rf, programme, organization, member, other_organization, other_member
):
    """Both kinds unpaid (the city's data allows it): the application is read once, and its
    task shows the first repayment asked for."""
    confirmed = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.CONFIRMED,
        decided_amount=100_000,
        confirmed_amount=80_000,
    )
    Repayment.objects.create(application=confirmed, amount=20_000, requested_on=dt.date(2026, 5, 1))
    Repayment.objects.create(
        application=confirmed,
        kind=Repayment.Kind.CANCELLED,
        amount=30_000,
        requested_on=dt.date(2026, 5, 2),
    )
    Repayment.objects.create(  # another group's: not theirs to pay
        application=sf.make_application(
            programme=programme,
            organization=other_organization,
            applicant=other_member,
            status=S.CONFIRMED,
        ),
        amount=5_000,
        requested_on=dt.date(2026, 5, 1),
    )

    [task] = tasks_of(rf, member)
    assert "20,000" in task.detail
    assert task.url == reverse("subsidies:notice_confirmation", args=[confirmed.pk])


def test_a_repayment_after_a_cancelled_grant_is_a_task_with_its_due_date(
    rf, programme, organization, member, staff
):
    granted = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.GRANTED,
        decided_amount=100_000,
    )
    Payment.objects.create(
        application=granted, kind=Payment.Kind.ADVANCE, amount=60_000, paid_on=dt.date(2026, 5, 1)
    )
    ss.application_cancel_grant(
        application=granted,
        by=staff,
        reason="目的外使用",
        repayment_amount=60_000,
        repayment_due_on=dt.date(2026, 6, 30),
        today=dt.date(2026, 6, 1),
    )

    [task] = tasks_of(rf, member)
    assert "60,000" in task.detail
    assert task.due == dt.date(2026, 6, 30)
    assert task.url == granted.get_absolute_url()

    ss.repayment_received(
        repayment=granted.repayments.get(), by=staff, repaid_on=dt.date(2026, 6, 20)
    )
    assert tasks_of(rf, member) == []


def test_another_groups_applications_never_show(
    rf, programme, member, other_organization, other_member, staff
):
    for status in (S.DRAFT, S.RETURNED, S.GRANTED):
        sf.make_application(
            programme=programme,
            organization=other_organization,
            applicant=other_member,
            status=status,
        )
    assert len(tasks_of(rf, other_member)) == 3
    assert tasks_of(rf, member) == []
