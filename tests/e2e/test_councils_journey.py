"""まちづくり協議会 from the sign-up to the published outputs, in a real browser, each person in
their own browser context:

1. a workshop of the 高砂公園 council with one place is announced (made with the ORM, as the
   admin would have made it);
2. resident A signs in and signs up: A has the place and an attendance code;
3. resident B signs up to the now full workshop: B is on the waiting list (the page says so,
   and an e-mail went to B);
4. A cancels on A's sign-up page: B moves up and gets an e-mail with B's attendance code;
5. a guest signs up with a name and an e-mail address, follows the link of the e-mail,
   confirms with the button and lands on the guest's page, on the waiting list (still full);
6. the workshop takes place (its time is moved into the past, as the clock would move); a
   clerk of 都市政策課 signs in with a password and an authenticator code, opens the session
   in the admin, enters an opinion (table, theme, summary) and the report, and publishes the
   outputs with the button;
7. the public session page shows the opinion and the report; axe finds nothing serious or
   critical on it in Japanese, in English and at 320 px, and it does not scroll sideways.

Nothing depends on today's date: the times are counted from now.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from councils.models import Opinion, Session, Signup
from councils.models.sessions import _fiscal_year_of
from tests import factories
from tests.councils import factories as cf
from tests.e2e.test_accessibility import NARROWEST, assert_no_horizontal_scroll, switch_language
from tests.e2e.test_entalk_journey import clerk_with_totp
from tests.e2e.test_signup_journey import staff_signs_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUCCESS = ".messagelist .success"  # the admin
DONE = ".messages .message--success"  # the public site
TITLE = "公園の使い方をみんなで話そう"
A_EMAIL = "takasago.a@example.jp"
B_EMAIL = "takasago.b@example.jp"
GUEST_NAME = "中島 ゲスト花子"
GUEST_EMAIL = "takasago.guest@example.jp"
THEME = "日陰と休憩の場所"
SUMMARY = "ベンチの上に屋根がほしい、木陰を増やしてほしいという付箋が多く貼られました。"
REPORT = "高砂公園のリニューアルについて、4つのテーブルで遊具と日陰を中心に話し合いました。"


@pytest.fixture
def workshop(db):
    """A workshop of an open council, ten days from now, with a single place."""
    council = cf.make_council(title="高砂公園リニューアル協議会")
    starts_at = (timezone.now() + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    return cf.make_workshop(
        council,
        title=TITLE,
        capacity=1,
        starts_at=starts_at,
        signup_closes_at=starts_at - dt.timedelta(days=2),
    )


@pytest.fixture
def residents(db):
    a = factories.make_user(A_EMAIL, family_name="高砂", given_name="一郎")
    b = factories.make_user(B_EMAIL, family_name="高砂", given_name="二郎")
    return a, b


@pytest.fixture
def toshi_clerk(db):
    """A clerk of 都市政策課, which runs the council, with a real TOTP authenticator."""
    return clerk_with_totp("toshi.tanto@city.muroran.example.jp", "都市政策課")


def signs_in_and_opens_the_form(page, user, session):
    form_url = f"/councils/sessions/{session.pk}/signup/"
    page.goto(f"/accounts/login/?next={form_url}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{form_url}")


def signs_up(page, expect, user, session) -> Signup:
    """The form is prefilled from the account: the person only sends it."""
    expect(page.locator('input[name="email"]')).to_have_value(user.email)
    page.locator(f'main form[action="/councils/sessions/{session.pk}/signup/"] button').click()
    page.wait_for_url(re.compile(r".*/councils/my/\d+/$"))
    signup = Signup.objects.get(session=session, user=user)
    assert page.url.endswith(f"/councils/my/{signup.pk}/")
    expect(page.locator(DONE)).to_have_count(1)
    return signup


def test_waiting_list_promotion_guest_and_published_outputs(
    new_context, expect, path_of, assert_accessible, workshop, residents, toshi_clerk
):
    a_user, b_user = residents
    mail.outbox.clear()

    # 2. A signs up and has the place
    a = new_context().new_page()
    signs_in_and_opens_the_form(a, a_user, workshop)
    assert_accessible(a, "the sign-up form of an account holder")
    a_signup = signs_up(a, expect, a_user, workshop)
    assert a_signup.status == Signup.Status.REGISTERED
    expect(a.locator("main .status--registered")).to_have_count(1)
    expect(a.locator("main .attendance-code")).to_have_text(a_signup.code)
    assert [m.to for m in mail.outbox] == [[A_EMAIL]], [(m.to, m.subject) for m in mail.outbox]

    # 3. B signs up to the full workshop: the waiting list
    b = new_context().new_page()
    signs_in_and_opens_the_form(b, b_user, workshop)
    # The session's page still offers the sign-up (to the waiting list) and shows no place left.
    b.goto(f"/councils/sessions/{workshop.pk}/")
    expect(b.locator(f'main a[href="/councils/sessions/{workshop.pk}/signup/"]')).to_be_visible()
    assert_accessible(b, "a full session's page")
    b.goto(f"/councils/sessions/{workshop.pk}/signup/")
    mail.outbox.clear()
    b_signup = signs_up(b, expect, b_user, workshop)
    assert b_signup.status == Signup.Status.WAITING
    expect(b.locator("main .status--waiting")).to_have_count(1)
    expect(b.locator("main .attendance-code")).to_have_count(0)
    expect(b.locator(DONE)).to_contain_text("1")  # number 1 on the waiting list
    told = [m for m in mail.outbox if B_EMAIL in m.to]
    assert len(told) == 1 and TITLE in told[0].subject, [(m.to, m.subject) for m in mail.outbox]
    assert_accessible(b, "a sign-up on the waiting list")

    # 4. A cancels: B moves up and is told
    a.goto(f"/councils/my/{a_signup.pk}/")
    mail.outbox.clear()
    a.locator(f'main form[action="/councils/my/{a_signup.pk}/cancel/"] button').click()
    a.wait_for_url(f"**/councils/my/{a_signup.pk}/")
    expect(a.locator(DONE)).to_have_count(1)
    expect(a.locator("main .status--cancelled")).to_have_count(1)
    a_signup.refresh_from_db()
    b_signup.refresh_from_db()
    assert a_signup.status == Signup.Status.CANCELLED
    assert b_signup.status == Signup.Status.REGISTERED
    promoted = [m for m in mail.outbox if B_EMAIL in m.to]
    assert len(promoted) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert TITLE in promoted[0].subject and "キャンセル待ち" in promoted[0].subject
    assert b_signup.code in promoted[0].body and "/councils/my/" in promoted[0].body
    assert [m for m in mail.outbox if A_EMAIL in m.to], "A is told of the cancellation"
    b.reload()
    expect(b.locator("main .status--registered")).to_have_count(1)
    expect(b.locator("main .attendance-code")).to_have_text(b_signup.code)

    # 5. a guest signs up, confirms by the link and waits
    guest = new_context().new_page()
    guest.goto(f"/councils/sessions/{workshop.pk}/signup/")
    guest.fill('input[name="name"]', GUEST_NAME)
    guest.fill('input[name="email"]', GUEST_EMAIL)
    mail.outbox.clear()
    guest.locator(f'main form[action="/councils/sessions/{workshop.pk}/signup/"] button').click()
    guest.wait_for_url(f"**/councils/sessions/{workshop.pk}/signup/sent/")
    expect(guest.locator("main")).to_contain_text(GUEST_EMAIL)
    assert_accessible(guest, "the check-your-e-mail page")
    pending = Signup.objects.get(session=workshop, email=GUEST_EMAIL)
    assert pending.status == Signup.Status.UNCONFIRMED and pending.user is None
    sent = [m for m in mail.outbox if GUEST_EMAIL in m.to]
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    link = re.search(r"https?://\S+/councils/confirm/[^/\s]+/", sent[0].body)
    assert link, sent[0].body
    guest.goto(path_of(link.group(0)))
    expect(guest.get_by_role("heading", level=1)).to_be_visible()
    pending.refresh_from_db()
    assert pending.status == Signup.Status.UNCONFIRMED  # a GET writes nothing
    assert_accessible(guest, "the confirmation page of a guest")
    guest.locator(f'main form[action="/councils/confirm/{pending.token}/"] button').click()
    guest.wait_for_url(f"**/councils/s/{pending.token}/")
    pending.refresh_from_db()
    assert pending.status == Signup.Status.WAITING
    expect(guest.locator("main .status--waiting")).to_have_count(1)
    expect(guest.locator("main dl.details").first).to_contain_text(GUEST_NAME)
    expect(guest.locator(f'main form[action="/councils/s/{pending.token}/cancel/"]')).to_have_count(
        1
    )
    assert_accessible(guest, "the guest's own page")

    # 6. the workshop takes place; the clerk enters and publishes the outputs
    the_workshop_takes_place(workshop)
    staff, secret = toshi_clerk
    clerk = new_context().new_page()
    staff_signs_in(clerk, staff, secret)
    clerk_publishes_the_outputs(clerk, expect, workshop)

    # 7. the public page
    check_public_page(new_context, expect, assert_accessible, workshop)


def the_workshop_takes_place(session):
    """The clock passes the workshop: it started three hours ago and has ended."""
    starts_at = timezone.now() - dt.timedelta(hours=3)
    Session.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        signup_closes_at=starts_at - dt.timedelta(days=2),
        fiscal_year=_fiscal_year_of(starts_at),
    )


def clerk_publishes_the_outputs(page, expect, session):
    page.goto("/admin/councils/session/")
    page.locator("#result_list").get_by_role("link", name=TITLE).click()
    change_url = f"/admin/councils/session/{session.pk}/change/"
    page.wait_for_url(f"**{change_url}")
    page.locator("#opinions-group .add-row a").click()
    page.fill("#id_opinions-0-table", "2")
    page.fill("#id_opinions-0-theme", THEME)
    page.fill("#id_opinions-0-summary", SUMMARY)
    page.fill("#id_report", REPORT)
    page.locator('input[name="_continue"]').click()
    page.wait_for_url(f"**{change_url}")
    expect(page.locator(SUCCESS)).to_have_count(1)
    opinions = list(Opinion.objects.filter(session=session))
    assert [(o.table, o.theme, o.summary) for o in opinions] == [(2, THEME, SUMMARY)]
    session.refresh_from_db()
    assert session.report == REPORT and session.status == Session.Status.SCHEDULED

    page.locator('button[name="_step"][value="publish"]').click()
    page.wait_for_url(f"**{change_url}")
    expect(page.locator(SUCCESS)).to_have_count(1)
    session.refresh_from_db()
    assert session.status == Session.Status.PUBLISHED
    assert session.status_changes.filter(new_status=Session.Status.PUBLISHED).exists()


def check_public_page(new_context, expect, assert_accessible, session):
    url = f"/councils/sessions/{session.pk}/"
    for viewport, language, mobile in (
        ({"width": 1280, "height": 900}, "ja", False),
        ({"width": 1280, "height": 900}, "en", False),
        (NARROWEST, "ja", True),
        (NARROWEST, "en", True),
    ):
        page = new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile).new_page()
        switch_language(page, language)
        page.goto(url)
        main = page.locator("main")
        for shown in (THEME, SUMMARY, REPORT):
            expect(main).to_contain_text(shown)
        expect(page.locator("#opinions")).to_be_visible()
        expect(page.locator("#table-2")).to_be_visible()
        content = page.content()
        for private in (GUEST_NAME, GUEST_EMAIL, A_EMAIL, B_EMAIL):
            assert private not in content
        assert_no_horizontal_scroll(page)
        assert_accessible(page, f"the published workshop in {language} at {viewport['width']}px")
