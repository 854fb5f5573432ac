"""The shared cache (Redis) unreachable: every page an anonymous visitor may open still answers
200 (with the page cache on, as in production), and staff pages answer as they do with it."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.access.matrix import MATRIX
from tests.access.test_access_matrix import _row, _world_media, world  # noqa: F401 (fixtures)
from tests.access.urls import kwargs_for, url_name
from tests.faults import cache_down

ANONYMOUS_PAGES = [
    key
    for key, methods in MATRIX.items()
    if "GET" in methods and _row(methods["GET"])["anonymous"] == "200"
]
STAFF_PAGES = [
    key
    for key, methods in MATRIX.items()
    if "GET" in methods and _row(methods["GET"])["staff"] == "200"
]


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60


def test_the_lists_hold_the_main_pages():
    names = {url_name(key) for key in ANONYMOUS_PAGES}
    assert {"home", "figures", "publiccomment:case_list", "councils:index"} <= names
    assert "admin:index" in {url_name(key) for key in STAFF_PAGES}


@pytest.mark.parametrize("key", ANONYMOUS_PAGES)
def test_every_public_page_answers_with_the_cache_down(world, db, key):  # noqa: F811
    url = reverse(url_name(key), kwargs=kwargs_for(key, world))
    with cache_down():
        response = Client().get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"


@pytest.mark.parametrize("key", STAFF_PAGES)
def test_every_staff_page_answers_with_the_cache_down(world, db, key):  # noqa: F811
    url = reverse(url_name(key), kwargs=kwargs_for(key, world))
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions["staff"]
    with cache_down():
        response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
