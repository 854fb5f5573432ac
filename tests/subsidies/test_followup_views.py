"""After the decision, in the browser: the printable notices, 変更承認 and the completion report
(実績報告) — every page, its refusals and permissions (another group → 404, a reviewer cannot
see the notices, anonymous → login), what the database holds, the e-mails, and fixed query
counts."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext, override

from subsidies import services
from subsidies.models import (
    Application,
    ApplicationStatusChange,
    ChangeRequest,
    Payment,
    Repayment,
    ReviewAssignment,
)
from tests import factories
from tests.subsidies.factories import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def ja(message, **values):
    with override("ja"):
        text = gettext(message)
    return text % values if values else text


def _at(application, status, **changes):
    Application.objects.filter(pk=application.pk).update(status=status, **changes)
    application.refresh_from_db()
    return application


def _granted(application, decided=100_000, **changes):
    application = _at(
        application,
        S.GRANTED,
        decided_amount=decided,
        conditions="報告会で成果を発表すること",
        decided_at=NOW - dt.timedelta(days=10),
        **changes,
    )
    ApplicationStatusChange.objects.create(
        application=application, old_status=S.ADOPTED, new_status=S.GRANTED, at=NOW
    )
    return application


@pytest.fixture
def granted(application):
    return _granted(application)


@pytest.fixture
def reviewer(application):
    user = factories.make_user("reviewer@example.jp")
    ReviewAssignment.objects.create(application=application, reviewer=user)
    return user


def _client(client, user):
    return factories.sign_in(client, user)


def _url(name, application):
    return reverse(f"subsidies:{name}", args=[application.pk])


PAGES = ["notice_decision", "notice_confirmation", "change_request", "report"]


def _every_page_open(application):
    """Decided, granted, reported and confirmed at once is not a real state: each page is
    opened in a state where it exists."""
    return {
        "notice_decision": S.GRANTED,
        "notice_confirmation": S.CONFIRMED,
        "change_request": S.GRANTED,
        "report": S.GRANTED,
    }


# --- permissions, for every page ------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(client, granted, page):
    response = client.get(_url(page, granted))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_another_groups_member_gets_404(
    client, application, other_organization, other_member, page
):
    status = _every_page_open(application)[page]
    _granted(application)
    _at(application, status, confirmed_amount=90_000)
    assert _client(client, other_member).get(_url(page, application)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_an_assigned_reviewer_gets_404(client, application, reviewer, page):
    """A reviewer may read the application, but the notices, change requests and report are
    the group's and the city's."""
    status = _every_page_open(application)[page]
    _granted(application)
    _at(application, status, confirmed_amount=90_000)
    assert _client(client, reviewer).get(_url(page, application)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_members_and_staff_open_every_page(client, application, representative, staff, page):
    status = _every_page_open(application)[page]
    _granted(application)
    _at(application, status, confirmed_amount=90_000)
    for user in (representative, staff):
        response = _client(client, user).get(_url(page, application))
        assert response.status_code == 200, user
        assert response["Cache-Control"].startswith("max-age=0")


def test_an_unknown_id_is_404(client, member):
    assert _client(client, member).get("/subsidies/applications/999999/report/").status_code == 404


@pytest.mark.parametrize("page", ["notice_decision", "notice_confirmation"])
def test_notices_refuse_post(client, member, granted, page):
    _at(granted, S.CONFIRMED, confirmed_amount=90_000)
    assert _client(client, member).post(_url(page, granted)).status_code == 405


# --- notices ----------------------------------------------------------------------------------------


def test_the_grant_decision_notice(client, member, representative, granted):
    response = _client(client, member).get(_url("notice_decision", granted))
    assert response.status_code == 200
    assert response.templates[0].name == "subsidies/notice_decision.html"
    html = response.content.decode()
    assert granted.number in html
    assert "100,000" in html
    assert "報告会で成果を発表すること" in html
    assert "輪西まちづくりの会" in html
    assert representative.get_full_name() in html
    # The date of the grant decision in 和暦, western beside it.
    assert "令和8年5月15日（2026年5月15日）" in html
    assert ja("Mayor of Muroran") in html
    assert ja("Notice of the grant decision") in html
    assert "css/print.css" in html  # the printable document pattern (print/base.html)
    assert f"/subsidies/applications/{granted.pk}/" in html


def test_the_grant_decision_notice_stays_printable_after_the_report(client, member, granted):
    _at(granted, S.CLOSED, confirmed_amount=90_000)
    response = _client(client, member).get(_url("notice_decision", granted))
    assert response.status_code == 200
    assert "100,000" in response.content.decode()


def test_an_adopted_application_is_dated_with_the_selection(client, member, application):
    _at(application, S.ADOPTED, decided_amount=80_000, decided_at=NOW - dt.timedelta(days=3))
    html = _client(client, member).get(_url("notice_decision", application)).content.decode()
    assert "令和8年5月12日（2026年5月12日）" in html
    assert "80,000" in html


def test_the_notice_of_the_decision_not_to_grant(client, member, application):
    _at(application, S.REJECTED, decision_reason="公益性が十分に示されていません", decided_at=NOW)
    response = _client(client, member).get(_url("notice_decision", application))
    assert response.templates[0].name == "subsidies/notice_rejection.html"
    html = response.content.decode()
    assert "公益性が十分に示されていません" in html
    assert ja("Notice of the decision not to grant") in html
    assert "令和8年5月15日" in html


@pytest.mark.parametrize(
    "status", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.UNDER_REVIEW, S.WITHDRAWN]
)
def test_no_decision_notice_before_the_decision(client, member, application, status):
    _at(application, status)
    assert _client(client, member).get(_url("notice_decision", application)).status_code == 404


@pytest.mark.parametrize("status", [S.GRANTED, S.REPORTED, S.REJECTED])
def test_no_confirmation_notice_before_the_amount_is_confirmed(client, member, granted, status):
    _at(granted, status)
    assert _client(client, member).get(_url("notice_confirmation", granted)).status_code == 404


def test_the_confirmation_notice_with_a_balance_to_pay(client, member, granted, staff):
    Payment.objects.create(
        application=granted, kind=Payment.Kind.ADVANCE, paid_on=NOW.date(), amount=50_000
    )
    _at(granted, S.CONFIRMED, confirmed_amount=80_000, confirmed_at=NOW)
    response = _client(client, member).get(_url("notice_confirmation", granted))
    assert response.context["advances"] == 50_000
    assert response.context["balance"] == 30_000
    assert response.context["repayment_amount"] == 0
    html = response.content.decode()
    assert "80,000" in html and "50,000" in html and "30,000" in html
    assert ja("Balance to be paid") in html
    assert ja("Notice of the confirmed grant amount") in html
    assert "令和8年5月15日（2026年5月15日）" in html


def test_the_confirmation_notice_with_a_repayment_due(client, member, granted):
    Payment.objects.create(
        application=granted, kind=Payment.Kind.ADVANCE, paid_on=NOW.date(), amount=100_000
    )
    Repayment.objects.create(application=granted, amount=25_000, requested_on=NOW.date())
    _at(granted, S.CONFIRMED, confirmed_amount=75_000, confirmed_at=NOW)
    response = _client(client, member).get(_url("notice_confirmation", granted))
    assert response.context["repayment_amount"] == 25_000
    html = response.content.decode()
    assert ja("Repayment due") in html
    assert "25,000" in html
    assert ja("Balance to be paid") not in html


def test_notices_run_a_fixed_number_of_queries(client, member, granted, django_assert_num_queries):
    """Session, user, the application, membership, the representative, the grant's date."""
    _client(client, member)
    with django_assert_num_queries(6):
        assert client.get(_url("notice_decision", granted)).status_code == 200
    for n in range(5):
        Payment.objects.create(
            application=granted, kind=Payment.Kind.ADVANCE, paid_on=NOW.date(), amount=1_000 + n
        )
    _at(granted, S.CONFIRMED, confirmed_amount=90_000, confirmed_at=NOW)
    # … advances and the repayment instead of the grant's date.
    with django_assert_num_queries(7):
        assert client.get(_url("notice_confirmation", granted)).status_code == 200


