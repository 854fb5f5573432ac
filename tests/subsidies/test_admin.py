"""The subsidy in the admin, as the 地域生活課 clerk uses it: lists with a fixed number of
queries, filters and search, workflow actions through the services, read-only history,
reviewer assignment refusing conflicts, change requests, advances, CSV."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from subsidies.models import (
    Application,
    ApplicationStatusChange,
    ChangeRequest,
    Payment,
    Programme,
    ReviewAssignment,
)
from tests import factories
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
CHANGELIST = reverse("admin:subsidies_application_changelist")


@pytest.fixture
def submitted(programme, organization, member):
    return sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=S.SUBMITTED,
        title="港のまち花いっぱい運動",
    )


@pytest.fixture
def other_application(other_organization, other_member):
    programme = sf.make_programme(fiscal_year=2025)
    return sf.make_application(
        programme=programme,
        organization=other_organization,
        applicant=other_member,
        status=S.UNDER_REVIEW,
        title="白鳥台の子ども食堂",
    )


def _action(client, action, rows, reason="", follow=True, url=CHANGELIST, **extra):
    return client.post(
        url,
        {
            "action": action,
            "_selected_action": [r.pk for r in rows],
            "select_across": "0",
            "index": "0",
            "reason": reason,
            **extra,
        },
        follow=follow,
    )


def _levels(response):
    return [m.level_tag for m in response.context["messages"]]


def _status(application):
    return Application.objects.get(pk=application.pk).status


# --- lists ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "programme",
        "application",
        "consultation",
        "attachmenttype",
        "reviewassignment",
        "score",
        "changerequest",
        "payment",
        "repayment",
    ],
)
def test_changelists_load_for_the_department_clerk(staff_client, submitted, model):
    response = staff_client.get(reverse(f"admin:subsidies_{model}_changelist"))
    assert response.status_code == 200


def test_change_pages_load(staff_client, submitted, programme):
    for url in (
        reverse("admin:subsidies_application_change", args=[submitted.pk]),
        reverse("admin:subsidies_programme_change", args=[programme.pk]),
        reverse("admin:subsidies_application_add"),
        reverse("admin:subsidies_reviewassignment_add"),
        reverse("admin:subsidies_payment_add"),
    ):
        assert staff_client.get(url).status_code == 200, url


def test_search_by_title_number_and_organisation_kana(staff_client, submitted, other_application):
    def found(q):
        return {a.pk for a in staff_client.get(CHANGELIST, {"q": q}).context["cl"].result_list}

    assert found("花いっぱい") == {submitted.pk}
    assert found(other_application.number) == {other_application.pk}
    assert found("白鳥台ふれあい") == {other_application.pk}
    assert found("テストダンタイ") == {submitted.pk, other_application.pk}


def test_filters_by_status_programme_and_fiscal_year(
    staff_client, submitted, other_application, programme
):
    def listed(params):
        return {a.pk for a in staff_client.get(CHANGELIST, params).context["cl"].result_list}

    assert listed({"status__exact": S.UNDER_REVIEW}) == {other_application.pk}
    assert listed({"programme__id__exact": programme.pk}) == {submitted.pk}
    assert listed({"fiscal_year": "2025"}) == {other_application.pk}
    assert listed({"fiscal_year": "2026"}) == {submitted.pk}


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    print(f"{url}: {len(queries)} queries")  # the number for the closing note (pytest -s)
    return len(queries)


def test_application_changelist_queries_do_not_grow_with_rows(
    staff_client, programme, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            user = factories.make_user()
            organization = factories.make_organization(representative=user)
            sf.make_application(
                programme=programme,
                organization=organization,
                applicant=user,
                status=S.SUBMITTED,
                attachments=False,
            )

    add(1)
    one = _count_queries(staff_client, CHANGELIST)
    add(24)
    with django_assert_num_queries(one):
        response = staff_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 25


# --- actions ---------------------------------------------------------------------------------------


def test_accept_action_goes_through_the_service(
    staff_client, staff, submitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(staff_client, "accept", [submitted])
    assert _status(submitted) == S.ACCEPTED
    assert sf.history(submitted) == [(S.SUBMITTED, S.ACCEPTED, "")]
    assert ApplicationStatusChange.objects.get().by == staff
    assert [m.to for m in mail.outbox] == [["member@example.jp"]]
    assert _levels(response) == ["success"]


def test_return_action_needs_a_reason(staff_client, submitted):
    response = _action(staff_client, "return_for_changes", [submitted])
    assert _status(submitted) == S.SUBMITTED
    assert _levels(response) == ["warning"]
    _action(staff_client, "return_for_changes", [submitted], reason="予算書を直してください")
    assert _status(submitted) == S.RETURNED
    assert sf.history(submitted)[-1][2] == "予算書を直してください"


def test_a_refused_row_is_reported_and_the_others_go_on(staff_client, submitted, other_application):
    response = _action(staff_client, "accept", [submitted, other_application])
    assert _status(submitted) == S.ACCEPTED
    assert _status(other_application) == S.UNDER_REVIEW
    assert sorted(_levels(response)) == ["success", "warning"]


def test_adopt_action_with_amount_and_conditions(staff_client, submitted):
    Application.objects.filter(pk=submitted.pk).update(status=S.UNDER_REVIEW)
    _action(staff_client, "adopt", [submitted], reason="報告会で発表", amount="80000")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_amount, submitted.conditions) == (
        S.ADOPTED,
        80_000,
        "報告会で発表",
    )


def test_adopt_action_over_the_budget_is_refused(staff_client, submitted, programme):
    Programme.objects.filter(pk=programme.pk).update(total_budget=50_000)
    Application.objects.filter(pk=submitted.pk).update(status=S.UNDER_REVIEW)
    response = _action(staff_client, "adopt", [submitted])
    assert _status(submitted) == S.UNDER_REVIEW
    assert _levels(response) == ["warning"]


def test_status_and_amounts_are_read_only_in_the_form(staff_client, submitted):
    response = staff_client.get(reverse("admin:subsidies_application_change", args=[submitted.pk]))
    form = response.context["adminform"].form
    for field in ("status", "number", "decided_amount", "confirmed_amount"):
        assert field not in form.fields


def test_history_is_read_only(staff_client, submitted, staff):
    ApplicationStatusChange.objects.create(
        application=submitted, old_status=S.DRAFT, new_status=S.SUBMITTED, by=staff
    )
    response = staff_client.get(reverse("admin:subsidies_application_change", args=[submitted.pk]))
    history = next(
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.opts.model is ApplicationStatusChange
    )
    assert not history.has_add_permission
    assert not history.has_change_permission
    assert not history.has_delete_permission


def test_staff_cannot_delete_applications(staff_client, submitted):
    response = staff_client.get(reverse("admin:subsidies_application_delete", args=[submitted.pk]))
    assert response.status_code == 403


def test_a_paper_application_is_keyed_in_as_a_draft_with_history(
    staff_client, staff, programme, organization, member
):
    response = staff_client.post(
        reverse("admin:subsidies_application_add"),
        {
            "programme": programme.pk,
            "window": programme.windows.first().pk,
            "category": programme.categories.first().pk,
            "channel": "paper",
            "organization": organization.pk,
            "applicant": member.pk,
            "title": "紙で届いた申請",
            "requested_amount": "100000",
            **{
                f"{prefix}-{key}": value
                for prefix in (
                    "income_lines",
                    "expense_lines",
                    "attachments",
                    "review_assignments",
                    "payments",
                    "repayments",
                    "status_changes",
                )
                for key, value in (
                    ("TOTAL_FORMS", "0"),
                    ("INITIAL_FORMS", "0"),
                    ("MIN_NUM_FORMS", "0"),
                    ("MAX_NUM_FORMS", "1000"),
                )
            },
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    application = Application.objects.get(title="紙で届いた申請")
    assert (application.status, application.channel) == (S.DRAFT, "paper")
    assert sf.history(application) == [("", S.DRAFT, "")]


def test_csv_export(staff_client, submitted):
    response = _action(staff_client, "export_csv", [submitted], follow=False)
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "number"
    assert rows[1][0] == submitted.number
    assert "港のまち花いっぱい運動" in rows[1]


# --- review assignment -----------------------------------------------------------------------------


def test_assigning_a_member_of_the_applicant_organisation_is_refused_in_the_form(
    staff_client, submitted, member
):
    Application.objects.filter(pk=submitted.pk).update(status=S.UNDER_REVIEW)
    response = staff_client.post(
        reverse("admin:subsidies_reviewassignment_add"),
        {"application": submitted.pk, "reviewer": member.pk},
    )
    assert response.status_code == 200
    assert "reviewer" in response.context["adminform"].form.errors
    assert not ReviewAssignment.objects.exists()


def test_assigning_a_reviewer_through_the_admin(staff_client, staff, submitted):
    Application.objects.filter(pk=submitted.pk).update(status=S.UNDER_REVIEW)
    reviewer = factories.make_user()
    response = staff_client.post(
        reverse("admin:subsidies_reviewassignment_add"),
        {"application": submitted.pk, "reviewer": reviewer.pk},
    )
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert (assignment.reviewer, assignment.assigned_by) == (reviewer, staff)


# --- after the decision ------------------------------------------------------------------------------


def test_change_request_refuse_action_needs_a_reason(staff_client, submitted, member):
    Application.objects.filter(pk=submitted.pk).update(status=S.GRANTED, decided_amount=100_000)
    change = ChangeRequest.objects.create(application=submitted, description="日程変更")
    url = reverse("admin:subsidies_changerequest_changelist")
    response = _action(staff_client, "refuse", [change], url=url)
    assert _levels(response) == ["warning"]
    _action(staff_client, "approve", [change], url=url)
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.APPROVED


def test_an_advance_is_keyed_in_through_the_service(staff_client, staff, submitted):
    Application.objects.filter(pk=submitted.pk).update(status=S.GRANTED, decided_amount=100_000)
    url = reverse("admin:subsidies_payment_add")
    refused = staff_client.post(
        url, {"application": submitted.pk, "paid_on": "2026-07-01", "amount": "100001"}
    )
    assert refused.status_code == 200
    assert not Payment.objects.exists()
    response = staff_client.post(
        url, {"application": submitted.pk, "paid_on": "2026-07-01", "amount": "60000"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.kind, payment.amount, payment.recorded_by) == ("advance", 60_000, staff)


def test_ranking_csv_of_one_programme(staff_client, staff, programme, submitted):
    from subsidies import services

    Application.objects.filter(pk=submitted.pk).update(status=S.UNDER_REVIEW)
    submitted.refresh_from_db()
    reviewer = factories.make_user()
    assignment = services.assign_reviewer(application=submitted, reviewer=reviewer, by=staff)
    for criterion, value in zip(programme.criteria.order_by("sort_order"), [4, 3], strict=True):
        services.score_save(assignment=assignment, criterion=criterion, score=value, by=reviewer)
    url = reverse("admin:subsidies_programme_changelist")
    response = _action(staff_client, "export_ranking", [programme], url=url, follow=False)
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8").lstrip("\ufeff"))))
    assert rows[0][-2:] == ["average:公益性", "average:実現性"]
    assert rows[1][:2] == ["1", submitted.number]
    assert rows[1][-3:] == ["11.00", "4.00", "3.00"]  # 4×2 + 3×1


def test_ranking_csv_needs_exactly_one_programme(staff_client, programme):
    other = sf.make_programme(track="youth")
    url = reverse("admin:subsidies_programme_changelist")
    response = _action(staff_client, "export_ranking", [programme, other], url=url)
    assert _levels(response) == ["warning"]


def test_staff_mark_a_booked_consultation_held_from_the_list(
    staff_client, programme, organization, member
):
    from subsidies import services
    from subsidies.models import Consultation

    past = services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=timezone.localdate() - dt.timedelta(days=1),
        topic="予算の相談",
        by=member,
    )
    future = services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=timezone.localdate() + dt.timedelta(days=3),
        topic="日程の相談",
        by=member,
    )

    staff_client.post(
        reverse("admin:subsidies_consultation_changelist"),
        {"action": "mark_held", "_selected_action": [past.pk, future.pk], "index": "0"},
    )

    assert Consultation.objects.get(pk=past.pk).held
    assert not Consultation.objects.get(pk=future.pk).held  # not yet taken place


def test_after_submission_the_admin_cannot_move_or_rewrite_an_application(
    staff_client, application, other_organization
):
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.ADOPTED, decided_amount=50_000, number="HS-2026-00009"
    )
    url = reverse("admin:subsidies_application_change", args=[application.pk])
    form = staff_client.get(url).context["adminform"].form

    for name in ["organization", "applicant", "programme", "requested_amount", "title"]:
        assert name not in form.fields, name  # shown read-only, not posted

    data = {
        "organization": other_organization.pk,
        "requested_amount": "1",
        "title": "書き換え",
        "_save": "1",
    }
    staff_client.post(url, data)
    application.refresh_from_db()
    assert application.organization_id != other_organization.pk
    assert (application.requested_amount, application.title) != (1, "書き換え")


def test_a_draft_keyed_in_from_paper_can_still_be_corrected(staff_client, application):
    url = reverse("admin:subsidies_application_change", args=[application.pk])
    form = staff_client.get(url).context["adminform"].form

    assert "title" in form.fields
    assert "organization" not in form.fields  # who applies is fixed once created


# --- lost updates: a change form never writes back a state committed meanwhile ------------------


def _change_form_data(response) -> dict:
    """What the browser posts back from an admin change form, untouched: every field of the
    form and of its inline formsets, as rendered."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {"_save": "1"}
    for form in forms:
        for bound in form:
            value = bound.value()
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif value is not None:
                data[bound.html_name] = str(value)
    return data


