"""Signing in with a passkey alone (allauth.mfa.webauthn, MFA_PASSKEY_LOGIN_ENABLED), without a
browser: the sign-in page carries allauth's passkey form and scripts (they go in base.html's
`extra_body` block: without it the "パスキーでログイン" button submitted a form that was not on
the page, and nothing happened), the scripts are served from 'self' for the CSP, failures are
told to the person in Japanese, and a credential the portal cannot match is refused with words
of its own. The ceremony itself runs in Chromium: tests/e2e/test_passkeys.py."""

import html
import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from accounts.models import SecurityEvent
from tests.conftest import login
from tests.factories import PASSWORD
from tests.soft_authenticator import CLIENT_HOST, SoftAuthenticator

LOGIN = "/accounts/login/"
PASSKEY_LOGIN = "/accounts/2fa/webauthn/login/"
ADD = "/accounts/2fa/webauthn/add/"
REAUTHENTICATE = "/accounts/2fa/webauthn/reauthenticate/"
PASSKEY_SCRIPTS = ["js/passkey-errors.js", "mfa/js/webauthn-json.js", "mfa/js/webauthn.js"]


def _script_tag(page: str, path: str) -> str:
    match = re.search(rf'<script src="{re.escape(static(path))}"[^>]*>', page)
    assert match, f"no <script> for {path}"
    return html.unescape(match.group(0))


@pytest.mark.django_db
def test_the_sign_in_page_carries_the_passkey_form_and_its_scripts(client):
    page = client.get(LOGIN).content.decode()

    assert re.search(r'<button[^>]*\bform="mfa_login"\s+id="passkey_login"', page)
    form = re.search(
        r'<form id="mfa_login" action="([^"]+)" method="post">(.*?)</form>', page, re.S
    )
    assert form, "the passkey button's form is not on the page"
    assert form.group(1) == PASSKEY_LOGIN
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert '<input type="hidden" name="credential" id="mfa_credential">' in form.group(2)
    assert 'data-allauth-onload="allauth.webauthn.forms.loginForm"' in page
    for path in [*PASSKEY_SCRIPTS, "account/js/onload.js"]:
        _script_tag(page, path)
    # Only files of the site's own origin, no inline code (the CSP allows nothing else).
    assert "<script>" not in page


def test_the_passkey_scripts_are_static_files_of_the_site():
    for path in [*PASSKEY_SCRIPTS, "account/js/onload.js"]:
        assert finders.find(path), path


@pytest.mark.django_db
def test_the_sign_in_page_has_the_japanese_messages_for_a_passkey_not_used(client):
    tag = _script_tag(client.get(LOGIN).content.decode(), "js/passkey-errors.js")

    assert (
        'data-not-allowed="パスキーを使えませんでした。操作が取り消されたか、時間切れになったか、'
        "この端末にこのポータルのパスキーがありません。もう一度お試しいただくか、"
        'メールアドレスとパスワードでログインしてください。"'
    ) in tag
    assert 'data-failed="パスキーの処理中に問題が起きました。' in tag
    assert 'data-exists="' in tag


@pytest.mark.django_db
def test_the_add_page_tells_a_signed_in_resident_without_offering_to_sign_in(client, resident):
    login(client, resident)
    # Adding a passkey asks for the password again first.
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302

    page = client.get("/accounts/2fa/webauthn/add/").content.decode()

    tag = _script_tag(page, "js/passkey-errors.js")
    assert "操作が取り消されたか、時間切れになりました。もう一度お試しください。" in tag
    assert "ログインしてください" not in tag
    assert 'data-allauth-onload="allauth.webauthn.forms.addForm"' in page


@pytest.mark.django_db
def test_pages_of_allauth_get_their_scripts_at_the_end_of_the_body(client, resident):
    """allauth's e-mail page asks before removing an address with a script in `extra_body`."""
    login(client, resident)

    page = client.get("/accounts/email/").content.decode()

    assert 'data-allauth-onload="allauth.account.forms.manageEmailForm"' in page
    _script_tag(page, "account/js/account.js")


