"""enとーく from the group's request to the published record and a department's answer, in a
real browser, each person in their own browser context:

1. the 代表者 of a verified organisation requests a session through the web form (themes, the
   theme, three preferred dates, the venue in 室蘭市, step-free, participants, public naming),
   checks it on the confirmation step and sends it; the page shows the receipt EN-… and an
   e-mail went to the address given;
2. a clerk of 秘書広報課 signs in with a password and an authenticator code, opens the request
   in the admin and proposes another date; the group is told by e-mail;
3. the group accepts the proposed date on its request page: the session is confirmed;
4. the session takes place (its time is moved into the past, as the clock would move); the
   clerk writes the record (participants, summary, two topics with the mayor's response, the
   participants by actor type), publishes it with the button and opens two follow-ups, for
   土木課 and 環境課;
5. a clerk of 土木課 signs in, sees only 土木課's follow-up and sets it 対応中 with an answer;
6. the session's public page shows the topics, the mayor's responses, both follow-ups with
   their states and the dated answer; axe finds nothing serious or critical on it in Japanese,
   in English and at 320 px, and it does not scroll sideways.

The admin is used as a clerk uses it (links, fields, buttons), never the ORM; only the clock
is moved by hand. Nothing depends on today's date: the dates are counted from now, beyond the
lead time.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from entalk.models import FollowUp, Request
from organizations.models import Membership
from tests import factories
from tests.e2e.test_accessibility import NARROWEST, assert_no_horizontal_scroll, switch_language
from tests.e2e.test_signup_journey import staff_signs_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUCCESS = ".messagelist .success"  # the admin
DONE = ".messages .message--success"  # the public site
ORGANISATION = "輪西町ＥＴ子育てサークル"
REPRESENTATIVE = "et.rep@example.jp"
THEME = "子育て世代が集まれる場所について市長と話したい"
SUMMARY = "和やかな雰囲気で、子育て支援と公園について意見を交わしました。"
TOPICS = [
    {
        "title": "公園の遊具について",
        "summary": "輪西町の公園の遊具が古く危ないとの意見がありました。",
        "response": "現地を確認し、来年度の更新を検討します。",
    },
    {
        "title": "ごみステーションのカラス対策",
        "summary": "ごみステーションがカラスに荒らされるとの意見がありました。",
        "response": "ネットの貸し出しを環境課と進めます。",
    },
]
FOLLOW_UPS = {
    "土木課": "輪西町公園の遊具の点検と更新の検討",
    "環境課": "ごみステーション用カラスよけネットの貸し出し",
}
ANSWER = "遊具の点検を終え、滑り台の更新を来年度予算に要求しています。"


def clerk_with_totp(email: str, group: str):
    staff = factories.make_user(email, staff=True, display_name=group)
    staff.groups.add(Group.objects.get(name=group))
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    return staff, secret


@pytest.fixture
def hisho_clerk(db):
    """A clerk of 秘書広報課, which runs enとーく, with a real TOTP authenticator."""
    return clerk_with_totp("hisho.tanto@city.muroran.example.jp", "秘書広報課")


@pytest.fixture
def doboku_clerk(db):
    """A clerk of 土木課, which answers its follow-ups, with a real TOTP authenticator."""
    return clerk_with_totp("doboku.tanto@city.muroran.example.jp", "土木課")


@pytest.fixture
def representative(db):
    user = factories.make_user(REPRESENTATIVE)
    organization = factories.make_organization(name=ORGANISATION)
    factories.add_member(organization, user, Membership.Role.REPRESENTATIVE)
    return user, organization


def slot_dates() -> list[dt.date]:
    """Three dates well beyond the lead time, a few days apart."""
    first = timezone.localdate() + dt.timedelta(days=settings.ENTALK["LEAD_DAYS"] + 10)
    return [first, first + dt.timedelta(days=2), first + dt.timedelta(days=4)]


def main_text(page) -> str:
    return page.locator("main").inner_text()


def signs_in(page, user):
    page.goto("/accounts/login/?next=/entalk/request/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/entalk/request/")


# --- 1. the request -------------------------------------------------------------------------------


def group_requests_a_session(page, expect, assert_accessible, organization) -> Request:
    expect(page.get_by_role("heading", level=1)).to_have_text("enとーくを申し込む")
    page.get_by_label(organization.name, exact=True).check()
    page.fill("#id_contact_name", "輪西 花子")
    page.fill("#id_email", REPRESENTATIVE)
    page.fill("#id_phone", "0143-22-1111")
    page.get_by_label("子育て・教育", exact=True).check()
    page.get_by_label("まちづくり・地域活動", exact=True).check()
    page.fill("#id_theme", THEME)
    for n, (date, time) in enumerate(
        zip(slot_dates(), ("14:00", "18:30", "10:00"), strict=True), start=1
    ):
        page.fill(f"#id_slot_{n}_date", date.isoformat())
        page.select_option(f"#id_slot_{n}_time", time)
    page.fill("#id_venue_name", "輪西町会館")
    page.select_option("#id_venue_district", label="輪西町")
    page.fill("#id_venue_postal_code", "050-0081")
    page.fill("#id_venue_address", "室蘭市日の出町1丁目1-1")
    page.locator('input[name="step_free"][value="yes"]').check()
    page.fill("#id_participants_expected", "20")
    page.locator("#id_public_naming").check()
    page.get_by_role("button", name="確認画面へ進む").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("申込内容の確認")
    details = page.locator("main dl.details")
    for shown in (organization.name, THEME, "輪西町会館", "050-0081", "20"):
        expect(details).to_contain_text(shown)
    first = slot_dates()[0]
    expect(details).to_contain_text(f"{first:%Y/%m/%d} 14:00")
    assert_accessible(page, "the confirmation step of the request")
    mail.outbox.clear()
    page.get_by_role("button", name="依頼を送信する").click()

    page.wait_for_url(re.compile(r".*/entalk/requests/\d+/$"))
    request = Request.objects.get(organization=organization)
    assert re.fullmatch(r"EN-\d{4}-\d{3,}", request.number), request.number
    expect(page.locator(DONE)).to_contain_text(request.number)
    expect(page.get_by_role("heading", level=1)).to_contain_text(request.number)
    assert request.status == Request.Status.REQUESTED
    assert (request.theme, request.venue_postal_code, request.participants_expected) == (
        THEME,
        "050-0081",
        20,
    )
    assert request.step_free is True and request.public_naming is True
    assert sorted(t.name for t in request.themes.all()) == sorted(
        ["子育て・教育", "まちづくり・地域活動"]
    )
    assert [timezone.localtime(s.starts_at).date() for s in request.slots.all()] == slot_dates()
    told = [m for m in mail.outbox if REPRESENTATIVE in m.to]
    assert told and request.number in told[-1].body, [(m.to, m.subject) for m in mail.outbox]
    return request


# --- 2. the clerk proposes another date ------------------------------------------------------------


def proposed_start() -> dt.datetime:
    day = slot_dates()[0] + dt.timedelta(days=7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)))


def clerk_proposes_another_date(page, expect, request):
    page.goto("/admin/")
    page.locator('a[href="/admin/entalk/request/"]').first.click()
    page.wait_for_url("**/admin/entalk/request/")
    page.locator("#result_list").get_by_role("link", name=request.number).click()
    page.wait_for_url(f"**/admin/entalk/request/{request.pk}/change/")
    start = proposed_start()
    page.fill("#id_propose-date", start.date().isoformat())
    page.fill("#id_propose-time", "15:00")
    page.fill("#id_propose-reason", "市長の公務のため、別の日時をご提案します。")
    mail.outbox.clear()
    page.get_by_role("button", name="この日時を提案する").click()
    page.wait_for_url(f"**/admin/entalk/request/{request.pk}/change/")
    expect(page.locator(SUCCESS)).to_have_count(1)
    request.refresh_from_db()
    assert request.status == Request.Status.PROPOSED
    assert request.starts_at == start
    told = [m for m in mail.outbox if REPRESENTATIVE in m.to]
    assert told, [(m.to, m.subject) for m in mail.outbox]


# --- 3. the group accepts ------------------------------------------------------------------------------


def group_accepts(page, expect, assert_accessible, request):
    page.goto("/entalk/requests/")
    page.get_by_role("link", name=re.compile(request.number)).first.click()
    page.wait_for_url(f"**/entalk/requests/{request.pk}/")
    expect(page.get_by_role("heading", level=2, name="提案日時への回答")).to_be_visible()
    assert_accessible(page, "the request page with a proposal")
    page.get_by_role("button", name="提案日時を承諾する").click()
    page.wait_for_url(f"**/entalk/requests/{request.pk}/")
    expect(page.locator(DONE)).to_have_count(1)
    request.refresh_from_db()
    assert request.status == Request.Status.CONFIRMED
    assert request.starts_at == proposed_start()


# --- 4. the record --------------------------------------------------------------------------------------


def the_session_takes_place(request):
    """The clock passes the session: it started three hours ago and has ended."""
    starts_at = timezone.now() - dt.timedelta(hours=3)
    Request.objects.filter(pk=request.pk).update(
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=90)
    )


def clerk_writes_the_record(page, expect, request):
    page.goto(f"/admin/entalk/request/{request.pk}/change/")
    page.fill("#id_participants", "23")
    page.fill("#id_summary", SUMMARY)
    topics = page.locator("#topics-group")
    for n, topic in enumerate(TOPICS):
        topics.locator(".add-row a").click()
        page.fill(f"#id_topics-{n}-position", str(n + 1))
        page.fill(f"#id_topics-{n}-title", topic["title"])
        page.fill(f"#id_topics-{n}-summary", topic["summary"])
        page.fill(f"#id_topics-{n}-response", topic["response"])
    counts = page.locator("#participant_counts-group")
    for n, (code, count) in enumerate((("neighbourhood", "15"), ("individual", "8"))):
        counts.locator(".add-row a").click()
        page.select_option(f"#id_participant_counts-{n}-actor_type", label=_label(code))
        page.fill(f"#id_participant_counts-{n}-count", count)
    page.locator('input[name="_continue"]').click()
    page.wait_for_url(f"**/admin/entalk/request/{request.pk}/change/")
    expect(page.locator(SUCCESS)).to_have_count(1)
    request.refresh_from_db()
    assert (request.participants, request.summary) == (23, SUMMARY)
    assert [(t.title, t.response) for t in request.topics.order_by("position")] == [
        (t["title"], t["response"]) for t in TOPICS
    ]
    assert {(c.actor_type.code, c.count) for c in request.participant_counts.all()} == {
        ("neighbourhood", 15),
        ("individual", 8),
    }


def _label(code: str) -> str:
    return str(factories.actor_type(code))


def clerk_publishes(page, expect, request):
    page.get_by_role("button", name="記録を公表する").click()
    page.wait_for_url(f"**/admin/entalk/request/{request.pk}/change/")
    expect(page.locator(SUCCESS)).to_have_count(1)
    request.refresh_from_db()
    assert request.status == Request.Status.PUBLISHED


def clerk_opens_follow_ups(page, expect, request):
    for n, (department, matter) in enumerate(FOLLOW_UPS.items()):
        page.select_option("#id_follow_up-department", label=department)
        page.select_option("#id_follow_up-topic", label=TOPICS[n]["title"])
        page.fill("#id_follow_up-matter", matter)
        page.get_by_role("button", name="フォローアップを登録する").click()
        page.wait_for_url(f"**/admin/entalk/request/{request.pk}/change/")
        expect(page.locator(SUCCESS)).to_contain_text(department)
    opened = FollowUp.objects.filter(request=request).order_by("pk")
    assert [(f.department.name, f.matter, f.status) for f in opened] == [
        (d, m, FollowUp.Status.CONSIDERING) for d, m in FOLLOW_UPS.items()
    ]


# --- 5. the department answers ---------------------------------------------------------------------------


def department_answers(page, expect, assert_accessible):
    page.goto("/admin/entalk/followup/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("土木課")
    assert FOLLOW_UPS["環境課"][:10] not in page.locator("#result_list").inner_text()
    rows.first.locator("th a, td a").first.click()
    page.wait_for_url(re.compile(r".*/admin/entalk/followup/\d+/change/$"))
    assert_accessible(page, "the follow-up change page for a department clerk")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_answer", ANSWER)
    page.locator('input[name="_save"]').click()
    page.wait_for_url("**/admin/entalk/followup/")
    expect(page.locator(SUCCESS)).to_have_count(1)
    follow_up = FollowUp.objects.get(department__name="土木課")
    assert (follow_up.status, follow_up.answer) == (FollowUp.Status.IN_PROGRESS, ANSWER)
    assert FollowUp.objects.get(department__name="環境課").status == FollowUp.Status.CONSIDERING


# --- 6. the public page ------------------------------------------------------------------------------------


def check_public_page(page, expect, assert_accessible, request):
    page.goto(f"/entalk/sessions/{request.pk}/")
    main = main_text(page)
    for topic in TOPICS:
        assert topic["title"] in main and topic["response"] in main, main
    for matter in FOLLOW_UPS.values():
        expect(page.get_by_role("heading", level=3, name=matter)).to_be_visible()
    doboku = page.locator("article", has_text=FOLLOW_UPS["土木課"])
    expect(doboku).to_contain_text("対応中")
    expect(doboku).to_contain_text(ANSWER)
    today = timezone.localdate()
    expect(doboku.locator("tbody tr").last.locator("time")).to_have_attribute(
        "datetime", re.compile(rf"^{today:%Y-%m-%d}T")
    )
    expect(page.locator("article", has_text=FOLLOW_UPS["環境課"])).to_contain_text("検討中")
    assert ORGANISATION in main  # the group let itself be named
    assert REPRESENTATIVE not in page.content()
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "the session page in Japanese")


def check_public_page_in_english_at_320px(new_context, expect, assert_accessible, request):
    for viewport, language in (({"width": 1280, "height": 900}, "en"), (NARROWEST, "ja")):
        page = new_context(viewport=viewport).new_page()
        switch_language(page, language)
        page.goto(f"/entalk/sessions/{request.pk}/")
        if language == "en":
            expect(page.get_by_role("heading", name="Follow-ups")).to_be_visible()
            expect(page.locator("main")).to_contain_text("In progress")
            expect(page.locator("main")).to_contain_text("Under consideration")
        assert_no_horizontal_scroll(page)
        assert_accessible(page, f"the session page in {language} at {viewport['width']}px")
    page = new_context(viewport=NARROWEST, is_mobile=True, has_touch=True).new_page()
    switch_language(page, "en")
    page.goto(f"/entalk/sessions/{request.pk}/")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "the session page in English at 320px")


# --- the journey ---------------------------------------------------------------------------------------------


def test_request_proposal_record_follow_ups_and_answer(
    new_context, expect, assert_accessible, representative, hisho_clerk, doboku_clerk
):
    user, organization = representative

    # 1. the group requests
    group = new_context().new_page()
    signs_in(group, user)
    request = group_requests_a_session(group, expect, assert_accessible, organization)

    # 2. the clerk proposes another date
    staff, secret = hisho_clerk
    clerk = new_context().new_page()
    staff_signs_in(clerk, staff, secret)
    clerk_proposes_another_date(clerk, expect, request)

    # 3. the group accepts
    group_accepts(group, expect, assert_accessible, request)

    # 4. the session takes place; the record, published; two follow-ups
    the_session_takes_place(request)
    clerk_writes_the_record(clerk, expect, request)
    clerk_publishes(clerk, expect, request)
    clerk_opens_follow_ups(clerk, expect, request)

    # 5. 土木課 answers
    department, department_secret = doboku_clerk
    doboku = new_context().new_page()
    staff_signs_in(doboku, department, department_secret)
    department_answers(doboku, expect, assert_accessible)

    # 6. the public page
    visitor = new_context().new_page()
    check_public_page(visitor, expect, assert_accessible, request)
    check_public_page_in_english_at_320px(new_context, expect, assert_accessible, request)
