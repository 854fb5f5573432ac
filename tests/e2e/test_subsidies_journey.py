"""まちづくり活動支援補助金 from the application to 額の確定, in a real browser, each person in
their own browser context:

1. a member of a verified NPO opens the programme page, starts an application, fills the plan
   and a budget (one expense not eligible), sees the most they may request, saves the draft
   (a typo loses nothing), attaches the required documents, confirms and submits: receipt
   number HS-…, and an e-mail;
2. a clerk of 地域生活課 signs in with a password and an authenticator code and returns the
   application with a reason (bulk action of the admin); the member reads the reason, fixes the
   budget and submits again under the same number;
3. the clerk accepts it and starts the review, assigns a reviewer (an ordinary user) in the
   admin; the reviewer scores every criterion on the review page; the clerk adopts it with an
   amount and grants it; the member opens the 交付決定通知書, files the 実績報告 with actual
   lines and documents; the clerk confirms the amount; the member reads the 額の確定通知書;
4. the pages on the way have no serious or critical axe violations, and the plan form fits a
   phone.

Forms are filled by field id; what a person reads is checked in Japanese, and what the
database holds is checked beside it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from muroran_kyodo.lib.jp import end_of_day, fiscal_year
from subsidies import services
from subsidies.models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    BudgetStage,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    ReviewAssignment,
    Score,
)
from tests import factories
from tests.e2e import test_signup_journey
from tests.e2e.test_accessibility import PHONE, assert_no_horizontal_scroll
from tests.e2e.test_signup_journey import staff_signs_in
from tests.images import tiny_png
from tests.subsidies import factories as subsidy_factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = Application.Status
STEP = '.steps [aria-current="step"]'
MEMBER_EMAIL = "kodomo.shokudo@example.jp"
ORGANISATION = "みなと子ども食堂ネットワーク"
TITLE = "輪西みなと子ども食堂と学習支援"
RETURN_REASON = "協賛金の収入が予算書に入っていません。協賛金の行を加えてください。"
CONDITIONS = "報告会で成果を発表すること。"

# A clerk of 地域生活課 with a real TOTP authenticator (the fixture of the sign-up journey).
staff_with_totp = test_signup_journey.staff_with_totp


def tiny_pdf() -> bytes:
    """A minimal valid one-page PDF (header, catalogue, page, xref, trailer, %%EOF)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded documents go to a temporary folder (the live server runs in this process)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_open_programme(**extra):
    """A programme of this 年度 (cap ¥300,000 at 1/2) with one intake window open now; 企画書
    and 予算書 with the application, 実績報告書 with the completion report."""
    now = timezone.now()
    programme = subsidy_factories.make_programme(
        fiscal_year=fiscal_year(timezone.localdate()),
        title=extra.pop("title", "市民提案型協働事業"),
        required=("plan", "budget", "report"),
        criteria=(("公益性", 2), ("実現性", 1)),
        **extra,
    )
    windows = list(programme.windows.order_by("opens_at"))
    IntakeWindow.objects.filter(pk=windows[0].pk).update(
        opens_at=now - dt.timedelta(days=7),
        closes_at=end_of_day(timezone.localdate() + dt.timedelta(days=14)),
    )
    IntakeWindow.objects.filter(pk__in=[w.pk for w in windows[1:]]).delete()
    return programme


def schedule(programme) -> tuple[dt.date, dt.date]:
    """A schedule inside the programme's 年度: from next week to the end of February."""
    return (
        timezone.localdate() + dt.timedelta(days=7),
        dt.date(programme.fiscal_year + 1, 2, 28),
    )


def make_member(email=MEMBER_EMAIL):
    return factories.make_user(
        email,
        family_name="輪西",
        given_name="陽子",
        family_name_kana="ワニシ",
        given_name_kana="ヨウコ",
    )


def message_text(page) -> str:
    return page.locator(".messages").inner_text()


