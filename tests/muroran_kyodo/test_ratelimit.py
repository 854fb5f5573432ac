"""muroran_kyodo/lib/ratelimit.py: rates, the keys counted (address, account, e-mail), the
trusted proxy's address, and failing open when the cache is down."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import RequestFactory

from muroran_kyodo.lib import ratelimit
from muroran_kyodo.lib.ratelimit import Rate
from tests import factories

ACTION = "test.action"


@pytest.fixture
def rates(settings):
    def set_rates(**kinds):
        settings.RATE_LIMITS = {ACTION: kinds}

    return set_rates


def _request(ip="203.0.113.5", user=None, **meta):
    request = RequestFactory().post("/", REMOTE_ADDR=ip, **meta)
    if user is not None:
        request.user = user
    return request


def _hits(request, times, **identities):
    return [ratelimit.hit(request, ACTION, **identities) for _ in range(times)]


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/h", Rate(10, 3600)),
        ("5/10m", Rate(5, 600)),
        ("100/d", Rate(100, 86400)),
        ("3/s", Rate(3, 1)),
        ("60/2h", Rate(60, 7200)),
    ],
)
def test_it_parses_rates(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["10", "x/h", "10/y", "10/"])
def test_it_refuses_a_malformed_rate(text):
    with pytest.raises((ValueError, KeyError, IndexError)):
        Rate.parse(text)


def test_it_limits_per_address(rates):
    rates(ip="3/h")
    assert _hits(_request(), 4) == [True, True, True, False]
    assert ratelimit.hit(_request(ip="198.51.100.7"), ACTION)  # another address


def test_a_household_sharing_an_address_stays_within_the_generous_limit(rates):
    """Four people at home (one address), each sending their own opinion with their own
    e-mail: the address limit is generous, the e-mail limit is per person."""
    rates(ip="60/h", email="10/h")
    results = [
        ratelimit.hit(_request(), ACTION, email=f"person{n}@example.jp")
        for n in range(4)
        for _attempt in range(2)
    ]
    assert all(results)


def test_it_limits_per_email_across_addresses(rates):
    rates(ip="60/h", email="2/h")
    results = [
        ratelimit.hit(_request(ip=f"198.51.100.{n}"), ACTION, email="same@example.jp")
        for n in range(3)
    ]
    assert results == [True, True, False]
    # The address is compared without case: the same mailbox.
    assert not ratelimit.hit(_request(ip="198.51.100.99"), ACTION, email="SAME@example.jp")


def test_it_limits_per_account(rates, db):
    rates(user="2/h")
    user = factories.make_user()
    results = [ratelimit.hit(_request(ip=f"198.51.100.{n}", user=user), ACTION) for n in range(3)]
    assert results == [True, True, False]
    assert ratelimit.hit(_request(user=factories.make_user()), ACTION)


def test_an_anonymous_request_is_not_counted_per_account(rates):
    rates(user="1/h")
    from django.contrib.auth.models import AnonymousUser

    assert _hits(_request(user=AnonymousUser()), 3) == [True, True, True]


def test_an_empty_identity_is_not_counted(rates):
    rates(email="1/h")
    assert _hits(_request(), 3, email="") == [True, True, True]


def test_an_action_without_rates_is_never_limited(settings):
    settings.RATE_LIMITS = {}
    assert all(_hits(_request(), 50, email="a@example.jp"))


def test_the_forwarded_address_is_ignored_without_trusted_proxies(rates, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = _request(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ratelimit.client_ip(request) == "10.0.0.1"
    # A client cannot escape the limit by sending a new X-Forwarded-For each time.
    rates(ip="2/h")
    results = [
        ratelimit.hit(_request(ip="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"), ACTION)
        for n in range(3)
    ]
    assert results == [True, True, False]


def test_behind_a_trusted_proxy_the_address_it_saw_counts(rates, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The client put a forged address first; the proxy appended the one it saw.
    request = _request(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.9")
    assert ratelimit.client_ip(request) == "203.0.113.9"
    rates(ip="1/h")
    assert ratelimit.hit(_request(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1"), ACTION)
    assert ratelimit.hit(_request(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.2"), ACTION)
    assert not ratelimit.hit(
        _request(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.2"), ACTION
    )


def test_with_too_few_forwarded_addresses_the_peer_counts(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = _request(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ratelimit.client_ip(request) == "10.0.0.1"


def test_it_fails_open_when_the_cache_is_down(rates, monkeypatch, caplog):
    rates(ip="1/h", email="1/h")

    def broken(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(ratelimit.cache, "add", broken)
    assert _hits(_request(), 3, email="a@example.jp") == [True, True, True]
    assert "rate limit cache unavailable" in caplog.text


def test_counts_expire_with_the_window(rates):
    rates(ip="1/h")
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False) as t:
        assert _hits(_request(), 2) == [True, False]
        t.shift(dt.timedelta(minutes=59))
        assert not ratelimit.hit(_request(), ACTION)
        t.shift(dt.timedelta(minutes=2))  # an hour after the first attempt
        assert ratelimit.hit(_request(), ACTION)


def test_passing_a_limit_writes_one_line_to_the_security_log(rates, caplog):
    """ASVS 16.3.3: the first refused attempt of a window is logged with the action, what was
    counted and from where — once, so a flood of refused requests writes one line — and the
    typed e-mail address itself is not written."""
    rates(ip="2/h", email="5/h")
    with caplog.at_level("INFO", logger="muroran_kyodo.security"):
        _hits(_request(), 12, email="victim@example.jp")
    lines = [r.getMessage() for r in caplog.records if r.name == "muroran_kyodo.security"]
    events = [json.loads(line) for line in lines]
    # 12 attempts, 10 refused: one line when the address passed its limit, one for the e-mail.
    assert [e["counted_by"] for e in events] == ["ip", "email"]
    for event in events:
        assert event["event"] == "rate_limited"
        assert event["action"] == ACTION
        assert event["ip"] == "203.0.113.5"
    assert "victim@example.jp" not in "".join(lines)


def test_within_the_limit_nothing_is_logged(rates, caplog):
    rates(ip="5/h")
    with caplog.at_level("INFO", logger="muroran_kyodo.security"):
        _hits(_request(), 5)
    assert not [r for r in caplog.records if r.name == "muroran_kyodo.security"]
