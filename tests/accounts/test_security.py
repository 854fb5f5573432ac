"""Rate limits kept in the shared cache, pages for one person never cached, and the purpose
of personal data stated on every form that asks for it. (Admin MFA: test_admin_mfa.py.)"""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from tests import factories
from tests.mailing import committed

# accounts.lockout's refusal (allauth's own said only to wait).
TOO_MANY = "このメールアドレスへのログインの失敗が続いたため、ログインを一時的に止めています。"
WRONG = "入力されたメールアドレスもしくはパスワードが正しくありません。"


def _login(client, email, password, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def _fail(client, email, times, **extra):
    for _ in range(times):
        response = _login(client, email, "wrong-password", **extra)
        assert response.status_code == 200
        assert WRONG in response.content.decode()


# --- Sign-in rate limits ---------------------------------------------------------------------


def test_after_five_failed_attempts_from_one_source_even_the_right_password_is_refused_there(
    client, resident
):
    _fail(client, "resident@example.jp", 5)
    response = _login(client, "resident@example.jp", factories.PASSWORD)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_address_limit_also_counts_full_width_and_upper_case_spellings(client, resident):
    _fail(client, "RESIDENT@example.jp", 3)
    _fail(client, "ｒｅｓｉｄｅｎｔ＠ｅｘａｍｐｌｅ．ｊｐ", 2)
    response = _login(client, "resident@example.jp", factories.PASSWORD)
    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_four_failed_attempts_still_let_the_owner_in(client, resident):
    _fail(client, "resident@example.jp", 4)
    response = _login(client, "resident@example.jp", factories.PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(resident.pk)


def test_the_address_limit_does_not_lock_out_other_people(client, resident, member):
    _fail(client, "resident@example.jp", 5)
    response = _login(client, "member@example.jp", factories.PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(member.pk)


def test_the_address_limit_wears_off_after_five_minutes(client, resident):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _fail(client, "resident@example.jp", 5)
        clock.shift(dt.timedelta(minutes=4))
        assert (
            TOO_MANY in _login(client, "resident@example.jp", factories.PASSWORD).content.decode()
        )
        clock.shift(dt.timedelta(minutes=2))
        response = _login(client, "resident@example.jp", factories.PASSWORD)
        # Read inside the frozen clock: the session's expiry is measured from it.
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(resident.pk)


def test_ten_failures_from_one_address_block_that_ip_for_everyone(client, resident, member):
    for n in range(10):
        _fail(client, f"guess{n}@example.jp", 1)
    response = _login(client, "member@example.jp", factories.PASSWORD)
    assert TOO_MANY in response.content.decode()
    # Another computer is not affected.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert _login(other, "member@example.jp", factories.PASSWORD).status_code == 302


def test_rate_limit_counters_live_in_the_django_cache(client, resident):
    _fail(client, "resident@example.jp", 5)
    assert TOO_MANY in _login(client, "resident@example.jp", factories.PASSWORD).content.decode()
    cache.clear()  # every gunicorn worker shares this cache (CACHE_URL=redis://…)
    response = _login(client, "resident@example.jp", factories.PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(resident.pk)


def test_too_many_sign_in_requests_get_429(client, db):
    for n in range(30):
        _login(client, f"someone{n}@example.jp", "wrong-password")
    response = _login(client, "someone@example.jp", "wrong-password")
    assert response.status_code == 429


def test_password_reset_mails_to_one_address_are_limited(client, resident):
    with committed():  # the mails go once the requests' writes commit (the outbox)
        for _ in range(5):
            assert (
                client.post(
                    "/accounts/password/reset/", {"email": "resident@example.jp"}
                ).status_code
                == 302
            )
        response = client.post("/accounts/password/reset/", {"email": "resident@example.jp"})
    assert response.status_code == 429
    assert len(mail.outbox) == 5


def test_password_reset_mails_to_one_address_are_also_limited_per_hour(client, resident):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with committed():
            for _ in range(2):
                for _ in range(5):
                    client.post("/accounts/password/reset/", {"email": "resident@example.jp"})
                traveller.shift(dt.timedelta(minutes=2))
            response = client.post("/accounts/password/reset/", {"email": "resident@example.jp"})
        assert response.status_code == 429
        assert len(mail.outbox) == 10
        # Another address is not affected.
        assert (
            client.post("/accounts/password/reset/", {"email": "x@example.jp"}).status_code == 302
        )


def test_sign_ups_from_one_address_are_also_limited_per_hour(client, db):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            for _ in range(20):
                assert client.post("/accounts/signup/", {}).status_code == 200
            traveller.shift(dt.timedelta(minutes=2))
        assert client.post("/accounts/signup/", {}).status_code == 429
        other = Client(REMOTE_ADDR="198.51.100.7")
        assert other.post("/accounts/signup/", {}).status_code == 200


# --- Caching of personal pages ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/mypage/",
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/",  # the header shows who is signed in
        "/organizations/",
    ],
)
def test_pages_for_a_signed_in_person_are_no_store(client, resident, path):
    client.force_login(resident)
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/confirm-email/",
    ],
)
def test_account_pages_are_no_store_even_for_anonymous_visitors(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_redirect_to_sign_in_from_my_page_is_no_store(client, db):
    response = client.get("/mypage/")
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/", "/guideline/", "/figures/", "/organizations/", "/privacy/", "/opendata/"]
)
def test_public_pages_may_be_cached_for_anonymous_visitors(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- Purpose of use (利用目的) ----------------------------------------------------------------


def _purpose_box(html: str) -> str:
    match = re.search(r'<aside class="purpose"[^>]*>(.*?)</aside>', html, re.S)
    assert match, "no purpose box"
    return match.group(1)


def test_privacy_page_explains_what_is_collected(client, db):
    response = client.get("/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    with override("ja"):
        heading = escape(gettext("How the city handles personal information"))
    assert f"<h1>{heading}</h1>" in html
    assert "051-8511" in html  # where to ask


def test_signup_form_states_the_purpose_and_links_to_the_privacy_page(client, db):
    box = _purpose_box(client.get("/accounts/signup/").content.decode())
    assert 'href="/privacy/"' in box
    assert 'id="purpose-title"' in box


def test_profile_form_states_the_purpose_and_links_to_the_privacy_page(client, resident):
    client.force_login(resident)
    box = _purpose_box(client.get("/accounts/profile/").content.decode())
    assert 'href="/privacy/"' in box
    assert 'id="purpose-title"' in box
