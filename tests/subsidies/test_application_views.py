"""The group's application through the client: 事前相談, starting a draft, the plan and budget
(save as draft keeps what is valid), documents, 確認 → 申請 → 完了 with every refusal, the
application page, withdrawing, resubmitting after 差戻し, the list — with what the database holds,
the e-mail, 404 for other groups' ids, and fixed query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from organizations.models import ActorType
from subsidies import services
from subsidies.models import (
    DECLARATIONS,
    Application,
    ApplicationStatusChange,
    Attachment,
    AttachmentType,
    BudgetStage,
    Consultation,
    ExpenseLine,
    IncomeLine,
    ReviewAssignment,
)
from tests import factories
from tests import hostile_files as hostile
from tests.images import html_jpeg_polyglot
from tests.subsidies import factories as sf
from tests.subsidies.factories import JST

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
# Session, user, the application with its plan lines, membership, choices, documents…: the same
# whatever the number of lines, documents, history rows and applications.
# The confirmation page's submit button with every declaration ticked.
SUBMIT = {"_submit": "1", **{name: "on" for name, _statement in DECLARATIONS}}
# Each with one for the notice recommending a second factor to the group's 代表者.
EDIT_PAGE_QUERIES = 12  # no collaboration-form choice: it is always 補助
DETAIL_PAGE_QUERIES = 12
LIST_PAGE_QUERIES = 8
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def _ja(msgid: str) -> str:
    """A string as the Japanese page shows it, translated or not (yet), HTML-escaped."""
    with override("ja"):
        return escape(gettext(msgid))


def _ja_raw(msgid: str) -> str:
    with override("ja"):
        return gettext(msgid)


def _message_pattern(msgid: str) -> re.Pattern:
    """The Japanese message with its %(placeholders)s matching anything (but something)."""
    parts = re.split(r"%\(\w+\)s", _ja_raw(msgid).replace("%%", "%"))
    return re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)


def url(name, *args):
    return reverse(f"subsidies:{name}", args=args)


def login_redirect(path):
    return f"{reverse('account_login')}?next={path}"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def application(programme, organization, member):
    """A complete draft of the member's organisation: it can be submitted as it is."""
    return sf.make_application(programme=programme, organization=organization, applicant=member)


@pytest.fixture
def stranger_application(programme):
    """Another verified group's draft, with a document."""
    outsider = factories.make_user("outsider@example.jp")
    group = factories.make_organization(name="中島町の会", representative=outsider)
    return sf.make_application(programme=programme, organization=group, applicant=outsider)


def plan_data(application=None, **overrides) -> dict:
    """What a member types on the plan page: a balanced budget of ¥200,000, ¥100,000 asked."""
    data = {
        "category": application.programme.categories.first().pk if application else "",
        "title": "港のまち花いっぱい運動",
        "purpose": "まちの景観を良くする",
        "content": "花壇づくりと清掃",
        "place": "輪西町",
        "starts_on": "2026/06/01",
        "ends_on": "2026/11/28",
        "expected_effects": "住民の交流が増える",
        "partner_text": "輪西小学校PTA",
        "collaboration_form": "",
        "requested_amount": "１００，０００",
        "income-TOTAL_FORMS": "3",
        "income-INITIAL_FORMS": "0",
        "income-MIN_NUM_FORMS": "0",
        "income-MAX_NUM_FORMS": "40",
        "income-0-kind": "this_subsidy",
        "income-0-description": "",
        "income-0-amount": "100,000",
        "income-1-kind": "own_funds",
        "income-1-description": "団体の積立金",
        "income-1-amount": "１００，０００円",
        "income-2-kind": "",
        "income-2-description": "",
        "income-2-amount": "",
        "expense-TOTAL_FORMS": "4",
        "expense-INITIAL_FORMS": "0",
        "expense-MIN_NUM_FORMS": "0",
        "expense-MAX_NUM_FORMS": "40",
        "expense-0-item": "consumables",
        "expense-0-description": "花の苗",
        "expense-0-amount": "150,000",
        "expense-0-eligible": "on",
        "expense-1-item": "other",
        "expense-1-description": "茶菓",
        "expense-1-amount": "50000",
        "expense-2-item": "",
        "expense-2-description": "",
        "expense-2-amount": "",
        "expense-2-eligible": "on",
        "expense-3-item": "",
        "expense-3-description": "",
        "expense-3-amount": "",
    }
    data.update(overrides)
    return data


def _lines(application, model):
    return list(
        model.objects.filter(application=application, stage=BudgetStage.PLAN)
        .order_by("sort_order")
        .values_list(
            "kind" if model is IncomeLine else "item",
            "description",
            "amount",
            *(("eligible",) if model is ExpenseLine else ()),
        )
    )


