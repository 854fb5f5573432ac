"""The write paths of the partner programme: every transition allowed and refused, history,
e-mail on commit, compare-and-set, registration numbers per 年度, duplicates, reports, and the
number counter under concurrency."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from muroran_kyodo.lib.models import Sequence, next_value
from partners import services
from partners.models import ActivityReport, Registration, RegistrationStatusChange
from tests import factories

pytestmark = pytest.mark.django_db

S = Registration.Status
JST = ZoneInfo("Asia/Tokyo")
ALL_STATUSES = list(S)
STAFF_ONLY = [pair for pair, who in services.ALLOWED_TRANSITIONS.items() if who == "staff"]
PARTNER_MAY = [pair for pair, who in services.ALLOWED_TRANSITIONS.items() if who == "partner"]
REFUSED = [
    (old, new)
    for old in ALL_STATUSES
    for new in ALL_STATUSES
    if (old, new) not in services.ALLOWED_TRANSITIONS
]


def _history(registration):
    return list(
        RegistrationStatusChange.objects.filter(registration=registration)
        .order_by("pk")
        .values_list("old_status", "new_status", "by", "reason")
    )


def _status(registration):
    return Registration.objects.get(pk=registration.pk).status


@pytest.fixture
def registration(resident, staff):
    return factories.make_registration(user=resident, contact_email="hanako@example.jp")


# The named transition that moves a registration to each status.
NAMED = {
    S.REGISTERED: services.registration_approve,
    S.RETURNED: services.registration_return,
    S.APPLIED: services.registration_resubmit,
    S.SUSPENDED: services.registration_suspend,
    S.WITHDRAWN: services.registration_withdraw,
}


def _transition(*, registration, new, by, reason=""):
    return NAMED[new](registration=registration, by=by, reason=reason)


def _reason(new):
    return "住所を確認してください" if new in services.REASON_REQUIRED else ""


# --- transitions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), list(services.ALLOWED_TRANSITIONS))
def test_staff_may_make_every_allowed_transition(resident, staff, old, new):
    registration = factories.make_registration(user=resident, status=old)

    _transition(registration=registration, new=new, by=staff, reason=_reason(new))

    assert _status(registration) == new
    assert _history(registration)[-1] == (old, new, staff.pk, _reason(new))


@pytest.mark.parametrize(("old", "new"), PARTNER_MAY)
def test_partner_may_make_their_own_transitions(resident, old, new):
    registration = factories.make_registration(user=resident, status=old)

    _transition(registration=registration, new=new, by=resident)

    assert _status(registration) == new
    assert _history(registration)[-1] == (old, new, resident.pk, "")


@pytest.mark.parametrize(("old", "new"), STAFF_ONLY)
def test_partner_cannot_approve_or_return_their_own_registration(resident, old, new):
    registration = factories.make_registration(user=resident, status=old)

    with pytest.raises(PermissionDenied):
        _transition(registration=registration, new=new, by=resident, reason=_reason(new))

    assert _status(registration) == old


@pytest.mark.parametrize(("old", "new"), list(services.ALLOWED_TRANSITIONS))
def test_stranger_cannot_change_someone_elses_registration(resident, other_member, old, new):
    registration = factories.make_registration(user=resident, status=old)

    with pytest.raises(PermissionDenied):
        _transition(registration=registration, new=new, by=other_member, reason=_reason(new))

    assert _status(registration) == old
    assert len(_history(registration)) == 1  # only the creation row


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_transition_outside_the_map_is_refused_even_for_staff(resident, staff, old, new):
    registration = factories.make_registration(user=resident, status=old)

    with pytest.raises(services.TransitionError):
        _transition(registration=registration, new=new, by=staff, reason="理由")

    assert _status(registration) == old
    assert len(_history(registration)) == 1


def test_return_without_a_reason_is_refused(registration, staff):
    with pytest.raises(ValidationError) as error:
        services.registration_return(registration=registration, by=staff, reason="   ")

    assert "reason" in error.value.message_dict
    assert _status(registration) == S.APPLIED
    assert len(_history(registration)) == 1


def test_approval_records_history_and_the_registration_date(registration, staff):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=JST), tick=False):
        services.registration_approve(registration=registration, by=staff)

    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.status, stored.registered_on) == (S.REGISTERED, dt.date(2026, 6, 1))
    assert registration.registered_on == dt.date(2026, 6, 1)  # the caller's instance too
    assert [row[:3] for row in _history(registration)] == [
        ("", S.APPLIED, registration.created_by_id),
        (S.APPLIED, S.REGISTERED, staff.pk),
    ]


def test_resuming_keeps_the_first_registration_date(resident, staff):
    registration = factories.make_registration(user=resident, status=S.SUSPENDED)
    Registration.objects.filter(pk=registration.pk).update(registered_on=dt.date(2025, 5, 1))
    registration.refresh_from_db()

    services.registration_resume(registration=registration, by=resident)

    assert Registration.objects.get(pk=registration.pk).registered_on == dt.date(2025, 5, 1)


def test_organisation_manager_may_suspend_but_a_plain_member_may_not(
    organization, representative, member
):
    registration = factories.make_registration(
        organization=organization, user=representative, status=S.REGISTERED, member_count=12
    )

    with pytest.raises(PermissionDenied):
        services.registration_suspend(registration=registration, by=member)
    services.registration_suspend(registration=registration, by=representative)

    assert _status(registration) == S.SUSPENDED


# --- e-mail -----------------------------------------------------------------------------------


def test_status_mail_goes_to_the_contact_address_once_committed(
    registration, staff, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.registration_return(registration=registration, by=staff, reason="写真を添えて")
    assert mail.outbox == []  # nothing before the commit

    for callback in callbacks:
        callback()

    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert registration.number in message.subject
    assert "写真を添えて" in message.body


def test_no_mail_when_the_transaction_rolls_back(
    registration, staff, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.registration_approve(registration=registration, by=staff)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert mail.outbox == []
    assert _status(registration) == S.APPLIED


def test_status_mail_falls_back_to_the_account_address(
    resident, staff, django_capture_on_commit_callbacks
):
    registration = factories.make_registration(user=resident, contact_email="")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=staff)

    assert [m.to for m in mail.outbox] == [[resident.email]]


def test_refused_transition_sends_no_mail(
    registration, resident, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.registration_approve(registration=registration, by=resident)

    assert mail.outbox == []


# --- compare-and-set --------------------------------------------------------------------------


def test_stale_instance_cannot_overwrite_a_concurrent_change(registration, staff, resident):
    stale = Registration.objects.get(pk=registration.pk)
    services.registration_withdraw(registration=registration, by=resident)

    with pytest.raises(services.TransitionError):
        services.registration_approve(registration=stale, by=staff)

    assert _status(registration) == S.WITHDRAWN
    assert [row[1] for row in _history(registration)] == [S.APPLIED, S.WITHDRAWN]


# --- registration_create ------------------------------------------------------------------------


def _new(user, **fields):
    values = {
        "programme": "pika",
        "kind": Registration.Kind.INDIVIDUAL,
        "user": user,
        "contact_name": "輪西 花子",
        "contact_kana": "ワニシ ハナコ",
        "contact_email": user.email,
        "district": factories.district(),
    }
    values.update(fields)
    return Registration(**values)


def test_numbers_count_up_within_a_fiscal_year_and_restart_in_april(staff):
    users = [factories.make_user() for _ in range(3)]

    with time_machine.travel(dt.datetime(2027, 3, 31, 23, 0, tzinfo=JST), tick=False):
        first = services.registration_create(registration=_new(users[0]), by=users[0])
        second = services.registration_create(registration=_new(users[1]), by=users[1])
    with time_machine.travel(dt.datetime(2027, 4, 1, 0, 30, tzinfo=JST), tick=False):
        april = services.registration_create(registration=_new(users[2]), by=users[2])

    assert [first.number, second.number, april.number] == [
        "MP-2026-00001",
        "MP-2026-00002",
        "MP-2027-00001",
    ]


def test_each_programme_has_its_own_prefix_and_counter(resident):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=JST), tick=False):
        pika = services.registration_create(registration=_new(resident), by=resident)
        magokoro = services.registration_create(
            registration=_new(resident, programme="magokoro"), by=resident
        )

    assert (pika.number, magokoro.number) == ("MP-2026-00001", "MG-2026-00001")


def test_create_saves_places_activities_history_and_mails_on_commit(
    resident, django_capture_on_commit_callbacks
):
    place = factories.make_place()
    from partners.models import ActivityKind

    kinds = list(ActivityKind.objects.filter(name__in=["清掃", "除雪"]))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(
            registration=_new(resident, member_count=5),
            places=[place],
            activity_kinds=kinds,
            by=resident,
        )

    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.status, stored.member_count, stored.created_by) == (S.APPLIED, 1, resident)
    assert list(stored.places.all()) == [place]
    assert set(stored.activity_kinds.all()) == set(kinds)
    ((old, new, by, reason),) = _history(stored)
    assert (old, new, by) == ("", S.APPLIED, resident.pk)
    assert stored.get_channel_display() in reason  # 「ウェブで受付」: how it arrived
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert stored.number in mail.outbox[0].subject


def test_second_live_registration_for_the_same_programme_is_refused_and_nothing_saved(
    resident, django_capture_on_commit_callbacks
):
    first = services.registration_create(registration=_new(resident), by=resident)
    place = factories.make_place()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.registration_create(registration=_new(resident), places=[place], by=resident)

    assert list(Registration.objects.filter(user=resident)) == [first]
    assert RegistrationStatusChange.objects.count() == 1
    assert mail.outbox == []
    # The refused attempt's number was rolled back with it: no gap in the sequence.
    other = factories.make_user()
    assert services.registration_create(registration=_new(other), by=other).number.endswith(
        "-00002"
    )


def test_after_withdrawal_a_new_registration_is_allowed(resident):
    first = services.registration_create(registration=_new(resident), by=resident)
    services.registration_withdraw(registration=first, by=resident)

    second = services.registration_create(registration=_new(resident), by=resident)

    assert second.pk != first.pk
    assert _status(second) == S.APPLIED


def test_organisation_registration_by_a_plain_member_is_refused(organization, member):
    registration = _new(
        member, kind=Registration.Kind.ORGANIZATION, organization=organization, member_count=10
    )

    with pytest.raises(PermissionDenied):
        services.registration_create(registration=registration, by=member)

    assert not Registration.objects.exists()


def test_organisation_registration_by_its_representative(organization, representative):
    registration = _new(
        representative,
        kind=Registration.Kind.ORGANIZATION,
        organization=organization,
        member_count=10,
    )

    services.registration_create(registration=registration, by=representative)

    assert Registration.objects.get().people == 10


def test_outsider_cannot_register_another_organisation(organization, other_member):
    registration = _new(
        other_member,
        kind=Registration.Kind.ORGANIZATION,
        organization=organization,
        member_count=10,
    )

    with pytest.raises(PermissionDenied):
        services.registration_create(registration=registration, by=other_member)


# --- reports ----------------------------------------------------------------------------------


def _report(registration, **fields):
    values = {
        "registration": registration,
        "activity_date": dt.date(2026, 5, 10),
        "participants": 3,
    }
    values.update(fields)
    return ActivityReport(**values)


@time_machine.travel(dt.datetime(2026, 5, 10, 20, 0, tzinfo=JST), tick=False)
def test_registered_partner_files_a_report_for_today(resident):
    registration = factories.make_registration(user=resident, status=S.REGISTERED)

    report = services.report_create(report=_report(registration, burnable_bags=4), by=resident)

    stored = ActivityReport.objects.get(pk=report.pk)
    assert (stored.created_by, stored.burnable_bags) == (resident, 4)


@time_machine.travel(dt.datetime(2026, 5, 10, 20, 0, tzinfo=JST), tick=False)
def test_report_for_tomorrow_is_refused(resident):
    registration = factories.make_registration(user=resident, status=S.REGISTERED)

    with pytest.raises(ValidationError) as error:
        services.report_create(
            report=_report(registration, activity_date=dt.date(2026, 5, 11)), by=resident
        )

    assert "activity_date" in error.value.message_dict
    assert not ActivityReport.objects.exists()


@pytest.mark.parametrize("status", [S.APPLIED, S.RETURNED, S.WITHDRAWN])
@time_machine.travel(dt.datetime(2026, 5, 10, 20, 0, tzinfo=JST), tick=False)
def test_report_on_an_unaccepted_registration_is_refused(resident, status):
    registration = factories.make_registration(user=resident, status=status)

    with pytest.raises(ValidationError):
        services.report_create(report=_report(registration), by=resident)

    assert not ActivityReport.objects.exists()


@time_machine.travel(dt.datetime(2026, 5, 10, 20, 0, tzinfo=JST), tick=False)
def test_stranger_cannot_report_for_someone_else(resident, other_member):
    registration = factories.make_registration(user=resident, status=S.REGISTERED)

    with pytest.raises(PermissionDenied):
        services.report_create(report=_report(registration), by=other_member)

    assert not ActivityReport.objects.exists()


# --- the number counter under concurrency ----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
)
def test_next_value_gives_distinct_numbers_to_concurrent_transactions():
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    values, errors = [], []
    lock = threading.Lock()

    def take():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                value = next_value("x")
            with lock:
                values.append(value)
        except Exception as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(values) == list(range(1, threads_count + 1))
    assert Sequence.objects.get(key="x").value == threads_count
