"""The main journey in a real browser: a resident signs up, confirms the e-mail address,
registers an organisation through 入力 → 確認 → 完了; a member of the city staff signs in with
a password and an authenticator code, verifies the organisation in the admin, and then anyone
finds it in the directory.

Forms are filled by field id (stable across translations); what a person reads is checked
in Japanese, the default language.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.models import Group
from django.core import mail

from accounts.models import User
from organizations.models import Organization
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EMAIL = "wanishi.hanako@example.jp"
PASSWORD = "minato-no-hikari-2026"
ORGANISATION = "輪西みなと清掃の会"
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")


STEP = '.steps [aria-current="step"]'


def sign_up(page):
    page.goto("/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_family_name", "輪西")
    page.fill("#id_given_name", "花子")
    # Hiragana in the reading fields: the form stores katakana.
    page.locator("#id_family_name_kana").press_sequentially("わにし")
    page.locator("#id_given_name_kana").press_sequentially("はなこ")
    page.fill("#id_display_name", "みなとのはなこ")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")


def confirmation_path(path_of):
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    match = CONFIRMATION_LINK.search(message.body)
    assert match, f"no confirmation link in:\n{message.body}"
    return path_of(match.group(0))


def register_organisation(page, expect):
    page.goto("/organizations/new/")
    expect(page.locator(STEP)).to_contain_text("入力")
    page.fill("#id_name", ORGANISATION)
    page.fill("#id_name_kana", "わにしみなとせいそうのかい")
    page.select_option("#id_actor_type", label="市民活動団体（NPO）")
    page.select_option("#id_district", label="輪西町")
    page.get_by_label("環境保全・美化").check()
    page.fill("#id_description", "輪西の海岸と港を毎月清掃しています。")
    # Full-width digits typed with a Japanese IME: Chromium's number field takes them as 2018.
    page.locator("#id_founded_year").press_sequentially("２０１８")
    page.fill("#id_member_count", "12")
    page.fill("#id_representative_title", "会長")
    page.fill("#id_public_email", "minato@example.jp")
    page.locator("main form button[type=submit]").click()

    # 確認: nothing is saved yet; the page repeats what was typed, normalised.
    expect(page.locator(STEP)).to_contain_text("確認")
    details = page.locator("main dl.details").inner_text()
    assert ORGANISATION in details
    assert "ワニシミナトセイソウノカイ" in details
    assert "2018" in details
    assert not Organization.objects.filter(name=ORGANISATION).exists()
    page.locator("button[name=_submit]").click()

    # 完了
    page.wait_for_url(re.compile(r"/organizations/\d+/registered/$"))
    expect(page.locator(STEP)).to_contain_text("完了")
    assert ORGANISATION in page.locator("main").inner_text()


def resident_signs_up_and_registers(page, path_of, expect) -> Organization:
    sign_up(page)
    user = User.objects.get(email=EMAIL)
    assert (user.family_name_kana, user.given_name_kana) == ("ワニシ", "ハナコ")
    assert not user.emailaddress_set.get().verified

    # The link from the e-mail (locmem backend: the live server runs in this process).
    page.goto(confirmation_path(path_of))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/mypage/")
    assert user.emailaddress_set.get().verified
    main = page.locator("main").inner_text()
    assert "（ワニシ ハナコ）" in main, main  # the reading, converted to katakana
    assert page.locator(".site-nav").get_by_text("マイページ").is_visible()

    register_organisation(page, expect)
    organization = Organization.objects.get(name=ORGANISATION)
    assert organization.status == Organization.Status.PENDING
    assert organization.memberships.get().user == user
    assert any(EMAIL in m.to for m in mail.outbox[1:]), (
        "no registration e-mail to the representative"
    )

    # Not in the public directory until the city verifies it.
    page.goto("/organizations/")
    assert ORGANISATION not in page.locator("main").inner_text()
    return organization


# --- staff ----------------------------------------------------------------------------------


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now; waits out the last seconds of a period so the
    code is still valid when the server checks it."""
    period = 30
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