@pytest.mark.django_db
def test_the_passkey_form_gets_the_options_for_the_browser(client):
    response = client.get(PASSKEY_LOGIN, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    options = response.json()["request_options"]["publicKey"]
    assert options["challenge"]
    assert options["rpId"] == "testserver"
    # Any passkey of the site may answer (a discoverable credential): no list of accounts.
    assert options.get("allowCredentials", []) == []


REFUSED = (
    "このパスキーではログインできませんでした。このポータルのアカウントに登録されていないか、"
    "確認できませんでした。メールアドレスとパスワードでログインしてください。"
)
# What a browser posts, in its shape (base64url fields), for a passkey no account holds; and the
# same without "rawId", which fido2 reads unchecked (a 500 before accounts.allauth_forms).
UNKNOWN = (
    '{"id": "bm90LW91cnM", "rawId": "bm90LW91cnM", "type": "public-key", "response": '
    '{"clientDataJSON": "e30", "authenticatorData": "AAAA", "signature": "AAAA", '
    '"userHandle": "MQ"}}'
)
WITHOUT_RAW_ID = '{"id": "bm90LW91cnM", "type": "public-key", "response": {}}'


@pytest.mark.django_db
@pytest.mark.parametrize("credential", [UNKNOWN, WITHOUT_RAW_ID], ids=["unknown", "no-rawId"])
def test_a_credential_the_portal_cannot_match_is_refused_in_japanese(client, resident, credential):
    client.get(PASSKEY_LOGIN, HTTP_ACCEPT="application/json")

    response = client.post(PASSKEY_LOGIN, {"credential": credential}, follow=True)

    assert response.redirect_chain == [(LOGIN, 302)]
    assert SESSION_KEY not in client.session
    [event] = SecurityEvent.objects.filter(event="passkey_login_failed")
    assert event.user is None and event.ip == "127.0.0.1"
    assert event.detail == {"credential_id": "bm90LW91cnM"}
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [REFUSED]
    assert messages[0] in response.content.decode()
    assert "コードが正しくありません" not in response.content.decode()


# --- the whole ceremony, with an authenticator in Python (tests/soft_authenticator.py) --------


def _add_passkey(client, user) -> SoftAuthenticator:
    client.force_login(user)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    page = client.get(ADD)
    authenticator = SoftAuthenticator()
    credential = authenticator.create(page.context["js_data"]["creation_options"])
    response = client.post(
        ADD, {"name": "わたしのスマホ", "passwordless": "on", "credential": credential}
    )
    assert response.status_code == 302, response.context["form"].errors
    return authenticator


@pytest.fixture
def local_client(client):
    """Requests to localhost: a passkey belongs to a domain name, and fido2 accepts plain http
    only there."""
    client.defaults.update(CLIENT_HOST)
    return client


@pytest.mark.django_db
def test_a_resident_signs_in_with_a_passkey_alone(local_client, resident):
    authenticator = _add_passkey(local_client, resident)
    passkey = Authenticator.objects.get(user=resident, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().is_passwordless is True and passkey.last_used_at is None
    local_client.post("/accounts/logout/")
    assert SESSION_KEY not in local_client.session

    options = local_client.get(PASSKEY_LOGIN, HTTP_ACCEPT="application/json").json()
    response = local_client.post(
        PASSKEY_LOGIN, {"credential": authenticator.get(options["request_options"])}
    )

    assert response.status_code == 302 and response.url == "/mypage/"
    assert local_client.session[SESSION_KEY] == str(resident.pk)
    [method] = local_client.session["account_authentication_methods"]
    assert (method["method"], method["type"], method["passwordless"]) == ("mfa", "webauthn", True)
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    events = SecurityEvent.objects.filter(user=resident).order_by("pk")
    assert [e.event for e in events][-2:] == ["mfa_used", "login"]
    assert events.get(event="mfa_used").detail["type"] == "webauthn"
    assert "はなこ" in local_client.get("/mypage/").content.decode()


@pytest.mark.django_db
def test_a_passkey_removed_from_the_account_no_longer_signs_in(local_client, resident):
    authenticator = _add_passkey(local_client, resident)
    local_client.post("/accounts/logout/")
    Authenticator.objects.filter(user=resident, type=Authenticator.Type.WEBAUTHN).delete()

    options = local_client.get(PASSKEY_LOGIN, HTTP_ACCEPT="application/json").json()
    response = local_client.post(
        PASSKEY_LOGIN, {"credential": authenticator.get(options["request_options"])}, follow=True
    )

    assert SESSION_KEY not in local_client.session
    assert [str(m) for m in response.context["messages"]][-1] == REFUSED


@pytest.mark.django_db
def test_an_assertion_for_an_old_challenge_does_not_sign_in(local_client, resident):
    """A signed answer captured once cannot be replayed: each sign-in has a challenge of its own."""
    authenticator = _add_passkey(local_client, resident)
    local_client.post("/accounts/logout/")
    old = local_client.get(PASSKEY_LOGIN, HTTP_ACCEPT="application/json").json()
    local_client.get(PASSKEY_LOGIN, HTTP_ACCEPT="application/json")

    response = local_client.post(
        PASSKEY_LOGIN, {"credential": authenticator.get(old["request_options"])}, follow=True
    )

    assert SESSION_KEY not in local_client.session
    assert [str(m) for m in response.context["messages"]][-1] == REFUSED


MALFORMED = {
    "no-rawId": '{"id": "YQ", "type": "public-key", "response": {}}',
    "id-not-rawId": '{"id": "YQ", "rawId": "Yg", "type": "public-key", "response": '
    '{"clientDataJSON": "YQ", "attestationObject": "YQ"}}',
    "not-base64": '{"id": "YQ", "rawId": "YQ", "type": "public-key", "response": '
    '{"clientDataJSON": "YQ", "attestationObject": "YQ", "authenticatorData": "YQ", '
    '"signature": "YQ"}}',
}


@pytest.mark.django_db
@pytest.mark.parametrize("credential", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_credential_is_a_form_error_everywhere(local_client, resident, credential):
    """What fido2 cannot parse was a 500 on the add and confirm pages (and sign-in)."""
    _add_passkey(local_client, resident)
    local_client.raise_request_exception = False

    local_client.get(ADD)
    add = local_client.post(ADD, {"name": "もう一つ", "credential": credential})
    confirm = local_client.post(REAUTHENTICATE, {"credential": credential})
    local_client.post("/accounts/logout/")
    local_client.get(PASSKEY_LOGIN, HTTP_ACCEPT="application/json")
    sign_in = local_client.post(PASSKEY_LOGIN, {"credential": credential}, follow=True)

    assert add.status_code == 200 and add.context["form"].errors
    assert confirm.status_code == 302
    assert [str(m) for m in sign_in.context["messages"]][-1] == REFUSED
    assert Authenticator.objects.filter(user=resident, type="webauthn").count() == 1
