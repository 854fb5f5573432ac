"""パブリックコメント from the opinions to the published result, in a real browser, each person
in their own browser context:

1. while the window is open, a resident (no account) sends two opinions on two sections of the
   draft through the web form and its confirmation step, and gets a receipt PC-…; a second
   sender, an organisation that does not let its name be published, sends one on a phone
   (320 px) in English;
2. a clerk of 企画課 signs in with a password and an authenticator code and keys in an opinion
   that came by FAX (channel, the date received, name, address, phone) in the admin: it gets a
   receipt number too; publishing the result is refused while the window is open;
3. the window closes (the case's closing time is moved into the past, as the clock would move);
   the clerk writes two 論点 with 市の考え方 and the disposition, groups the four opinion items
   under them with 「この論点にまとめる」 on the item list filtered by the case, writes the
   final plan and what changed on the case; 「結果を公表する」 is refused while nobody has
   checked the opinions for personal data, so the clerk ticks every opinion of the case on the
   opinion list and runs 「公表してよいことを確認した」, then 「結果を公表する」;
4. the result page (Japanese, English, 320 px) counts 3 senders and 4 opinions by channel,
   shows each 論点 with the city's view and the disposition, the final plan and what changed;
   every opinion is on its own page; none of the personal strings typed on the way is on
   either page or in the CSV; the resident who gave an e-mail address is told;
5. axe finds nothing serious or critical on the form, the confirmation, the receipt, the
   result page and the page of every opinion.

The admin is used as a clerk uses it (links, fields, buttons, the action bar), never the ORM;
only the clock is moved by hand. Nothing depends on today's date: the case's window is set
relative to now.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from publiccomment.models import Case, Channel, Issue, OpinionItem, Submission
from tests import factories
from tests.e2e.test_accessibility import NARROWEST, assert_no_horizontal_scroll, switch_language
from tests.e2e.test_signup_journey import staff_signs_in
from tests.publiccomment import factories as pf

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "室蘭市みどりの基本計画（案）"
SUCCESS = ".messagelist .success"
WARNING = ".messagelist .warning"

# The resident on the web: two opinions on sections 2 and 3.
RESIDENT = {
    "name": "輪西ＸＱ花子",
    "address": "室蘭市秘密町９丁目ＸＱ番地",
    "phone": "0143-98-7654",
    "email": "xq.hanako@example.jp",
}
RESIDENT_OPINIONS = [
    ("2. 施策の方向", "公園の樹木を増やしてください。夏の日陰が足りません。"),
    ("3. 推進体制", "市民が公園の管理に参加できる仕組みを作ってください。"),
]
# An organisation on a phone, in English; it does not let its name be published.
ORGANISATION = {
    "name": "中島ＺＷ次郎",
    "organization_name": "中島ＺＷ緑化の会",
    "address": "室蘭市中島町８丁目ＺＷ番地",
    "phone": "0143-87-6543",
}
ORGANISATION_OPINION = "公園の管理を町内会と協働で進めてほしい。"
# Keyed in by the clerk from a FAX.
FAX = {
    "name": "東町ＫＹ三郎",
    "address": "室蘭市東町７丁目ＫＹ番地",
    "phone": "0143-76-5432",
}
FAX_OPINION = "街路樹と公園の緑をもっと増やしてほしい。"
PERSONAL = [
    *RESIDENT.values(),
    *ORGANISATION.values(),
    *FAX.values(),
    # the telephone numbers without their hyphens too
    *(re.sub(r"\D", "", who["phone"]) for who in (RESIDENT, ORGANISATION, FAX)),
]

ISSUES = [
    {
        "summary": "公園や街路の樹木を増やすことを求める意見",
        "section": "2. 施策の方向",
        "city_view": "公園と街路の植樹を計画的に進めることを施策の方向に加えます。",
        "disposition": "反映",
        "draft_changed": True,
    },
    {
        "summary": "公園の管理への市民参加を求める意見",
        "section": "3. 推進体制",
        "city_view": "町内会や市民団体と協働で公園を管理する仕組みを、今後の参考とします。",
        "disposition": "参考",
        "draft_changed": False,
    },
]
FINAL_PLAN = "室蘭市みどりの基本計画を策定しました。本文は市ホームページと市役所で閲覧できます。"
CHANGES = "第2章「施策の方向」に公園と街路の植樹の方針を加えました。"


@pytest.fixture
def kikaku_clerk(db):
    """A clerk of 企画課 (which runs public comment) with a real TOTP authenticator."""
    staff = factories.make_user(
        "kikaku.tanto@city.muroran.example.jp", staff=True, display_name="企画課"
    )
    staff.groups.add(Group.objects.get(name="企画課"))
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    return staff, secret


@pytest.fixture
def open_case(db):
    """Announced 40 days ago, closing in two days: open while the opinions arrive."""
    now = timezone.now()
    return pf.make_case(
        title=TITLE,
        department="都市政策課",
        opens_at=now - dt.timedelta(days=40),
        closes_at=now + dt.timedelta(days=2),
    )


def main_text(page) -> str:
    return page.locator("main").inner_text()


def assert_nothing_personal(text: str, where: str) -> None:
    found = [value for value in PERSONAL if value in text]
    assert not found, f"personal data on {where}: {found}"


# --- 1. opinions on the web -----------------------------------------------------------------


def resident_sends_two_opinions(page, expect, assert_accessible, case) -> str:
    page.goto(case.get_absolute_url())
    page.get_by_role("link", name="Webで意見を提出する").first.click()
    page.wait_for_url(f"**/publiccomment/{case.pk}/submit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("意見を提出する")
    assert_accessible(page, "the opinion form")

    for field, value in RESIDENT.items():
        page.fill(f"#id_{field}", value)
    page.get_by_label("市内に住所を有する方", exact=True).check()
    for n, (section, text) in enumerate(RESIDENT_OPINIONS, start=1):
        page.select_option(f"#id_opinion{n}_section", label=section)
        page.fill(f"#id_opinion{n}_text", text)
    page.get_by_role("button", name="確認画面へ進む").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("意見の確認")
    main = main_text(page)
    for section, text in RESIDENT_OPINIONS:
        assert section in main and text in main, main
    assert RESIDENT["name"] in main  # shown back to the sender, before sending
    assert not Submission.objects.exists(), "nothing is sent before the confirmation"
    assert_accessible(page, "the opinion confirmation")

    page.get_by_role("button", name="意見を送信する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("受付票")
    submission = Submission.objects.get(case=case, channel=Channel.WEB)
    assert re.fullmatch(rf"PC-{case.code}-\d{{4}}", submission.number), submission.number
    expect(page.locator(".print-number")).to_have_text(submission.number)
    expect(page.get_by_text(f"受付番号は {submission.number} です")).to_be_visible()
    assert_accessible(page, "the opinion receipt")
    assert [(o.section.number, o.text) for o in submission.opinions.order_by("position")] == [
        (2, RESIDENT_OPINIONS[0][1]),
        (3, RESIDENT_OPINIONS[1][1]),
    ]
    assert (submission.name, submission.email) == (RESIDENT["name"], RESIDENT["email"])
    copy = [m for m in mail.outbox if RESIDENT["email"] in m.to]
    assert copy and submission.number in copy[-1].body, [m.subject for m in mail.outbox]
    return submission.number


def organisation_sends_one_opinion_on_a_phone_in_english(
    new_context, expect, assert_accessible, case
):
    context = new_context(viewport=NARROWEST, is_mobile=True, has_touch=True)
    page = context.new_page()
    switch_language(page, "en")
    page.goto(f"/publiccomment/{case.pk}/submit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Send your opinion")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "the opinion form in English at 320px")

    page.get_by_label("An organisation", exact=True).check()
    for field, value in ORGANISATION.items():
        page.fill(f"#id_{field}", value)
    expect(page.locator("#id_organization_name_public")).not_to_be_checked()
    page.get_by_label("Has an office or business in the city", exact=True).check()
    page.fill("#id_opinion1_text", ORGANISATION_OPINION)  # on the draft as a whole
    page.get_by_role("button", name="Continue to confirmation").click()
    page.get_by_role("button", name="Send the opinion").click()

    submission = Submission.objects.get(case=case, kind=Submission.Kind.ORGANIZATION)
    expect(page.locator(".print-number")).to_have_text(submission.number)
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "the opinion receipt in English at 320px")
    assert not submission.organization_name_public
    assert [(o.section, o.text) for o in submission.opinions.all()] == [
        (None, ORGANISATION_OPINION)
    ]
    return submission.number


# --- 2. the clerk keys in a FAX ---------------------------------------------------------------


def clerk_keys_in_a_fax(page, expect, case, staff) -> str:
    page.goto("/admin/")
    page.locator('a[href="/admin/publiccomment/submission/add/"]').first.click()
    page.wait_for_url("**/admin/publiccomment/submission/add/")
    page.select_option("#id_case", label=f"{case.code} {case.title}")
    page.select_option("#id_channel", "fax")
    received = timezone.localtime() - dt.timedelta(days=1)  # yesterday, inside the window
    page.fill("#id_received_at_0", received.date().isoformat())
    page.fill("#id_received_at_1", "14:30:00")
    for field, value in FAX.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_eligibility", "resident")
    page.select_option("#id_section_1", label=f"{case.code} 2. 施策の方向")
    page.fill("#id_opinion_1", FAX_OPINION)
    page.locator('input[name="_save"]').click()

    page.wait_for_url("**/admin/publiccomment/submission/")
    fax = Submission.objects.get(case=case, channel=Channel.FAX)
    expect(page.locator(SUCCESS)).to_contain_text(fax.number)
    assert re.fullmatch(rf"PC-{case.code}-\d{{4}}", fax.number), fax.number
    assert fax.recorded_by == staff
    assert timezone.localtime(fax.received_at).replace(tzinfo=None) == dt.datetime.combine(
        received.date(), dt.time(14, 30)
    )
    assert (fax.name, fax.address, fax.phone) == (FAX["name"], FAX["address"], FAX["phone"])
    assert [(o.section.number, o.text) for o in fax.opinions.all()] == [(2, FAX_OPINION)]

    # Its own page has the printable receipt with the number.
    page.locator("#result_list").get_by_role("link", name=fax.number).click()
    page.wait_for_url(f"**/admin/publiccomment/submission/{fax.pk}/change/")
    page.get_by_role("link", name="受付票").click()
    page.wait_for_url(f"**/publiccomment/submissions/{fax.pk}/")
    expect(page.locator(".print-number")).to_have_text(fax.number)
    return fax.number


def clerk_runs_case_action(page, case, action):
    page.goto("/admin/publiccomment/case/")
    row = page.locator("#result_list tbody tr", has_text=case.code)
    row.locator('input[name="_selected_action"]').check()
    page.select_option('select[name="action"]', action)
    page.locator('button[name="index"]').click()
    page.wait_for_load_state()


# --- 3. considering and publishing --------------------------------------------------------------


def close_the_window(case):
    """The clock passes the closing time: the case is now being considered."""
    Case.objects.filter(pk=case.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    case.refresh_from_db()
    assert case.phase == Case.Phase.CONSIDERING


def clerk_writes_an_issue(page, expect, case, issue) -> Issue:
    page.goto("/admin/publiccomment/issue/")
    page.locator('a[href="/admin/publiccomment/issue/add/"]').first.click()
    page.wait_for_url("**/admin/publiccomment/issue/add/")
    page.select_option("#id_case", label=case.title)
    page.fill("#id_summary", issue["summary"])
    page.select_option("#id_section", label=f"{case.code} {issue['section']}")
    page.fill("#id_city_view", issue["city_view"])
    page.select_option("#id_disposition", label=issue["disposition"])
    page.locator("#id_draft_changed").set_checked(issue["draft_changed"])
    page.locator('input[name="_save"]').click()
    page.wait_for_url("**/admin/publiccomment/issue/")
    expect(page.locator(SUCCESS)).to_have_count(1)
    saved = Issue.objects.get(case=case, summary=issue["summary"])
    assert (saved.city_view, saved.draft_changed) == (issue["city_view"], issue["draft_changed"])
    assert saved.is_answered
    return saved


def clerk_groups(page, expect, case, labels, issue):
    """On the item list filtered by the case: tick the items, choose the 論点, run the action."""
    page.goto("/admin/publiccomment/opinionitem/")
    page.locator("#changelist-filter").get_by_role("link", name=re.compile(case.code)).click()
    page.wait_for_url(f"**/admin/publiccomment/opinionitem/?case={case.pk}*")
    for label in labels:
        row = page.locator("#result_list tbody tr", has_text=label)
        expect(row).to_have_count(1)
        row.locator('input[name="_selected_action"]').check()
    page.select_option('select[name="action"]', "group")
    page.select_option('select[name="issue"]', label=f"{case.code} {issue}")
    page.locator('button[name="index"]').click()
    expect(page.locator(SUCCESS)).to_have_text(
        f"{len(labels)}件の項目を論点{issue.number}にまとめました。"
    )


def clerk_checks_every_opinion(page, expect, case, staff):
    """On the opinion list filtered by the case and 未確認: every opinion read, all ticked with
    the box of the header, 「公表してよいことを確認した」."""
    page.goto("/admin/publiccomment/opinion/")
    filters = page.locator("#changelist-filter")
    filters.get_by_role("link", name=re.compile(case.code)).click()
    page.wait_for_url(f"**/admin/publiccomment/opinion/?case={case.pk}*")
    filters.get_by_role("link", name="未確認", exact=True).click()
    page.wait_for_url("**reviewed=no*")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    page.locator("#action-toggle").check()
    page.select_option('select[name="action"]', "mark_reviewed")
    page.locator('button[name="index"]').click()
    expect(page.locator(SUCCESS)).to_have_text(
        "4件の意見を「公表してよいことを確認した」にしました。"
    )
    assert not case.opinions.filter(reviewed_at__isnull=True).exists()
    assert set(case.opinions.values_list("reviewed_by", flat=True)) == {staff.pk}


def clerk_writes_the_final_plan(page, expect, case):
    page.goto("/admin/publiccomment/case/")
    page.locator("#result_list").get_by_role("link", name=case.code).click()
    page.wait_for_url(f"**/admin/publiccomment/case/{case.pk}/change/")
    page.fill("#id_final_plan", FINAL_PLAN)
    page.locator("#id_draft_changed").check()
    page.fill("#id_changes_summary", CHANGES)
    page.locator('input[name="_save"]').click()
    page.wait_for_url("**/admin/publiccomment/case/")
    expect(page.locator(SUCCESS)).to_have_count(1)
    case.refresh_from_db()
    assert (case.final_plan, case.draft_changed, case.changes_summary) == (
        FINAL_PLAN,
        True,
        CHANGES,
    )
    assert case.status == Case.Status.ANNOUNCED


# --- 4. the result --------------------------------------------------------------------------------


def check_result_in_japanese(page, expect, assert_accessible, case):
    page.goto(case.get_absolute_url())
    page.get_by_role("link", name="結果を見る：寄せられた意見と市の考え方").first.click()
    page.wait_for_url(f"**/publiccomment/{case.pk}/result/")
    for heading in ("意見の提出状況", "意見等の概要と市の考え方", "決定した計画", "案からの変更点"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    main = main_text(page)
    assert "3人（団体）から4件の意見がありました。" in main, main
    received = page.locator("main table").first
    web = received.locator("tbody tr", has_text="電子申請")
    expect(web.locator("td")).to_have_text(["2", "3"])
    fax = received.locator("tbody tr", has_text="ファクス")
    expect(fax.locator("td")).to_have_text(["1", "1"])
    expect(received.locator("tfoot td")).to_have_text(["3", "4"])
    rows = page.locator(".result-table tbody tr")
    expect(rows).to_have_count(2)
    for n, issue in enumerate(ISSUES):
        row = rows.nth(n)
        expect(row.locator("th")).to_have_text(str(n + 1))
        expect(row).to_contain_text(issue["section"])
        expect(row).to_contain_text(issue["summary"])
        expect(row).to_contain_text("（2件の意見）")
        expect(row).to_contain_text(issue["city_view"])
        expect(row).to_contain_text(issue["disposition"])
    expect(rows.nth(0)).to_contain_text("案を修正しました")
    expect(rows.nth(1)).not_to_contain_text("案を修正しました")
    assert FINAL_PLAN in main and CHANGES in main, main
    assert_nothing_personal(page.content(), "the result page")
    assert ORGANISATION["organization_name"] not in page.content()
    assert_accessible(page, "the result page")

    page.get_by_role("link", name="寄せられた意見の全文").click()
    page.wait_for_url(f"**/publiccomment/{case.pk}/opinions/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"「{TITLE}」に寄せられた意見の全文")
    opinions = page.locator("main table tbody tr")
    expect(opinions).to_have_count(4)
    main = main_text(page)
    for text in (*(t for _s, t in RESIDENT_OPINIONS), ORGANISATION_OPINION, FAX_OPINION):
        assert text in main, main
    assert_nothing_personal(page.content(), "the page of every opinion")
    assert ORGANISATION["organization_name"] not in page.content()
    assert_accessible(page, "the page of every opinion")

    csv = page.request.get(f"/publiccomment/{case.pk}/result.csv")
    assert csv.ok
    body = csv.body().decode("utf-8-sig")
    assert ISSUES[0]["city_view"] in body
    assert_nothing_personal(body, "the result CSV")


def check_result_in_english_at_320px(new_context, expect, assert_accessible, case):
    context = new_context(viewport=NARROWEST, is_mobile=True, has_touch=True)
    page = context.new_page()
    switch_language(page, "en")
    page.goto(f"/publiccomment/{case.pk}/result/")
    for heading in (
        "Opinions received",
        "The opinions and the city's view",
        "The final plan",
        "What changed from the draft",
    ):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    main = main_text(page)
    assert "4 opinions from 3 people and organisations." in main, main
    assert "Reflected" in main and "Taken as reference" in main, main
    assert ISSUES[1]["city_view"] in main and FINAL_PLAN in main
    assert_nothing_personal(page.content(), "the result page in English")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "the result page in English at 320px")

    page.get_by_role("link", name="Every opinion as received").click()
    page.wait_for_url(f"**/publiccomment/{case.pk}/opinions/")
    expect(page.get_by_role("heading", name="4 opinions", exact=True)).to_be_visible()
    assert_nothing_personal(page.content(), "the page of every opinion in English")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "the page of every opinion in English at 320px")


# --- the journey --------------------------------------------------------------------------------


def test_opinions_on_the_web_and_by_fax_are_grouped_answered_and_published(
    new_context, expect, assert_accessible, kikaku_clerk, open_case
):
    case = open_case
    mail.outbox.clear()

    # 1. two senders on the web, while the window is open
    resident = new_context().new_page()
    web_number = resident_sends_two_opinions(resident, expect, assert_accessible, case)
    organisation_number = organisation_sends_one_opinion_on_a_phone_in_english(
        new_context, expect, assert_accessible, case
    )
    # Not public before the result.
    assert resident.request.get(f"/publiccomment/{case.pk}/result/").status == 404

    # 2. the clerk keys in a FAX; the result cannot be published while the window is open
    staff, secret = kikaku_clerk
    clerk = new_context().new_page()
    staff_signs_in(clerk, staff, secret)
    fax_number = clerk_keys_in_a_fax(clerk, expect, case, staff)
    assert len({web_number, organisation_number, fax_number}) == 3
    clerk_runs_case_action(clerk, case, "publish_result")
    expect(clerk.locator(WARNING)).to_contain_text("結果は募集の締切後でなければ公表できません。")
    expect(clerk.locator(SUCCESS)).to_have_count(0)
    case.refresh_from_db()
    assert case.status == Case.Status.ANNOUNCED

    # 3. after the window: 論点, grouping, the final plan, publishing
    close_the_window(case)
    first = clerk_writes_an_issue(clerk, expect, case, ISSUES[0])
    second = clerk_writes_an_issue(clerk, expect, case, ISSUES[1])
    assert (first.number, second.number) == (1, 2)
    clerk_groups(clerk, expect, case, [f"{web_number} / 1-1", f"{fax_number} / 1-1"], first)
    clerk_groups(
        clerk, expect, case, [f"{web_number} / 2-1", f"{organisation_number} / 1-1"], second
    )
    assert not OpinionItem.objects.filter(case=case, issue__isnull=True).exists()
    clerk_writes_the_final_plan(clerk, expect, case)
    clerk_runs_case_action(clerk, case, "publish_result")
    expect(clerk.locator(WARNING)).to_contain_text("公表前に確認していない意見が4件あります。")
    expect(clerk.locator(SUCCESS)).to_have_count(0)
    clerk_checks_every_opinion(clerk, expect, case, staff)

    mail.outbox.clear()
    clerk_runs_case_action(clerk, case, "publish_result")
    expect(clerk.locator(SUCCESS)).to_have_text("1件の案件を変更しました。")
    expect(clerk.locator(WARNING)).to_have_count(0)
    case.refresh_from_db()
    assert case.status == Case.Status.RESULT_PUBLISHED
    assert case.status_changes.filter(new_status=Case.Status.RESULT_PUBLISHED, by=staff).exists()
    told = [m for m in mail.outbox if RESIDENT["email"] in m.to]
    assert len(told) == 1 and f"/publiccomment/{case.pk}/result/" in told[0].body, [
        (m.to, m.subject) for m in mail.outbox
    ]

    # 4. the result, for anyone
    visitor = new_context().new_page()
    check_result_in_japanese(visitor, expect, assert_accessible, case)
    check_result_in_english_at_320px(new_context, expect, assert_accessible, case)