def main_text(page) -> str:
    return page.locator("main").inner_text()


def lines(application, model, stage=BudgetStage.PLAN, fields=("kind", "amount")):
    return list(
        model.objects.filter(application=application, stage=stage)
        .order_by("sort_order", "pk")
        .values_list(*fields)
    )


def expense_rows(application, stage=BudgetStage.PLAN):
    return lines(application, ExpenseLine, stage, ("item", "amount", "eligible"))


def fill_income(page, row, kind_label, amount, description=""):
    page.select_option(f"#id_income-{row}-kind", label=kind_label)
    page.fill(f"#id_income-{row}-description", description)
    page.fill(f"#id_income-{row}-amount", amount)


def fill_expense(page, row, item_label, amount, description="", eligible=True):
    page.select_option(f"#id_expense-{row}-item", label=item_label)
    page.fill(f"#id_expense-{row}-description", description)
    page.fill(f"#id_expense-{row}-amount", amount)
    page.locator(f"#id_expense-{row}-eligible").set_checked(eligible)


def pdf_file(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": tiny_pdf()}


# --- 1. the member applies ----------------------------------------------------------------------


def member_starts_an_application(page, expect, programme) -> Application:
    page.goto("/subsidies/")
    page.get_by_role("link", name=programme.title).click()
    page.wait_for_url(f"**/subsidies/programmes/{programme.pk}/")
    main = main_text(page)
    assert "上限" in main and "300,000" in main, main  # cap and rate are on the page
    # The action is near the top of the page and again at the end: the visitor takes the first.
    page.get_by_role("link", name="この補助金を申請する").first.click()
    page.wait_for_url(f"**/subsidies/programmes/{programme.pk}/apply/")
    expect(page.locator(STEP)).to_contain_text("入力")

    page.select_option("#id_organization", label=ORGANISATION)
    page.select_option("#id_category", index=1)
    page.fill("#id_title", TITLE)
    page.get_by_role("button", name="申請を始める").click()
    page.wait_for_url(re.compile(r"/subsidies/applications/\d+/edit/$"))
    assert (
        "下書きを保存しました。事業計画と予算を入力してください。いつでも途中で保存できます。"
        in message_text(page)
    )
    application = Application.objects.get(title=TITLE)
    assert application.status == S.DRAFT
    assert application.number == ""
    assert application.programme == programme
    assert application.organization.name == ORGANISATION
    assert application.applicant.email == MEMBER_EMAIL
    return application


def member_fills_plan_and_budget(page, expect, application):
    starts, ends = schedule(application.programme)
    page.fill("#id_purpose", "子どもの孤食を減らし、地域で見守る関係をつくる。")
    page.fill("#id_content", "毎週土曜に子ども食堂を開き、食後に大学生が宿題を見る。")
    page.fill("#id_place", "輪西町会館")
    page.fill("#id_starts_on", starts.isoformat())
    page.fill("#id_ends_on", ends.isoformat())
    page.fill("#id_expected_effects", "延べ600人の子どもが参加し、見守りの担い手が増える。")
    page.fill("#id_partner_text", "室蘭工業大学 学習支援サークル")
    page.fill("#id_requested_amount", "80,000")

    fill_income(page, 0, "本補助金", "80,000")
    fill_income(page, 1, "自己資金", "80,000")
    fill_income(page, 2, "会費", "３０，０００")  # full width, as an IME types
    fill_expense(page, 0, "報償費", "60,000", "学習支援の講師謝礼")
    fill_expense(page, 1, "消耗品費", "100,000", "食材・文具")
    # A typo in the third row: the rest is saved, the row is kept as typed, nothing is lost.
    fill_expense(page, 2, "その他", "3万", "スタッフ懇親会の飲食費", eligible=False)
    page.get_by_role("button", name="下書き保存", exact=True).click()

    page.wait_for_selector(".error-summary")
    assert "正しく入力された項目は保存しました。" in message_text(page)
    summary = page.locator(".error-summary").inner_text()
    assert "例：120,000" in summary or "120,000" in summary, summary
    expect(page.locator("#id_expense-2-amount")).to_have_value("3万")
    expect(page.locator("#id_expense-2-description")).to_have_value("スタッフ懇親会の飲食費")
    application.refresh_from_db()
    assert application.place == "輪西町会館"
    assert (application.starts_on, application.ends_on) == (starts, ends)
    assert application.requested_amount == 80_000
    assert lines(application, IncomeLine) == [
        ("this_subsidy", 80_000),
        ("own_funds", 80_000),
        ("fees", 30_000),
    ]
    assert expense_rows(application) == [
        ("honoraria", 60_000, True),
        ("consumables", 100_000, True),
    ]

    page.fill("#id_expense-2-amount", "30,000")
    page.get_by_role("button", name="下書き保存", exact=True).click()
    page.wait_for_url(f"**/subsidies/applications/{application.pk}/edit/")
    assert "下書きを保存しました。" in message_text(page)
    expect(page.locator(".error-summary")).to_have_count(0)
    assert expense_rows(application) == [
        ("honoraria", 60_000, True),
        ("consumables", 100_000, True),
        ("other", 30_000, False),
    ]

    # The most the group may request: 1/2 of the eligible ¥160,000 (the meal is not eligible).
    summary = page.locator(".budget-summary").inner_text()
    rate = application.category.rate_label
    assert (
        f"80,000円（補助対象経費160,000円の{rate}、1,000円未満切り捨て、上限額300,000円まで）"
        in summary
    ), summary
    assert "0円（一致）" in summary, summary


def member_attaches_documents(page, expect, application):
    page.locator(
        f'main a[href="/subsidies/applications/{application.pk}/documents/"]'
    ).first.click()
    page.wait_for_url(f"**/subsidies/applications/{application.pk}/documents/")
    for label, name in (("企画書", "企画書.pdf"), ("予算書", "予算書.pdf")):
        page.select_option("#id_type", label=label)
        page.set_input_files("#id_file", pdf_file(name))
        page.get_by_role("button", name="添付する", exact=True).click()
        page.wait_for_url(f"**/subsidies/applications/{application.pk}/documents/")
        assert f"「{name}」を添付しました。" in message_text(page)
    documents = Attachment.objects.filter(application=application).order_by("pk")
    assert [(d.type.code, d.original_name, d.content_type) for d in documents] == [
        ("plan", "企画書.pdf", "application/pdf"),
        ("budget", "予算書.pdf", "application/pdf"),
    ]
    stored = documents[0]
    assert stored.file.name.startswith("private/subsidies/")
    assert "企画書" not in stored.file.name, "the uploader's file name must not be kept"
    with stored.file.open("rb") as handle:
        assert handle.read() == tiny_pdf()


DECLARATION_LABELS = [
    "この事業は、過去に本補助金の交付を受けたものではありません。",
    "この事業は、政治活動または宗教活動ではありません。",
    "この事業は、営利を目的とするものではありません。",
    "この事業は、他の補助金等の交付を受けていません。",
]


def member_confirms_and_submits(page, expect, application, *, again=False) -> str:
    page.goto(f"/subsidies/applications/{application.pk}/confirm/")
    expect(page.locator(STEP)).to_contain_text("確認")
    main = main_text(page)
    assert TITLE in main and "輪西町会館" in main
    assert "スタッフ懇親会の飲食費" in main
    application.refresh_from_db()
    assert application.status == (S.RETURNED if again else S.DRAFT), "nothing sent yet"
    if not again:
        # Without the declarations ticked it is refused next to each box, nothing sent.
        page.get_by_role("button", name="申請する", exact=True).click()
        expect(page.locator("#error-summary")).to_contain_text(
            "この申告事項を確認してチェックを入れてください。"
        )
        application.refresh_from_db()
        assert application.status == S.DRAFT
        for statement in DECLARATION_LABELS:
            page.get_by_label(statement).check()
    else:  # ticked at the first submission, they stay ticked
        for statement in DECLARATION_LABELS:
            expect(page.get_by_label(statement)).to_be_checked()
    page.get_by_role("button", name="再申請する" if again else "申請する", exact=True).click()

    page.wait_for_url(f"**/subsidies/applications/{application.pk}/submitted/")
    expect(page.locator(STEP)).to_contain_text("完了")
    assert page.locator("h1").inner_text() == "申請を受け付けました"
    number = page.locator("main strong.number").inner_text()
    assert re.fullmatch(rf"HS-{application.programme.fiscal_year}-\d{{5}}", number), number
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.number == number
    assert application.submitted_at is not None
    return number


def mail_to_member(subject_part):
    found = [m for m in mail.outbox if MEMBER_EMAIL in m.to and subject_part in m.subject]
    assert found, [(m.to, m.subject) for m in mail.outbox]
    return found[-1]


# --- 2 and 3. the clerk in the admin ------------------------------------------------------------


def clerk_runs_action(page, expect, application, action, *, reason="", amount=""):
    page.goto(f"/admin/subsidies/application/?q={application.number}")
    row = page.locator("#result_list tbody tr", has_text=application.number)
    expect(row).to_have_count(1)
    row.locator('input[name="_selected_action"]').check()
    page.select_option('select[name="action"]', action)
    if reason:
        page.fill('input[name="reason"]', reason)
    if amount:
        page.fill('input[name="amount"]', amount)
    page.locator('button[name="index"]').click()
    expect(page.locator(".messagelist .success")).to_have_text("1件の申請を変更しました。")
    expect(page.locator(".messagelist .warning")).to_have_count(0)
    application.refresh_from_db()


def pick_autocomplete(page, field, text, shown=None):
    """A select2 autocomplete field of the admin: open it, type, choose the option (shown as
    `shown`, or as what was typed)."""
    page.locator(f"#{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    option = page.locator(".select2-results__option", has_text=shown or text).first
    option.wait_for()
    option.click()


def clerk_assigns_reviewer(page, expect, application, reviewer):
    page.goto("/admin/subsidies/reviewassignment/add/")
    pick_autocomplete(page, "id_application", application.number)
    # Searched by e-mail address, shown by name.
    pick_autocomplete(page, "id_reviewer", reviewer.email, shown=reviewer.get_full_name())
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist .success")).to_have_count(1)


def last_change(application, new_status):
    return ApplicationStatusChange.objects.filter(
        application=application, new_status=new_status
    ).latest("pk")


# --- the reviewer -------------------------------------------------------------------------------


def reviewer_scores(page, expect, application, assignment):
    page.goto("/subsidies/review/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/subsidies/review/{assignment.pk}/")
    assert page.locator("h1").inner_text() == TITLE
    main = main_text(page)
    assert application.number in main and ORGANISATION in main
    criteria = list(application.programme.criteria.order_by("sort_order"))
    given = {}
    for criterion, value, comment in zip(
        criteria,
        (5, 4),
        ("子どもの居場所として意義が大きい。", "学生の協力体制が明確。"),
        strict=True,
    ):
        page.check(f"#id_score_{criterion.pk}_{value - 1}")
        page.fill(f"#id_comment_{criterion.pk}", comment)
        given[criterion.pk] = (value, comment)
    page.get_by_role("button", name="評点を保存する").click()
    page.wait_for_url("**/subsidies/review/")
    assert f"「{TITLE}」の評点を保存しました。" in message_text(page)
    scores = {
        s.criterion_id: (s.score, s.comment) for s in Score.objects.filter(assignment=assignment)
    }
    assert scores == given


# --- after the decision: the member -------------------------------------------------------------


def member_files_the_report(page, expect, application):
    page.goto(f"/subsidies/applications/{application.pk}/report/")
    assert page.locator("h1").inner_text() == "実績報告"
    expect(page.locator(STEP)).to_contain_text("入力")

    # Documents first (a button of the same form), then the lines and the text.
    page.select_option("#id_document_type", label="実績報告書")
    page.set_input_files("#id_document", pdf_file("実績報告書.pdf"))
    page.get_by_role("button", name="書類を追加する").click()
    page.wait_for_selector("#id_summary")
    assert "「実績報告書.pdf」" in message_text(page)
    page.select_option("#id_document_type", label="活動写真")
    page.set_input_files(
        "#id_document", {"name": "IMG_0001.png", "mimeType": "image/png", "buffer": tiny_png()}
    )
    page.get_by_role("button", name="書類を追加する").click()
    page.wait_for_selector("#id_summary")
    assert "「IMG_0001.png」" in message_text(page)

    page.fill("#id_summary", "子ども食堂を24回開き、毎回学習支援を行った。")
    page.fill("#id_participants", "６２０")
    page.fill("#id_effects", "ボランティアの大学生が12人増えた。")
    actual_income = [
        ("本補助金", "65,000"),
        ("自己資金", "45,000"),
        ("会費", "30,000"),
        ("協賛金", "20,000"),
    ]
    for row, (label, amount) in enumerate(actual_income):
        page.select_option(f"#id_income-{row}-kind", label=label)
        page.fill(f"#id_income-{row}-description", "")
        page.fill(f"#id_income-{row}-amount", amount)
    actual_expenses = [
        ("報償費", "60,000", True),
        ("消耗品費", "70,000", True),
        ("その他", "30,000", False),
    ]
    for row, (label, amount, eligible) in enumerate(actual_expenses):
        page.select_option(f"#id_expense-{row}-item", label=label)
        page.fill(f"#id_expense-{row}-amount", amount)
        page.locator(f"#id_expense-{row}-eligible").set_checked(eligible)
    for prefix in ("income", "expense"):
        total = int(page.locator(f"#id_{prefix}-TOTAL_FORMS").input_value())
        first_blank = len(actual_income) if prefix == "income" else len(actual_expenses)
        for row in range(first_blank, total):
            page.fill(f"#id_{prefix}-{row}-description", "")
            page.fill(f"#id_{prefix}-{row}-amount", "")
    page.get_by_role("button", name="報告内容を確認する").click()

    page.wait_for_selector("button[name=_submit]")
    expect(page.locator(STEP)).to_contain_text("確認")
    assert page.locator("h1").inner_text() == "実績報告の確認"
    application.refresh_from_db()
    assert application.status == S.GRANTED, "nothing filed yet"
    page.get_by_role("button", name="実績報告を提出する").click()

    page.wait_for_url(f"**/subsidies/applications/{application.pk}/")
    assert "実績報告を提出しました。市が内容を確認し、額を確定します。" in message_text(page)
    application.refresh_from_db()
    assert application.status == S.REPORTED
    assert application.report_summary == "子ども食堂を24回開き、毎回学習支援を行った。"
    assert application.report_participants == 620
    assert lines(application, IncomeLine, BudgetStage.ACTUAL) == [
        ("this_subsidy", 65_000),
        ("own_funds", 45_000),
        ("fees", 30_000),
        ("sponsorship", 20_000),
    ]
    assert expense_rows(application, BudgetStage.ACTUAL) == [
        ("honoraria", 60_000, True),
        ("consumables", 70_000, True),
        ("other", 30_000, False),
    ]
    assert sorted(
        Attachment.objects.filter(application=application, type__stage="report").values_list(
            "type__code", "original_name"
        )
    ) == [("photos", "IMG_0001.png"), ("report", "実績報告書.pdf")]


# --- the journey --------------------------------------------------------------------------------


def test_npo_applies_is_returned_resubmits_is_scored_adopted_reports_and_is_confirmed(
    new_context, login_as, expect, staff_with_totp, media
):
    programme = make_open_programme()
    member = make_member()
    organization = factories.make_organization(name=ORGANISATION, representative=member)
    reviewer = factories.make_user("shinsa.iin@example.jp", family_name="審査", given_name="委員")

    member_context = new_context()
    login_as(member_context, member)
    applicant = member_context.new_page()

    # 1. apply
    application = member_starts_an_application(applicant, expect, programme)
    assert application.organization == organization
    member_fills_plan_and_budget(applicant, expect, application)
    member_attaches_documents(applicant, expect, application)
    mail.outbox.clear()
    number = member_confirms_and_submits(applicant, expect, application)
    receipt = mail_to_member(number)
    assert receipt.subject.endswith(f"補助金申請 {number}（{TITLE}）：申請済み"), receipt.subject
    assert number in receipt.body
    assert ApplicationStatusChange.objects.filter(
        application=application, old_status=S.DRAFT, new_status=S.SUBMITTED, by=member
    ).exists()

    # 2. the clerk returns it with a reason
    staff, secret = staff_with_totp
    clerk = new_context().new_page()
    staff_signs_in(clerk, staff, secret)
    mail.outbox.clear()
    clerk_runs_action(clerk, expect, application, "return_for_changes", reason=RETURN_REASON)
    assert application.status == S.RETURNED
    change = last_change(application, S.RETURNED)
    assert (change.old_status, change.by, change.reason) == (S.SUBMITTED, staff, RETURN_REASON)
    assert RETURN_REASON in mail_to_member("差戻し").body

    applicant.goto(f"/subsidies/applications/{application.pk}/")
    main = main_text(applicant)
    assert "市から申請が差し戻されました：" in main and RETURN_REASON in main, main
    expect(applicant.locator("main .status").first).to_have_text("差戻し")
    applicant.get_by_role("link", name="修正して再提出する").click()
    applicant.wait_for_url(f"**/subsidies/applications/{application.pk}/edit/")

    # The member adds a row for the sponsorship and lowers the own funds.
    applicant.get_by_role("button", name=re.compile("収入.*行")).click()
    applicant.wait_for_selector("#id_income-3-kind")
    applicant.fill("#id_income-1-amount", "60,000")
    fill_income(applicant, 3, "協賛金", "20,000", "輪西商店会")
    applicant.get_by_role("button", name="確認画面へ進む").click()
    applicant.wait_for_url(f"**/subsidies/applications/{application.pk}/confirm/")
    assert lines(application, IncomeLine) == [
        ("this_subsidy", 80_000),
        ("own_funds", 60_000),
        ("fees", 30_000),
        ("sponsorship", 20_000),
    ]
    assert "輪西商店会" in main_text(applicant)
    mail.outbox.clear()
    assert member_confirms_and_submits(applicant, expect, application, again=True) == number
    assert mail_to_member(number)

    # 3. accepted, reviewed, adopted, granted
    clerk_runs_action(clerk, expect, application, "accept")
    assert application.status == S.ACCEPTED
    clerk_runs_action(clerk, expect, application, "start_review")
    assert application.status == S.UNDER_REVIEW
    clerk_assigns_reviewer(clerk, expect, application, reviewer)
    assignment = ReviewAssignment.objects.get(application=application)
    assert (assignment.reviewer, assignment.assigned_by) == (reviewer, staff)

    reviewer_context = new_context()
    login_as(reviewer_context, reviewer, second_factor=True)
    reviewer_scores(reviewer_context.new_page(), expect, application, assignment)

    mail.outbox.clear()
    clerk_runs_action(clerk, expect, application, "adopt", reason=CONDITIONS, amount="70000")
    assert application.status == S.ADOPTED
    assert application.decided_amount == 70_000
    assert application.conditions == CONDITIONS
    assert mail_to_member("採択")
    clerk_runs_action(clerk, expect, application, "grant")
    assert application.status == S.GRANTED

    applicant.goto(f"/subsidies/applications/{application.pk}/notice/decision/")
    main = main_text(applicant)
    assert "補助金交付決定通知書" in main, main
    assert number in main and TITLE in main and ORGANISATION in main
    assert "70,000" in main and CONDITIONS in main

    # Anyone finds the adopted project with its decided amount.
    visitor = new_context().new_page()
    visitor.goto("/subsidies/adopted/")
    row = visitor.locator("main tr", has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(ORGANISATION)
    expect(row).to_contain_text("70,000")

    member_files_the_report(applicant, expect, application)

    # The documents are the group's, its reviewer's and the city's: nobody else's.
    document = Attachment.objects.get(application=application, type__code="report")
    url = f"/subsidies/attachments/{document.pk}/"
    response = applicant.request.get(url)
    assert response.status == 200 and response.body() == tiny_pdf()
    assert response.headers["content-type"] == "application/pdf"
    outsider_context = new_context()
    login_as(outsider_context, factories.make_user("outsider@example.jp"))
    assert outsider_context.request.get(url).status == 404
    assert clerk.request.get(url).status == 200

    # 額の確定: min(¥70,000 decided, 1/2 of the actual eligible ¥130,000 = ¥65,000).
    mail.outbox.clear()
    clerk_runs_action(clerk, expect, application, "confirm_amount")
    assert application.status == S.CONFIRMED
    assert application.confirmed_amount == 65_000
    assert last_change(application, S.CONFIRMED).by == staff
    assert mail_to_member("額の確定")

    applicant.goto(f"/subsidies/applications/{application.pk}/notice/confirmation/")
    main = main_text(applicant)
    assert "補助金額確定通知書" in main, main
    assert "65,000" in main and "70,000" in main and number in main

    assert [
        (old, new)
        for old, new in ApplicationStatusChange.objects.filter(application=application)
        .order_by("pk")
        .values_list("old_status", "new_status")
    ] == [
        ("", S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.RETURNED),
        (S.RETURNED, S.SUBMITTED),
        (S.SUBMITTED, S.ACCEPTED),
        (S.ACCEPTED, S.UNDER_REVIEW),
        (S.UNDER_REVIEW, S.ADOPTED),
        (S.ADOPTED, S.GRANTED),
        (S.GRANTED, S.REPORTED),
        (S.REPORTED, S.CONFIRMED),
    ]


# --- 4. accessibility ---------------------------------------------------------------------------


@pytest.fixture
def subsidy_world(db, media):
    """A programme open now, a member of a verified NPO, and applications built with the
    services: an empty draft, a complete draft, one under review with a reviewer, a granted one."""
    programme = make_open_programme()
    member = make_member("a11y.member@example.jp")
    organization = factories.make_organization(name=ORGANISATION, representative=member)
    starts, ends = schedule(programme)
    dates = {"starts_on": starts, "ends_on": ends}

    def make(**extra):
        return subsidy_factories.make_application(
            programme=programme, organization=organization, applicant=member, **dates, **extra
        )

    empty = make(title="空の下書き", budget=False, attachments=False)
    complete = make(title="完成した下書き")
    reviewed = make(title="審査中の申請", status=S.UNDER_REVIEW)
    reviewer = factories.make_user("a11y.reviewer@example.jp")
    staff = factories.make_user("a11y.staff@city.muroran.example.jp", superuser=True)
    assignment = services.assign_reviewer(application=reviewed, reviewer=reviewer, by=staff)
    granted = make(title="交付決定した事業", status=S.GRANTED, decided_amount=100_000)
    return {
        "programme": programme,
        "member": member,
        "empty": empty,
        "complete": complete,
        "granted": granted,
        "reviewer": reviewer,
        "assignment": assignment,
    }


def test_subsidy_pages_have_no_serious_axe_violations(
    new_context, login_as, assert_accessible, subsidy_world
):
    """Public pages, the application form empty and with errors, documents, confirmation,
    the application page, the review score sheet and the report form. Every page is checked,
    and all the violations are reported together."""
    world = subsidy_world
    failures = []

    def check(page, what):
        try:
            assert_accessible(page, what)
        except AssertionError as error:
            failures.append(str(error))

    visitor = new_context().new_page()
    visitor.goto("/subsidies/")
    assert world["programme"].title in main_text(visitor)
    check(visitor, "programme list")
    visitor.goto(f"/subsidies/programmes/{world['programme'].pk}/")
    check(visitor, "programme page")
    visitor.goto("/subsidies/adopted/")
    check(visitor, "adopted projects")

    context = new_context()
    login_as(context, world["member"])
    page = context.new_page()
    empty = world["empty"]
    page.goto(f"/subsidies/applications/{empty.pk}/edit/")
    check(page, "application form, empty")
    page.fill("#id_title", "")
    page.fill("#id_requested_amount", "たくさん")
    page.fill("#id_income-0-amount", "-5")
    page.get_by_role("button", name="下書き保存", exact=True).click()
    page.wait_for_selector(".error-summary")
    assert "事業名を入力してください。" in page.locator(".error-summary").inner_text()
    check(page, "application form with errors")

    complete = world["complete"]
    page.goto(f"/subsidies/applications/{complete.pk}/documents/")
    check(page, "documents page")
    page.goto(f"/subsidies/applications/{complete.pk}/confirm/")
    assert page.get_by_role("button", name="申請する", exact=True).count() == 1
    check(page, "confirmation page")
    page.goto(f"/subsidies/applications/{complete.pk}/")
    check(page, "application page")

    granted = world["granted"]
    page.goto(f"/subsidies/applications/{granted.pk}/report/")
    check(page, "report form")

    reviewer_context = new_context()
    login_as(reviewer_context, world["reviewer"], second_factor=True)
    reviewer = reviewer_context.new_page()
    reviewer.goto(f"/subsidies/review/{world['assignment'].pk}/")
    assert reviewer.get_by_role("button", name="評点を保存する").count() == 1
    check(reviewer, "review score sheet")

    assert not failures, "\n\n".join(failures)


def test_application_form_fits_a_phone(new_context, login_as, subsidy_world):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, subsidy_world["member"])
    page = context.new_page()
    page.goto(f"/subsidies/applications/{subsidy_world['complete'].pk}/edit/")
    assert page.locator("#id_income-0-amount").count() == 1
    assert_no_horizontal_scroll(page)


def test_application_page_leads_to_the_notices_and_the_report(new_context, login_as, subsidy_world):
    granted = subsidy_world["granted"]
    context = new_context()
    login_as(context, subsidy_world["member"])
    page = context.new_page()
    page.goto(f"/subsidies/applications/{granted.pk}/")
    base = f"/subsidies/applications/{granted.pk}"
    main = page.locator("main")
    assert main.locator(f'a[href="{base}/notice/decision/"]').count() >= 1, "no 交付決定通知書"
    assert main.locator(f'a[href="{base}/report/"]').count() >= 1, "no 実績報告"
    assert main.locator(f'a[href="{base}/change/"]').count() >= 1, "no 変更承認"


def test_an_npo_applies_without_javascript(new_context, login_as, expect, media):
    """The whole application - start, plan and budget (with more rows), documents, 確認,
    submit - in a browser with JavaScript switched off: every step is a plain form."""
    programme = make_open_programme()
    member = make_member()
    factories.make_organization(name=ORGANISATION, representative=member)
    context = new_context(java_script_enabled=False)
    login_as(context, member)
    page = context.new_page()

    application = member_starts_an_application(page, expect, programme)
    member_fills_plan_and_budget(page, expect, application)
    member_attaches_documents(page, expect, application)
    number = member_confirms_and_submits(page, expect, application)

    application.refresh_from_db()
    assert (application.status, application.number) == (S.SUBMITTED, number)
