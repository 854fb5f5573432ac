"""パブリックコメント in the admin, as 企画課's clerk uses it: every list opens, a case is
written with its sections, documents, who may submit and facilities and is numbered by the
service; the transitions run as actions with refusals per row; paper and FAX submissions are
keyed in through the same service (receipt number, window of the received date); opinions are
redacted with the original kept, split into items and checked for publishing; items are grouped
under 論点."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from publiccomment import services
from publiccomment.admin.submissions import OpinionForm, item_lines
from publiccomment.models import (
    Case,
    CaseStatusChange,
    Document,
    Facility,
    Issue,
    Opinion,
    OpinionItem,
    Submission,
)
from tests import factories
from tests import hostile_files as hostile
from tests.images import html_png_polyglot
from tests.publiccomment import factories as pf
from tests.publiccomment.factories import CLOSES, JST, NOW

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("frozen"),
]

MODELS = ["facility", "case", "submission", "opinion", "issue", "opinionitem"]
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def _url(model, view="changelist", *args):
    return reverse(f"admin:publiccomment_{model}_{view}", args=args)


def _management(response):
    """The inlines' management forms and their rows as the page has them."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        data[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.initial_forms)
        for form in formset.initial_forms:
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False):
                    data[form.add_prefix(name)] = value
    return data


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _action(client, model, action, rows, **extra):
    return client.post(
        _url(model),
        {
            "action": action,
            "_selected_action": [row.pk for row in rows],
            "select_across": "0",
            "index": "0",
            **extra,
        },
        follow=True,
    )


@pytest.fixture
def after_closing(frozen, client, comment_staff):
    """The clock three days after the window closed, the clerk signed in again then."""
    frozen.move_to(CLOSES + dt.timedelta(days=2))
    return factories.with_second_factor(client, comment_staff)


@pytest.fixture
def considered(case):
    """A case with three submissions and the clock after its window: being considered."""
    pf.submit(case, "公園を増やしてほしい。", section_numbers=[2], email="a@example.jp")
    pf.submit(case, "公園の数を増やしてほしい。", "駐車場も必要です。", section_numbers=[2, 3])
    return case


# --- who reaches the lists ----------------------------------------------------------------


def test_every_list_and_form_opens_for_kikaku_staff(comment_staff_client, considered):
    Issue.objects.create(case=considered, number=1, summary="公園の整備")
    opinion = Opinion.objects.filter(case=considered).first()
    submission = Submission.objects.filter(case=considered).first()
    for model in MODELS:
        response = comment_staff_client.get(_url(model))
        assert response.status_code == 200, model
    for model in ("facility", "case", "submission", "issue"):
        assert comment_staff_client.get(_url(model, "add")).status_code == 200, model
    for model, pk in [
        ("case", considered.pk),
        ("submission", submission.pk),
        ("opinion", opinion.pk),
        ("issue", Issue.objects.get().pk),
        ("opinionitem", OpinionItem.objects.filter(case=considered).first().pk),
        ("facility", Facility.objects.first().pk),
    ]:
        assert comment_staff_client.get(_url(model, "change", pk)).status_code == 200, model
    # Personal data is there for staff, on the submission's page.
    page = comment_staff_client.get(_url("submission", "change", submission.pk)).content.decode()
    assert "輪西 花子" in page and "0143-00-0000" in page
    # With the link to its printable receipt.
    assert f'href="/publiccomment/submissions/{submission.pk}/"' in page


def test_other_staff_and_staff_without_the_second_factor_are_kept_out(client, comment_staff):
    other = factories.make_user("doboku@city.muroran.example.jp", staff=True)
    other_client = factories.with_second_factor(client.__class__(), other)
    assert other_client.get(_url("case")).status_code == 403
    client.force_login(comment_staff)  # password only
    response = client.get(_url("case"))
    assert response.status_code == 302


