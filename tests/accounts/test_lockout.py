"""Failed sign-ins lock out the source, not the owner (accounts.lockout, issue 13): counted per
(address, client address); a locked browser can have an unlock link e-mailed to the account;
an address tried from many sources alerts staff once an hour; a cap per address from all
sources together, which the unlock link also opens."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AccountLink, SecurityEvent
from tests import factories
from tests.mailing import committed

LOCKED = "このメールアドレスへのログインの失敗が続いたため、ログインを一時的に止めています。"
OFFER = "このブラウザーからログインするためのリンクをメールで受け取る"
WRONG = "入力されたメールアドレスもしくはパスワードが正しくありません。"
UNLOCK_LINK = re.compile(r"http://[^\s]+/accounts/unlock/([\w-]+)/")
ATTACKER = "203.0.113.9"
HOME = "198.51.100.20"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _browser(ip):
    return Client(REMOTE_ADDR=ip)


def _login(client, email, password):
    # The staff's alert goes on commit, at the end of the request (the outbox).
    with committed():
        return client.post("/accounts/login/", {"login": email, "password": password})


def _fail(client, email, times):
    for _ in range(times):
        response = _login(client, email, "wrong-password")
        assert WRONG in response.content.decode() or LOCKED in response.content.decode()


def _signed_in_as(client, user):
    return client.session.get(SESSION_KEY) == str(user.pk)


def _request_unlock(client, email):
    with committed():
        return client.post("/accounts/unlock/", {"email": email})


def test_the_owner_signs_in_from_home_while_locked_out_elsewhere(clock, resident):
    attacker = _browser(ATTACKER)
    _fail(attacker, resident.email, 6)
    assert LOCKED in _login(attacker, resident.email, factories.PASSWORD).content.decode()

    home = _browser(HOME)
    response = _login(home, resident.email, factories.PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(home, resident)


def test_a_locked_source_is_refused_in_japanese_with_the_unlock_offer(clock, resident):
    browser = _browser(ATTACKER)
    _fail(browser, resident.email, 5)
    response = _login(browser, resident.email, factories.PASSWORD)
    page = response.content.decode()
    assert response.status_code == 200
    assert LOCKED in page and OFFER in page
    assert 'action="/accounts/unlock/"' in page
    assert not _signed_in_as(browser, resident)
    row = SecurityEvent.objects.filter(event="login_locked_out").get()
    assert row.email == resident.email and row.ip == ATTACKER
    assert row.detail == {"reason": "source_limit"}


def test_the_unlock_link_lets_that_browser_in_once(clock, resident):
    browser = _browser(ATTACKER)
    _fail(browser, resident.email, 5)
    assert LOCKED in _login(browser, resident.email, factories.PASSWORD).content.decode()

    response = _request_unlock(browser, resident.email)
    assert response.status_code == 200
    (message,) = mail.outbox
    assert message.to == [resident.email]
    token = UNLOCK_LINK.search(message.body).group(1)
    assert AccountLink.objects.get(user=resident).token_hash != token

    # A mail scanner's GET uses nothing.
    assert browser.get(f"/accounts/unlock/{token}/").status_code == 200
    response = browser.post(f"/accounts/unlock/{token}/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    response = _login(browser, resident.email, factories.PASSWORD)
    assert response.status_code == 302 and _signed_in_as(browser, resident)

    # Once only.
    other = _browser("192.0.2.55")
    response = other.post(f"/accounts/unlock/{token}/")
    assert response.status_code == 400
    assert "使用済み" in response.content.decode()


def test_the_unlock_link_expires(clock, resident, settings):
    browser = _browser(ATTACKER)
    _fail(browser, resident.email, 6)
    _request_unlock(browser, resident.email)
    token = UNLOCK_LINK.search(mail.outbox[0].body).group(1)
    clock.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT["UNLOCK_LINK_MINUTES"], seconds=1))
    assert browser.post(f"/accounts/unlock/{token}/").status_code == 400


def test_no_unlock_mail_for_a_browser_that_is_not_locked_out_and_the_same_answer(resident):
    browser = _browser(HOME)
    response = _request_unlock(browser, resident.email)
    assert response.status_code == 200
    assert mail.outbox == []
    # An unknown address gets the same page (no enumeration).
    unknown = _request_unlock(browser, "nobody@example.jp")

    def page(r):
        return CSRF.sub("", r.content.decode())

    assert page(unknown).replace("nobody@example.jp", resident.email) == page(response)


def test_unlock_mails_are_rate_limited_per_address(clock, resident):
    browser = _browser(ATTACKER)
    _fail(browser, resident.email, 6)
    for _ in range(3):
        assert _request_unlock(browser, resident.email).status_code == 200
    response = _request_unlock(browser, resident.email)
    assert response.status_code == 429
    assert len(mail.outbox) == 3
    # Only the newest link works.
    assert AccountLink.objects.filter(user=resident).count() == 1


def test_unlock_mail_goes_only_to_the_accounts_address(clock, resident):
    browser = _browser(ATTACKER)
    _fail(browser, "RESIDENT@example.jp", 6)
    _request_unlock(browser, "ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ")
    (message,) = mail.outbox
    assert message.to == ["resident@example.jp"]


def test_many_sources_alert_staff_once_an_hour(clock, resident, staff, settings):
    settings.ADMINS = [("Portal admins", "security@city.muroran.example.jp")]
    assert staff.groups.filter(name="地域生活課").exists()
    for n in range(5):
        _fail(_browser(f"203.0.113.{n + 1}"), resident.email, 1)
    alerts = [m for m in mail.outbox if "多数の接続元" in m.subject]
    assert len(alerts) == 1
    assert sorted(alerts[0].to) == sorted([staff.email, "security@city.muroran.example.jp"])
    assert resident.email in alerts[0].body
    event = SecurityEvent.objects.get(event="login_attacked")
    assert event.email == resident.email and event.detail == {"sources": 5}

    for n in range(5, 9):
        _fail(_browser(f"203.0.113.{n + 1}"), resident.email, 1)
    assert len([m for m in mail.outbox if "多数の接続元" in m.subject]) == 1

    clock.shift(dt.timedelta(hours=1, seconds=1))
    for n in range(5):
        _fail(_browser(f"198.51.100.{n + 1}"), resident.email, 1)
    assert len([m for m in mail.outbox if "多数の接続元" in m.subject]) == 2


def test_one_source_does_not_alert(clock, resident, staff):
    _fail(_browser(ATTACKER), resident.email, 8)
    assert not SecurityEvent.objects.filter(event="login_attacked").exists()
    assert mail.outbox == []


def test_the_cap_per_address_stops_spread_guessing_and_the_link_still_lets_the_owner_in(
    clock, resident, settings
):
    settings.LOGIN_LOCKOUT = {**settings.LOGIN_LOCKOUT, "ADDRESS_FAILURES_PER_HOUR": 6}
    Group.objects.get(name="地域生活課")
    for n in range(3):
        _fail(_browser(f"203.0.113.{n + 1}"), resident.email, 2)
    home = _browser(HOME)
    response = _login(home, resident.email, factories.PASSWORD)
    assert LOCKED in response.content.decode() and not _signed_in_as(home, resident)
    assert SecurityEvent.objects.filter(
        event="login_locked_out", ip=HOME, detail={"reason": "address_cap"}
    ).exists()

    _request_unlock(home, resident.email)
    token = UNLOCK_LINK.search(mail.outbox[-1].body).group(1)
    home.post(f"/accounts/unlock/{token}/")
    response = _login(home, resident.email, factories.PASSWORD)
    assert response.status_code == 302 and _signed_in_as(home, resident)


def test_an_unlocked_browser_gets_a_few_attempts_only(clock, resident):
    browser = _browser(ATTACKER)
    _fail(browser, resident.email, 5)
    _login(browser, resident.email, factories.PASSWORD)
    _request_unlock(browser, resident.email)
    token = UNLOCK_LINK.search(mail.outbox[0].body).group(1)
    browser.post(f"/accounts/unlock/{token}/")
    for _ in range(5):
        assert WRONG in _login(browser, resident.email, "wrong-password").content.decode()
    assert LOCKED in _login(browser, resident.email, factories.PASSWORD).content.decode()
