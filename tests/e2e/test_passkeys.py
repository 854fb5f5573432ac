"""Passkeys in Chromium with a virtual authenticator (the DevTools WebAuthn domain): a resident
adds one from the account pages, signs out, and signs in again with the passkey alone; without
it, or with a passkey the portal does not know, sign-in is refused with a message in Japanese.
allauth's WebAuthn scripts run under the site's Content-Security-Policy (the fixture fails the
test on any violation)."""

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A phone or laptop with a platform authenticator that keeps passkeys (resident keys) and
# verifies its user (fingerprint, PIN); presence is confirmed without a person touching it.
PLATFORM_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}
NOT_USED = "パスキーを使えませんでした"
REFUSED = "このパスキーではログインできませんでした"


def open_with_authenticator(new_context):
    """A page, its DevTools session and the id of a virtual authenticator attached to it."""
    context = new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": PLATFORM_AUTHENTICATOR})
    return page, cdp, added["authenticatorId"]


def sign_in_with_password(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/mypage/")


def add_passkey(page, expect, name="わたしのスマホ"):
    """From マイページ's two-step verification page, as a resident would."""
    page.get_by_role("link", name="二段階認証").click()
    page.wait_for_url("**/accounts/2fa/")
    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # adding a passkey asks for the password again
        page.fill("#id_password", factories.PASSWORD)
        page.press("#id_password", "Enter")
        page.wait_for_url("**/webauthn/add/")
    page.fill("#id_name", name)
    page.check("#id_passwordless")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)


def sign_out(page, expect):
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("link", name="ログイン", exact=True)).to_be_visible()


def sessions_of(user) -> list[dict]:
    """The decoded database sessions signed in as `user`."""
    decoded = [s.get_decoded() for s in Session.objects.filter(expire_date__gt=timezone.now())]
    return [d for d in decoded if d.get("_auth_user_id") == str(user.pk)]


def browser_session(page) -> SessionStore:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    key = cookies.get(settings.SESSION_COOKIE_NAME)
    assert key, "the browser has no session cookie"
    return SessionStore(session_key=key)


def test_a_resident_adds_a_passkey(new_context, expect):
    user = factories.make_user("passkey@example.jp")
    page, _, _ = open_with_authenticator(new_context)
    sign_in_with_password(page, user)

    add_passkey(page, expect)

    passkey = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "わたしのスマホ"
    assert passkey.wrap().is_passwordless is True
    assert passkey.last_used_at is None


def test_a_resident_signs_in_with_the_passkey_alone(new_context, expect):
    user = factories.make_user("passkey@example.jp", display_name="パスキーの人")
    page, _, _ = open_with_authenticator(new_context)
    sign_in_with_password(page, user)
    add_passkey(page, expect)
    sign_out(page, expect)
    assert sessions_of(user) == []
    passkey = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert passkey.last_used_at is None
    before = timezone.now()

    page.goto("/accounts/login/")
    expect(page.locator("#id_password")).to_have_value("")
    page.get_by_role("button", name="パスキーでログイン").click()

    page.wait_for_url("**/mypage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("マイページ")
    expect(page.get_by_text("パスキーの人")).to_be_visible()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None and passkey.last_used_at >= before
    # The browser's session is this resident's, signed in by the passkey with no password.
    session = browser_session(page)
    assert session["_auth_user_id"] == str(user.pk)
    methods = session["account_authentication_methods"]
    assert [m["method"] for m in methods] == ["mfa"]
    assert methods[0]["type"] == "webauthn" and methods[0]["passwordless"] is True
    assert methods[0]["id"] == passkey.pk
    assert len(sessions_of(user)) == 1


def test_without_the_authenticator_passkey_sign_in_is_refused_in_japanese(
    new_context, expect, assert_accessible
):
    user = factories.make_user("passkey@example.jp")
    page, cdp, authenticator_id = open_with_authenticator(new_context)
    sign_in_with_password(page, user)
    add_passkey(page, expect)
    sign_out(page, expect)
    # The phone holding the passkey is not at hand: this device has no passkey for the site.
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": PLATFORM_AUTHENTICATOR})

    page.goto("/accounts/login/")
    page.get_by_role("button", name="パスキーでログイン").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(NOT_USED)
    expect(alert).to_contain_text("メールアドレスとパスワードでログインしてください")
    expect(alert).to_be_focused()
    assert_accessible(page, "the sign-in page telling that the passkey was not used")
    assert page.url.endswith("/accounts/login/")
    expect(page.get_by_role("link", name="ログイン", exact=True)).to_be_visible()
    assert sessions_of(user) == []
    assert Authenticator.objects.get(user=user, type="webauthn").last_used_at is None


def test_a_passkey_the_portal_does_not_know_is_refused_in_japanese(new_context, expect):
    user = factories.make_user("passkey@example.jp")
    page, _, _ = open_with_authenticator(new_context)
    sign_in_with_password(page, user)
    add_passkey(page, expect)
    sign_out(page, expect)
    # The resident removed the passkey from the account (on another device): the phone still
    # offers it, the portal no longer accepts it.
    Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).delete()

    page.goto("/accounts/login/")
    page.get_by_role("button", name="パスキーでログイン").click()

    expect(page.locator(".message--error")).to_contain_text(REFUSED)
    expect(page.locator(".message--error")).to_contain_text(
        "メールアドレスとパスワードでログインしてください"
    )
    assert page.url.endswith("/accounts/login/")
    expect(page.get_by_role("link", name="ログイン", exact=True)).to_be_visible()
    assert sessions_of(user) == []
