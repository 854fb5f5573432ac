"""The header menu comes from `registry.NAVIGATION`: every mechanism of the registry on every
public page, the current page and section marked with `aria-current`."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import override

from muroran_kyodo import registry
from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "home",
    "guideline",
    "figures",
    "opendata",
    "privacy",
    "accessibility",
    "organizations:directory",
    "organizations:project_list",
    "partners:programme_list",
    "subsidies:programme_list",
    "account_login",
    "account_signup",
]

NAV = re.compile(r'<nav class="site-nav"[^>]*>(.*?)</nav>', re.S)


def _nav(response) -> str:
    match = NAV.search(response.content.decode())
    assert match, "the page has no site navigation"
    return match.group(1)


def _link(nav: str, url: str) -> str:
    match = re.search(rf'<a href="{re.escape(url)}"[^>]*>', nav)
    assert match, f"{url} is not in the menu"
    return match.group(0)


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_every_mechanism_is_in_the_menu_of_every_public_page(client, page):
    nav = _nav(client.get(reverse(page)))
    for mechanism in registry.MECHANISMS:
        with override("ja"):
            label = str(mechanism.nav_label)
        assert _link(nav, reverse(mechanism.url_name))
        assert label in nav


def test_the_menu_is_the_registry_navigation_in_order(client):
    nav = _nav(client.get("/"))
    hrefs = re.findall(r'<a href="([^"]+)"', nav)
    expected = [reverse(link.url_name) for link in registry.NAVIGATION]
    assert hrefs[: len(expected)] == expected


def test_partners_and_subsidies_are_in_the_menu_in_japanese(client):
    nav = _nav(client.get("/"))
    assert "行政パートナー制度" in nav
    assert "補助金" in nav


def test_the_menu_is_there_for_a_signed_in_resident(client, resident):
    client.force_login(resident)
    nav = _nav(client.get(reverse("mypage")))
    for mechanism in registry.MECHANISMS:
        assert _link(nav, reverse(mechanism.url_name))


def test_the_current_page_is_marked_page(client):
    url = reverse("partners:programme_list")
    nav = _nav(client.get(url))
    assert 'aria-current="page"' in _link(nav, url)
    assert "aria-current" not in _link(nav, reverse("subsidies:programme_list"))
    assert "aria-current" not in _link(nav, reverse("home"))


def test_a_page_inside_a_section_marks_the_section(client):
    programme = "pika"
    response = client.get(reverse("partners:programme_detail", args=[programme]))
    assert response.status_code == 200
    nav = _nav(response)
    assert 'aria-current="true"' in _link(nav, reverse("partners:programme_list"))
    assert nav.count("aria-current") == 1


def test_home_is_current_only_on_home(client):
    nav = _nav(client.get(reverse("guideline")))
    assert "aria-current" not in _link(nav, reverse("home"))
    assert 'aria-current="page"' in _link(nav, reverse("guideline"))


def test_a_new_mechanism_appears_by_its_registry_line(client, monkeypatch):
    extra = registry.NavLink("Open data (test)", "opendata")
    monkeypatch.setattr(registry, "NAVIGATION", [*registry.NAVIGATION, extra])
    nav = _nav(client.get("/"))
    assert re.search(r"<a href=\"/opendata/\"[^>]*>Open data \(test\)</a>", nav)


def test_staff_see_the_menu_too(client):
    staff = factories.make_user(staff=True)
    factories.with_second_factor(client, staff)
    nav = _nav(client.get("/"))
    assert _link(nav, reverse("subsidies:programme_list"))