# --- 変更承認 -----------------------------------------------------------------------------------------


def _change_data(**overrides):
    return {
        "description": "会場を市民会館に変更し、印刷費を減らします。",
        "new_amount": "",
        **overrides,
    }


def test_a_member_asks_for_a_change_through_the_confirmation_step(client, member, granted):
    _client(client, member)
    url = _url("change_request", granted)
    page = client.get(url)
    assert page.context["may_ask"] is True
    confirm = client.post(url, _change_data(new_amount="８０，０００"))
    assert confirm.templates[0].name == "subsidies/change_confirm.html"
    assert "¥80,000" in confirm.content.decode()
    assert not ChangeRequest.objects.exists()
    back = client.post(url, {**_change_data(new_amount="80000"), "_back": "1"})
    assert back.context["form"]["new_amount"].value() == "80000"
    done = client.post(url, {**_change_data(new_amount="80000"), "_submit": "1"}, follow=True)
    change = ChangeRequest.objects.get()
    assert (change.application, change.new_amount, change.requested_by) == (
        granted,
        80_000,
        member,
    )
    assert change.status == ChangeRequest.Status.REQUESTED
    assert done.context["open_request"] == change
    assert done.context["may_ask"] is False
    assert "会場を市民会館に変更し" in done.content.decode()