def test_the_case_list_shows_phase_counts_and_filters(comment_staff_client, considered):
    pf.make_case(title="来年度の案件", status=Case.Status.DRAFT)
    response = comment_staff_client.get(_url("case"))
    page = response.content.decode()
    assert "募集中" in page and "準備中" in page
    assert considered.code in page
    row = response.context["cl"].result_list.get(pk=considered.pk)
    assert (row.submission_count, row.opinion_count) == (2, 3)
    filtered = comment_staff_client.get(_url("case"), {"phase": "draft"})
    assert [c.title for c in filtered.context["cl"].result_list] == ["来年度の案件"]
    taking = comment_staff_client.get(_url("case"), {"phase": "open"})
    assert [c.pk for c in taking.context["cl"].result_list] == [considered.pk]
    assert (
        not comment_staff_client.get(_url("case"), {"phase": "considering"})
        .context["cl"]
        .result_list
    )
    by_year = comment_staff_client.get(_url("case"), {"fiscal_year": "2026"})
    assert by_year.context["cl"].result_count == 2


# --- writing a case -----------------------------------------------------------------------


def _case_form(**overrides):
    data = {
        "title": "室蘭市景観計画（案）",
        "department": "都市政策推進課",
        "summary": "景観計画の案です。",
        "purpose": "良好な景観を守るため。",
        "legal_basis": "景観法 第8条",
        "opens_at_0": "2026-06-20",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2026-07-20",
        "closes_at_1": "17:00:00",
        "short_window_reason": "",
        "may_submit": ["resident", "business"],
        "facilities": [f.pk for f in Facility.objects.all()[:2]],
        "submit_address": "室蘭市幸町1番2号",
        "submit_fax": "0143-22-0000",
        "submit_email": "keikan@city.muroran.example.jp",
        "sections-TOTAL_FORMS": "2",
        "sections-INITIAL_FORMS": "0",
        "sections-0-number": "1",
        "sections-0-heading": "景観計画の区域",
        "sections-0-body": "市内全域とします。",
        "sections-1-number": "2",
        "sections-1-heading": "良好な景観の形成に関する方針",
        "sections-1-body": "海と山の眺望を守ります。",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-0-kind": "draft",
        "documents-0-title": "景観計画（案）本文",
        "documents-0-file": SimpleUploadedFile("景観計画案.pdf", PDF, "application/pdf"),
        "documents-0-sort_order": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_a_case_written_in_the_admin_is_numbered_by_the_service(
    comment_staff_client, comment_staff
):
    response = comment_staff_client.post(_url("case", "add"), _case_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = Case.objects.get(title="室蘭市景観計画（案）")
    assert case.status == Case.Status.DRAFT
    assert case.code == "2026-001"
    assert case.may_submit == ["resident", "business"]
    assert case.facilities.count() == 2
    assert [s.heading for s in case.sections.all()] == [
        "景観計画の区域",
        "良好な景観の形成に関する方針",
    ]
    document = Document.objects.get(case=case)
    assert (document.original_name, document.content_type, document.size) == (
        "景観計画案.pdf",
        "application/pdf",
        len(PDF),
    )
    assert "景観計画案" not in document.file.name
    history = CaseStatusChange.objects.get(case=case)
    assert (history.new_status, history.by) == ("draft", comment_staff)


def test_a_document_is_checked_by_its_content(comment_staff_client):
    fake = SimpleUploadedFile("案.pdf", b"just text, not a PDF", "application/pdf")
    response = comment_staff_client.post(
        _url("case", "add"), _case_form(**{"documents-0-file": fake})
    )
    assert response.status_code == 200
    assert "PDF" in str(response.context["inline_admin_formsets"][1].formset.errors)
    assert not Case.objects.filter(title="室蘭市景観計画（案）").exists()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("案.pdf", hostile.object_stream_pdf(), "開いたときに動作するもの"),
        ("案.docx", hostile.office({"../evil.xml": b"<x/>"}), "安全でない名前"),
        ("案.docx", hostile.inflating_docx(200), "100 MB を超える"),
    ],
)
def test_a_hostile_document_is_refused_and_nothing_is_saved(
    comment_staff_client, name, content, says
):
    upload = SimpleUploadedFile(name, content, "application/pdf")
    response = comment_staff_client.post(
        _url("case", "add"), _case_form(**{"documents-0-file": upload})
    )
    assert response.status_code == 200
    assert says in str(response.context["inline_admin_formsets"][1].formset.errors)
    assert not Case.objects.exists()
    assert not Document.objects.exists()


