"""The subsidy plan page on a phone (375 px), with and without JavaScript:

- partner organisations are checkboxes (no Ctrl to hold); with JavaScript a search box filters
  them as one types (kana or hiragana, name, type or district); without it the whole list is
  there and ticking works the same;
- the budget totals, the most one may request (1/2 of the eligible expenses, rounded down to
  ¥1,000, at most the cap) and the warnings follow what is typed; after saving the server's
  figures are the same; without JavaScript the totals are the server's, computed on saving.
"""

from __future__ import annotations

import pytest

from subsidies import money
from subsidies.models import Application, BudgetStage, ExpenseLine, IncomeLine
from tests import factories
from tests.e2e.test_accessibility import assert_no_horizontal_scroll
from tests.e2e.test_subsidies_journey import make_open_programme
from tests.subsidies import factories as subsidy_factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def draft(db):
    """An empty draft of a verified NPO (category 1/2, cap ¥300,000), and three other verified
    organisations to choose partners from."""
    member = factories.make_user("plan.member@example.jp")
    organization = factories.make_organization(
        name="みなと子ども食堂ネットワーク",
        name_kana="ミナトコドモショクドウネットワーク",
        representative=member,
    )
    partners = {
        "wanishi": factories.make_organization(
            name="輪西商店会", name_kana="ワニシショウテンカイ", district_name="輪西町"
        ),
        "nakajima": factories.make_organization(
            name="中島町子ども会", name_kana="ナカジマチョウコドモカイ", district_name="中島町"
        ),
        "higashi": factories.make_organization(
            name="東町花の会", name_kana="ヒガシマチハナノカイ", district_name="東町"
        ),
    }
    application = subsidy_factories.make_application(
        programme=make_open_programme(),
        organization=organization,
        applicant=member,
        budget=False,
        attachments=False,
        requested_amount=0,
    )
    return {"member": member, "application": application, "partners": partners}


def open_plan(new_context, login_as, draft, *, javascript=True):
    context = new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript
    )
    login_as(context, draft["member"])
    page = context.new_page()
    page.goto(f"/subsidies/applications/{draft['application'].pk}/edit/")
    return page


def total(page, name) -> str:
    return page.locator(f".live-totals [data-total='{name}']").first.inner_text()


def type_budget(page):
    """Expenses ¥203,500, of which ¥183,500 eligible; income ¥203,500 with ¥91,000 from this
    subsidy; ¥91,000 requested (typed in full-width digits)."""
    page.select_option("#id_expense-0-item", "consumables")
    page.fill("#id_expense-0-amount", "150,000")
    page.select_option("#id_expense-1-item", "honoraria")
    page.fill("#id_expense-1-amount", "３３，５００")
    page.select_option("#id_expense-2-item", "printing")
    page.fill("#id_expense-2-description", "懇親会の飲食")
    page.fill("#id_expense-2-amount", "20000円")
    page.uncheck("#id_expense-2-eligible")
    page.select_option("#id_income-0-kind", "this_subsidy")
    page.fill("#id_income-0-amount", "91,000")
    page.select_option("#id_income-1-kind", "own_funds")
    page.fill("#id_income-1-amount", "112,500")
    page.fill("#id_requested_amount", "９１，０００円")


def saved_budget(application):
    plan = BudgetStage.PLAN
    income = IncomeLine.objects.filter(application=application, stage=plan)
    expenses = ExpenseLine.objects.filter(application=application, stage=plan)
    return money.totals(income, expenses)


def test_search_filters_the_partner_checkboxes_at_375px(
    new_context, login_as, draft, expect, assert_accessible
):
    page = open_plan(new_context, login_as, draft)
    search = page.get_by_label("団体を名称・種別・地区で探す")
    choices = page.locator("#id_partner_organizations .checkbox-search__choice")
    expect(search).to_be_visible()
    expect(choices).to_have_count(3)  # its own organisation is not in the list

    # Hiragana finds the reading in katakana.
    search.fill("わにし")
    expect(choices.locator("visible=true")).to_have_count(1)
    expect(choices.locator("visible=true")).to_contain_text("輪西商店会")
    expect(page.locator("#id_partner_organizations_search_status")).to_have_text(
        "全3件中1件を表示しています。"
    )
    choices.locator("visible=true").locator("input").check()

    # By district; the ticked one stays in the list.
    search.fill("中島町")
    expect(choices.locator("visible=true")).to_have_count(2)
    search.fill("見つからない団体")
    expect(choices.locator("visible=true")).to_have_count(1)
    expect(page.locator("#id_partner_organizations_search_status")).to_contain_text(
        "一致するものがありません"
    )
    # Enter in the search box does not send the form.
    search.press("Enter")
    assert page.url.endswith("/edit/")
    search.fill("")
    expect(choices.locator("visible=true")).to_have_count(3)

    assert_no_horizontal_scroll(page)
    assert_accessible(page, "plan page with the partner search at 375px")
    page.locator(".actions button[name=_save]").click()
    page.wait_for_url("**/edit/")
    application = Application.objects.get(pk=draft["application"].pk)
    assert list(application.partner_organizations.all()) == [draft["partners"]["wanishi"]]


