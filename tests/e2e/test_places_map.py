"""The map of まち「ピカ」's places in a real browser at 375 px: one marker per place with a point,
each saying in words whether the place still needs someone; the lists under the map; no serious
accessibility violation. Tile requests are answered with an empty 404 (no network in tests), so
the run is the same offline and online. Without JavaScript the lists are there and no map."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partners.models import ActivityPlace
from tests import factories
from tests.e2e.test_accessibility import PHONE, assert_no_horizontal_scroll

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TILES = "https://cyberjapandata.gsi.go.jp/**"


def _place(words, district, lat=None, lon=None):
    return ActivityPlace(
        district=factories.district(district),
        kind="park",
        description=words,
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lon) if lon else None,
    )


@pytest.fixture
def places():
    factories.make_registration(
        user=factories.make_user(),
        status="registered",
        places=[_place("輪西町 みなと公園とその周辺の歩道", "輪西町", "42.3523", "140.9908")],
    )
    for place in [
        _place("東町 東町公園とその周辺", "東町", "42.3752", "141.0218"),
        _place("母恋北町 母恋駅前の歩道", "母恋北町", "42.3236", "140.9888"),
        _place("知利別町 知利別川の河川敷", "知利別町"),  # no point: listed only
    ]:
        place.save()


def _blocked_tiles(context):
    requested = []

    def block(route):
        requested.append(route.request.url)
        route.fulfill(status=404, body="")

    context.route(TILES, block)
    return requested


def test_the_map_shows_a_marker_per_place_and_the_lists_at_375px(
    new_context, places, assert_accessible, expect
):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tiles = _blocked_tiles(context)
    page = context.new_page()
    page.goto("/partners/pika/")

    markers = page.locator("#places-map .leaflet-marker-icon")
    expect(markers).to_have_count(3)
    assert ActivityPlace.objects.filter(latitude__isnull=False).count() == 3
    expect(page.locator("#places-map-wrap")).to_be_visible()
    assert tiles  # the map asked for the GSI tiles (answered 404 here)
    # Shape and words, not colour alone: two diamonds "needs someone", one circle "adopted".
    expect(page.locator("#places-map .place-marker--needed")).to_have_count(2)
    expect(page.locator("#places-map .place-marker--adopted")).to_have_count(1)
    adopted = page.locator("#places-map .place-marker--adopted")
    assert (
        adopted.get_attribute("aria-label")
        == "輪西町 みなと公園とその周辺の歩道（活動中のパートナーあり）"
    )
    assert adopted.get_attribute("role") == "button"
    labels = sorted(m.get_attribute("aria-label") for m in markers.all())
    assert labels[0].endswith("（担い手募集中）")

    # A marker opens its popup with the place's name, by keyboard too.
    adopted.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("輪西町 みなと公園とその周辺の歩道")
    expect(popup).to_contain_text("活動中のパートナーあり")
    # Leaflet fades the popup in: axe reads its colours once it is fully shown.
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    attribution = page.locator(".leaflet-control-attribution a", has_text="地理院タイル")
    assert attribution.get_attribute("href") == "https://maps.gsi.go.jp/development/ichiran.html"

    # The lists, whatever the map does.
    needed = page.locator("#places-needed + table tbody th")
    expect(needed).to_have_count(3)
    expect(page.locator("#places-adopted + table tbody th")).to_have_text(
        ["輪西町 みなと公園とその周辺の歩道"]
    )
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "まち「ピカ」 page with the map of places, at 375 px")


def test_without_javascript_the_places_are_listed_and_no_map_is_shown(new_context, places, expect):
    context = new_context(viewport=PHONE, java_script_enabled=False)
    tiles = _blocked_tiles(context)
    page = context.new_page()
    page.goto("/partners/pika/")

    expect(page.locator("#places-map-wrap")).to_be_hidden()
    expect(page.locator("#places-needed")).to_have_text("担い手募集中：3か所")
    expect(page.locator("#places-needed + table tbody th")).to_have_text(
        ["母恋北町 母恋駅前の歩道", "東町 東町公園とその周辺", "知利別町 知利別川の河川敷"]
    )
    assert not tiles


def test_staff_set_a_point_by_clicking_the_admin_map(new_context, live_server, expect):
    from django.conf import settings
    from django.test import Client

    place = _place("東町 東町公園とその周辺", "東町")
    place.save()
    client = factories.with_second_factor(Client(), factories.make_user(superuser=True))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = new_context()
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    _blocked_tiles(context)
    page = context.new_page()
    page.goto(f"/admin/partners/activityplace/{place.pk}/change/")

    picker = page.locator(".place-picker")
    expect(picker).to_be_visible()
    picker.click(position={"x": 150, "y": 100})
    latitude = float(page.locator("#id_latitude").input_value())
    longitude = float(page.locator("#id_longitude").input_value())
    assert 42.28 <= latitude <= 42.48 and 140.85 <= longitude <= 141.10
    expect(page.locator(".place-picker .place-marker--picked")).to_have_count(1)
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/activityplace/")
    place.refresh_from_db()
    assert place.has_point
    assert float(place.latitude) == pytest.approx(latitude, abs=1e-6)