@pytest.fixture
def staff_with_totp(db):
    """A clerk of 地域生活課 (staff, in the department's group, which may verify organisations)
    with a real TOTP authenticator."""
    staff = factories.make_user(
        "tanto@city.muroran.example.jp", staff=True, display_name="地域生活課"
    )
    staff.groups.add(Group.objects.get(name="地域生活課"))
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    return staff, secret


def staff_signs_in(page, staff, secret):
    """Password, then the authenticator code, then the admin opens."""
    page.goto("/accounts/login/?next=/admin/")
    page.fill("#id_login", staff.email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("#id_code", current_totp_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/admin/")


def staff_verifies(page, organization, expect):
    page.goto("/admin/organizations/organization/?status__exact=pending")
    page.locator(f'input[name="_selected_action"][value="{organization.pk}"]').check()
    page.select_option('select[name="action"]', "verify")
    page.locator('button[name="index"]').click()
    expect(page.locator(".messagelist .success")).to_have_count(1)


def test_sign_up_register_verify_publish(new_context, path_of, expect, staff_with_totp):
    """The whole journey, each person in their own browser context."""
    resident = new_context().new_page()
    organization = resident_signs_up_and_registers(resident, path_of, expect)

    staff, secret = staff_with_totp
    clerk = new_context().new_page()
    staff_signs_in(clerk, staff, secret)
    mail.outbox.clear()
    staff_verifies(clerk, organization, expect)

    organization.refresh_from_db()
    assert organization.status == Organization.Status.VERIFIED
    change = organization.status_changes.get(new_status=Organization.Status.VERIFIED)
    assert change.by == staff
    assert any(EMAIL in m.to for m in mail.outbox), "the representative was not told"

    # Anyone, not signed in, now finds it in the directory.
    visitor = new_context().new_page()
    visitor.goto("/organizations/")
    visitor.get_by_role("link", name=ORGANISATION).click()
    visitor.wait_for_url(f"**{organization.get_absolute_url()}")
    assert visitor.locator("h1").inner_text() == ORGANISATION
    assert "ワニシミナトセイソウノカイ" in visitor.locator("main").inner_text()
    assert EMAIL not in visitor.content(), "the representative's address must not be public"


def test_admin_refuses_staff_until_the_code_is_given(new_context, staff_with_totp):
    staff, secret = staff_with_totp
    page = new_context().new_page()
    page.goto("/accounts/login/")
    page.fill("#id_login", staff.email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")

    wrong = "000000" if current_totp_code(secret) != "000000" else "111111"
    page.fill("#id_code", wrong)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("#id_code[aria-invalid=true]")
    assert "/accounts/2fa/authenticate/" in page.url
    assert page.locator(".error-summary").is_visible()

    # Still not signed in: the admin sends the browser back to sign in, which resumes at the
    # code step.
    page.goto("/admin/")
    assert urlsplit(page.url).path in {"/accounts/login/", "/accounts/2fa/authenticate/"}, page.url
    assert page.locator("#id_code").is_visible()


# --- the guideline --------------------------------------------------------------------------


def test_guideline_shows_the_forms_table_and_the_seven_principles(page):
    page.goto("/guideline/")
    assert page.locator("h1").inner_text() == "協働のまちづくり指針"

    principles = page.locator("#principles tbody th[scope=row]")
    assert principles.all_inner_texts() == [
        "目的共有の原則",
        "相互理解の原則",
        "自主・自立の原則",
        "対等の原則",
        "役割分担の原則",
        "情報公開、情報共有の原則",
        "評価の原則",
    ]

    forms = page.locator("#forms table")
    leads = forms.locator("tbody th[scope=rowgroup]").all_inner_texts()
    assert leads == ["市民主導", "協力・連携", "行政主導"]
    names = forms.locator("tbody th[scope=row]").all_inner_texts()
    assert names == [
        "補助",
        "後援",
        "共催",
        "事業協力・協定",
        "情報提供・情報交換",
        "実行委員会・協議会",
        "委託",
        "企画立案・計画策定への参画",
    ]
    assert "ビオトープ・イタンキ管理協定" in forms.inner_text()
    # Each form links to the projects of that form.
    forms.get_by_role("link", name="委託").click()
    page.wait_for_url("**/projects/?form=*")
    assert page.locator("#id_form").input_value() != ""
