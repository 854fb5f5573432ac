"""The header menu on a 375 px phone: every mechanism of the registry is reachable by keyboard
from the top of the page, without JavaScript, and the menu passes axe."""

from __future__ import annotations

import pytest
from django.urls import reverse

from muroran_kyodo import registry
from tests.e2e.test_accessibility import switch_language
from tests.e2e.test_keyboard import assert_javascript_is_off, describe, tab_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}


def _phone(new_context, **options):
    return new_context(**PHONE, **options).new_page()


@pytest.mark.parametrize("mechanism", registry.MECHANISMS, ids=lambda m: m.url_name)
def test_every_mechanism_is_reachable_by_keyboard_from_the_top_without_javascript(
    new_context, mechanism
):
    page = _phone(new_context, java_script_enabled=False)
    assert_javascript_is_off(page)
    page.goto("/")
    url = reverse(mechanism.url_name)
    # From the top of the page: skip link, site name, language buttons, then the menu — a
    # handful of Tab stops, each visible and on screen (tab_until checks both).
    stops = tab_until(
        page,
        lambda info: (
            info is not None
            and info["tag"] == "a"
            and page.evaluate("() => document.activeElement.getAttribute('href')") == url
        ),
        limit=20,
    )
    # the four stops above the menu, then the menu's links up to this one: nothing else first
    position = [link.url_name for link in registry.NAVIGATION].index(mechanism.url_name) + 1
    assert len(stops) <= 4 + position, [describe(stop) for stop in stops]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(url)
    current = page.locator(f'.site-nav a[href="{url}"]')
    assert current.get_attribute("aria-current") == "page"


def test_the_menu_fits_a_375px_phone_and_nothing_scrolls_sideways(new_context):
    page = _phone(new_context)
    page.goto("/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375
    for mechanism in registry.MECHANISMS:
        link = page.locator(f'.site-nav a[href="{reverse(mechanism.url_name)}"]')
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        # In the header, not ~2,000 px down the page.
        assert box["y"] < 667, (mechanism.url_name, box)
        assert box["height"] >= 24


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(
    "url_name", ["home", "partners:programme_list", "subsidies:programme_list"]
)
def test_the_menu_on_a_phone_has_no_serious_violations(
    new_context, assert_accessible, language, url_name
):
    page = _phone(new_context)
    switch_language(page, language)
    page.goto(reverse(url_name))
    assert_accessible(page, f"{url_name} on a 375px phone ({language})")