def _committed_meanwhile(monkeypatch, admin_class, transition):
    """Run `transition(obj)` (another person's request, committed) after the admin has loaded
    the record for a POST and before it saves it."""
    real = admin_class.get_object

    def loaded_then_changed(self, request, object_id, from_field=None):
        obj = real(self, request, object_id, from_field)
        if request.method == "POST" and obj is not None:
            transition(obj)
        return obj

    monkeypatch.setattr(admin_class, "get_object", loaded_then_changed)


def test_a_withdrawal_committed_while_staff_save_a_correction_is_kept(
    staff_client, application, member, monkeypatch
):
    from subsidies import services
    from subsidies.admin.applications import ApplicationAdmin

    url = reverse("admin:subsidies_application_change", args=[application.pk])
    data = _change_form_data(staff_client.get(url))
    data["title"] = "題名を直した"
    _committed_meanwhile(
        monkeypatch,
        ApplicationAdmin,
        lambda obj: services.application_withdraw(
            application=Application.objects.get(pk=obj.pk), by=member, reason="取りやめ"
        ),
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN  # as the withdrawal set it
    assert application.title == "題名を直した"  # the correction is saved too
    assert sf.history(application)[-1] == (S.DRAFT, S.WITHDRAWN, "取りやめ")


def test_an_answer_to_a_change_request_committed_while_its_page_is_saved_is_kept(
    staff_client, staff, submitted, monkeypatch
):
    from subsidies import services
    from subsidies.admin.followup import ChangeRequestAdmin

    Application.objects.filter(pk=submitted.pk).update(status=S.GRANTED, decided_amount=100_000)
    change = ChangeRequest.objects.create(application=submitted, description="日程変更")
    url = reverse("admin:subsidies_changerequest_change", args=[change.pk])
    data = _change_form_data(staff_client.get(url))
    _committed_meanwhile(
        monkeypatch,
        ChangeRequestAdmin,
        lambda obj: services.change_request_approve(
            change_request=ChangeRequest.objects.get(pk=obj.pk), by=staff
        ),
    )

    assert staff_client.post(url, data).status_code == 302
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeRequest.Status.APPROVED, staff)
    assert [(h.old_status, h.new_status) for h in change.status_changes.order_by("at", "pk")] == [
        ("requested", "approved")
    ]


def test_a_consultation_marked_held_while_its_topic_is_corrected_stays_held(
    staff_client, staff, programme, organization, member, monkeypatch
):
    from subsidies import services
    from subsidies.admin.programmes import ConsultationAdmin
    from subsidies.models import Consultation

    consultation = services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=timezone.localdate() - dt.timedelta(days=1),
        topic="予算の相談",
        by=member,
    )
    url = reverse("admin:subsidies_consultation_change", args=[consultation.pk])
    data = _change_form_data(staff_client.get(url))
    data["topic"] = "予算と日程の相談"
    _committed_meanwhile(
        monkeypatch,
        ConsultationAdmin,
        lambda obj: services.consultation_mark_held(
            consultation=Consultation.objects.get(pk=obj.pk), by=staff
        ),
    )

    assert staff_client.post(url, data).status_code == 302
    consultation.refresh_from_db()
    assert (consultation.held, consultation.topic) == (True, "予算と日程の相談")