def _draft(programme, organization, member, **extra):
    """An empty draft, as the start page leaves it."""
    return sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        budget=False,
        attachments=False,
        requested_amount=0,
        purpose="",
        content="",
        place="",
        starts_on=None,
        ends_on=None,
        **extra,
    )


# --- who may open the pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "application_detail",
        "application_edit",
        "application_documents",
        "application_confirm",
        "application_submitted",
        "application_withdraw",
    ],
)
def test_anonymous_is_sent_to_sign_in(client, application, name):
    path = url(name, application.pk)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == login_redirect(path)


def test_anonymous_is_sent_to_sign_in_from_the_list_start_booking_and_download(
    client, application, programme
):
    attachment = application.attachments.first()
    for path in (
        url("application_list"),
        url("apply", programme.pk),
        url("consultation_book", programme.pk),
        url("attachment", attachment.pk),
    ):
        response = client.get(path)
        assert response["Location"] == login_redirect(path)


@pytest.mark.parametrize(
    "name",
    [
        "application_detail",
        "application_edit",
        "application_documents",
        "application_confirm",
        "application_submitted",
        "application_withdraw",
    ],
)
def test_another_groups_application_is_404(as_user, member, stranger_application, name):
    client = as_user(member)
    assert client.get(url(name, stranger_application.pk)).status_code == 404
    assert client.post(url(name, stranger_application.pk), {}).status_code == 404
    stranger_application.refresh_from_db()
    assert stranger_application.status == S.DRAFT


def test_another_groups_attachment_is_404(as_user, member, stranger_application):
    attachment = stranger_application.attachments.first()
    client = as_user(member)
    assert client.get(url("attachment", attachment.pk)).status_code == 404
    response = client.post(url("attachment_delete", stranger_application.pk, attachment.pk))
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_an_attachment_cannot_be_deleted_through_another_application(
    as_user, member, application, stranger_application
):
    attachment = stranger_application.attachments.first()
    response = as_user(member).post(url("attachment_delete", application.pk, attachment.pk))
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_an_assigned_reviewer_reads_but_cannot_act(as_user, application, programme):
    reviewer = factories.make_user("reviewer@example.jp")
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    # Reviewers read only after the second factor (subsidies.second_factor).
    client = factories.with_second_factor(as_user(reviewer), reviewer)
    assert client.get(url("application_detail", application.pk)).status_code == 200
    attachment = application.attachments.first()
    assert client.get(url("attachment", attachment.pk)).status_code == 200
    assert client.get(url("application_edit", application.pk)).status_code == 403
    assert client.post(url("application_confirm", application.pk)).status_code == 403
    assert client.post(url("application_withdraw", application.pk)).status_code == 403
    application.refresh_from_db()
    assert application.status == S.DRAFT


# --- starting an application -----------------------------------------------------------------------