def test_an_image_document_is_stored_re_encoded(comment_staff_client):
    upload = SimpleUploadedFile("位置図.png", html_png_polyglot(), "image/png")
    response = comment_staff_client.post(
        _url("case", "add"), _case_form(**{"documents-0-file": upload})
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    document = Document.objects.get()
    with document.file.open("rb") as stored:
        data = stored.read()
    assert b"<script" not in data.lower()
    assert (document.original_name, document.content_type, document.size) == (
        "位置図.png",
        "image/png",
        len(data),
    )


def test_a_window_that_closes_before_it_opens_is_said_on_the_form(comment_staff_client):
    response = comment_staff_client.post(_url("case", "add"), _case_form(closes_at_0="2026-06-10"))
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_the_case_form_says_what_stops_announcing(comment_staff_client):
    case = pf.make_case(
        status=Case.Status.DRAFT,
        opens_at=NOW + dt.timedelta(days=5),
        closes_at=NOW + dt.timedelta(days=20),
    )
    page = comment_staff_client.get(_url("case", "change", case.pk)).content.decode()
    assert "募集期間が16日で30日未満です。" in page


# --- transitions as actions -----------------------------------------------------------------


def test_announcing_a_short_window_without_reason_is_refused_per_row(comment_staff_client):
    good = pf.make_case(
        status=Case.Status.DRAFT,
        opens_at=NOW + dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=40),
    )
    short = pf.make_case(
        status=Case.Status.DRAFT,
        title="短い案件",
        opens_at=NOW + dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=15),
    )
    response = _action(comment_staff_client, "case", "announce", [good, short])
    messages = _messages(response)
    assert any(short.code in m and "募集期間が15日で30日未満です" in m for m in messages), messages
    assert Case.objects.get(pk=good.pk).status == Case.Status.ANNOUNCED
    assert Case.objects.get(pk=short.pk).status == Case.Status.DRAFT


def test_abandoning_needs_the_reason_in_the_box(comment_staff_client, case):
    response = _action(comment_staff_client, "case", "abandon", [case], reason="")
    assert Case.objects.get(pk=case.pk).status == Case.Status.ANNOUNCED
    assert any(case.code in m for m in _messages(response))
    _action(comment_staff_client, "case", "abandon", [case], reason="計画の前提が変わったため。")
    case.refresh_from_db()
    assert (case.status, case.abandon_reason) == ("abandoned", "計画の前提が変わったため。")


def test_publishing_the_result_is_refused_with_what_is_missing(considered, after_closing):
    comment_staff_client = after_closing
    response = _action(comment_staff_client, "case", "publish_result", [considered])
    messages = " ".join(_messages(response))
    assert considered.code in messages
    assert "最終案、またはその掲載場所を記入してください。" in messages
    assert "論点に分類していない意見の項目が3件あります。" in messages
    assert "公表前に確認していない意見が3件あります。" in messages
    assert Case.objects.get(pk=considered.pk).status == Case.Status.ANNOUNCED
    # The change form shows the same, in the box of what stops the next step.
    page = comment_staff_client.get(_url("case", "change", considered.pk)).content.decode()
    assert "論点に分類していない意見の項目が3件あります。" in page
    assert "公表前に確認していない意見が3件あります。" in page


def test_the_result_is_written_while_considering_and_published(considered, request):
    issue = Issue.objects.create(
        case=considered, number=1, summary="公園", city_view="検討します。", disposition="noted"
    )
    OpinionItem.objects.filter(case=considered).update(issue=issue)
    comment_staff_client = request.getfixturevalue("after_closing")
    url = _url("case", "change", considered.pk)
    page = comment_staff_client.get(url)
    data = {
        "title": considered.title,
        "department": considered.department,
        "summary": considered.summary,
        "purpose": considered.purpose,
        "legal_basis": "",
        "facilities": [],
        "submit_address": "",
        "submit_fax": "",
        "submit_email": "",
        "final_plan": "最終案は市ホームページで公開しています。",
        "draft_changed": "on",
        "changes_summary": "第2章に公園の配置方針を加えました。",
        **_management(page),
    }
    response = comment_staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    considered.refresh_from_db()
    assert considered.changes_summary.startswith("第2章")
    assert considered.status == Case.Status.ANNOUNCED  # the form never changes the state
    # Nobody has read the three opinions yet: refused, and said so.
    response = _action(comment_staff_client, "case", "publish_result", [considered])
    assert "公表前に確認していない意見が3件あります。" in " ".join(_messages(response))
    assert Case.objects.get(pk=considered.pk).status == Case.Status.ANNOUNCED
    opinions = list(Opinion.objects.filter(case=considered))
    response = _action(comment_staff_client, "opinion", "mark_reviewed", opinions)
    assert _messages(response) == ["3件の意見を「公表してよいことを確認した」にしました。"]
    _action(comment_staff_client, "case", "publish_result", [considered])
    assert Case.objects.get(pk=considered.pk).status == Case.Status.RESULT_PUBLISHED


