"""A resident sends two opinions on a public comment case in a real browser at 320 px, by
keyboard: the form, "add another opinion", the confirmation, the receipt (printable); axe
finds nothing serious or critical on any step, and the page never scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from publiccomment.models import Submission
from tests.e2e.test_accessibility import NARROWEST, assert_no_horizontal_scroll, switch_language
from tests.publiccomment import factories as pf

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def open_case(db):
    now = timezone.now()
    return pf.make_case(
        opens_at=now - dt.timedelta(days=5),
        closes_at=now + dt.timedelta(days=25),
        title="室蘭市みどりの基本計画（案）",
    )


def _type(page, label, text):
    field = page.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.type(text)


def test_a_resident_sends_two_opinions_and_gets_a_receipt_at_320px(
    new_context, assert_accessible, expect, open_case
):
    context = new_context(viewport=NARROWEST, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"/publiccomment/{open_case.pk}/submit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("意見を提出する")
    expect(page.get_by_text("意見の内容確認のため")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "opinion form at 320px")

    # The organisation's fieldset shows only for an organisation (static/js/show-for-choice.js).
    organisation_part = page.locator('fieldset[data-show-for="kind:organization"]')
    expect(organisation_part).to_be_hidden()
    page.get_by_label("団体", exact=True).focus()
    page.keyboard.press("Space")
    expect(organisation_part).to_be_visible()
    page.get_by_label("個人", exact=True).focus()
    page.keyboard.press("Space")
    expect(organisation_part).to_be_hidden()

    _type(page, "氏名 必須", "輪西 花子")
    _type(page, "住所 必須", "室蘭市輪西町1丁目1番1号")
    _type(page, "メール", "hanako@example.jp")
    page.get_by_label("市内に住所を有する方").focus()
    page.keyboard.press("Space")
    section = page.get_by_label("意見1：意見の対象となる箇所")
    section.focus()
    page.keyboard.press("ArrowDown")  # 案全体 → 1. 計画の目的
    page.keyboard.press("ArrowDown")  # → 2. 施策の方向
    _type(page, "意見1：ご意見とその理由", "公園の樹木を増やしてください。")

    # One more row, server-side: everything typed is kept and the new row has the focus.
    page.get_by_role("button", name="意見の入力欄を追加する").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_label("意見4：ご意見とその理由")).to_be_focused()
    expect(page.get_by_label("氏名 必須")).to_have_value("輪西 花子")
    expect(page.get_by_label("意見1：ご意見とその理由")).to_have_value(
        "公園の樹木を増やしてください。"
    )
    page.keyboard.type("<b>歩道</b>の街路樹も残してください。")
    assert_no_horizontal_scroll(page)

    # Enter in a field goes to the confirmation (the default button), not to another row.
    page.get_by_label("氏名 必須").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("意見の確認")
    expect(page.get_by_text("<b>歩道</b>の街路樹も残してください。")).to_be_visible()
    expect(page.get_by_text("2. 施策の方向")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "opinion confirmation at 320px")
    assert not Submission.objects.exists()

    page.get_by_role("button", name="意見を送信する").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    submission = Submission.objects.get()
    assert [o.text for o in submission.opinions.order_by("position")] == [
        "公園の樹木を増やしてください。",
        "<b>歩道</b>の街路樹も残してください。",
    ]
    expect(page.get_by_role("heading", level=1)).to_have_text("受付票")
    expect(page.locator(".print-number")).to_have_text(submission.number)
    expect(page.get_by_text(f"受付番号は {submission.number} です")).to_be_visible()
    expect(page.get_by_role("button", name="印刷する")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "opinion receipt at 320px")

    # Printed: the sheet only, with the opinions.
    page.emulate_media(media="print")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator(".print-sheet")).to_contain_text("公園の樹木を増やしてください。")


def test_the_form_with_its_errors_in_english_passes_axe_at_320px(
    new_context, assert_accessible, expect, open_case
):
    context = new_context(viewport=NARROWEST, is_mobile=True, has_touch=True)
    page = context.new_page()
    switch_language(page, "en")
    page.goto(f"/publiccomment/{open_case.pk}/submit/")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to confirmation").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Write at least one opinion.")
    expect(summary).to_contain_text("Enter your name.")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "opinion form with errors, in English, at 320px")
    # The summary's link takes the focus to the first opinion's text.
    summary.get_by_role("link", name="Write at least one opinion.").click()
    expect(page.locator("#id_opinion1_text")).to_be_focused()
