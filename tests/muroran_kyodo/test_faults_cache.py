"""The shared cache (Redis) unreachable: the backend answers as an empty cache and logs once;
the page cache renders pages; rate limits of actions fail open; sign-in and the second factor's
code fail closed with a message on the form; the admin works."""

from __future__ import annotations

import logging
import time

import pytest
import redis
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.test import Client, RequestFactory

from accounts.models import SecurityEvent
from muroran_kyodo.lib import cache as shared_cache
from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.cache import CacheUnavailable, required
from tests import factories
from tests.faults import cache_down

REFUSED = "ただいまログインできません。パスワードの推測からアカウントを守る仕組みを復旧しています。"


@pytest.fixture
def down():
    with cache_down():
        yield


def test_it_answers_as_an_empty_cache_and_logs_once(down, caplog):
    with caplog.at_level(logging.INFO, logger="muroran_kyodo.lib.cache"):
        assert cache.get("a", "default") == "default"
        assert cache.set("a", 1) is None
        assert cache.add("a", 1) is True
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("a") is False
        assert cache.delete("a") is False
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.get_or_set("c", lambda: 3) == 3
        with pytest.raises(ValueError):
            cache.incr("counter")
    lines = [r for r in caplog.records if r.name == "muroran_kyodo.lib.cache"]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert "shared cache unreachable" in lines[0].getMessage()
    assert lines[0].exc_info is None


def test_inside_required_it_raises(down):
    with required(), pytest.raises(CacheUnavailable):
        cache.get("a")
    assert shared_cache.reachable() is False


def test_it_answers_again_once_redis_is_back(monkeypatch, caplog):
    with cache_down():
        calls = {"n": 0}
        real_get = DjangoRedisCache.get

        def flaky(self, key, default=None, version=None):
            calls["n"] += 1
            if calls["n"] == 1:
                raise redis.ConnectionError(
                    "Error 111 connecting to 127.0.0.1:1. Connection refused."
                )
            return "back"

        monkeypatch.setattr(DjangoRedisCache, "get", flaky)
        with caplog.at_level(logging.INFO, logger="muroran_kyodo.lib.cache"):
            assert cache.get("k") is None  # down: a miss, logged
            assert cache.get("k") is None  # within RETRY_SECONDS: not even tried
            assert calls["n"] == 1
            shared_cache._down_until.update(
                {name: time.monotonic() - 1 for name in shared_cache._down_until}
            )
            assert cache.get("k") == "back"
        monkeypatch.setattr(DjangoRedisCache, "get", real_get)
    messages = [r.getMessage() for r in caplog.records if r.name == "muroran_kyodo.lib.cache"]
    assert len(messages) == 2 and messages[1] == "shared cache answers again"


# --- rate limits -------------------------------------------------------------------------------


def test_rate_limits_of_actions_fail_open(down, db, caplog):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5")
    request.user = factories.make_user()
    with caplog.at_level(logging.WARNING):
        allowed = [ratelimit.hit(request, "entalk.request", email="a@example.jp") for _ in range(8)]
    assert allowed == [True] * 8  # the limit is 5 an hour per person
    lines = [r for r in caplog.records if r.name == "muroran_kyodo.lib.ratelimit"]
    assert len(lines) == 8  # one line per attempt, no stack trace
    assert all(r.exc_info is None for r in lines)


def test_allauth_sign_up_fails_open(down, db):
    browser = Client(REMOTE_ADDR="203.0.113.6")
    # The limit is 20 a minute per address: past it, still the form (its errors), never 429.
    statuses = {browser.post("/accounts/signup/", {}).status_code for _ in range(22)}
    assert statuses == {200}


# --- sign-in fails closed ----------------------------------------------------------------------


def test_sign_in_is_refused_with_a_message_on_the_form(db):
    user = factories.make_user(email="taro@example.jp")
    browser = Client()
    with cache_down():
        response = browser.post(
            "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSED in page
    assert 'value="taro@example.jp"' in page  # what was typed is kept
    assert browser.session.get(SESSION_KEY) is None
    event = SecurityEvent.objects.get(event="login_locked_out")
    assert event.detail["reason"] == "cache_unavailable"
    # Redis back: the same password signs in.
    response = browser.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert browser.session.get(SESSION_KEY) == str(user.pk)


def test_the_second_factor_code_is_refused_while_failures_cannot_be_counted(db):
    user = factories.make_user()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    browser = Client()
    response = browser.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert response["Location"].startswith("/accounts/2fa/authenticate")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with cache_down():
        response = browser.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert browser.session.get(SESSION_KEY) is None


# --- pages -------------------------------------------------------------------------------------


def test_the_page_cache_renders_pages_with_the_cache_down(down, db, settings, caplog):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_HEADER = True
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            response = Client().get("/")
            assert response.status_code == 200
            assert "X-Page-Cache" not in response  # neither served from nor stored in it
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len([r for r in caplog.records if r.name == "muroran_kyodo.lib.cache"]) == 1


def test_partner_figures_are_computed_with_the_cache_down(down, db):
    from partners import stats

    assert Client().get("/figures/").status_code == 200
    stats.invalidate()  # a write's invalidation: dropped, no error


def test_the_admin_works_with_the_cache_down(staff_client):
    with cache_down():
        assert staff_client.get("/admin/").status_code == 200
        assert staff_client.get("/admin/partners/registration/").status_code == 200
        assert staff_client.get("/mypage/").status_code == 200