# --- keyed-in submissions -----------------------------------------------------------------


def _fax(case, **overrides):
    section = case.sections.get(number=2)
    data = {
        "case": case.pk,
        "channel": "fax",
        "received_at_0": "2026-06-12",
        "received_at_1": "14:30:00",
        "kind": "individual",
        "name": "中島 太郎",
        "organization_name": "",
        "address": "室蘭市中島町1丁目",
        "phone": "0143-11-1111",
        "email": "",
        "eligibility": "resident",
        "section_1": str(section.pk),
        "opinion_1": "施策の方向に港の緑化を加えてほしい。",
        "section_2": "",
        "opinion_2": "計画全体について説明会を開いてほしい。",
    }
    data.update(overrides)
    return data


def test_a_fax_keyed_in_gets_a_receipt_number_and_its_opinions(
    comment_staff_client, comment_staff, case
):
    response = comment_staff_client.post(_url("submission", "add"), _fax(case))
    assert response.status_code == 302, response.context["adminform"].form.errors
    submission = Submission.objects.get(case=case)
    assert submission.number == f"PC-{case.code}-0001"
    assert (submission.channel, submission.recorded_by) == ("fax", comment_staff)
    assert submission.received_at == dt.datetime(2026, 6, 12, 14, 30, tzinfo=JST)
    assert [
        (o.section.number if o.section else None, o.text) for o in submission.opinions.all()
    ] == [
        (2, "施策の方向に港の緑化を加えてほしい。"),
        (None, "計画全体について説明会を開いてほしい。"),
    ]
    assert OpinionItem.objects.filter(case=case).count() == 2
    # The list shows it, with its counts.
    listed = comment_staff_client.get(_url("submission")).content.decode()
    assert submission.number in listed


