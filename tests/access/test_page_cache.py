"""The page cache over every page that may use it (`@public_page`), in the access matrix's world:
each is stored for an anonymous visitor and served again without a query, with no CSRF token in
it; a signed-in visitor of every role is never served nor stores one."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access.matrix import MATRIX
from tests.access.test_access_matrix import _row, _world_media, world  # noqa: F401 (fixtures)
from tests.access.urls import kwargs_for, url_name


def _callbacks(patterns=None, namespace=None):
    """`ns:name` -> view function of every named URL pattern."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _callbacks(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern.callback


def _public_keys():
    views = dict(_callbacks())
    for key, methods in MATRIX.items():
        if "GET" not in methods or _row(methods["GET"])["anonymous"] != "200":
            continue
        if getattr(views.get(url_name(key)), "public_page", False):
            yield key


PUBLIC = list(_public_keys())


@pytest.fixture(autouse=True)
def page_cache(settings, clock_inside_one_minute):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_HEADER = True


def test_the_public_pages_are_all_there():
    names = {url_name(key) for key in PUBLIC}
    assert {
        "home",
        "figures",
        "organizations:directory",
        "organizations:project_list",
        "partners:programme_detail",
        "subsidies:adopted",
        "publiccomment:case_list",
        "entalk:index",
        "councils:index",
    } <= names


@pytest.mark.parametrize("key", PUBLIC)
def test_anonymous_page_is_cached_and_served_without_a_query(
    world,  # noqa: F811 (the fixture)
    db,
    key,
    django_assert_num_queries,
):
    url = reverse(url_name(key), kwargs=kwargs_for(key, world))
    first = Client().get(url)
    assert first.status_code == 200
    if b"csrfmiddlewaretoken" in first.content:
        # A form for anonymous visitors with a token: rendered afresh for each of them.
        assert first.headers.get("X-Page-Cache") is None
        assert Client().get(url).headers.get("X-Page-Cache") is None
        return
    assert first.headers["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.headers["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert not second.cookies


@pytest.mark.parametrize("key", PUBLIC)
def test_no_public_page_reads_the_session_keys_declared_unread(world, db, key):  # noqa: F811
    """A visitor whose session holds only what `pagecache.unread_by_public_pages` declared (an
    opinion's receipts, a guest sign-up's address) is served the cached pages: that holds only
    if no public page renders from those keys. Each page is rendered with them in the session;
    one that read the session would not be stored (and this would fail)."""
    from django.contrib.sessions.backends.db import SessionStore

    from muroran_kyodo.lib import pagecache

    url = reverse(url_name(key), kwargs=kwargs_for(key, world))
    assert {
        "publiccomment.submissions",
        "councils_signup_sent",
    } <= pagecache._UNREAD_BY_PUBLIC_PAGES
    store = SessionStore()
    for name in sorted(pagecache._UNREAD_BY_PUBLIC_PAGES):
        store[name] = {"1": 1}
    store.save()
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = store.session_key
    first = client.get(url)
    if b"csrfmiddlewaretoken" in first.content:
        return  # never stored for anyone (above)
    assert first.headers.get("X-Page-Cache") == "miss"
    assert client.get(url).headers.get("X-Page-Cache") == "hit"


@pytest.mark.parametrize("role", ["resident", "member", "staff"])
@pytest.mark.parametrize("key", PUBLIC)
def test_signed_in_never_stores_nor_receives_a_cached_page(world, db, key, role):  # noqa: F811
    url = reverse(url_name(key), kwargs=kwargs_for(key, world))
    if not world.sessions[role]:
        pytest.skip(f"{role} has no session in the world")
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[role]
    assert client.get(url).headers.get("X-Page-Cache") is None
    Client().get(url)  # stored for anonymous visitors
    assert client.get(url).headers.get("X-Page-Cache") is None