def test_a_change_without_a_new_amount(client, member, granted):
    _client(client, member).post(
        _url("change_request", granted), {**_change_data(), "_submit": "1"}
    )
    assert ChangeRequest.objects.get().new_amount is None


def test_a_change_request_needs_a_description_and_an_amount_within_the_request(
    client, member, granted
):
    _client(client, member)
    response = client.post(
        _url("change_request", granted), _change_data(description="  ", new_amount="150000")
    )
    form = response.context["form"]
    assert form.errors["description"] == [ja("Describe what changes and why.")]
    assert form.errors["new_amount"] == [
        ja(
            "The new amount must be between ¥1 and the ¥%(requested)s requested.",
            requested="100,000",
        )
    ]
    assert response.context["form"]["new_amount"].value() == "150000"
    response = client.post(_url("change_request", granted), _change_data(new_amount="たくさん"))
    assert response.context["form"].errors["new_amount"] == [
        ja("Enter the new amount in whole yen, for example 80000.")
    ]
    assert not ChangeRequest.objects.exists()


def test_one_open_change_request_at_a_time(client, member, granted):
    """A second request while one waits — from another tab, or two members at once — is a
    message, never a 500, and the database keeps one open request."""
    ChangeRequest.objects.create(application=granted, description="先の申請", requested_by=member)
    _client(client, member)
    page = client.get(_url("change_request", granted))
    assert page.context["may_ask"] is False
    assert (
        ja(
            "Your change request is waiting for the city's answer. You can ask for another change "
            "once it is answered."
        )
        in page.content.decode()
    )
    response = client.post(
        _url("change_request", granted), {**_change_data(), "_submit": "1"}, follow=True
    )
    assert response.status_code == 200
    assert ChangeRequest.objects.count() == 1


