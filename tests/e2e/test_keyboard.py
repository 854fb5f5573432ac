"""Keyboard-only use, and the site without JavaScript.

- the skip link is the first Tab stop and moves focus to the main content;
- every Tab stop shows a visible focus indicator;
- sign-up can be completed with Tab, typing and Enter;
- the language buttons work from the keyboard;
- with JavaScript switched off an organisation can be registered (入力 → 確認 → 完了).
"""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from organizations.models import Organization
from tests import factories
from tests.e2e.conftest import wait_for_language

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name"),
    value: el.getAttribute("value"),
    classes: el.className,
    text: (el.innerText || el.value || "").trim().slice(0, 40),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
    inViewport: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
                && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def describe(info):
    if info is None:
        return "<body>"
    return f"<{info['tag']} id={info['id']!r} class={info['classes']!r}> {info['text']!r}"


def tab_until(page, predicate, *, limit=60):
    """Press Tab until the focused element satisfies predicate; check every stop on the way
    shows a focus indicator and is on screen. Returns the list of stops."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        stops.append(info)
        if info is not None:
            assert info["outline"] or info["shadow"], (
                f"no visible focus indicator on {describe(info)}"
            )
            assert info["inViewport"], f"focused element is off screen: {describe(info)}"
        if predicate(info):
            return stops
    raise AssertionError(
        "never reached the expected element; Tab stops were:\n" + "\n".join(map(describe, stops))
    )


# --- skip link ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/guideline/", "/accounts/signup/"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, url):
    page.goto(url)
    page.keyboard.press("Tab")
    first = focused(page)
    assert first is not None and "skip-link" in first["classes"], describe(first)
    assert first["inViewport"], "the skip link stays off screen when focused"
    assert page.locator(".skip-link").evaluate("el => el.getAttribute('href')") == "#main"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")

    # The next Tab continues inside the main content, not in the header.
    page.keyboard.press("Tab")
    inside_main = page.evaluate(
        "() => !!document.activeElement.closest('main') && document.activeElement.id !== 'main'"
    )
    assert inside_main, f"Tab after the skip link went to {describe(focused(page))}"


@pytest.mark.parametrize(
    "url", ["/", "/organizations/", "/projects/", "/figures/", "/accounts/signup/"]
)
def test_every_tab_stop_has_a_visible_focus_indicator(page, url):
    factories.make_organization(name="輪西まちづくりの会")
    page.goto(url)
    # Through the whole page until focus leaves it (back to the body or the browser chrome).
    stops = []
    for _ in range(120):
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None or (stops and info == stops[0]):
            break
        assert info["outline"] or info["shadow"], f"no visible focus indicator on {describe(info)}"
        assert info["inViewport"], f"focused element is off screen: {describe(info)}"
        stops.append(info)
    assert len(stops) >= 10, [describe(s) for s in stops]


def test_a_wide_table_on_a_phone_scrolls_with_the_arrow_keys(new_context):
    """The project table is wider than a 320px screen in English: its box takes focus and
    the arrow keys scroll it (WCAG 2.1.1 and 1.4.10)."""
    factories.make_project(organizations=[factories.make_organization()])
    page = new_context(viewport={"width": 320, "height": 640}, is_mobile=True).new_page()
    page.goto("/projects/")
    page.locator('.lang-switch button[value="en"]').click()
    wait_for_language(page, "en")
    region = page.locator(".table-wrap")
    sizes = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
    if sizes[0] <= sizes[1]:
        pytest.skip(f"the table fits at 320px now ({sizes}); nothing to scroll")
    assert region.get_attribute("role") == "region" and region.get_attribute("aria-labelledby")

    tab_until(page, lambda info: info is not None and "table-wrap" in info["classes"])
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # Keyboard scrolling is animated: wait for it rather than read scrollLeft at once.
    # Polled with evaluate (run by the browser's debugger, outside the page's CSP), not
    # wait_for_function, whose string predicate the CSP's script-src refuses as eval.
    for _ in range(50):
        if region.evaluate("el => el.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert region.evaluate("el => el.scrollLeft") > 0


# --- sign-up with the keyboard only ---------------------------------------------------------

SIGNUP = [
    ("id_email", "keyboard.taro@example.jp"),
    ("id_family_name", "白鳥"),
    ("id_given_name", "太郎"),
    ("id_family_name_kana", "はくちょう"),
    ("id_given_name_kana", "たろう"),
    ("id_display_name", "はくちょうたろう"),
    ("id_password1", "hakucho-dai-no-kaze-26"),
    ("id_password2", "hakucho-dai-no-kaze-26"),
]


def test_signup_can_be_completed_with_the_keyboard_only(page):
    page.goto("/accounts/signup/")
    tab_until(page, lambda info: info is not None and info["id"] == SIGNUP[0][0])
    for index, (field_id, value) in enumerate(SIGNUP):
        if index:
            page.keyboard.press("Tab")
        info = focused(page)
        assert info is not None and info["id"] == field_id, (
            f"Tab order: expected #{field_id}, got {describe(info)}"
        )
        page.keyboard.type(value)
    page.keyboard.press("Enter")  # submits the form from the last field
    page.wait_for_url("**/accounts/confirm-email/")

    user = User.objects.get(email="keyboard.taro@example.jp")
    assert (user.family_name_kana, user.given_name_kana) == ("ハクチョウ", "タロウ")


def test_signup_errors_can_be_reached_from_the_summary_by_keyboard(page):
    page.goto("/accounts/signup/")
    tab_until(page, lambda info: info is not None and info["id"] == "id_email")
    page.keyboard.type("keyboard@example.jp")
    page.keyboard.press("Enter")  # everything else is missing
    page.wait_for_selector(".error-summary")

    # The first link of the error summary leads to the first field with an error.
    tab_until(
        page,
        lambda info: (
            info is not None
            and info["tag"] == "a"
            and "#id_" in (page.evaluate("document.activeElement.getAttribute('href')") or "")
        ),
    )
    target = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    assert "#" + page.evaluate("document.activeElement.id") == target
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"


# --- language switch ------------------------------------------------------------------------


def test_language_switch_works_with_the_keyboard(page):
    page.goto("/guideline/")
    assert page.locator("html").get_attribute("lang") == "ja"
    tab_until(
        page, lambda info: info is not None and info["name"] == "language" and info["value"] == "en"
    )
    page.keyboard.press("Enter")
    wait_for_language(page, "en")
    assert page.url.endswith("/guideline/"), "the switch should stay on the same page"
    assert page.locator('.lang-switch button[value="en"]').get_attribute("aria-pressed") == "true"
    assert (
        page.locator("h1").inner_text()
        == "The guideline for community building through collaboration"
    )

    # And back to Japanese with the space bar.
    tab_until(
        page, lambda info: info is not None and info["name"] == "language" and info["value"] == "ja"
    )
    page.keyboard.press("Space")
    wait_for_language(page, "ja")
    assert page.locator('.lang-switch button[value="ja"]').get_attribute("aria-pressed") == "true"


# --- without JavaScript ---------------------------------------------------------------------


def assert_javascript_is_off(page):
    """Page scripts do not run (Playwright's own evaluate still works, so probe a script)."""
    page.set_content(
        "<p id=probe>off</p><script>document.getElementById('probe').textContent='on'</script>"
    )
    assert page.locator("#probe").inner_text() == "off"


def test_organisation_can_be_registered_without_javascript(new_context, login_as):
    context = new_context(java_script_enabled=False)
    user = factories.make_user("nojs@example.jp")
    login_as(context, user)
    page = context.new_page()
    assert_javascript_is_off(page)

    page.goto("/organizations/new/")
    page.fill("#id_name", "スクリプトなしの会")
    page.fill("#id_name_kana", "すくりぷとなしのかい")
    page.select_option("#id_actor_type", label="町内会・自治会")
    page.fill("#id_description", "JavaScript を使わずに登録します。")
    page.locator("main form button[type=submit]").click()

    # 確認, then back to change a detail: everything typed is kept.
    page.wait_for_selector("button[name=_back]")
    assert "スクリプトナシノカイ" in page.locator("main dl.details").inner_text()
    page.locator("button[name=_back]").click()
    assert page.locator("#id_name").input_value() == "スクリプトなしの会"
    assert page.locator("#id_description").input_value() == "JavaScript を使わずに登録します。"
    page.fill("#id_representative_title", "会長")
    page.locator("main form button[type=submit]").click()

    page.wait_for_selector("button[name=_submit]")
    assert "会長" in page.locator("main dl.details").inner_text()
    page.locator("button[name=_submit]").click()
    page.wait_for_url(re.compile(r"/organizations/\d+/registered/$"))

    organization = Organization.objects.get(name="スクリプトなしの会")
    assert organization.status == Organization.Status.PENDING
    assert organization.representative_title == "会長"
    assert organization.memberships.get().user == user


def test_language_switch_works_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    assert_javascript_is_off(page)
    page.goto("/privacy/")
    page.locator('.lang-switch button[value="en"]').click()
    page.wait_for_url("**/privacy/")
    assert page.locator("html").get_attribute("lang") == "en"
