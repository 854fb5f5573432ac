"""axe-core (WCAG 2.0/2.1 A and AA rules) on every public page and form step, in Japanese
and in English, plus phone widths (375 and 320 CSS px): no sideways scrolling of the page.

Only violations of impact serious or critical fail the test; the message lists each rule,
the elements it found and the rule's help text.
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.e2e.conftest import wait_for_language

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ["ja", "en"]


def switch_language(page, code):
    """Use the header's language buttons, as a visitor would."""
    page.goto("/")
    current = page.locator("html").get_attribute("lang")
    if current != code:
        # The button posts a form: wait for the new page, not on the one being left (while the
        # browser swaps documents, documentElement is briefly null).
        with page.expect_navigation():
            page.locator(f'.lang-switch button[name="language"][value="{code}"]').click()
        wait_for_language(page, code)
    assert page.locator("html").get_attribute("lang") == code


ORGANISATION_FORM = {
    "#id_name": "室蘭みなと清掃の会",
    "#id_name_kana": "むろらんみなとせいそうのかい",
    "#id_description": "港のまわりを毎月清掃しています。",
}


def fill_organisation_form(page):
    for selector, value in ORGANISATION_FORM.items():
        page.fill(selector, value)
    page.locator("#id_actor_type").select_option(index=1)


@pytest.fixture
def published(db):
    """An organisation and a project, so that the lists and detail pages have content."""
    organization = factories.make_organization(
        name="輪西まちづくりの会",
        fields=["まちづくり・地域活性化"],
        representative_title="会長",
        public_email="info@wanishi.example.jp",
    )
    project = factories.make_project(
        organizations=[organization], title="ビオトープ・イタンキ管理協定"
    )
    return organization, project


PUBLIC_PAGES = [
    ("home", "/"),
    ("guideline", "/guideline/"),
    ("organisation directory", "/organizations/"),
    ("organisation page", "organization"),
    ("project catalogue", "/projects/"),
    ("project page", "project"),
    ("figures", "/figures/"),
    ("privacy", "/privacy/"),
    ("accessibility statement", "/accessibility/"),
    ("open data", "/opendata/"),
    ("sign in", "/accounts/login/"),
    ("sign up", "/accounts/signup/"),
    ("sign-in unlock request", "/accounts/unlock/"),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("what", "url"), PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES])
def test_public_page_has_no_serious_violations(
    page, assert_accessible, published, language, what, url
):
    organization, project = published
    url = {
        "organization": organization.get_absolute_url(),
        "project": project.get_absolute_url(),
    }.get(url, url)
    switch_language(page, language)
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page, what)


@pytest.mark.parametrize("language", LANGUAGES)
def test_signup_with_errors_has_no_serious_violations(page, assert_accessible, language):
    switch_language(page, language)
    page.goto("/accounts/signup/")
    page.fill("#id_email", "not-an-address")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "different")
    page.fill("#id_family_name_kana", "Muroran")  # latin is not katakana
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert page.locator(".field--error").count() >= 3
    assert_accessible(page, "sign-up form with errors")


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_with_error_has_no_serious_violations(page, assert_accessible, language):
    switch_language(page, language)
    page.goto("/accounts/login/")
    page.fill("#id_login", "nobody@example.jp")
    page.fill("#id_password", "wrong-password-123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert_accessible(page, "sign-in form with an error")


@pytest.mark.parametrize("language", LANGUAGES)
def test_locked_out_sign_in_and_the_unlock_offer_have_no_serious_violations(
    page, assert_accessible, language
):
    factories.make_user("locked@example.jp")
    switch_language(page, language)
    page.goto("/accounts/login/")
    for _ in range(6):
        page.fill("#id_login", "locked@example.jp")
        page.fill("#id_password", "wrong-password-123")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_selector(".error-summary")
    offer = page.locator("form[action='/accounts/unlock/'] button")
    assert offer.count() == 1
    assert_accessible(page, "sign-in form locked out, with the unlock offer")
    offer.click()
    page.wait_for_url("**/accounts/unlock/")
    assert_accessible(page, "unlock link sent")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_enrolment_page_has_no_serious_violations(
    page, context, assert_accessible, login_as, language
):
    login_as(context, factories.make_user("new-clerk@example.jp", staff=True))
    switch_language(page, language)
    page.goto("/accounts/2fa/totp/activate/")
    page.wait_for_url("**/accounts/staff-enrolment/")
    assert_accessible(page, "staff enrolment page")


@pytest.mark.parametrize("language", LANGUAGES)
def test_signed_in_pages_have_no_serious_violations(
    page, context, assert_accessible, login_as, published, language
):
    organization, _project = published
    user = factories.make_user("axe@example.jp")
    factories.add_member(organization, user, "representative")
    login_as(context, user)
    switch_language(page, language)

    page.goto("/mypage/")
    assert_accessible(page, "my page")

    page.goto(f"/organizations/{organization.pk}/manage/")
    assert_accessible(page, "organisation management page")

    page.goto("/accounts/profile/")
    assert_accessible(page, "profile form")

    page.goto("/accounts/sessions/")
    assert_accessible(page, "the browsers signed in")

    page.goto("/organizations/new/")
    assert_accessible(page, "organisation registration form")

    page.locator("main form button[type=submit]").click()  # empty: every required field errs
    page.wait_for_selector(".error-summary")
    assert_accessible(page, "organisation registration form with errors")

    fill_organisation_form(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("button[name=_submit]")  # the confirmation step
    assert_accessible(page, "organisation registration confirmation step")

    page.locator("button[name=_submit]").click()
    page.wait_for_url("**/registered/")
    assert_accessible(page, "organisation registration done page")


PHONE = {"width": 375, "height": 667}
NARROWEST = {"width": 320, "height": 640}  # WCAG 1.4.10 (reflow): 320 CSS pixels wide
ANONYMOUS_PHONE_PAGES = [
    "/",
    "/organizations/",
    "/accounts/signup/",
    "/guideline/",
    "/projects/",
    "/figures/",
]


def assert_no_horizontal_scroll(page):
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
             .filter(el => el.getBoundingClientRect().right > limit + 1)
             .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""",
        client_width,
    )
    assert scroll_width <= client_width, (
        f"{page.url} scrolls sideways at {client_width}px: content is {scroll_width}px wide; "
        f"sticking out: {wide}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [PHONE, NARROWEST], ids=["375px", "320px"])
def test_pages_fit_a_phone_without_sideways_scrolling(
    new_context, login_as, assert_accessible, published, language, viewport
):
    """Tables wider than the phone scroll inside their own (focusable) box, never the page."""
    organization, _project = published
    context = new_context(viewport=viewport, is_mobile=True, has_touch=True)
    page = context.new_page()
    switch_language(page, language)
    for url in ANONYMOUS_PHONE_PAGES:
        page.goto(url)
        assert_no_horizontal_scroll(page)
        assert_accessible(page, f"{url} at {viewport['width']}px")

    user = factories.make_user("phone@example.jp")
    factories.add_member(organization, user, "contact")
    login_as(context, user)
    for url in [
        "/mypage/",
        "/accounts/sessions/",
        "/organizations/new/",
        f"/organizations/{organization.pk}/manage/",
    ]:
        page.goto(url)
        assert_no_horizontal_scroll(page)
        assert_accessible(page, f"{url} at {viewport['width']}px")
