"""A resident adds a passkey from the account pages, in Chromium with a virtual
authenticator (the DevTools WebAuthn domain): allauth's WebAuthn scripts work under the site's
Content-Security-Policy (the fixture fails the test on any violation)."""

import pytest
from allauth.mfa.models import Authenticator

from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_resident_adds_a_passkey(new_context):
    user = factories.make_user("passkey@example.jp")
    context = new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.goto("/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/mypage/")
    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # adding a passkey asks for the password again
        page.fill("#id_password", factories.PASSWORD)
        page.press("#id_password", "Enter")
        page.wait_for_url("**/webauthn/add/")
    page.fill("#id_name", "わたしのスマホ")
    page.check("#id_passwordless")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()
