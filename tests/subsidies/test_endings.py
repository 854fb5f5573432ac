"""A grant that ends early: 交付決定の取消 (staff with the permission, a reason, a repayment at
most what was paid, with its due date) and 中止・廃止 (the group asks in the browser, staff
approve or refuse). History rows, e-mails, the budget freed, the public list and the admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from subsidies import services
from subsidies.models import Application, Payment, Programme, Repayment
from subsidies.views.public import adopted_projects
from tests import factories
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
CHANGELIST = reverse("admin:subsidies_application_changelist")
DUE = dt.date(2026, 6, 30)


def _at(application, status, **changes):
    Application.objects.filter(pk=application.pk).update(status=status, **changes)
    return Application.objects.select_related("programme", "organization", "applicant").get(
        pk=application.pk
    )


def _granted(application, decided=100_000):
    return _at(application, S.GRANTED, decided_amount=decided)


def _paid(application, amount):
    Payment.objects.create(
        application=application,
        kind=Payment.Kind.ADVANCE,
        amount=amount,
        paid_on=dt.date(2026, 5, 1),
    )


def _status(application):
    return Application.objects.get(pk=application.pk).status


# --- 交付決定の取消 --------------------------------------------------------------------------


@pytest.mark.parametrize("old", Application.CANCELLABLE)
def test_staff_may_cancel_a_grant_from_the_decision_until_settled(application, staff, old):
    application = _at(application, old, decided_amount=100_000)
    services.application_cancel_grant(application=application, by=staff, reason="目的外使用")
    assert _status(application) == S.CANCELLED
    assert sf.history(application) == [(old, S.CANCELLED, "目的外使用")]


@pytest.mark.parametrize(
    "old", [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.ADOPTED, S.REJECTED, S.WITHDRAWN, S.STOPPED]
)
def test_a_grant_not_decided_or_already_ended_cannot_be_cancelled(application, staff, old):
    application = _at(application, old)
    with pytest.raises(services.TransitionError):
        services.application_cancel_grant(application=application, by=staff, reason="x")
    assert _status(application) == old
    assert sf.history(application) == []


def test_cancelling_needs_a_reason(application, staff):
    application = _granted(application)
    with pytest.raises(ValidationError):
        services.application_cancel_grant(application=application, by=staff, reason="")
    assert _status(application) == S.GRANTED


def test_only_staff_with_the_cancel_permission_may_cancel(application, staff, member):
    application = _granted(application)
    with pytest.raises(PermissionDenied):
        services.application_cancel_grant(application=application, by=member, reason="x")
    Group.objects.get(name="地域生活課").permissions.remove(
        Permission.objects.get(codename="cancel_grant")
    )
    clerk = factories.make_user("clerk@city.muroran.example.jp", staff=True)
    clerk.groups.add(Group.objects.get(name="地域生活課"))
    with pytest.raises(PermissionDenied):
        services.application_cancel_grant(application=application, by=clerk, reason="x")
    assert _status(application) == S.GRANTED
    assert Repayment.objects.count() == 0


def test_cancelling_records_a_repayment_of_at_most_what_was_paid(application, staff):
    application = _granted(application)
    _paid(application, 60_000)
    with pytest.raises(ValidationError) as refused:
        services.application_cancel_grant(
            application=application,
            by=staff,
            reason="実績報告の虚偽",
            repayment_amount=60_001,
            repayment_due_on=DUE,
        )
    assert "repayment_amount" in refused.value.message_dict
    assert (_status(application), Repayment.objects.count()) == (S.GRANTED, 0)

    services.application_cancel_grant(
        application=application,
        by=staff,
        reason="実績報告の虚偽",
        repayment_amount=60_000,
        repayment_due_on=DUE,
    )
    application.refresh_from_db()
    repayment = Repayment.objects.get(application=application)
    assert (repayment.kind, repayment.amount, repayment.due_on, repayment.repaid_on) == (
        Repayment.Kind.CANCELLED,
        60_000,
        DUE,
        None,
    )
    assert (application.status, application.kept_amount) == (S.CANCELLED, 60_000)
    assert application.ended_at is not None


def test_a_repayment_needs_its_due_date_and_nothing_is_saved_without_it(application, staff):
    application = _granted(application)
    _paid(application, 30_000)
    with pytest.raises(ValidationError) as refused:
        services.application_cancel_grant(
            application=application, by=staff, reason="x", repayment_amount=30_000
        )
    assert "repayment_due_on" in refused.value.message_dict
    assert (_status(application), Repayment.objects.count()) == (S.GRANTED, 0)


def test_a_repayment_already_asked_after_confirmation_is_not_asked_twice(application, staff):
    application = _at(_granted(application), S.CONFIRMED, confirmed_amount=40_000)
    _paid(application, 100_000)
    Repayment.objects.create(application=application, amount=60_000, requested_on=DUE)
    with pytest.raises(ValidationError):
        services.application_cancel_grant(
            application=application,
            by=staff,
            reason="x",
            repayment_amount=40_001,
            repayment_due_on=DUE,
        )
    services.application_cancel_grant(
        application=application,
        by=staff,
        reason="x",
        repayment_amount=40_000,
        repayment_due_on=DUE,
    )
    assert sorted(Repayment.objects.values_list("kind", "amount")) == [
        ("cancelled", 40_000),
        ("overpaid", 60_000),
    ]


def test_the_applicant_is_told_of_the_cancellation_and_the_repayment(
    application, staff, django_capture_on_commit_callbacks
):
    application = _granted(application)
    _paid(application, 50_000)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_cancel_grant(
            application=application,
            by=staff,
            reason="交付の条件に違反しました",
            repayment_amount=50_000,
            repayment_due_on=DUE,
        )
    (message,) = mail.outbox
    assert message.to == [application.applicant.email]
    assert "交付決定取消" in message.body
    assert "50,000円を 2026-06-30 までに返還してください。" in message.body
    assert "交付の条件に違反しました" in message.body


def test_the_repayment_received_is_recorded_without_changing_the_status(application, staff):
    application = _granted(application)
    _paid(application, 20_000)
    services.application_cancel_grant(
        application=application,
        by=staff,
        reason="x",
        repayment_amount=20_000,
        repayment_due_on=DUE,
    )
    repayment = Repayment.objects.get(application=application)
    services.repayment_received(repayment=repayment, by=staff, repaid_on=dt.date(2026, 6, 1))
    assert Repayment.objects.get(pk=repayment.pk).repaid_on == dt.date(2026, 6, 1)
    assert _status(application) == S.CANCELLED
    with pytest.raises(ValidationError):
        services.repayment_received(repayment=repayment, by=staff, repaid_on=dt.date(2026, 6, 2))


# --- 中止・廃止 ------------------------------------------------------------------------------


def test_the_group_asks_to_stop_and_staff_approve(
    application, member, staff, django_capture_on_commit_callbacks
):
    application = _granted(application)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_stop(
            application=application, by=member, reason="会場が使えなくなりました"
        )
        application.refresh_from_db()
        services.application_approve_stop(application=application, by=staff)
    application.refresh_from_db()
    assert (application.status, application.kept_amount) == (S.STOPPED, 0)
    assert [(old, new) for old, new, _reason in sf.history(application)] == [
        (S.GRANTED, S.STOP_REQUESTED),
        (S.STOP_REQUESTED, S.STOPPED),
    ]
    assert len(mail.outbox) == 2
    assert "中止・廃止承認" in mail.outbox[1].body
    assert "返還していただく額はありません。" in mail.outbox[1].body


def test_asking_to_stop_needs_a_reason_and_a_granted_project(application, member):
    application = _granted(application)
    with pytest.raises(ValidationError):
        services.application_request_stop(application=application, by=member, reason="")
    for old in (S.ADOPTED, S.REPORTED, S.CONFIRMED):
        application = _at(application, old)
        with pytest.raises(services.TransitionError):
            services.application_request_stop(application=application, by=member, reason="x")
    assert sf.history(application) == []


def test_staff_refuse_with_a_reason_and_the_grant_stands(application, member, staff):
    application = _at(_granted(application), S.STOP_REQUESTED)
    with pytest.raises(ValidationError):
        services.application_refuse_stop(application=application, by=staff, reason="")
    with pytest.raises(PermissionDenied):
        services.application_approve_stop(application=application, by=member)
    services.application_refuse_stop(application=application, by=staff, reason="延期で実施可能")
    assert _status(application) == S.GRANTED


def test_an_outsider_cannot_ask_to_stop(application, other_member):
    application = _granted(application)
    with pytest.raises(PermissionDenied):
        services.application_request_stop(application=application, by=other_member, reason="x")


def test_approving_a_stop_may_ask_back_the_advance(application, staff):
    application = _at(_granted(application), S.STOP_REQUESTED)
    _paid(application, 40_000)
    services.application_approve_stop(
        application=application, by=staff, repayment_amount=40_000, repayment_due_on=DUE
    )
    application.refresh_from_db()
    assert (application.status, application.kept_amount) == (S.STOPPED, 40_000)
    assert Repayment.objects.get(application=application).amount == 40_000


# --- the budget, the public list ---------------------------------------------------------------


def test_an_ended_grant_frees_its_unpaid_part_of_the_budget(programme, organization, member, staff):
    Programme.objects.filter(pk=programme.pk).update(total_budget=200_000)
    first = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.GRANTED,
        decided_amount=150_000,
        requested_amount=150_000,
    )
    second = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.UNDER_REVIEW,
        requested_amount=100_000,
    )
    with pytest.raises(ValidationError):
        services.application_adopt(application=second, by=staff, amount=100_000)
    _paid(first, 50_000)
    first = Application.objects.get(pk=first.pk)
    services.application_cancel_grant(application=first, by=staff, reason="x")
    # 150,000 decided, 50,000 paid: 100,000 freed.
    assert Application.objects.filter(programme=programme).budget_used() == 50_000
    services.application_adopt(application=second, by=staff, amount=100_000)
    assert _status(second) == S.ADOPTED
    third = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.UNDER_REVIEW,
        requested_amount=60_000,
    )
    with pytest.raises(ValidationError):
        services.application_adopt(application=third, by=staff, amount=60_000)


def test_cancelled_and_stopped_projects_leave_the_adopted_list(
    programme, organization, member, staff
):
    def make(status, title):
        return sf.make_application(
            programme=programme,
            organization=organization,
            applicant=member,
            status=status,
            decided_amount=50_000,
            title=title,
        )

    make(S.GRANTED, "続いている事業")
    make(S.STOP_REQUESTED, "中止を申請中の事業")
    make(S.CANCELLED, "取り消された事業")
    make(S.STOPPED, "中止した事業")
    titles = {a.title for a in adopted_projects(2026)}
    assert titles == {"続いている事業", "中止を申請中の事業"}


# --- the pages and the admin -----------------------------------------------------------------


def test_the_group_asks_to_stop_in_the_browser(client, application, member):
    application = _granted(application)
    client.force_login(member)
    page = reverse("subsidies:application_detail", args=[application.pk])
    stop = reverse("subsidies:application_stop", args=[application.pk])
    assert stop in client.get(page).content.decode()
    refused = client.post(stop, {"reason": ""})
    assert refused.status_code == 200
    assert "事業を中止・廃止する理由を記入してください。" in refused.content.decode()
    assert _status(application) == S.GRANTED
    done = client.post(stop, {"reason": "代表者の転居"}, follow=True)
    assert done.redirect_chain[-1][0] == page
    assert _status(application) == S.STOP_REQUESTED
    assert sf.history(application)[-1] == (S.GRANTED, S.STOP_REQUESTED, "代表者の転居")
    # Once asked, the page sends the person back to the application.
    again = client.get(stop)
    assert again.status_code == 302


def test_another_group_cannot_reach_the_stop_page(client, application, other_member):
    application = _granted(application)
    client.force_login(other_member)
    response = client.post(
        reverse("subsidies:application_stop", args=[application.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert _status(application) == S.GRANTED


def test_the_cancelled_application_page_shows_the_repayment(client, application, member, staff):
    application = _granted(application)
    _paid(application, 10_000)
    services.application_cancel_grant(
        application=application,
        by=staff,
        reason="x",
        repayment_amount=10_000,
        repayment_due_on=DUE,
    )
    client.force_login(member)
    html = client.get(reverse("subsidies:application_detail", args=[application.pk])).content
    html = html.decode()
    assert "市は交付決定を取り消しました。" in html
    assert "10,000円を 2026-06-30 までに返還してください。" in html


def _admin_action(client, action, rows, **data):
    return client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [r.pk for r in rows],
            "select_across": "0",
            "index": "0",
            "reason": "",
            **data,
        },
        follow=True,
    )


def test_the_admin_cancels_with_the_repayment_typed_in_the_action_bar(staff_client, application):
    application = _granted(application)
    _paid(application, 30_000)
    _admin_action(
        staff_client,
        "cancel_grant",
        [application],
        reason="補助事業の目的外使用",
        repayment_amount="30,000",
        repayment_due_on="2026/6/30",
    )
    application.refresh_from_db()
    assert application.status == S.CANCELLED
    assert Repayment.objects.get(application=application).due_on == DUE


def test_the_admin_refuses_a_repayment_above_the_paid_amount(staff_client, application):
    application = _granted(application)
    _paid(application, 30_000)
    response = _admin_action(
        staff_client,
        "cancel_grant",
        [application],
        reason="x",
        repayment_amount="30001",
        repayment_due_on="2026/6/30",
    )
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert _status(application) == S.GRANTED


def test_the_admin_approves_and_refuses_requests_to_stop(staff_client, application, programme):
    first = _at(_granted(application), S.STOP_REQUESTED)
    _admin_action(staff_client, "approve_stop", [first])
    assert _status(first) == S.STOPPED
    second = sf.make_application(
        programme=programme,
        organization=application.organization,
        applicant=application.applicant,
        status=S.STOP_REQUESTED,
        decided_amount=50_000,
    )
    _admin_action(staff_client, "refuse_stop", [second])  # no reason: refused
    assert _status(second) == S.STOP_REQUESTED
    _admin_action(staff_client, "refuse_stop", [second], reason="予定どおり実施してください")
    assert _status(second) == S.GRANTED