def test_the_database_refusal_of_a_second_open_request_is_a_form_error(
    client, member, granted, monkeypatch
):
    """The race itself: the page saw no open request, but one was filed before this one."""
    from subsidies.views import followup

    _client(client, member)
    real = followup.services.change_request_create

    def filed_in_between(**kwargs):
        ChangeRequest.objects.create(
            application=granted, description="別のタブから", requested_by=member
        )
        return real(**kwargs)

    monkeypatch.setattr(followup.services, "change_request_create", filed_in_between)
    response = client.post(_url("change_request", granted), {**_change_data(), "_submit": "1"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        ja("A change request is already waiting for the city's answer.")
    ]
    assert ChangeRequest.objects.count() == 1


def test_the_answers_are_shown(client, member, granted, staff):
    ChangeRequest.objects.create(
        application=granted,
        description="日程の変更",
        requested_by=member,
        status=ChangeRequest.Status.REFUSED,
        decided_by=staff,
        decided_at=NOW,
        response="年度内に終わらない日程です",
    )
    ChangeRequest.objects.create(
        application=granted,
        description="備品の変更",
        new_amount=90_000,
        requested_by=member,
        status=ChangeRequest.Status.APPROVED,
        decided_by=staff,
        decided_at=NOW,
    )
    html = _client(client, member).get(_url("change_request", granted)).content.decode()
    assert "年度内に終わらない日程です" in html
    assert "¥90,000" in html
    with override("ja"):
        assert str(ChangeRequest.Status.REFUSED.label) in html
        assert str(ChangeRequest.Status.APPROVED.label) in html


@pytest.mark.parametrize("status", [S.UNDER_REVIEW, S.ADOPTED, S.REPORTED, S.CLOSED])
def test_no_change_request_outside_the_grant(client, member, granted, status):
    _at(granted, status)
    _client(client, member)
    page = client.get(_url("change_request", granted))
    assert page.status_code == 200
    assert page.context["may_ask"] is False
    response = client.post(_url("change_request", granted), {**_change_data(), "_submit": "1"})
    assert response.status_code == 302
    assert not ChangeRequest.objects.exists()


def test_another_group_cannot_post_a_change_request(
    client, other_member, other_organization, granted
):
    response = _client(client, other_member).post(
        _url("change_request", granted), {**_change_data(), "_submit": "1"}
    )
    assert response.status_code == 404
    assert not ChangeRequest.objects.exists()


def test_the_change_request_page_runs_a_fixed_number_of_queries(
    client, member, granted, django_assert_num_queries
):
    """Session, user, the application, membership, the requests."""
    _client(client, member)
    with django_assert_num_queries(5):
        client.get(_url("change_request", granted))
    for n in range(5):
        ChangeRequest.objects.create(
            application=granted,
            description=f"変更 {n}",
            requested_by=member,
            status=ChangeRequest.Status.REFUSED,
            response="不可",
        )
    with django_assert_num_queries(5):
        client.get(_url("change_request", granted))


# --- e-mails ------------------------------------------------------------------------------------


def _application_link(application):
    return settings.SITE_URL.rstrip("/") + f"/subsidies/applications/{application.pk}/"


def test_every_status_e_mail_links_to_the_application_page(
    granted, staff, django_capture_on_commit_callbacks
):
    Application.objects.filter(pk=granted.pk).update(status=S.REPORTED)
    granted.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return_report(
            application=granted, by=staff, reason="領収書の写しが足りません"
        )
    (message,) = mail.outbox
    assert message.to == [granted.applicant.email]
    assert _application_link(granted) in message.body
    assert "領収書の写しが足りません" in message.body


def test_the_change_request_answer_links_to_the_application_page(
    granted, member, staff, django_capture_on_commit_callbacks
):
    change = services.change_request_create(application=granted, by=member, description="日程")
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request_decide(
            change_request=change, by=staff, approve=False, response="年度内に終わりません"
        )
    (message,) = mail.outbox
    assert _application_link(granted) in message.body
    assert "年度内に終わりません" in message.body


# --- the way there: links on the application page ----------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.UNDER_REVIEW, set()),
        (S.REJECTED, {"notice_decision"}),
        (S.GRANTED, {"notice_decision", "report", "change_request"}),
        (S.CONFIRMED, {"notice_decision", "report", "change_request", "notice_confirmation"}),
    ],
)
def test_the_application_page_links_to_what_exists_after_the_decision(
    client, member, application, status, expected
):
    amounts = {"decided_amount": None if status == S.REJECTED else 100_000}
    if status == S.CONFIRMED:
        amounts["confirmed_amount"] = 90_000
    _at(application, status, **amounts)
    html = _client(client, member).get(application.get_absolute_url()).content.decode()

    linked = {page for page in PAGES if f'href="{_url(page, application)}"' in html}

    assert linked == expected
    for page in expected:  # and every link opens
        assert client.get(_url(page, application)).status_code == 200, page