def test_the_start_page_offers_only_verified_organisations_of_the_member(
    as_user, member, organization, other_organization, programme
):
    factories.add_member(other_organization, member)  # pending: not offered
    response = as_user(member).get(url("apply", programme.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["form"].fields["organization"].queryset) == [organization]
    assert "白鳥台ふれあいの会" not in html
    assert _ja("Why we ask for this (purpose of use)") in html


def test_a_member_starts_a_draft(as_user, member, organization, programme):
    category = programme.categories.first()
    response = as_user(member).post(
        url("apply", programme.pk),
        {"organization": organization.pk, "category": category.pk, "title": "花いっぱい運動"},
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("application_edit", application.pk)
    assert application.status == S.DRAFT
    assert application.organization == organization
    assert application.applicant == member
    assert application.category == category
    assert application.window.label == "第1期"
    assert application.channel == "web"
    assert application.number == ""
    assert sf.history(application) == [("", S.DRAFT, "")]
    assert not mail.outbox


def test_starting_for_an_organisation_one_does_not_belong_to_is_refused(
    as_user, member, organization, programme, stranger_application
):
    response = as_user(member).post(
        url("apply", programme.pk),
        {
            "organization": stranger_application.organization_id,
            "category": programme.categories.first().pk,
            "title": "乗っ取り",
        },
    )
    assert response.status_code == 200
    assert _ja("You can apply only for a verified organisation you are a member of.") in (
        response.content.decode()
    )
    assert Application.objects.count() == 1


def test_starting_for_an_actor_type_not_eligible_is_refused(
    as_user, member, organization, programme
):
    programme.eligible_actor_types.set(ActorType.objects.filter(code="neighbourhood"))
    response = as_user(member).post(
        url("apply", programme.pk),
        {
            "organization": organization.pk,
            "category": programme.categories.first().pk,
            "title": "花いっぱい運動",
        },
    )
    assert response.status_code == 200
    assert "field--error" in response.content.decode()
    assert response.context["form"].errors["organization"]
    assert not Application.objects.exists()


def test_a_closed_programme_cannot_be_started(as_user, member, organization, programme, frozen):
    frozen.move_to(dt.datetime(2026, 6, 15, 12, 0, tzinfo=JST))  # between 第1期 and 第2期
    response = as_user(member).post(
        url("apply", programme.pk),
        {
            "organization": organization.pk,
            "category": programme.categories.first().pk,
            "title": "花いっぱい運動",
        },
    )
    assert response.status_code == 200
    assert (
        _ja_raw(
            "Applications for this programme are not being accepted now. Look at the programme's "
            "intake windows."
        )
        in response.content.decode()
    )
    assert 'name="organization"' not in response.content.decode()
    assert not Application.objects.exists()


def test_the_start_page_points_to_the_prior_consultation_first(
    as_user, member, organization, programme
):
    programme.consultation_required = True
    programme.save()
    client = as_user(member)
    assert client.get(url("apply", programme.pk)).context["needs_consultation"]
    sf.consult(organization, programme)
    assert not client.get(url("apply", programme.pk)).context["needs_consultation"]


def test_an_unpublished_programme_is_404(as_user, member, programme):
    programme.is_published = False
    programme.save()
    assert as_user(member).get(url("apply", programme.pk)).status_code == 404


# --- the plan and budget -------------------------------------------------------------------------


def test_the_edit_page_shows_the_draft_with_empty_rows(as_user, member, application):
    response = as_user(member).get(url("application_edit", application.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{application.title}"' in html
    # One saved line of each, then three empty rows.
    assert response.context["income_set"].total_form_count() == 2 + 3
    assert response.context["expense_set"].total_form_count() == 1 + 3
    assert 'name="expense-3-amount"' in html
    assert 'value="200,000"' in html
    assert response.context["eligible_limit"] == 100_000
    assert _ja("Save as draft") in html
    assert _ja("Continue to confirmation") in html


def test_save_as_draft_stores_everything_typed(as_user, member, organization, programme):
    draft = _draft(programme, organization, member)
    partner = factories.make_organization(name="輪西商店会")
    data = plan_data(draft, partner_organizations=[partner.pk], _save="1")

    response = as_user(member).post(url("application_edit", draft.pk), data)

    assert response.status_code == 302
    assert response["Location"] == url("application_edit", draft.pk)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert draft.title == "港のまち花いっぱい運動"
    assert draft.starts_on == dt.date(2026, 6, 1)
    assert draft.ends_on == dt.date(2026, 11, 28)
    assert draft.requested_amount == 100_000
    assert draft.partner_text == "輪西小学校PTA"
    assert list(draft.partner_organizations.all()) == [partner]
    assert _lines(draft, IncomeLine) == [
        ("this_subsidy", "", 100_000),
        ("own_funds", "団体の積立金", 100_000),
    ]
    assert _lines(draft, ExpenseLine) == [
        ("consumables", "花の苗", 150_000, True),
        ("other", "茶菓", 50_000, False),
    ]
    page = as_user(member).get(response["Location"])
    assert page.context["budget"].eligible_expenses == 150_000
    assert page.context["eligible_limit"] == 75_000  # 150,000 × 1/2, rounded to ¥1,000


def test_a_validation_error_keeps_what_was_typed_and_saves_what_is_valid(
    as_user, member, application
):
    data = plan_data(
        application,
        title="新しい題名",
        starts_on="2026/12/01",
        ends_on="2026/11/01",  # before the start
        **{"expense-0-amount": "-5,000", "income-1-amount": "1.5", "expense-1-amount": "abc"},
        _save="1",
    )
    response = as_user(member).post(url("application_edit", application.pk), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert _ja("The end date must be on or after the start date.") in html
    assert _ja("Amounts cannot be negative. Enter 0 or more.") in html
    assert _ja("Enter whole yen, without a decimal point.") in html
    assert _ja("Enter the amount in yen using digits only, for example 120,000.") in html
    # What was typed is on the page again.
    for typed in ('value="-5,000"', 'value="1.5"', 'value="abc"', 'value="2026/12/01"'):
        assert typed in html
    assert "error-summary" in html
    application.refresh_from_db()
    # Valid fields are saved (the start fits the end saved before); the wrong end is not.
    assert application.title == "新しい題名"
    assert application.starts_on == dt.date(2026, 12, 1)
    assert application.ends_on == dt.date(2027, 2, 28)
    # The income row 2 had an error: the line saved there before is kept.
    assert _lines(application, IncomeLine) == [
        ("this_subsidy", "", 100_000),
        ("own_funds", "", 100_000),
    ]
    # Expense row 1 had an error and keeps the saved line; row 2 was new and wrong: not saved.
    assert _lines(application, ExpenseLine) == [("consumables", "", 200_000, True)]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("999,999,999,999", "Enter at most ¥%(limit)s."),
        ("-1", "Amounts cannot be negative. Enter 0 or more."),
        ("△500", "Amounts cannot be negative. Enter 0 or more."),
        ("12.50", "Enter whole yen, without a decimal point."),
        ("十万", "Enter the amount in yen using digits only, for example 120,000."),
    ],
)
def test_bad_amounts_are_refused_next_to_the_field(as_user, member, application, typed, message):
    response = as_user(member).post(
        url("application_edit", application.pk),
        plan_data(application, requested_amount=typed, _save="1"),
    )
    errors = response.context["form"].errors["requested_amount"]
    with override("ja"):
        expected = (
            gettext(message) % {"limit": "100,000,000"} if "%" in message else gettext(message)
        )
    assert errors == [expected]
    application.refresh_from_db()
    assert application.requested_amount == 100_000


def test_a_row_without_its_item_or_amount_says_what_is_missing(as_user, member, application):
    response = as_user(member).post(
        url("application_edit", application.pk),
        plan_data(
            application,
            **{"expense-2-description": "会場費", "income-2-amount": "5,000"},
            _save="1",
        ),
    )
    html = response.content.decode()
    assert _ja("Choose the expense item.") in html
    assert _ja("Enter the amount in yen.") in html
    assert _ja("Choose where this income comes from.") in html
    assert 'value="会場費"' in html


def test_more_rows_are_added_without_javascript(as_user, member, application):
    response = as_user(member).post(
        url("application_edit", application.pk), plan_data(application, _more_expense="1")
    )
    assert response.status_code == 200
    assert response.context["expense_set"].total_form_count() == 4 + 3
    assert response.context["income_set"].total_form_count() == 3
    assert 'name="expense-6-amount"' in response.content.decode()
    # What was on the page is saved meanwhile.
    assert len(_lines(application, ExpenseLine)) == 2


def test_a_tampered_row_count_leaves_the_lines_alone(as_user, member, application):
    response = as_user(member).post(
        url("application_edit", application.pk),
        plan_data(application, **{"expense-TOTAL_FORMS": "5000"}, _save="1"),
    )
    assert response.status_code == 200
    assert _lines(application, ExpenseLine) == [("consumables", "", 200_000, True)]


def test_youth_track_asks_for_members(as_user, member, organization):
    youth = sf.make_youth_programme()
    draft = _draft(youth, organization, member)
    client = as_user(member)
    html = client.get(url("application_edit", draft.pk)).content.decode()
    assert 'name="member_count"' in html
    assert 'name="youth_count"' in html

    response = client.post(
        url("application_edit", draft.pk),
        plan_data(draft, member_count="５", youth_count="6", _save="1"),
    )
    assert _ja("This cannot be more than the number of members.") in response.content.decode()
    draft.refresh_from_db()
    assert (draft.member_count, draft.youth_count) == (5, None)  # the valid one is kept

    client.post(
        url("application_edit", draft.pk),
        plan_data(draft, member_count="５", youth_count="3", _save="1"),
    )
    draft.refresh_from_db()
    assert (draft.member_count, draft.youth_count) == (5, 3)


def test_other_tracks_do_not_ask_for_members(as_user, member, application):
    html = as_user(member).get(url("application_edit", application.pk)).content.decode()
    assert 'name="member_count"' not in html


def test_continue_to_confirmation_saves_and_goes_on(as_user, member, application):
    response = as_user(member).post(
        url("application_edit", application.pk),
        plan_data(application, title="確認前の題名", _confirm="1"),
    )
    assert response.status_code == 302
    assert response["Location"] == url("application_confirm", application.pk)
    application.refresh_from_db()
    assert application.title == "確認前の題名"


def test_a_submitted_application_cannot_be_edited(as_user, member, application):
    Application.objects.filter(pk=application.pk).update(status=S.SUBMITTED, number="HS-1")
    client = as_user(member)
    response = client.post(
        url("application_edit", application.pk), plan_data(application, title="後から変更")
    )
    assert response.status_code == 302
    assert response["Location"] == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.title != "後から変更"
    assert len(_lines(application, IncomeLine)) == 2


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_edit_page_runs_a_fixed_number_of_queries(as_user, member, application):
    client = as_user(member)
    path = url("application_edit", application.pk)
    one = _count_queries(client, path)
    sf.add_budget(
        application,
        expenses=[(ExpenseLine.Item.PRINTING, 10_000, True)] * 12,
        subsidy=20_000,
    )
    for _n in range(3):
        sf.attach(application, "plan")
    partners = [factories.make_organization() for _n in range(5)]
    application.partner_organizations.set(partners)
    many = _count_queries(client, path)
    assert one == many == EDIT_PAGE_QUERIES


# --- documents ----------------------------------------------------------------------------------


def test_a_member_attaches_and_removes_a_document(as_user, member, organization, programme):
    draft = _draft(programme, organization, member)
    client = as_user(member)
    page = client.get(url("application_documents", draft.pk))
    html = page.content.decode()
    assert _ja("missing") in html
    # Only the programme's documents can be chosen.
    assert {t.code for t in page.context["form"].fields["type"].queryset} == {"plan", "budget"}

    response = client.post(
        url("application_documents", draft.pk),
        {
            "type": AttachmentType.objects.get(code="plan").pk,
            "file": SimpleUploadedFile("企画書.pdf", PDF),
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.original_name == "企画書.pdf"
    assert attachment.uploaded_by == member

    download = client.get(url("attachment", attachment.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF

    response = client.post(url("attachment_delete", draft.pk, attachment.pk))
    assert response.status_code == 302
    assert not Attachment.objects.filter(application=draft).exists()


def test_a_file_that_is_not_a_document_is_refused(as_user, member, application):
    response = as_user(member).post(
        url("application_documents", application.pk),
        {
            "type": AttachmentType.objects.get(code="plan").pk,
            "file": SimpleUploadedFile("plan.pdf", b"just text"),
        },
    )
    assert response.status_code == 200
    assert _ja("Attach a PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) file.") in (
        response.content.decode()
    )
    assert application.attachments.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("企画書.pdf", hostile.javascript_pdf(), "開いたときに動作するもの（JavaScript）"),
        ("企画書.pdf", hostile.object_stream_pdf(), "開いたときに動作するもの（JavaScript）"),
        ("企画書.docx", hostile.office({"../../evil.xml": b"<x/>"}), "安全でない名前"),
        ("企画書.docx", hostile.inflating_docx(200), "100 MB を超える"),
        ("企画書.docx", hostile.office({"word/vbaProject.bin": b"x"}), "マクロ"),
    ],
)
def test_a_hostile_document_is_refused_next_to_the_file(
    as_user, member, application, name, content, says
):
    response = as_user(member).post(
        url("application_documents", application.pk),
        {
            "type": AttachmentType.objects.get(code="plan").pk,
            "file": SimpleUploadedFile(name, content, "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert says in response.content.decode()
    assert application.attachments.count() == 2


def test_an_image_attached_is_stored_re_encoded(as_user, member, organization, programme):
    draft = _draft(programme, organization, member)
    client = as_user(member)
    response = client.post(
        url("application_documents", draft.pk),
        {
            "type": AttachmentType.objects.get(code="plan").pk,
            "file": SimpleUploadedFile("会場.jpg", html_jpeg_polyglot(), "text/html"),
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as stored:
        data = stored.read()
    assert b"<script" not in data.lower()
    assert attachment.size == len(data)
    download = client.get(url("attachment", attachment.pk))
    assert b"".join(download.streaming_content) == data


def test_a_document_type_outside_the_programme_is_refused(as_user, member, application):
    other_type = AttachmentType.objects.exclude(code__in=("plan", "budget")).first()
    response = as_user(member).post(
        url("application_documents", application.pk),
        {"type": other_type.pk, "file": SimpleUploadedFile("plan.pdf", PDF)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["type"]
    assert application.attachments.count() == 2


def test_documents_cannot_change_once_submitted(as_user, member, application):
    Application.objects.filter(pk=application.pk).update(status=S.SUBMITTED, number="HS-1")
    attachment = application.attachments.first()
    client = as_user(member)
    response = client.post(
        url("application_documents", application.pk),
        {"type": attachment.type_id, "file": SimpleUploadedFile("plan.pdf", PDF)},
    )
    assert response.status_code == 302
    response = client.post(url("attachment_delete", application.pk, attachment.pk))
    assert response.status_code == 302
    assert application.attachments.count() == 2
    # Still readable by the group.
    assert client.get(url("attachment", attachment.pk)).status_code == 200


def test_staff_download_any_attachment(client, staff, application):
    factories.with_second_factor(client, staff)
    attachment = application.attachments.first()
    assert client.get(url("attachment", attachment.pk)).status_code == 200


# --- 確認 → 申請 → 完了 -----------------------------------------------------------------------------


def test_a_member_confirms_and_submits(
    as_user, member, representative, application, django_capture_on_commit_callbacks
):
    client = as_user(representative)  # any member acts for the group
    confirm = client.get(url("application_confirm", application.pk))
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert confirm.context["errors"] == []
    assert application.title in html
    assert _ja("Submit the application") in html
    assert "企画書" in html or _ja("Documents") in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("application_confirm", application.pk), SUBMIT)

    application.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url("application_submitted", application.pk)
    assert application.status == S.SUBMITTED
    assert application.number == "HS-2026-00001"
    assert application.submitted_at is not None
    assert sf.history(application)[-1] == (S.DRAFT, S.SUBMITTED, "")
    [message] = mail.outbox
    assert message.to == [member.email]  # the person who started the application
    assert "HS-2026-00001" in message.body

    done = client.get(response["Location"])
    assert "HS-2026-00001" in done.content.decode()
    assert member.email in done.content.decode()  # “we sent you an e-mail to …”
    assert done.context["step"] == "done"


def test_the_done_page_of_a_draft_goes_to_the_application(as_user, member, application):
    response = as_user(member).get(url("application_submitted", application.pk))
    assert response["Location"] == url("application_detail", application.pk)


def test_a_draft_finished_in_the_second_window_is_submitted_there(
    as_user, member, application, frozen
):
    frozen.move_to(dt.datetime(2026, 8, 10, 12, 0, tzinfo=JST))
    response = as_user(member).post(url("application_confirm", application.pk), SUBMIT)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.window.label == "第2期"


def test_the_confirmation_page_writes_nothing_on_get(as_user, member, application, frozen):
    """A draft of 第1期 read in 第2期: the page checks it as it would be submitted (in 第2期, so
    no window error), but only the submission moves it there; the GET writes no row."""
    frozen.move_to(dt.datetime(2026, 8, 10, 12, 0, tzinfo=JST))
    before = Application.objects.values().get(pk=application.pk)
    client = as_user(member)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("application_confirm", application.pk))
    assert response.status_code == 200
    assert response.context["errors"] == []
    assert response.context["application"].window.label == "第2期"
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert Application.objects.values().get(pk=application.pk) == before
    assert Application.objects.get(pk=application.pk).window.label == "第1期"


def _unverified(application):
    organization = application.organization
    organization.status = "pending"
    organization.save()


def _not_eligible_type(application):
    application.programme.eligible_actor_types.set(ActorType.objects.filter(code="neighbourhood"))


def _unbalanced(application):
    IncomeLine.objects.filter(application=application, kind="own_funds").update(amount=1)


def _over_the_rate(application):
    Application.objects.filter(pk=application.pk).update(requested_amount=150_000)
    IncomeLine.objects.filter(application=application, kind="this_subsidy").update(amount=150_000)
    IncomeLine.objects.filter(application=application, kind="own_funds").update(amount=50_000)


def _over_the_cap(application):
    # ¥800,000 eligible × 1/2 = ¥400,000, above the cap of ¥300,000.
    ExpenseLine.objects.filter(application=application).update(amount=800_000)
    Application.objects.filter(pk=application.pk).update(requested_amount=350_000)
    IncomeLine.objects.filter(application=application, kind="this_subsidy").update(amount=350_000)
    IncomeLine.objects.filter(application=application, kind="own_funds").update(amount=450_000)


def _outside_the_year(application):
    Application.objects.filter(pk=application.pk).update(ends_on=dt.date(2027, 4, 30))


def _missing_document(application):
    application.attachments.filter(type__code="budget").delete()


def _consultation_required(application):
    application.programme.consultation_required = True
    application.programme.save()


REFUSALS = {
    "window closed": (
        None,
        "Applications for %(window)s closed on %(date)s.",
    ),
    "organisation not verified": (
        _unverified,
        "The organisation has not been verified by the city yet. You can apply once the "
        "Community Life Division has verified it.",
    ),
    "actor type not eligible": (_not_eligible_type, "This programme is open to %(types)s only."),
    "unbalanced budget": (
        _unbalanced,
        "Income (¥%(income)s) and expenses (¥%(expenses)s) must be equal. Adjust the lines so "
        "that the totals match.",
    ),
    "request over the rate": (
        _over_the_rate,
        "You can request at most ¥%(limit)s: %(rate)s of the eligible expenses (¥%(eligible)s), "
        "rounded down to ¥1,000, and no more than the cap of ¥%(cap)s.",
    ),
    "request over the cap": (
        _over_the_cap,
        "You can request at most ¥%(limit)s: %(rate)s of the eligible expenses (¥%(eligible)s), "
        "rounded down to ¥1,000, and no more than the cap of ¥%(cap)s.",
    ),
    "schedule outside the fiscal year": (
        _outside_the_year,
        "The project must take place within fiscal year %(year)s, from %(first)s to %(last)s.",
    ),
    "missing document": (_missing_document, "Attach the following documents: %(documents)s."),
    "no prior consultation": (
        _consultation_required,
        "No prior consultation with the Community Life Division is recorded for this programme. "
        "Every track asks you to consult the division before applying: book a prior "
        "consultation first; it counts once it has taken place and the division has recorded "
        "it.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_submission_that_breaks_a_rule_is_refused_with_nothing_changed(
    as_user, member, application, frozen, case, django_capture_on_commit_callbacks
):
    breaks, msgid = REFUSALS[case]
    if breaks is None:
        frozen.move_to(dt.datetime(2026, 6, 15, 12, 0, tzinfo=JST))
    else:
        breaks(application)
    client = as_user(member)
    shown = _message_pattern(msgid)

    confirm = client.get(url("application_confirm", application.pk))
    assert any(shown.fullmatch(row["message"]) for row in confirm.context["errors"]), (
        confirm.context["errors"]
    )
    assert _ja("The application cannot be submitted yet") in confirm.content.decode()
    assert 'name="_submit"' not in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("application_confirm", application.pk), SUBMIT)
    assert response.status_code == 200
    assert any(shown.fullmatch(row["message"]) for row in response.context["errors"])
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.number == ""
    assert ApplicationStatusChange.objects.filter(application=application).count() == 0
    assert not mail.outbox


def test_a_second_youth_application_of_the_group_is_refused(
    as_user, member, organization, django_capture_on_commit_callbacks
):
    youth = sf.make_youth_programme()
    sf.make_application(
        programme=youth,
        organization=organization,
        applicant=member,
        status=S.SUBMITTED,
        member_count=4,
        youth_count=3,
    )
    second = sf.make_application(
        programme=youth,
        organization=organization,
        applicant=member,
        member_count=4,
        youth_count=3,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(member).post(url("application_confirm", second.pk), SUBMIT)
    shown = _message_pattern("A group can apply to the %(track)s only once, and yours already has.")
    assert any(shown.fullmatch(row["message"]) for row in response.context["errors"])
    second.refresh_from_db()
    assert second.status == S.DRAFT
    assert not mail.outbox


def test_a_member_of_another_group_cannot_submit(as_user, other_member, application):
    response = as_user(other_member).post(url("application_confirm", application.pk), SUBMIT)
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_a_get_on_confirm_changes_nothing(as_user, member, application):
    as_user(member).get(url("application_confirm", application.pk))
    application.refresh_from_db()
    assert application.status == S.DRAFT


# --- the application page, withdrawing, resubmitting ----------------------------------------------


def test_the_application_page_shows_status_history_budget_and_buttons(as_user, member, application):
    response = as_user(member).get(url("application_detail", application.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert application.title in html
    assert _ja("Continue the draft") in html
    assert _ja("Withdraw the application") in html
    assert url("attachment", application.attachments.first().pk) in html
    assert "200,000" in html


def test_a_returned_application_shows_the_reason_and_is_resubmitted(
    as_user, member, staff, application, django_capture_on_commit_callbacks
):
    client = as_user(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("application_confirm", application.pk), SUBMIT)
    application.refresh_from_db()
    number = application.number
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return(
            application=application, by=staff, reason="予算書の内訳を詳しく書いてください。"
        )

    page = client.get(url("application_detail", application.pk))
    html = page.content.decode()
    assert page.context["returned_reason"] == "予算書の内訳を詳しく書いてください。"
    assert "message--warning" in html
    assert _ja("Change and submit again") in html

    response = client.post(
        url("application_edit", application.pk),
        plan_data(
            application,
            content="花壇づくりと清掃（内訳を追記）",
            **{"expense-1-eligible": "on"},
            _confirm="1",
        ),
    )
    assert response["Location"] == url("application_confirm", application.pk)
    assert _ja("Submit again") in client.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("application_confirm", application.pk), SUBMIT)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.number == number  # kept on resubmission
    assert application.content == "花壇づくりと清掃（内訳を追記）"
    assert [m.to for m in mail.outbox] == [[member.email]] * 3


def test_a_member_withdraws_after_a_confirmation_page(
    as_user, member, application, django_capture_on_commit_callbacks
):
    Application.objects.filter(pk=application.pk).update(status=S.SUBMITTED, number="HS-2026-1")
    client = as_user(member)
    page = client.get(url("application_withdraw", application.pk))
    assert page.status_code == 200
    application.refresh_from_db()
    assert application.status == S.SUBMITTED  # the page alone changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("application_withdraw", application.pk), {"reason": "延期"})
    assert response["Location"] == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert sf.history(application)[-1] == (S.SUBMITTED, S.WITHDRAWN, "延期")
    assert len(mail.outbox) == 1


def test_a_decided_application_cannot_be_withdrawn(as_user, member, application):
    Application.objects.filter(pk=application.pk).update(status=S.REJECTED, number="HS-2026-1")
    response = as_user(member).post(url("application_withdraw", application.pk))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.REJECTED
    page = as_user(member).get(url("application_detail", application.pk))
    assert not page.context["can_withdraw"]
    assert not page.context["can_edit"]


def test_the_application_page_runs_a_fixed_number_of_queries(as_user, member, staff, application):
    client = as_user(member)
    path = url("application_detail", application.pk)
    one = _count_queries(client, path)
    sf.add_budget(application, expenses=[(ExpenseLine.Item.TRAVEL, 1_000, True)] * 10, subsidy=0)
    for _n in range(4):
        sf.attach(application, "budget")
    for _n in range(5):
        ApplicationStatusChange.objects.create(
            application=application, old_status=S.DRAFT, new_status=S.DRAFT, by=staff
        )
    sf.consult(application.organization, application.programme)
    sf.consult(application.organization, application.programme)
    many = _count_queries(client, path)
    assert one == many == DETAIL_PAGE_QUERIES


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_the_groups_applications_only(
    as_user, member, application, stranger_application
):
    response = as_user(member).get(url("application_list"))
    html = response.content.decode()
    assert application.title in html
    assert stranger_application.title not in html
    assert list(response.context["page"].object_list) == [application]


def test_the_list_runs_a_fixed_number_of_queries(as_user, member, organization, programme):
    client = as_user(member)
    sf.make_application(programme=programme, organization=organization, applicant=member)
    one = _count_queries(client, url("application_list"))
    second_group = factories.make_organization(name="室蘭港の会")
    factories.add_member(second_group, member)
    for _n in range(6):
        sf.make_application(programme=programme, organization=second_group, applicant=member)
    sf.consult(organization, programme)
    many = _count_queries(client, url("application_list"))
    assert one == many == LIST_PAGE_QUERIES


# --- 事前相談 -------------------------------------------------------------------------------------


def test_a_member_books_a_prior_consultation(as_user, member, organization, programme):
    client = as_user(member)
    data = {"organization": organization.pk, "held_on": "２０２６/５/２０", "topic": "計画の相談"}
    confirm = client.post(url("consultation_book", programme.pk), data)
    assert confirm.context["step"] == "confirm"
    assert not Consultation.objects.exists()

    response = client.post(url("consultation_book", programme.pk), {**data, "_submit": "1"})
    assert response["Location"] == url("application_list")
    consultation = Consultation.objects.get()
    assert consultation.organization == organization
    assert consultation.programme == programme
    assert consultation.held_on == dt.date(2026, 5, 20)
    assert consultation.topic == "計画の相談"
    assert consultation.recorded_by == member
    assert "計画の相談" in client.get(url("application_list")).content.decode()


def test_a_consultation_in_the_past_or_for_another_group_is_refused(
    as_user, member, programme, stranger_application
):
    client = as_user(member)
    response = client.post(
        url("consultation_book", programme.pk),
        {
            "organization": stranger_application.organization_id,
            "held_on": "2026/05/01",
            "topic": "相談",
        },
    )
    form = response.context["form"]
    assert form.errors["organization"]
    assert form.errors["held_on"]
    assert not Consultation.objects.exists()


def test_the_application_page_lists_the_groups_consultations(as_user, member, application):
    sf.consult(application.organization, application.programme)
    html = as_user(member).get(url("application_detail", application.pk)).content.decode()
    assert "事業計画の相談" in html


def test_removing_a_document_needs_a_post(as_user, member, application):
    attachment = application.attachments.first()
    response = as_user(member).get(url("attachment_delete", application.pk, attachment.pk))
    assert response.status_code == 405
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_list_offers_the_programmes_open_now(as_user, member, organization, programme):
    html = as_user(member).get(url("application_list")).content.decode()
    assert url("apply", programme.pk) in html
    assert url("consultation_book", programme.pk) in html
