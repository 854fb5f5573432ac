"""個人情報の開示・訂正 in a browser (/admin/personal-data/, `muroran_kyodo.personal_data`): a
clerk with the permission and a second factor searches by e-mail, reads the records, downloads
them and corrects the telephone, by keyboard, with and without JavaScript. Every page is checked
with axe (no serious/critical WCAG A/AA violation) and watched for CSP violations (the
`new_context` fixture fails the test on any)."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.contrib.auth.models import Permission

from accounts.models import SecurityEvent
from councils.models import Signup
from publiccomment.models import Submission
from tests import factories
from tests.councils import factories as cf
from tests.publiccomment import factories as pf

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

URL = "/admin/personal-data/"
PERSON = "kaiji-e2e@example.jp"
OTHER = "betsujin-e2e@example.jp"

# The element with the focus: its id, whether it shows a focus indicator, its label's text.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    id: el.id,
    outline: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1)
             || style.boxShadow !== "none",
    label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : "",
  };
}"""

# Every form control of the page's content a person fills in, without a label.
UNLABELLED = """() => Array.from(
  document.querySelectorAll("#content-main input:not([type=hidden]):not([type=submit]), "
                            + "#content-main select, #content-main textarea")
).filter((el) => !(el.labels && el.labels.length)).map((el) => el.name)"""


@pytest.fixture
def officer(db):
    user = factories.make_user("kojin-e2e@city.muroran.example.jp", staff=True)
    user.user_permissions.add(Permission.objects.get(codename="disclose_personal_data"))
    return user


@pytest.fixture
def records(db):
    """The person (an account) with a public comment submission and a council guest sign-up,
    and another person with the same kinds of records."""
    factories.make_user(PERSON, family_name="開示", given_name="花子")
    with time_machine.travel(pf.NOW, tick=False):
        case = pf.make_case()
        pf.submit(
            case, "公園を増やしてほしい。", name="開示 花子", email=PERSON, phone="0143-10-0001"
        )
        pf.submit(case, "別の意見です。", name="別人 次郎", email=OTHER, phone="0143-10-0002")
    session = cf.make_workshop()
    cf.make_signup(session, name="開示 花子", email=PERSON, phone="0143-10-0001")
    cf.make_signup(session, name="別人 次郎", email=OTHER, phone="0143-10-0002")


def focus_by_tab(page, element_id: str, *, limit: int = 120) -> dict:
    """Press Tab until the element `element_id` has the focus; every stop inside the page's
    content must show a focus indicator."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUSED)
        if info is None:
            continue
        if page.evaluate("() => !!document.activeElement.closest('#content-main')"):
            assert info["outline"], f"no visible focus indicator on #{info['id']}"
        if info["id"] == element_id:
            return info
    raise AssertionError(f"Tab never reached #{element_id}")


def test_search_export_and_correction_by_keyboard_are_accessible(
    context, page, login_as, officer, records, assert_accessible, expect, live_server
):
    login_as(context, officer, second_factor=True)
    page.goto(URL)
    expect(page.get_by_role("heading", name="個人情報の開示・訂正", level=1)).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    assert_accessible(page, "the empty search form")

    # Search: Tab to the e-mail box, type, Enter.
    email_box = focus_by_tab(page, "id_email")
    assert email_box["label"] == "メールアドレス"
    page.keyboard.type(PERSON.upper())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{URL}?email=*")
    expect(page.get_by_role("heading", name="3件の記録が見つかりました")).to_be_visible()
    table = page.get_by_role("table", name="その方の個人情報を含む記録")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).not_to_contain_text(OTHER)
    # The details open from the keyboard.
    summary = table.locator("summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(table.locator("details").first).to_have_attribute("open", "")
    assert page.evaluate(UNLABELLED) == []
    assert_accessible(page, "the records found")

    # 開示: the download holds the person's records only.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="JSONでダウンロード（開示）").click()
    data = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert data["searched_for"] == {"email": PERSON, "name": ""}
    assert len(data["records"]) == 3
    assert OTHER not in json.dumps(data, ensure_ascii=False)

    # 訂正: a mistyped telephone is refused in words, with the focusable error beside the box.
    phone = focus_by_tab(page, "id_new_phone")
    assert phone["label"] == "訂正後の電話番号"
    page.keyboard.type("12345")
    page.keyboard.press("Enter")
    expect(page.locator("#content-main .errorlist")).to_be_visible()
    assert Submission.objects.get(email=PERSON).phone == "0143-10-0001"
    assert_accessible(page, "the correction refused")

    page.get_by_label("訂正後の電話番号").fill("０１４３－９９－８８７７")
    page.get_by_label("訂正後の電話番号").press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("2件の記録を訂正しました")
    assert Submission.objects.get(email=PERSON).phone == "0143-99-8877"
    assert Signup.objects.get(email=PERSON).phone == "0143-99-8877"
    assert Submission.objects.get(email=OTHER).phone == "0143-10-0002"
    assert_accessible(page, "the page after the correction")
    events = set(SecurityEvent.objects.values_list("event", flat=True))
    assert {"personal_data_viewed", "personal_data_exported", "personal_data_corrected"} <= events


def test_the_page_works_without_javascript(new_context, login_as, officer, records, expect):
    context = new_context(java_script_enabled=False)
    login_as(context, officer, second_factor=True)
    page = context.new_page()
    page.goto(URL)

    # The search is a GET form.
    page.get_by_label("メールアドレス").fill(PERSON)
    page.get_by_role("button", name="検索").click()
    expect(
        page.get_by_role("table", name="その方の個人情報を含む記録").locator("tbody tr")
    ).to_have_count(3)

    # The download is a POST form.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="JSONでダウンロード（開示）").click()
    data = json.loads(open(download_info.value.path(), encoding="utf-8").read())
    assert len(data["records"]) == 3

    # The correction is a POST form, then the search again at the new address.
    page.get_by_label("訂正後のメールアドレス").fill("kaiji-new-e2e@example.jp")
    page.get_by_role("button", name="訂正する").click()
    expect(page.locator(".messagelist")).to_contain_text("2件の記録を訂正しました")
    assert "email=kaiji-new-e2e%40example.jp" in page.url
    assert Submission.objects.filter(email="kaiji-new-e2e@example.jp").count() == 1
    assert Signup.objects.filter(email="kaiji-new-e2e@example.jp").count() == 1
    assert not Submission.objects.filter(email=PERSON).exists()
