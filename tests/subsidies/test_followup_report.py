"""The completion report (実績報告) in the browser: the lines prefilled from the plan, 入力 →
確認 → 完了 through the report transition, rows added without JavaScript, documents added and
removed without losing what was typed, clear messages, the report returned and filed again,
and a fixed number of queries."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext, override

from subsidies.models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    AttachmentType,
    BudgetStage,
    ExpenseLine,
    IncomeLine,
)
from tests import factories
from tests.subsidies import factories as sf
from tests.subsidies.factories import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def ja(message, **values):
    with override("ja"):
        text = gettext(message)
    return text % values if values else text


@pytest.fixture
def granted(programme, organization, member):
    application = sf.make_application(
        programme=programme, organization=organization, applicant=member
    )
    Application.objects.filter(pk=application.pk).update(
        status=S.GRANTED, decided_amount=100_000, decided_at=NOW
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def _url(application):
    return reverse("subsidies:report", args=[application.pk])


def _lines(prefix, rows, total=None):
    data = {
        f"{prefix}-TOTAL_FORMS": str(total or len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def _report_data(*, income=None, expenses=None, **fields):
    income = income or [
        {"kind": "this_subsidy", "description": "", "amount": "90,000"},
        {"kind": "own_funds", "description": "会費から", "amount": "９０，０００"},
    ]
    expenses = expenses or [
        {"item": "consumables", "description": "花の苗", "amount": "150000", "eligible": "on"},
        {"item": "other", "description": "打ち上げの飲食", "amount": "30000"},
    ]
    return {
        "summary": "輪西町の花壇12か所に花を植え、清掃を4回行った。",
        "participants": "４５",
        "effects": "通りのごみが減った。",
        **_lines("income", income, total=len(income) + 3),
        **_lines("expense", expenses, total=len(expenses) + 3),
        **fields,
    }


def test_the_form_starts_from_the_plan(member_client, granted):
    response = member_client.get(_url(granted))
    assert response.status_code == 200
    assert response.templates[0].name == "subsidies/report_form.html"
    expenses = response.context["expenses"]
    assert expenses.forms[0]["item"].value() == "consumables"
    assert expenses.forms[0]["amount"].value() == 200_000
    assert len(expenses.forms) == 1 + 3  # the plan's line and three blank rows
    kinds = [form["kind"].value() for form in response.context["income"].forms[:2]]
    assert kinds == ["this_subsidy", "own_funds"]
    # The formula on the plan: 1/2 of ¥200,000 = ¥100,000, within the grant.
    assert response.context["formula_amount"] == 100_000
    assert f"/subsidies/applications/{granted.pk}/" in response.content.decode()


def test_a_member_files_the_report_through_the_confirmation_step(
    member_client, member, granted, django_capture_on_commit_callbacks
):
    confirm = member_client.post(_url(granted), _report_data())
    assert confirm.templates[0].name == "subsidies/report_confirm.html"
    # 1/2 of the eligible ¥150,000 = ¥75,000, below the ¥100,000 decided.
    assert confirm.context["formula_amount"] == 75_000
    html = confirm.content.decode()
    assert "¥75,000" in html and "花の苗" in html and "180,000" in html
    assert not IncomeLine.objects.filter(stage=BudgetStage.ACTUAL).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = member_client.post(_url(granted), {**_report_data(), "_submit": "1"})
    assert done.status_code == 302
    assert done["Location"] == f"/subsidies/applications/{granted.pk}/"
    granted.refresh_from_db()
    assert granted.status == S.REPORTED
    assert granted.report_summary.startswith("輪西町の花壇12か所")
    assert (granted.report_participants, granted.report_effects) == (45, "通りのごみが減った。")
    assert sorted(
        granted.expense_lines.filter(stage=BudgetStage.ACTUAL).values_list(
            "item", "description", "amount", "eligible", "sort_order"
        )
    ) == [
        ("consumables", "花の苗", 150_000, True, 1),
        ("other", "打ち上げの飲食", 30_000, False, 2),
    ]
    assert sorted(
        granted.income_lines.filter(stage=BudgetStage.ACTUAL).values_list("kind", "amount")
    ) == [("own_funds", 90_000), ("this_subsidy", 90_000)]
    # The plan is untouched.
    assert granted.expense_lines.filter(stage=BudgetStage.PLAN).count() == 1
    change = ApplicationStatusChange.objects.get(application=granted, new_status=S.REPORTED)
    assert change.by == member
    assert len(mail.outbox) == 1
    link = settings.SITE_URL.rstrip("/") + f"/subsidies/applications/{granted.pk}/"
    assert link in mail.outbox[0].body


def _hidden_fields(html):
    """What the confirmation page posts back: its hidden inputs."""
    import re

    data = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        data[name] = value.group(1) if value else ""
    return data


def test_the_confirmation_page_carries_every_line(member_client, granted):
    confirm = member_client.post(_url(granted), _report_data())
    data = _hidden_fields(confirm.content.decode())
    assert data["expense-TOTAL_FORMS"] == "5"
    member_client.post(_url(granted), {**data, "_submit": "1"})
    granted.refresh_from_db()
    assert granted.status == S.REPORTED
    assert granted.report_participants == 45
    assert sorted(
        granted.expense_lines.filter(stage=BudgetStage.ACTUAL).values_list("amount", "eligible")
    ) == [(30_000, False), (150_000, True)]


def test_blank_rows_are_eligible_by_default(member_client, granted):
    expenses = member_client.get(_url(granted)).context["expenses"]
    assert expenses.forms[-1]["eligible"].value() is True


def test_back_from_the_confirmation_keeps_everything(member_client, granted):
    response = member_client.post(_url(granted), {**_report_data(), "_back": "1"})
    assert response.templates[0].name == "subsidies/report_form.html"
    assert response.context["form"]["summary"].value().startswith("輪西町の花壇")
    assert response.context["expenses"].forms[0]["description"].value() == "花の苗"
    assert not response.context["has_errors"]


def test_an_unbalanced_report_says_so_and_keeps_what_was_typed(member_client, granted):
    data = _report_data(
        income=[{"kind": "own_funds", "description": "", "amount": "1000"}],
    )
    response = member_client.post(_url(granted), data)
    assert response.templates[0].name == "subsidies/report_form.html"
    assert response.context["line_errors"]["income_lines"] == [
        ja(
            "Actual income (¥%(income)s) and expenses (¥%(expenses)s) must be equal.",
            income="1,000",
            expenses="180,000",
        )
    ]
    html = response.content.decode()
    assert ja("Please correct the following") in html
    assert "花の苗" in html and "輪西町の花壇12か所" in html
    granted.refresh_from_db()
    assert granted.status == S.GRANTED
    assert not ExpenseLine.objects.filter(stage=BudgetStage.ACTUAL).exists()


def test_bad_amounts_and_an_empty_summary_are_explained_next_to_the_fields(member_client, granted):
    data = _report_data(
        summary=" ",
        participants="たくさん",
        expenses=[{"item": "consumables", "description": "花の苗", "amount": "十五万"}],
    )
    response = member_client.post(_url(granted), data)
    form = response.context["form"]
    assert form.errors["summary"] == [ja("Describe what the project did.")]
    assert form.errors["participants"] == [ja("Enter the number of participants as a number.")]
    row = response.context["expenses"].forms[0]
    # The plan's rule and messages: one budget-line form for the plan and the report.
    assert row.errors["amount"] == [
        ja("Enter the amount in yen using digits only, for example 120,000.")
    ]
    assert row["amount"].value() == "十五万"
    # A description without an amount is not a blank row.
    data = _report_data(expenses=[{"item": "consumables", "description": "花の苗", "amount": ""}])
    row = member_client.post(_url(granted), data).context["expenses"].forms[0]
    assert row.errors["amount"] == [ja("Enter the amount in yen.")]
    assert granted.expense_lines.filter(stage=BudgetStage.ACTUAL).count() == 0


def test_every_problem_is_shown_at_once(member_client, granted):
    data = _report_data(summary="", income=[{"kind": "fees", "description": "", "amount": "1"}])
    response = member_client.post(_url(granted), data)
    assert "summary" in response.context["form"].errors
    assert "income_lines" in response.context["line_errors"]


def test_no_expenses_at_all(member_client, granted):
    data = _report_data(
        income=[{"kind": "own_funds", "description": "", "amount": ""}],
        expenses=[{"item": "consumables", "description": "", "amount": ""}],
    )
    response = member_client.post(_url(granted), data)
    assert response.context["line_errors"]["expense_lines"] == [
        ja("Enter the actual expenses, by expense item.")
    ]


def test_more_rows_without_javascript(member_client, granted):
    response = member_client.post(_url(granted), {**_report_data(), "_more_expense": "1"})
    expenses = response.context["expenses"]
    assert len(expenses.forms) == 2 + 3 + 3
    assert expenses.forms[1]["description"].value() == "打ち上げの飲食"
    assert len(response.context["income"].forms) == 2 + 3
    assert not response.context["has_errors"]
    # Even with a row that would be refused, adding rows shows no error yet.
    data = _report_data(summary="", income=[{"kind": "fees", "description": "", "amount": "x"}])
    response = member_client.post(_url(granted), {**data, "_more_income": "1"})
    assert not response.context["has_errors"]
    assert len(response.context["income"].forms) == 1 + 3 + 3
    assert response.context["income"].forms[0]["amount"].value() == "x"


def test_the_report_documents_required_by_the_programme(member_client, programme, granted):
    programme.required_attachment_types.add(AttachmentType.objects.get(code="photos"))
    response = member_client.post(_url(granted), _report_data())
    assert response.context["line_errors"]["attachments"] == [
        ja("Attach the following documents: %(documents)s.", documents="活動写真")
    ]
    # Adding the photos with the same form: the text typed stays.
    upload = SimpleUploadedFile("写真.pdf", PDF, content_type="application/pdf")
    response = member_client.post(
        _url(granted),
        {
            **_report_data(),
            "document_type": AttachmentType.objects.get(code="photos").pk,
            "document": upload,
            "_upload": "1",
        },
    )
    assert response.templates[0].name == "subsidies/report_form.html"
    assert response.context["form"]["summary"].value().startswith("輪西町の花壇")
    attachment = Attachment.objects.get(application=granted, type__code="photos")
    assert attachment.original_name == "写真.pdf"
    assert attachment.uploaded_by == granted.applicant
    assert attachment.file.name.startswith("private/subsidies/")
    assert response.context["missing_documents"] == []
    confirm = member_client.post(_url(granted), _report_data())
    assert confirm.templates[0].name == "subsidies/report_confirm.html"
    assert "写真.pdf" in confirm.content.decode()


def test_a_file_chosen_is_kept_whichever_button_is_pressed(member_client, granted):
    upload = SimpleUploadedFile("receipts.pdf", PDF, content_type="application/pdf")
    data = {
        **_report_data(),
        "document_type": AttachmentType.objects.get(code="receipts").pk,
        "document": upload,
    }
    response = member_client.post(_url(granted), data)
    assert response.templates[0].name == "subsidies/report_confirm.html"
    assert Attachment.objects.filter(application=granted, type__code="receipts").count() == 1


def test_a_bad_file_is_refused_next_to_the_field(member_client, granted):
    upload = SimpleUploadedFile("photo.pdf", b"not a pdf at all", content_type="application/pdf")
    data = {
        **_report_data(),
        "document_type": AttachmentType.objects.get(code="photos").pk,
        "document": upload,
    }
    response = member_client.post(_url(granted), data)
    assert response.templates[0].name == "subsidies/report_form.html"
    assert response.context["document_form"].errors["document"] == [
        ja("Attach a PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) file.")
    ]
    assert response.context["form"]["summary"].value().startswith("輪西町の花壇")
    assert not Attachment.objects.filter(type__stage="report").exists()


def test_a_document_is_removed_with_its_button(member_client, granted):
    attachment = sf.attach(granted, "photos", name="photo.pdf")
    response = member_client.post(
        _url(granted), {**_report_data(), "_remove_document": str(attachment.pk)}
    )
    assert response.templates[0].name == "subsidies/report_form.html"
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert response.context["documents"] == []
    assert response.context["form"]["summary"].value().startswith("輪西町の花壇")


def test_an_application_document_cannot_be_removed_from_the_report(member_client, granted):
    plan = Attachment.objects.filter(application=granted, type__code="plan").get()
    member_client.post(_url(granted), {**_report_data(), "_remove_document": str(plan.pk)})
    assert Attachment.objects.filter(pk=plan.pk).exists()


def test_a_returned_report_shows_the_reason_and_the_lines_filed(member_client, granted, staff):
    sf.add_budget(
        granted,
        stage=BudgetStage.ACTUAL,
        expenses=[(ExpenseLine.Item.PRINTING, 120_000, True)],
        subsidy=60_000,
    )
    ApplicationStatusChange.objects.create(
        application=granted, old_status=S.GRANTED, new_status=S.REPORTED, at=NOW
    )
    ApplicationStatusChange.objects.create(
        application=granted,
        old_status=S.REPORTED,
        new_status=S.GRANTED,
        by=staff,
        at=NOW,
        reason="領収書の写しが足りません",
    )
    Application.objects.filter(pk=granted.pk).update(report_summary="前回の報告")
    response = member_client.get(_url(granted))
    assert response.context["returned_reason"] == "領収書の写しが足りません"
    assert "領収書の写しが足りません" in response.content.decode()
    assert response.context["form"]["summary"].value() == "前回の報告"
    assert response.context["expenses"].forms[0]["item"].value() == "printing"
    assert response.context["formula_amount"] == 60_000
    # Filed again: the actual lines are replaced, not added to.
    member_client.post(_url(granted), {**_report_data(), "_submit": "1"})
    granted.refresh_from_db()
    assert granted.status == S.REPORTED
    assert granted.expense_lines.filter(stage=BudgetStage.ACTUAL).count() == 2
    assert not granted.expense_lines.filter(stage=BudgetStage.ACTUAL, item="printing").exists()


def test_a_refusal_by_the_service_keeps_the_lines_filed_before(
    member_client, programme, granted, monkeypatch
):
    """The documents check and the transition run in one transaction with the new lines."""
    sf.add_budget(
        granted, stage=BudgetStage.ACTUAL, expenses=[(ExpenseLine.Item.RENTAL, 10, True)], subsidy=0
    )
    from subsidies.views import followup

    monkeypatch.setattr(followup, "_missing_documents", lambda *args: [])
    programme.required_attachment_types.add(AttachmentType.objects.get(code="accounts"))
    response = member_client.post(_url(granted), {**_report_data(), "_submit": "1"})
    assert response.status_code == 200
    assert response.context["line_errors"]["attachments"] == [
        ja("Attach the following documents: %(documents)s.", documents="収支決算書")
    ]
    assert list(
        granted.expense_lines.filter(stage=BudgetStage.ACTUAL).values_list("item", flat=True)
    ) == ["rental"]
    granted.refresh_from_db()
    assert granted.status == S.GRANTED


@pytest.mark.parametrize("status", [S.REPORTED, S.CONFIRMED, S.CLOSED])
def test_after_filing_the_report_is_read_only(member_client, granted, status):
    sf.add_budget(granted, stage=BudgetStage.ACTUAL, subsidy=100_000)
    Application.objects.filter(pk=granted.pk).update(
        status=status, report_summary="花壇を作った", confirmed_amount=90_000
    )
    response = member_client.get(_url(granted))
    assert response.templates[0].name == "subsidies/report_detail.html"
    html = response.content.decode()
    assert "花壇を作った" in html and "200,000" in html
    response = member_client.post(_url(granted), {**_report_data(), "_submit": "1"})
    assert response.status_code == 302
    assert Application.objects.get(pk=granted.pk).status == status


@pytest.mark.parametrize("status", [S.DRAFT, S.UNDER_REVIEW, S.ADOPTED, S.REJECTED])
def test_no_report_before_the_grant(member_client, granted, status):
    Application.objects.filter(pk=granted.pk).update(status=status)
    assert member_client.get(_url(granted)).status_code == 404


def test_another_group_cannot_file_a_report(client, other_member, other_organization, granted):
    client.force_login(other_member)
    response = client.post(_url(granted), {**_report_data(), "_submit": "1"})
    assert response.status_code == 404
    assert Application.objects.get(pk=granted.pk).status == S.GRANTED


def test_staff_may_file_for_the_group(client, staff, granted):
    factories.with_second_factor(client, staff)
    client.post(_url(granted), {**_report_data(), "_submit": "1"})
    assert Application.objects.get(pk=granted.pk).status == S.REPORTED


@pytest.mark.parametrize("lines", [1, 8])
def test_the_report_page_runs_a_fixed_number_of_queries(
    member_client, granted, django_assert_num_queries, lines
):
    """Session, user, the application, membership, the documents, the lines (income, expenses),
    the returned reason, the programme's required documents, the report's document types."""
    for n in range(lines):
        sf.add_budget(
            granted, stage=BudgetStage.ACTUAL, expenses=[("consumables", 1000 + n, True)], subsidy=0
        )
        sf.attach(granted, "photos", name=f"photo{n}.pdf")
    with django_assert_num_queries(10):
        assert member_client.get(_url(granted)).status_code == 200


@pytest.mark.parametrize("lines", [1, 8])
def test_the_filed_report_runs_a_fixed_number_of_queries(
    member_client, granted, django_assert_num_queries, lines
):
    for n in range(lines):
        sf.add_budget(
            granted, stage=BudgetStage.ACTUAL, expenses=[("consumables", 1000 + n, True)], subsidy=0
        )
        sf.attach(granted, "photos", name=f"photo{n}.pdf")
    Application.objects.filter(pk=granted.pk).update(status=S.REPORTED)
    with django_assert_num_queries(7):
        assert member_client.get(_url(granted)).status_code == 200
