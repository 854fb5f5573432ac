"""The write paths: every transition allowed and refused, who may make it, history, e-mail on
commit, compare-and-set, receipt numbers, the grant decision within the budget (also under
concurrency on PostgreSQL), the completion report, 額の確定, payments, repayments and 変更承認."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils.translation import override

from muroran_kyodo.lib.models import Sequence
from subsidies import services
from subsidies.models import (
    Application,
    ApplicationStatusChange,
    BudgetStage,
    ChangeRequest,
    ChangeRequestStatusChange,
    ExpenseLine,
    IncomeLine,
    Payment,
    Repayment,
)
from tests import factories
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
STAFF_ONLY = [pair for pair, who in services.ALLOWED_TRANSITIONS.items() if who == "staff"]
GROUP_MAY = [pair for pair, who in services.ALLOWED_TRANSITIONS.items() if who == "group"]
REFUSED = [(old, new) for old in S for new in S if (old, new) not in services.ALLOWED_TRANSITIONS]


def _at(application, status, **changes):
    Application.objects.filter(pk=application.pk).update(status=status, **changes)
    return Application.objects.select_related("programme", "organization", "applicant").get(
        pk=application.pk
    )


def _reason(old, new):
    return "書類を確認してください" if (old, new) in services.REASON_REQUIRED else ""


def _status(application):
    return Application.objects.get(pk=application.pk).status


# --- the map -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), list(services.ALLOWED_TRANSITIONS))
def test_staff_may_make_every_allowed_transition(application, staff, old, new):
    application = _at(application, old)
    services.transition(application=application, new=new, by=staff, reason=_reason(old, new))
    assert _status(application) == new
    change = ApplicationStatusChange.objects.get(application=application)
    assert (change.old_status, change.new_status, change.by) == (old, new, staff)


@pytest.mark.parametrize(("old", "new"), GROUP_MAY)
def test_a_member_may_make_the_groups_transitions(application, member, old, new):
    application = _at(application, old)
    services.transition(application=application, new=new, by=member, reason=_reason(old, new))
    assert _status(application) == new


@pytest.mark.parametrize(("old", "new"), STAFF_ONLY)
def test_a_member_cannot_make_staff_transitions(application, member, old, new):
    application = _at(application, old)
    with pytest.raises(PermissionDenied):
        services.transition(application=application, new=new, by=member, reason="x")
    assert _status(application) == old


@pytest.mark.parametrize(("old", "new"), GROUP_MAY)
def test_an_outsider_cannot_act_for_the_group(application, other_member, old, new):
    application = _at(application, old)
    with pytest.raises(PermissionDenied):
        services.transition(application=application, new=new, by=other_member)
    assert _status(application) == old


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_transitions_outside_the_map_are_refused(application, staff, old, new):
    application = _at(application, old)
    with pytest.raises(services.TransitionError):
        services.transition(application=application, new=new, by=staff, reason="x")
    assert _status(application) == old
    assert not ApplicationStatusChange.objects.filter(application=application).exists()


@pytest.mark.parametrize(("old", "new"), sorted(services.REASON_REQUIRED))
def test_a_reason_is_required_to_return_or_reject(application, staff, old, new):
    application = _at(application, old)
    with pytest.raises(ValidationError) as error:
        services.transition(application=application, new=new, by=staff, reason="  ")
    assert "reason" in error.value.message_dict
    assert _status(application) == old


def test_withdrawal_is_not_possible_after_a_decision(application, member):
    for status in (S.ADOPTED, S.REJECTED, S.GRANTED):
        application = _at(application, status)
        with pytest.raises(services.TransitionError):
            services.application_withdraw(application=application, by=member)


def test_a_stale_copy_cannot_overwrite_a_concurrent_change(application, staff):
    application = _at(application, S.SUBMITTED)
    stale = Application.objects.get(pk=application.pk)
    services.application_accept(application=application, by=staff)
    with pytest.raises(services.TransitionError):
        services.application_return(application=stale, by=staff, reason="不備")
    assert _status(application) == S.ACCEPTED
    assert ApplicationStatusChange.objects.filter(application=application).count() == 1


def test_the_group_is_emailed_once_the_change_commits(
    application, staff, django_capture_on_commit_callbacks
):
    application = _at(application, S.SUBMITTED, number="HS-2026-00007")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_return(application=application, by=staff, reason="予算書を添付")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.jp"]
    assert "HS-2026-00007" in message.subject
    assert "予算書を添付" in message.body


def test_allowed_targets(application, member, staff, other_member):
    application = _at(application, S.SUBMITTED)
    assert services.allowed_targets(application, member) == [S.WITHDRAWN]
    assert set(services.allowed_targets(application, staff)) == {
        S.WITHDRAWN,
        S.ACCEPTED,
        S.RETURNED,
    }
    assert services.allowed_targets(application, other_member) == []


# --- drafts and submission -------------------------------------------------------------------------


def test_a_member_creates_a_draft_with_history(programme, organization, member):
    draft = Application(programme=programme, organization=organization, title="下書き")
    services.application_create(application=draft, by=member)
    assert draft.status == S.DRAFT
    assert draft.applicant == member
    assert sf.history(draft) == [("", S.DRAFT, "")]


def test_an_outsider_cannot_create_a_draft_for_another_group(programme, organization, resident):
    draft = Application(programme=programme, organization=organization, title="x")
    with pytest.raises(PermissionDenied):
        services.application_create(application=draft, by=resident)
    assert not Application.objects.exists()


def test_submit_gives_receipt_numbers_per_fiscal_year(
    programme, organization, member, django_capture_on_commit_callbacks
):
    first = sf.make_application(programme=programme, organization=organization, applicant=member)
    second = sf.make_application(programme=programme, organization=organization, applicant=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=first, by=member)
        services.application_submit(application=second, by=member)
    assert Application.objects.get(pk=first.pk).number == "HS-2026-00001"
    assert Application.objects.get(pk=second.pk).number == "HS-2026-00002"
    assert first.status == S.SUBMITTED
    assert Application.objects.get(pk=first.pk).submitted_at is not None
    assert "HS-2026-00001" in mail.outbox[0].body


def test_a_refused_submission_saves_nothing(application, member):
    ExpenseLine.objects.filter(application=application).delete()
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=application, by=member)
    assert "expense_lines" in error.value.message_dict
    application.refresh_from_db()
    assert (application.status, application.number) == (S.DRAFT, "")
    assert not Sequence.objects.filter(key="subsidies.HS.2026").exists()
    assert not ApplicationStatusChange.objects.filter(application=application).exists()


def test_return_and_resubmit_keep_the_receipt_number(application, member, staff):
    services.application_submit(application=application, by=member)
    number = application.number
    services.application_return(application=application, by=staff, reason="会則を添付してください")
    assert application.is_editable
    services.application_submit(application=application, by=member)
    assert Application.objects.get(pk=application.pk).number == number
    assert [row[:2] for row in sf.history(application)] == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.RETURNED),
        (S.RETURNED, S.SUBMITTED),
    ]


def test_a_second_youth_application_of_the_group_is_refused_at_submission(organization, member):
    youth = sf.make_youth_programme()
    first, second = (
        sf.make_application(
            programme=youth,
            organization=organization,
            applicant=member,
            member_count=3,
            youth_count=2,
        )
        for _ in range(2)
    )
    services.application_submit(application=first, by=member)
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=second, by=member)
    assert "organization" in error.value.message_dict
    # Withdrawn, the first no longer counts.
    services.application_withdraw(application=first, by=member)
    services.application_submit(application=second, by=member)


# --- decisions -------------------------------------------------------------------------------------


def test_adopt_records_amount_conditions_and_decision(application, staff):
    application = _at(application, S.UNDER_REVIEW)
    services.application_adopt(
        application=application, by=staff, amount=90_000, conditions="報告会で発表すること"
    )
    application.refresh_from_db()
    assert application.status == S.ADOPTED
    assert application.decided_amount == 90_000
    assert application.conditions == "報告会で発表すること"
    assert application.decided_at is not None


@pytest.mark.parametrize("amount", [0, 100_001])
def test_adopt_refuses_an_amount_above_the_request_or_zero(application, staff, amount):
    application = _at(application, S.UNDER_REVIEW)
    with pytest.raises(ValidationError) as error:
        services.application_adopt(application=application, by=staff, amount=amount)
    assert "decided_amount" in error.value.message_dict
    assert _status(application) == S.UNDER_REVIEW


def test_decided_amounts_never_exceed_the_programme_budget(programme, organization, member, staff):
    programme.total_budget = 250_000
    programme.save()
    apps = [
        _at(
            sf.make_application(programme=programme, organization=organization, applicant=member),
            S.UNDER_REVIEW,
        )
        for _ in range(3)
    ]
    services.application_adopt(application=apps[0], by=staff, amount=100_000)
    services.application_adopt(application=apps[1], by=staff, amount=100_000)
    with pytest.raises(ValidationError) as error:
        services.application_adopt(application=apps[2], by=staff, amount=60_000)
    assert "50,000" in error.value.message_dict["decided_amount"][0]
    assert _status(apps[2]) == S.UNDER_REVIEW
    services.application_adopt(application=apps[2], by=staff, amount=50_000)
    assert sum(a.decided_amount for a in Application.objects.decided()) == 250_000


def test_reject_keeps_the_reason(application, staff):
    application = _at(application, S.UNDER_REVIEW)
    services.application_reject(application=application, by=staff, reason="予算の範囲を超える")
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (S.REJECTED, "予算の範囲を超える")
    assert application.decided_amount is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
)
def test_race_two_decisions_at_once_only_one_fits_the_budget(monkeypatch):
    import time

    from tests.subsidies.factories import make_application, make_programme

    # Widen the window between the budget check and the write, so that without the lock both
    # decisions would read the same remaining budget and both pass.
    check = services.applications._lock_budget_room

    def slow_check(application, amount):
        check(application, amount)
        time.sleep(0.5)

    monkeypatch.setattr(services.applications, "_lock_budget_room", slow_check)

    representative = factories.make_user()
    staff_a = factories.make_user(superuser=True)
    staff_b = factories.make_user(superuser=True)
    organization = factories.make_organization(representative=representative)
    programme = make_programme(total_budget=150_000)
    applications = [
        _at(
            make_application(
                programme=programme, organization=organization, applicant=representative
            ),
            S.UNDER_REVIEW,
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    results, errors = [], []
    lock = threading.Lock()

    def decide(application, by):
        try:
            barrier.wait(timeout=10)
            services.application_adopt(application=application, by=by, amount=100_000)
            with lock:
                results.append(application.pk)
        except ValidationError as error:
            with lock:
                errors.append(error)
        except Exception as error:  # reported below, a thread cannot fail the test itself
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(application, by))
        for application, by in zip(applications, (staff_a, staff_b), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert Application.objects.filter(status=S.ADOPTED).count() == 1
    assert sum(a.decided_amount for a in Application.objects.decided()) == 100_000


# --- after the grant -------------------------------------------------------------------------------


def _granted(application, decided=100_000):
    return _at(application, S.GRANTED, decided_amount=decided)


def _actual(application, expenses):
    sf.add_budget(
        application,
        stage=BudgetStage.ACTUAL,
        expenses=[
            (ExpenseLine.Item.CONSUMABLES, amount, eligible) for amount, eligible in expenses
        ],
        subsidy=0,
        own=sum(amount for amount, _ in expenses),
    )


def test_report_needs_a_balanced_actual_budget(application, member):
    application = _granted(application)
    with pytest.raises(ValidationError) as error:
        services.application_report(application=application, by=member, summary="", participants=30)
    assert {"report_summary", "expense_lines"} <= set(error.value.message_dict)
    assert _status(application) == S.GRANTED
    _actual(application, [(180_000, True)])
    IncomeLine.objects.filter(application=application, stage="actual").update(amount=1)
    with pytest.raises(ValidationError) as error:
        services.application_report(
            application=application, by=member, summary="花壇を作った", participants=30
        )
    assert list(error.value.message_dict) == ["income_lines"]


def test_report_needs_the_report_documents_the_programme_requires(programme, application, member):
    from subsidies.models import AttachmentType

    programme.required_attachment_types.add(AttachmentType.objects.get(code="photos"))
    application = _granted(application)
    _actual(application, [(180_000, True)])
    with pytest.raises(ValidationError) as error:
        services.application_report(
            application=application, by=member, summary="花壇を作った", participants=30
        )
    assert "活動写真" in error.value.message_dict["attachments"][0]
    sf.attach(application, "photos", name="photo.pdf")
    services.application_report(
        application=application, by=member, summary="花壇を作った", participants=30
    )
    application.refresh_from_db()
    assert (application.status, application.report_participants) == (S.REPORTED, 30)


@pytest.mark.parametrize(
    ("actual_eligible", "decided", "confirmed"),
    [
        # spent as planned: the decided amount
        (200_000, 100_000, 100_000),
        # spent more: still the decided amount, never more
        (400_000, 100_000, 100_000),
        # spent less: 1/2 of ¥150,999 = 75,499 → ¥75,000
        (150_999, 100_000, 75_000),
        # nothing eligible
        (0, 100_000, 0),
    ],
)
def test_confirm_amount_is_min_of_decided_and_formula(
    application, member, staff, actual_eligible, decided, confirmed
):
    application = _granted(application, decided)
    _actual(application, [(actual_eligible, True), (10_000, False)])
    application = _at(application, S.REPORTED)
    services.application_confirm_amount(application=application, by=staff)
    application.refresh_from_db()
    assert (application.status, application.confirmed_amount) == (S.CONFIRMED, confirmed)
    assert not Repayment.objects.exists()


def test_pay_the_balance_then_close(application, staff):
    application = _granted(application)
    services.payment_record_advance(
        application=application, by=staff, amount=50_000, paid_on=dt.date(2026, 7, 1)
    )
    _actual(application, [(200_000, True)])
    application = _at(application, S.REPORTED)
    services.application_confirm_amount(application=application, by=staff)
    services.application_pay(application=application, by=staff, paid_on=dt.date(2027, 3, 20))
    assert list(
        Payment.objects.filter(application=application).order_by("pk").values_list("kind", "amount")
    ) == [("advance", 50_000), ("settlement", 50_000)]
    services.application_close(application=application, by=staff)
    assert _status(application) == S.CLOSED


def test_a_repayment_is_recorded_when_the_advance_exceeds_the_confirmed_amount(application, staff):
    application = _granted(application)
    services.payment_record_advance(
        application=application, by=staff, amount=100_000, paid_on=dt.date(2026, 7, 1)
    )
    _actual(application, [(120_000, True)])  # 1/2 → ¥60,000
    application = _at(application, S.REPORTED)
    services.application_confirm_amount(
        application=application, by=staff, today=dt.date(2027, 3, 10)
    )
    repayment = Repayment.objects.get(application=application)
    assert (repayment.amount, repayment.requested_on) == (40_000, dt.date(2027, 3, 10))
    with pytest.raises(ValidationError):
        services.application_pay(application=application, by=staff, paid_on=dt.date(2027, 3, 20))
    services.application_record_repayment(
        application=application, by=staff, repaid_on=dt.date(2027, 3, 25)
    )
    assert _status(application) == S.REPAID
    assert Repayment.objects.get(application=application).repaid_on == dt.date(2027, 3, 25)
    services.application_close(application=application, by=staff)


def test_no_repayment_can_be_recorded_when_none_is_due(application, staff):
    application = _at(_granted(application), S.CONFIRMED, confirmed_amount=100_000)
    with pytest.raises(ValidationError):
        services.application_record_repayment(
            application=application, by=staff, repaid_on=dt.date(2027, 3, 25)
        )
    assert _status(application) == S.CONFIRMED


def test_advances_cannot_exceed_the_decided_amount(application, staff, member):
    application = _granted(application, 100_000)
    services.payment_record_advance(
        application=application, by=staff, amount=60_000, paid_on=dt.date(2026, 7, 1)
    )
    with pytest.raises(ValidationError):
        services.payment_record_advance(
            application=application, by=staff, amount=40_001, paid_on=dt.date(2026, 7, 2)
        )
    with pytest.raises(PermissionDenied):
        services.payment_record_advance(
            application=application, by=member, amount=1, paid_on=dt.date(2026, 7, 2)
        )


def test_no_advance_before_the_grant(application, staff):
    application = _at(application, S.ADOPTED, decided_amount=100_000)
    with pytest.raises(ValidationError):
        services.payment_record_advance(
            application=application, by=staff, amount=1, paid_on=dt.date(2026, 7, 1)
        )


# --- 変更承認 --------------------------------------------------------------------------------------


def test_change_request_approved_with_a_new_amount(
    application, member, staff, django_capture_on_commit_callbacks
):
    application = _granted(application, 100_000)
    change = services.change_request_create(
        application=application, by=member, description="会場変更のため減額", new_amount=80_000
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request_decide(change_request=change, by=staff, approve=True)
    assert Application.objects.get(pk=application.pk).decided_amount == 80_000
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.APPROVED
    assert sf.history(application)[-1][:2] == (S.GRANTED, S.GRANTED)
    assert len(mail.outbox) == 1
    with pytest.raises(services.TransitionError):
        services.change_request_decide(change_request=change, by=staff, approve=False, response="x")


def test_change_request_refused_needs_a_reason_and_changes_nothing(application, member, staff):
    application = _granted(application, 100_000)
    change = services.change_request_create(
        application=application, by=member, description="増額", new_amount=100_000
    )
    with pytest.raises(ValidationError):
        services.change_request_decide(change_request=change, by=staff, approve=False)
    services.change_request_decide(
        change_request=change, by=staff, approve=False, response="予算に余裕がありません"
    )
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.REFUSED


def test_a_change_request_keeps_its_history_in_the_shared_shape(application, member, staff):
    application = _granted(application, 100_000)
    change = services.change_request_create(
        application=application, by=member, description="日程変更"
    )
    services.change_request_refuse(change_request=change, by=staff, reason="日程は変えられません")
    history = [
        (h.old_status, h.new_status, h.by, h.reason)
        for h in ChangeRequestStatusChange.objects.filter(change_request=change).order_by(
            "at", "pk"
        )
    ]
    assert history == [
        ("", "requested", member, ""),
        ("requested", "refused", staff, "日程は変えられません"),
    ]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.response) == (
        ChangeRequest.Status.REFUSED,
        staff,
        "日程は変えられません",
    )
    assert change.decided_at is not None


def test_the_refusal_is_the_shared_one():
    from muroran_kyodo.lib.workflow import TransitionError

    assert services.TransitionError is TransitionError


def test_change_request_rules(application, member, staff, other_member):
    with pytest.raises(ValidationError):  # not granted yet
        services.change_request_create(application=application, by=member, description="x")
    application = _granted(application, 100_000)
    with pytest.raises(PermissionDenied):
        services.change_request_create(application=application, by=other_member, description="x")
    with pytest.raises(ValidationError):  # above the request
        services.change_request_create(
            application=application, by=member, description="x", new_amount=100_001
        )
    change = services.change_request_create(application=application, by=member, description="x")
    with pytest.raises(ValidationError):  # one open request at a time
        services.change_request_create(application=application, by=member, description="y")
    with pytest.raises(PermissionDenied):
        services.change_request_decide(change_request=change, by=member, approve=True)


def test_an_approved_increase_must_fit_the_budget(programme, organization, member, staff):
    programme.total_budget = 150_000
    programme.save()
    other = _at(
        sf.make_application(programme=programme, organization=organization, applicant=member),
        S.GRANTED,
        decided_amount=100_000,
    )
    application = _at(
        sf.make_application(programme=programme, organization=organization, applicant=member),
        S.GRANTED,
        decided_amount=40_000,
    )
    change = services.change_request_create(
        application=application, by=member, description="増額", new_amount=60_000
    )
    with pytest.raises(ValidationError):
        services.change_request_decide(change_request=change, by=staff, approve=True)
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.REQUESTED
    assert Application.objects.get(pk=application.pk).decided_amount == 40_000
    assert other.decided_amount == 100_000


def test_the_adoption_email_gives_the_amount_and_conditions(
    application, staff, django_capture_on_commit_callbacks
):
    application = _at(application, S.UNDER_REVIEW, number="HS-2026-00003")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_adopt(
            application=application, by=staff, amount=90_000, conditions="報告会で発表すること"
        )
    (message,) = mail.outbox
    assert "HS-2026-00003" in message.subject
    assert "90,000" in message.body
    assert "報告会で発表すること" in message.body
    assert message.to == ["member@example.jp"]


def test_the_confirmation_email_gives_the_confirmed_amount(
    application, staff, django_capture_on_commit_callbacks
):
    application = _granted(application)
    _actual(application, [(150_999, True)])
    application = _at(application, S.REPORTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_confirm_amount(application=application, by=staff)
    assert "75,000" in mail.outbox[0].body


def test_a_paper_application_keyed_in_by_staff_records_its_channel(application, staff):
    Application.objects.filter(pk=application.pk).update(channel="fax")
    application.refresh_from_db()
    services.application_submit(application=application, by=staff)
    assert sf.history(application)[-1][2] == "ファクスで受付"


def test_a_member_books_a_consultation(programme, organization, member, other_member):
    consultation = services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=dt.date(2026, 5, 20),
        topic="予算の組み方",
        by=member,
    )
    assert consultation.recorded_by == member
    with pytest.raises(PermissionDenied):
        services.consultation_book(
            organization=organization,
            programme=programme,
            held_on=dt.date(2026, 5, 20),
            topic="x",
            by=other_member,
        )
    with pytest.raises(ValidationError):
        services.consultation_book(
            organization=organization,
            programme=programme,
            held_on=dt.date(2026, 5, 20),
            topic=" ",
            by=member,
        )


@pytest.mark.parametrize(("old", "new"), list(services.ALLOWED_TRANSITIONS))
def test_every_change_emails_the_applicant_once(
    application, staff, old, new, django_capture_on_commit_callbacks
):
    application = _at(application, old, number="HS-2026-00042")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(application=application, new=new, by=staff, reason=_reason(old, new))
    if (old, new) == (S.DRAFT, S.WITHDRAWN):
        assert mail.outbox == []
        return
    (message,) = mail.outbox
    assert message.to == ["member@example.jp"]
    assert "HS-2026-00042" in message.subject
    with override(settings.LANGUAGE_CODE):  # e-mails are in the site's language
        assert str(S(new).label) in message.subject