def test_totals_follow_what_is_typed_and_match_the_server_after_saving(
    new_context, login_as, draft, expect, assert_accessible
):
    page = open_plan(new_context, login_as, draft)
    heading = page.locator(".live-totals h3")
    expect(heading).to_have_text("入力中の合計（下書き保存で保存されます）")
    assert total(page, "income") == "0"

    type_budget(page)

    expect(page.locator(".live-totals [data-total='income']").first).to_have_text("203,500")
    assert total(page, "expenses") == "203,500"
    assert total(page, "eligible") == "183,500"
    # 183,500 × 1/2 = 91,750, rounded down to ¥1,000.
    assert total(page, "limit") == "91,000"
    assert total(page, "requested") == "91,000"
    assert total(page, "this_subsidy") == "91,000"
    expect(page.get_by_text("0円（一致）")).to_be_visible()
    expect(page.get_by_text("申請できる上限を超えています", exact=True)).to_be_hidden()
    expect(page.get_by_text("申請額と同額にしてください", exact=True)).to_be_hidden()

    # More than the limit, and unequal to the income line: both warnings show.
    page.fill("#id_requested_amount", "100,000")
    expect(page.get_by_text("申請できる上限を超えています", exact=True)).to_be_visible()
    expect(page.get_by_text("申請額と同額にしてください", exact=True)).to_be_visible()
    # Above the cap: the most one may request is the cap.
    page.fill("#id_expense-0-amount", "700,000")
    expect(page.locator(".live-totals [data-total='limit']")).to_have_text("300,000")
    expect(page.get_by_text("申請できる上限を超えています", exact=True)).to_be_hidden()
    expect(page.locator("[data-show-if='difference != 0']")).to_be_visible()
    # Ticking a line back in counts it as eligible.
    page.fill("#id_expense-0-amount", "150,000")
    page.check("#id_expense-2-eligible")
    assert total(page, "eligible") == "203,500"
    assert total(page, "limit") == "101,000"
    page.uncheck("#id_expense-2-eligible")
    page.fill("#id_requested_amount", "91,000")
    assert total(page, "limit") == "91,000"
    assert_accessible(page, "plan page with totals as typed at 375px")

    page.locator(".actions button[name=_save]").click()
    page.wait_for_url("**/edit/")
    expect(page.locator(".message--success")).to_be_visible()

    application = Application.objects.get(pk=draft["application"].pk)
    budget = saved_budget(application)
    limit = money.category_eligible_amount(application.category, budget.eligible_expenses)
    assert (budget.income, budget.expenses, budget.eligible_expenses) == (
        203_500,
        203_500,
        183_500,
    )
    assert (limit, application.requested_amount, budget.this_subsidy) == (91_000,) * 3
    # What the page shows after saving is what the server computed.
    assert total(page, "income") == f"{budget.income:,}"
    assert total(page, "eligible") == f"{budget.eligible_expenses:,}"
    assert total(page, "limit") == f"{limit:,}"


def test_without_javascript_the_list_works_and_totals_come_on_saving(
    new_context, login_as, draft, expect
):
    """(axe needs JavaScript: the page with it is checked above.)"""
    page = open_plan(new_context, login_as, draft, javascript=False)
    expect(page.locator("#id_partner_organizations_search")).to_be_hidden()
    expect(page.locator("#id_partner_organizations .checkbox-search__choice")).to_have_count(3)
    expect(page.locator(".live-totals h3")).to_have_text("保存された予算の合計")
    page.get_by_label("東町花の会").check()
    page.get_by_label("中島町子ども会").check()

    type_budget(page)
    # Nothing computes before saving.
    assert total(page, "income") == "0"
    expect(page.locator(".live-totals [data-show-if='limit']")).to_be_visible()
    assert total(page, "limit") == "0"
    assert_no_horizontal_scroll(page)

    page.locator(".actions button[name=_save]").click()
    page.wait_for_url("**/edit/")
    assert total(page, "income") == "203,500"
    assert total(page, "expenses") == "203,500"
    assert total(page, "eligible") == "183,500"
    assert total(page, "limit") == "91,000"
    assert total(page, "requested") == "91,000"
    expect(page.get_by_text("申請できる上限を超えています", exact=True)).to_be_hidden()
    application = Application.objects.get(pk=draft["application"].pk)
    assert set(application.partner_organizations.all()) == {
        draft["partners"]["higashi"],
        draft["partners"]["nakajima"],
    }
    assert saved_budget(application).eligible_expenses == 183_500