def test_a_submission_received_outside_the_window_is_refused_on_the_form(
    comment_staff_client, case
):
    response = comment_staff_client.post(
        _url("submission", "add"), _fax(case, received_at_0="2026-05-20")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "received_at" in errors
    assert "2026-06-01 09:00" in str(errors["received_at"])
    assert not Submission.objects.exists()


def test_a_keyed_in_submission_without_opinions_is_refused(comment_staff_client, case):
    response = comment_staff_client.post(
        _url("submission", "add"), _fax(case, opinion_1="   ", opinion_2="")
    )
    assert response.status_code == 200
    assert not Submission.objects.exists()


def test_the_web_is_no_channel_to_key_in(comment_staff_client, case):
    response = comment_staff_client.post(_url("submission", "add"), _fax(case, channel="web"))
    assert response.status_code == 200
    assert "channel" in response.context["adminform"].form.errors
    assert not Submission.objects.exists()


# --- redaction and splitting ---------------------------------------------------------------


def _opinion_form(client, opinion, **data):
    page = client.get(_url("opinion", "change", opinion.pk))
    base = {"public_text": "", "redaction_reason": "", "items": "", **_management(page)}
    base.update(data)
    return client.post(_url("opinion", "change", opinion.pk), base)


def test_redaction_keeps_the_original(comment_staff_client, comment_staff, case):
    submission = pf.submit(case, "私（電話0143-99-9999）は公園に反対です。")
    opinion = submission.opinions.get()
    response = _opinion_form(
        comment_staff_client,
        opinion,
        public_text="私は公園に反対です。",
        redaction_reason="個人の電話番号を含むため",
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.text == "私（電話0143-99-9999）は公園に反対です。"
    assert opinion.published_text == "私は公園に反対です。"
    # Redacting is checking it for publishing.
    assert (opinion.reviewed_at, opinion.reviewed_by) == (NOW, comment_staff)
    # Withholding without a reason is refused on the form.
    response = _opinion_form(comment_staff_client, opinion, withheld="on", redaction_reason="")
    assert response.status_code == 200
    assert not Opinion.objects.get(pk=opinion.pk).withheld
    # Clearing both publishes it as submitted again.
    _opinion_form(comment_staff_client, opinion)
    opinion.refresh_from_db()
    assert (opinion.public_text, opinion.redaction_reason) == ("", "")


def test_an_opinion_is_split_into_one_item_per_line(comment_staff_client, case):
    opinion = pf.submit(case, "公園を増やし、駐車場も作ってほしい。").opinions.get()
    response = _opinion_form(
        comment_staff_client, opinion, items="公園を増やしてほしい\n\n駐車場を作ってほしい\n"
    )
    assert response.status_code == 302
    assert list(opinion.items.values_list("position", "summary")) == [
        (1, "公園を増やしてほしい"),
        (2, "駐車場を作ってほしい"),
    ]


def test_splitting_after_the_result_is_refused_on_the_form(comment_staff_client, case):
    opinion = pf.submit(case, "意見です。").opinions.get()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.RESULT_PUBLISHED)
    response = _opinion_form(comment_staff_client, opinion, items="一\n二")
    assert response.status_code == 200
    assert "items" in response.context["adminform"].form.errors
    assert opinion.items.count() == 1


def test_the_opinion_list_marks_opinions_checked_for_publishing(
    comment_staff_client, comment_staff, considered
):
    opinions = list(Opinion.objects.filter(case=considered).order_by("pk"))
    unchecked = comment_staff_client.get(_url("opinion"), {"case": considered.pk, "reviewed": "no"})
    assert {o.pk for o in unchecked.context["cl"].result_list} == {o.pk for o in opinions}
    assert "公表してよいことを確認した" in unchecked.content.decode()  # the action is offered

    response = _action(comment_staff_client, "opinion", "mark_reviewed", opinions[:2])
    assert _messages(response) == ["2件の意見を「公表してよいことを確認した」にしました。"]
    assert (
        list(Opinion.objects.filter(reviewed_by=comment_staff, reviewed_at=NOW).order_by("pk"))
        == opinions[:2]
    )
    unchecked = comment_staff_client.get(_url("opinion"), {"case": considered.pk, "reviewed": "no"})
    assert [o.pk for o in unchecked.context["cl"].result_list] == [opinions[2].pk]
    checked = comment_staff_client.get(_url("opinion"), {"reviewed": "yes"})
    assert {o.pk for o in checked.context["cl"].result_list} == {o.pk for o in opinions[:2]}
    # Once the result is out, the list refuses (a warning, nothing changes).
    Case.objects.filter(pk=considered.pk).update(status=Case.Status.RESULT_PUBLISHED)
    response = _action(comment_staff_client, "opinion", "mark_reviewed", opinions[2:])
    assert _messages(response) == ["この案件は結果を公表済みか、中止されています。"]
    assert Opinion.objects.get(pk=opinions[2].pk).reviewed_at is None


def test_the_opinion_form_checks_it_with_its_box(comment_staff_client, comment_staff, case):
    opinion = pf.submit(case, "公園を増やしてほしい。").opinions.get()
    page = comment_staff_client.get(_url("opinion", "change", opinion.pk))
    assert not page.context["adminform"].form.fields["reviewed"].disabled
    # Saved without the box: nothing is checked.
    assert _opinion_form(comment_staff_client, opinion).status_code == 302
    assert Opinion.objects.get(pk=opinion.pk).reviewed_at is None
    assert _opinion_form(comment_staff_client, opinion, reviewed="on").status_code == 302
    opinion.refresh_from_db()
    assert (opinion.reviewed_at, opinion.reviewed_by) == (NOW, comment_staff)
    assert opinion.public_text == "" and not opinion.withheld
    page = comment_staff_client.get(_url("opinion", "change", opinion.pk))
    assert page.context["adminform"].form.fields["reviewed"].disabled
    assert "2026-06-15 10:00" in page.content.decode()


def test_the_items_box_sent_back_with_crlf_keeps_the_items_and_their_grouping(
    comment_staff_client, case
):
    opinion = pf.submit(case, "公園を増やし、駐車場も作ってほしい。").opinions.get()
    _opinion_form(comment_staff_client, opinion, items="公園を増やしてほしい\n駐車場を作ってほしい")
    issue = Issue.objects.create(case=case, number=1, summary="公園")
    opinion.items.update(issue=issue)
    before = list(opinion.items.values_list("pk", "position", "summary", "issue"))
    assert len(before) == 2
    # A browser posts the unchanged box with CRLF (and maybe a last line end): redacting the
    # opinion leaves its items, and their grouping, as they are.
    response = _opinion_form(
        comment_staff_client,
        opinion,
        items="公園を増やしてほしい\r\n駐車場を作ってほしい\r\n",
        public_text="公園を増やし、駐車場も\r\n作ってほしい。",
        redaction_reason="改行を整理",
    )
    assert response.status_code == 302
    assert list(opinion.items.values_list("pk", "position", "summary", "issue")) == before
    opinion.refresh_from_db()
    assert opinion.public_text == "公園を増やし、駐車場も\n作ってほしい。"
    # After the result the same save goes through (it used to be refused as a new split).
    Case.objects.filter(pk=case.pk).update(status=Case.Status.RESULT_PUBLISHED)
    response = _opinion_form(
        comment_staff_client,
        opinion,
        items="公園を増やしてほしい\r\n駐車場を作ってほしい\r\n",
        withheld="on",
        redaction_reason="個人が特定されるため",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    opinion.refresh_from_db()
    assert opinion.withheld
    assert list(opinion.items.values_list("pk", "position", "summary", "issue")) == before


def test_the_items_box_splits_only_when_its_lines_differ(case):
    opinion = pf.submit(case, "意見です。").opinions.get()
    assert item_lines(" 一 \r\n\r\n二\r") == ["一", "二"]

    def form(items):
        bound = OpinionForm(
            {"public_text": "", "redaction_reason": "", "items": items}, instance=opinion
        )
        assert bound.is_valid(), bound.errors
        return bound

    # Unsplit (one item, the whole opinion): nothing typed, nothing to split.
    assert form("").items_to_split() == []
    assert form("一\r\n二").items_to_split() == ["一", "二"]
    services.opinion_split(opinion=opinion, summaries=["一", "二"])
    for same in ("一\r\n二", "一\r\n二\r\n", " 一\n\n二 ", "一\r二"):
        bound = form(same)
        assert bound.items_to_split() == [], same
    assert "items" not in form("一\r\n二\r\n").changed_data
    assert form("一\r\n三").items_to_split() == ["一", "三"]
    assert form("二\r\n一").items_to_split() == ["二", "一"]


# --- 論点 and grouping ----------------------------------------------------------------------


def test_an_issue_is_numbered_within_its_case(comment_staff_client, considered):
    data = {
        "case": considered.pk,
        "summary": "公園の数",
        "section": considered.sections.get(number=2).pk,
        "city_view": "",
        "disposition": "",
    }
    first = comment_staff_client.post(_url("issue", "add"), data)
    assert first.status_code == 302
    comment_staff_client.post(_url("issue", "add"), {**data, "summary": "駐車場"})
    assert list(considered.issues.values_list("number", "summary")) == [
        (1, "公園の数"),
        (2, "駐車場"),
    ]
    other = pf.make_case()
    response = comment_staff_client.post(
        _url("issue", "add"), {**data, "section": other.sections.first().pk}
    )
    assert response.status_code == 200
    assert considered.issues.count() == 2


def test_items_are_grouped_under_an_issue_from_the_list(comment_staff_client, considered):
    issue = Issue.objects.create(case=considered, number=1, summary="公園を増やしてほしい")
    other_case = pf.make_case()
    other_issue = Issue.objects.create(case=other_case, number=1, summary="別の案件の論点")
    items = list(OpinionItem.objects.filter(case=considered, opinion__section__number=2))
    assert len(items) == 2
    listed = comment_staff_client.get(_url("opinionitem"), {"case": considered.pk})
    choices = [str(i.pk) for i in listed.context["action_form"].fields["issue"].queryset]
    assert choices == [str(issue.pk)]
    response = _action(comment_staff_client, "opinionitem", "group", items, issue=issue.pk)
    assert any("2" in m for m in _messages(response))
    assert set(issue.items.all()) == set(items)
    # The issue list counts them.
    issues = comment_staff_client.get(_url("issue"), {"case": considered.pk})
    assert issues.context["cl"].result_list.get(pk=issue.pk).items_count == 2
    # Items of one case cannot go under a point of another.
    response = _action(comment_staff_client, "opinionitem", "group", items, issue=other_issue.pk)
    assert set(issue.items.all()) == set(items)
    assert _messages(response)
    # No point chosen: said, nothing moves.
    response = _action(comment_staff_client, "opinionitem", "group", items)
    assert set(issue.items.all()) == set(items)


def test_the_facility_list_is_edited_in_place(comment_staff_client):
    facilities = list(Facility.objects.all()[:2])
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "_save": "Save",
    }
    for n, facility in enumerate(facilities):
        data[f"form-{n}-id"] = facility.pk
        data[f"form-{n}-sort_order"] = 50 + n
        if n == 0:
            data[f"form-{n}-is_active"] = "on"
    url = _url("facility") + "?o=1"  # ordered by name, the two above first? use ids directly
    response = comment_staff_client.post(
        _url("facility") + f"?id__in={facilities[0].pk},{facilities[1].pk}", data
    )
    assert response.status_code == 302, url
    assert not Facility.objects.get(pk=facilities[1].pk).is_active
    assert Facility.objects.get(pk=facilities[0].pk).sort_order == 50


# --- lists keep their number of queries -----------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", ["case", "submission", "opinion", "opinionitem", "issue"])
def test_a_list_takes_as_many_queries_for_many_rows_as_for_few(comment_staff_client, case, model):
    def grow(n):
        for i in range(n):
            submission = pf.submit(case, f"意見{i}", f"別の意見{i}", section_numbers=[1, 2])
            issue = Issue.objects.create(
                case=case, number=Issue.objects.filter(case=case).count() + 1, summary=f"論点{i}"
            )
            OpinionItem.objects.filter(opinion__submission=submission).update(issue=issue)
        pf.make_case(title=f"別の案件{Case.objects.count()}")

    grow(2)
    few = _queries(comment_staff_client, _url(model))
    grow(12)
    many = _queries(comment_staff_client, _url(model))
    assert many == few


def test_a_draft_moved_into_another_fiscal_year_takes_that_years_number(comment_staff_client):
    comment_staff_client.post(_url("case", "add"), _case_form())
    case = Case.objects.get(title="室蘭市景観計画（案）")
    assert case.code == "2026-001"
    page = comment_staff_client.get(_url("case", "change", case.pk))
    data = _case_form(opens_at_0="2027-04-10", closes_at_0="2027-05-20")
    data = {k: v for k, v in data.items() if not k.startswith(("sections-", "documents-"))}
    # The rows as the page has them; the stored document is not sent again (a browser sends
    # no file for it).
    data.update({k: v for k, v in _management(page).items() if not k.endswith("-file")})
    data["documents-0-sort_order"] = "0"
    response = comment_staff_client.post(_url("case", "change", case.pk), data)
    assert response.status_code == 302, response.context["errors"]
    case.refresh_from_db()
    assert (case.fiscal_year, case.code) == (2027, "2027-001")
    # Moved within the same 年度: the number stays.
    data["opens_at_0"] = "2027-05-01"
    data["closes_at_0"] = "2027-06-10"
    comment_staff_client.post(_url("case", "change", case.pk), data)
    case.refresh_from_db()
    assert case.code == "2027-001" and str(case.opens_at.date()) == "2027-05-01"


def _list_queries(client, model):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(model))
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("model", ["opinion", "submission"])
def test_the_opinion_and_submission_lists_take_as_many_queries_for_many_rows_as_for_one(
    comment_staff_client, case, model
):
    pf.submit(case, "公園を増やしてほしい。")
    one, _ = _list_queries(comment_staff_client, model)
    other = pf.make_case()
    for n in range(12):
        pf.submit(other if n % 2 else case, f"意見 {n}", "理由です。", email=f"p{n}@example.jp")
    many, response = _list_queries(comment_staff_client, model)
    assert many == one
    rows = 25 if model == "opinion" else 13
    assert len(response.context["cl"].result_list) == rows
    if model == "opinion":  # each row keeps its box for the list's action
        page = response.content.decode()
        for pk in Opinion.objects.values_list("pk", flat=True):
            assert f'name="_selected_action" value="{pk}" class="action-select"' in page
