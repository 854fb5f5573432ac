"""マイページ's 次にすること, the partner programme's part (partners.sections.mypage_tasks): a
registration returned for changes, a まち「ピカ」 activity report due, the next confirmed shift,
equipment to bring back. Each with its link; nothing of another partner's; gone once done."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from muroran_kyodo.lib.extension import Urgency
from partners import sections
from partners import services as ps
from partners.models import ActivityReport, Equipment, EquipmentLoan, Signup
from tests import factories
from tests.partners.test_opportunities import make_opportunity
from tests.subsidies.factories import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def tasks_of(rf, user):
    request = rf.get("/mypage/")
    request.user = user
    return sections.mypage_tasks(request)


def today():
    return timezone.localdate()


def pika(user, *, days_ago=0, status="registered"):
    registration = factories.make_registration(user=user, status=status)
    if status == "registered":
        registration.registered_on = today() - dt.timedelta(days=days_ago)
        registration.save(update_fields=["registered_on"])
    return registration


def report(registration, *, on):
    return ps.report_create(
        report=ActivityReport(registration=registration, activity_date=on, participants=2),
        by=registration.user,
    )


# --- a registration returned for changes -------------------------------------------------------


def test_a_returned_registration_asks_for_changes_with_the_citys_reason(rf, resident, staff):
    registration = factories.make_registration(user=resident)
    ps.registration_return(registration=registration, by=staff, reason="活動場所を具体的に")

    [task] = tasks_of(rf, resident)

    assert registration.number in task.title and "まち「ピカ」" in task.title
    assert task.detail == "活動場所を具体的に"
    assert task.url == reverse("partners:registration_edit", args=[registration.pk])
    assert task.urgency == Urgency.ACTION and task.due is None

    ps.registration_resubmit(registration=registration, by=resident)
    assert tasks_of(rf, resident) == []  # 申請中 again: the city's turn


# --- まち「ピカ」 activity reports ------------------------------------------------------------------


def test_a_report_is_due_30_days_after_the_registration_and_shown_a_week_before(rf, resident):
    registration = pika(resident, days_ago=22)  # due in 8 days: not yet reminded
    assert tasks_of(rf, resident) == []

    registration.registered_on = today() - dt.timedelta(days=25)
    registration.save(update_fields=["registered_on"])
    [task] = tasks_of(rf, resident)

    assert task.due == today() + dt.timedelta(days=5)
    assert task.url == reverse("partners:report_create", args=[registration.pk])
    assert registration.number in task.title
    assert Urgency.of(task, today()) == Urgency.SOON


def test_the_next_report_counts_from_the_last_activity_reported_and_disappears_once_filed(
    rf, resident
):
    registration = pika(resident, days_ago=90)
    report(registration, on=today() - dt.timedelta(days=40))

    [task] = tasks_of(rf, resident)
    assert task.due == today() - dt.timedelta(days=10)
    assert Urgency.of(task, today()) == Urgency.OVERDUE
    assert (today() - dt.timedelta(days=40)).strftime("%Y-%m-%d") in task.detail

    report(registration, on=today())
    assert tasks_of(rf, resident) == []


def test_no_report_is_asked_of_other_programmes_or_of_a_suspended_partner(rf, resident, member):
    factories.make_registration(user=resident, programme="magokoro", status="registered")
    pika(member, days_ago=60, status="suspended")
    assert tasks_of(rf, resident) == []
    assert tasks_of(rf, member) == []


# --- the next shift ------------------------------------------------------------------------------


def test_the_next_confirmed_shift_with_its_date_time_and_place(rf, resident):
    registration = factories.make_registration(
        user=resident, programme="magokoro", status="registered"
    )
    later = make_opportunity(
        title="港まつり 会場案内", starts=timezone.now() + dt.timedelta(days=9)
    )
    sooner = make_opportunity(title="白鳥大橋 清掃", starts=timezone.now() + dt.timedelta(days=3))
    waiting = make_opportunity(title="満員の回", starts=timezone.now() + dt.timedelta(days=1))
    for opportunity in (later, sooner):
        ps.signup_create(shift=opportunity.shifts.get(), registration=registration, by=resident)
    Signup.objects.create(
        shift=waiting.shifts.get(), registration=registration, status=Signup.Status.WAITING
    )

    [task] = tasks_of(rf, resident)

    shift = sooner.shifts.get()
    assert "白鳥大橋 清掃" in task.title
    assert task.due == timezone.localtime(shift.starts_at).date()
    assert timezone.localtime(shift.starts_at).strftime("%H:%M") in task.detail
    assert "室蘭港 中央ふ頭" in task.detail
    assert task.url == reverse("partners:opportunity_detail", args=[sooner.pk])


def test_a_cancelled_or_past_shift_is_no_task(rf, resident, frozen):
    registration = factories.make_registration(
        user=resident, programme="magokoro", status="registered"
    )
    opportunity = make_opportunity(starts=timezone.now() + dt.timedelta(days=2), shifts=2)
    first, second = opportunity.shifts.order_by("starts_at")
    signup = ps.signup_create(shift=first, registration=registration, by=resident)
    ps.signup_create(shift=second, registration=registration, by=resident)
    ps.signup_cancel(signup=signup, by=resident)
    [task] = tasks_of(rf, resident)
    assert task.due == timezone.localtime(second.starts_at).date()

    frozen.move_to(second.ends_at + dt.timedelta(minutes=1))
    assert tasks_of(rf, resident) == []


# --- equipment to bring back -------------------------------------------------------------------


def _lent(registration, staff, *, days=3):
    loan = ps.request_create(
        request=EquipmentLoan(
            registration=registration,
            equipment=Equipment.objects.get(identifier="KUSA-001"),
            lend_on=today() + dt.timedelta(days=1),
            return_by=today() + dt.timedelta(days=1 + days),
        ),
        by=registration.user,
    )
    return ps.request_mark_lent(request=loan, by=staff)


def test_equipment_lent_out_is_to_bring_back_by_its_date_then_overdue_then_gone(
    rf, resident, staff, frozen
):
    registration = pika(resident)
    loan = EquipmentLoan.objects.get(pk=_lent(registration, staff).pk)

    [task] = [t for t in tasks_of(rf, resident) if "草刈" in t.title or "KUSA-001" in t.title]
    assert task.due == loan.return_by
    assert task.url == reverse("partners:request_list", args=[registration.pk])
    assert registration.number in task.detail

    frozen.move_to(NOW + dt.timedelta(days=6))
    [task] = [t for t in tasks_of(rf, resident) if t.due == loan.return_by]
    assert Urgency.of(task, timezone.localdate()) == Urgency.OVERDUE

    ps.request_mark_done(request=loan, by=staff)
    assert [t for t in tasks_of(rf, resident) if t.due == loan.return_by] == []


def test_a_loan_only_asked_for_is_no_task_yet(rf, resident):
    registration = pika(resident)
    ps.request_create(
        request=EquipmentLoan(
            registration=registration,
            equipment=Equipment.objects.get(identifier="KUSA-001"),
            lend_on=today() + dt.timedelta(days=1),
            return_by=today() + dt.timedelta(days=3),
        ),
        by=resident,
    )
    assert tasks_of(rf, resident) == []


# --- nothing of anyone else ----------------------------------------------------------------------


def test_another_partners_tasks_never_show(rf, resident, member, staff):
    theirs = pika(member, days_ago=60)
    _lent(theirs, staff)
    returned = factories.make_registration(user=member, programme="makasete")
    ps.registration_return(registration=returned, by=staff, reason="理由")

    assert len(tasks_of(rf, member)) == 3
    assert tasks_of(rf, resident) == []


def test_an_organisations_tasks_show_to_its_managers_only(rf, representative, member, staff):
    organization = factories.make_organization(representative=representative)
    factories.add_member(organization, member)  # a plain member does not manage it
    registration = factories.make_registration(
        user=representative, organization=organization, status="registered"
    )
    _lent(registration, staff)

    assert len(tasks_of(rf, representative)) == 1
    assert tasks_of(rf, member) == []
