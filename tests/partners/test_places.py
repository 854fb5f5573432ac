"""まち「ピカ」's places on the map: coordinates within Muroran (refused in Japanese otherwise),
set by staff in the admin, and the programme page's map data and lists of places that still need
someone and places a partner looks after — lists that need no JavaScript, in a fixed number of
queries."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from partners import stats
from partners.models import ActivityPlace, Registration
from tests import factories

pytestmark = pytest.mark.django_db

JST = dt.timezone(dt.timedelta(hours=9))
PIKA = reverse("partners:programme_detail", args=["pika"])
OUTSIDE_LATITUDE = "緯度は室蘭市内の値（42.28〜42.48）を入力してください。"
OUTSIDE_LONGITUDE = "経度は室蘭市内の値（140.85〜141.10）を入力してください。"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 28, 10, 0, tzinfo=JST), tick=False):
        yield


def _place(words, district="輪西町", lat=None, lon=None, kind="road"):
    return ActivityPlace(
        district=factories.district(district),
        kind=kind,
        description=words,
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lon) if lon else None,
    )


def _saved(*args, **kwargs):
    place = _place(*args, **kwargs)
    place.save()
    return place


def _partner(*places, status="registered", **kwargs):
    return factories.make_registration(
        user=factories.make_user(), status=status, places=list(places), **kwargs
    )


# --- Coordinates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "field", "message"),
    [
        ("42.2799", "140.9737", "latitude", OUTSIDE_LATITUDE),  # south of the city, in the sea
        ("42.4801", "140.9737", "latitude", OUTSIDE_LATITUDE),
        ("42.3152", "140.8499", "longitude", OUTSIDE_LONGITUDE),
        ("42.3152", "141.1001", "longitude", OUTSIDE_LONGITUDE),  # 登別
        ("140.9737", "42.3152", "latitude", OUTSIDE_LATITUDE),  # swapped
        ("35.6812", "139.7671", "latitude", OUTSIDE_LATITUDE),  # 東京駅
    ],
)
def test_a_point_outside_muroran_is_refused_in_japanese(lat, lon, field, message):
    place = _place("輪西町 みなと公園", lat=lat, lon=lon)
    with override("ja"):
        with pytest.raises(ValidationError) as refused:
            place.full_clean()
        assert message in refused.value.message_dict[field]


def test_a_point_inside_muroran_is_accepted_and_the_edges_too():
    for lat, lon in [("42.3152", "140.9737"), ("42.28", "140.85"), ("42.48", "141.10")]:
        _place("輪西町 みなと公園", lat=lat, lon=lon).full_clean()


def test_one_coordinate_alone_is_refused():
    with override("ja"):
        with pytest.raises(ValidationError) as refused:
            _place("輪西町 みなと公園", lat="42.3152").full_clean()
        assert refused.value.message_dict["longitude"] == [
            "緯度と経度は両方入力するか、両方とも空欄にしてください。"
        ]


def _admin(client):
    return factories.with_second_factor(client, factories.make_user(superuser=True))


def _admin_data(**fields):
    return {
        "district": factories.district("東町").pk,
        "kind": "park",
        "description": "東町 東町公園",
        "latitude": "",
        "longitude": "",
        **fields,
    }


def test_staff_put_a_place_on_the_map_in_the_admin(client):
    admin = _admin(client)
    page = admin.get(reverse("admin:partners_activityplace_add"))
    html = page.content.decode()
    # Plain number inputs (they work without JavaScript), with what the map picker needs.
    assert 'type="number" name="latitude"' in html
    assert 'data-place-picker="latitude"' in html
    assert 'data-tile-url="https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"' in html
    assert "partners/place_picker.js" in html
    assert "vendor/leaflet/leaflet.js" in html

    response = admin.post(
        reverse("admin:partners_activityplace_add"),
        _admin_data(latitude="42.375200", longitude="141.021800"),
    )

    assert response.status_code == 302
    place = ActivityPlace.objects.get(description="東町 東町公園")
    assert (place.latitude, place.longitude) == (Decimal("42.375200"), Decimal("141.021800"))


def test_the_admin_refuses_a_point_outside_muroran_next_to_the_field_and_saves_nothing(client):
    admin = _admin(client)
    with override("ja"):
        response = admin.post(
            reverse("admin:partners_activityplace_add"),
            _admin_data(latitude="43.0621", longitude="141.3544"),  # 札幌
            HTTP_ACCEPT_LANGUAGE="ja",
        )
        errors = response.context["adminform"].form.errors
        assert errors["latitude"] == [OUTSIDE_LATITUDE]
        assert errors["longitude"] == [OUTSIDE_LONGITUDE]
    assert response.status_code == 200
    assert OUTSIDE_LATITUDE in response.content.decode()
    assert not ActivityPlace.objects.exists()


def test_the_admin_lists_places_not_on_the_map_yet(client):
    _saved("東町 東町公園", "東町", "42.3752", "141.0218")
    _saved("知利別町 知利別川の河川敷", "知利別町")
    url = reverse("admin:partners_activityplace_changelist")
    listed = _admin(client).get(url, {"on_map": "no"})
    assert [p.description for p in listed.context["cl"].result_list] == [
        "知利別町 知利別川の河川敷"
    ]


# --- The programme page ----------------------------------------------------------------------


def _rows(html, heading_id):
    """The place names in the table that follows the heading `heading_id`."""
    start = html.index(f'id="{heading_id}"')
    end = html.index("</table>", start) if "</table>" in html[start:] else start
    section = html[start:end]
    return [
        part.split(">", 1)[1].split("</th>", 1)[0] for part in section.split('<th scope="row"')[1:]
    ]


def test_the_programme_page_lists_places_grouped_without_javascript(client):
    adopted = _place("輪西町 みなと公園とその周辺の歩道", lat="42.3523", lon="140.9908")
    _partner(adopted)
    _saved("東町 東町公園とその周辺", "東町", "42.3752", "141.0218")  # staff's, nobody yet
    _saved("知利別町 知利別川の河川敷", "知利別町")  # not on the map yet
    left = _place("中島町 中島本通りの歩道", "中島町", "42.3627", "141.0012")
    _partner(left, status="withdrawn")  # its partner left: it needs someone again
    _partner(_place("白鳥台 自宅前の歩道", "白鳥台"), status="applied")  # not accepted: private
    _partner(_place("絵鞆町 まごころの場所", "絵鞆町"), programme="magokoro")

    with override("ja"):
        response = client.get(PIKA, HTTP_ACCEPT_LANGUAGE="ja")
    html = response.content.decode()

    assert response.status_code == 200
    assert "担い手募集中：3か所" in html
    assert "活動中のパートナーあり：1か所" in html
    assert _rows(html, "places-needed") == [  # in the order of the districts
        "東町 東町公園とその周辺",
        "中島町 中島本通りの歩道",
        "知利別町 知利別川の河川敷",
    ]
    assert _rows(html, "places-adopted") == ["輪西町 みなと公園とその周辺の歩道"]
    assert "白鳥台 自宅前の歩道" not in html
    assert "絵鞆町 まごころの場所" not in html
    # The map's data: only the places with a point, each saying whether it has a partner.
    data = json.loads(
        html.split('<script id="places-map-data" type="application/json">')[1].split("</script>")[0]
    )
    assert sorted((p["name"], p["adopted"]) for p in data) == [
        ("中島町 中島本通りの歩道", False),
        ("東町 東町公園とその周辺", False),
        ("輪西町 みなと公園とその周辺の歩道", True),
    ]
    assert {"lat": 42.3523, "lon": 140.9908}.items() <= next(
        p for p in data if p["adopted"]
    ).items()
    # The map stays hidden until its script has run; the script is a file, never inline.
    assert '<div class="places-map-wrap" id="places-map-wrap" hidden>' in html
    assert "static/partners/places_map.js" in html
    assert "<script>" not in html


def test_the_map_reads_the_tiles_and_their_attribution_from_the_settings(client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.jp/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "例のタイル"
    _saved("東町 東町公園", "東町", "42.3752", "141.0218")
    html = client.get(PIKA).content.decode()
    assert 'data-tile-url="https://tiles.example.jp/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="例のタイル"' in html
    assert 'data-attribution-url="https://maps.gsi.go.jp/development/ichiran.html"' in html


def test_without_points_the_page_has_no_map_and_still_lists_the_places(client):
    _saved("知利別町 知利別川の河川敷", "知利別町")
    html = client.get(PIKA).content.decode()
    assert "places-map-data" not in html
    assert "leaflet.js" not in html
    assert _rows(html, "places-needed") == ["知利別町 知利別川の河川敷"]


def test_other_programmes_show_no_places(client):
    _saved("東町 東町公園", "東町", "42.3752", "141.0218")
    html = client.get(reverse("partners:programme_detail", args=["magokoro"])).content.decode()
    assert "東町 東町公園" not in html
    assert "leaflet" not in html


def test_a_place_name_is_escaped_in_the_list_and_the_map_data(client):
    _saved("<b>東町</b> 公園 </script>", "東町", "42.3752", "141.0218")
    html = client.get(PIKA).content.decode()
    assert "<b>東町</b>" not in html
    assert escape("<b>東町</b> 公園 </script>") in html
    assert "\\u003Cb\\u003E" in html  # json_script escapes it in the data


def test_the_programme_page_runs_the_same_queries_however_many_places(
    client, django_assert_num_queries
):
    _partner(
        _place("輪西町 みなと公園", lat="42.3523", lon="140.9908"),
        kind="group",
        group_name="みなと公園の会",
        list_publicly=True,
    )
    _saved("東町 東町公園", "東町", "42.3752", "141.0218")
    client.get(PIKA)  # the cached totals are warm now
    with django_assert_num_queries(3):  # names (count, page), places; the totals are cached
        client.get(PIKA)

    for n in range(12):
        _partner(
            _place(f"輪西町 {n}丁目の歩道", lat="42.35", lon="140.99"),
            kind="group",
            group_name=f"輪西{n}丁目の会",
            list_publicly=True,
        )
        _saved(f"東町 {n}丁目の公園", "東町", "42.375", "141.02")
    stats.invalidate()
    client.get(PIKA)
    with django_assert_num_queries(3):
        html = client.get(PIKA).content.decode()
    assert html.count('<th scope="row" data-label=') >= 26
    assert Registration.objects.count() == 13


def test_the_page_speaks_english_for_an_english_reader(client):
    _saved("東町 東町公園", "東町", "42.3752", "141.0218")
    client.cookies["django_language"] = "en"
    html = client.get(PIKA).content.decode()
    with override("en"):
        assert gettext("Places to look after") in html


# --- The registrant may give the point --------------------------------------------------------


def test_a_registrant_may_give_the_point_of_a_place(client, resident):
    from tests.partners.test_views import form_data, register_url

    client.force_login(resident)
    data = form_data(place1_latitude="42.3523", place1_longitude="140.9908")
    confirm = client.post(register_url(), data)
    assert confirm.context["step"] == "confirm"
    assert "42.3523, 140.9908" in confirm.content.decode()

    client.post(register_url(), {**data, "_submit": "1"})

    place = Registration.objects.get(user=resident).places.get()
    assert (place.latitude, place.longitude) == (Decimal("42.352300"), Decimal("140.990800"))


def test_a_registrant_point_outside_muroran_is_refused_next_to_the_field(client, resident):
    from tests.partners.test_views import form_data, register_url

    client.force_login(resident)
    with override("ja"):
        response = client.post(
            register_url(),
            form_data(place1_latitude="43.0621", place1_longitude="141.3544"),
            HTTP_ACCEPT_LANGUAGE="ja",
        )
        errors = response.context["form"].errors
        assert errors["place1_latitude"] == [OUTSIDE_LATITUDE]
        assert errors["place1_longitude"] == [OUTSIDE_LONGITUDE]
    assert response.context["step"] == "input"
    assert OUTSIDE_LATITUDE in response.content.decode()
    assert not Registration.objects.exists()
    assert not ActivityPlace.objects.exists()


def test_a_registrant_giving_one_coordinate_is_asked_for_both(client, resident):
    from tests.partners.test_views import form_data, register_url

    client.force_login(resident)
    with override("ja"):
        response = client.post(
            register_url(), form_data(place1_latitude="42.3523"), HTTP_ACCEPT_LANGUAGE="ja"
        )
        assert response.context["form"].errors["place1_longitude"] == [
            "緯度と経度は両方入力するか、両方とも空欄にしてください。"
        ]


def test_a_change_keeps_the_point_staff_set_and_takes_a_new_one_typed(client, resident):
    from tests.partners.test_views import form_data

    registration = factories.make_registration(
        user=resident, places=[_place("輪西町 みなと公園とその周辺の歩道")]
    )
    place = registration.places.get()
    ActivityPlace.objects.filter(pk=place.pk).update(
        latitude=Decimal("42.3523"), longitude=Decimal("140.9908")
    )  # staff put it on the map
    client.force_login(resident)
    url = reverse("partners:registration_edit", args=[registration.pk])
    page = client.get(url)
    assert page.context["form"]["place1_latitude"].value() == Decimal("42.352300")

    data = form_data(
        place1_description="輪西町 みなと公園とその周辺の歩道",
        place1_kind="road",
        place1_latitude="42.352300",
        place1_longitude="140.990800",
        contact_phone="0143-22-9999",
    )
    client.post(url, {**data, "_submit": "1"})
    assert list(registration.places.values_list("pk", flat=True)) == [place.pk]  # the same row

    client.post(
        url,
        {**data, "place1_latitude": "42.3530", "place1_longitude": "140.9920", "_submit": "1"},
    )
    moved = registration.places.get()
    assert moved.pk != place.pk
    assert (moved.latitude, moved.longitude) == (Decimal("42.353000"), Decimal("140.992000"))
