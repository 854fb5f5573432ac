"""A passkey authenticator in Python, for tests without a browser: it answers the options the
portal (allauth.mfa.webauthn, fido2) gives with what a browser would post — a credential made
with an ES256 key of its own ("none" attestation), and assertions signed with it, with the user
present and verified. WebAuthn binds a passkey to a domain name, and fido2 accepts plain http
only on localhost: use it with a test client whose requests go to localhost (`CLIENT_HOST`)."""

from __future__ import annotations

import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.utils import sha256, websafe_decode, websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CoseKey,
)

CLIENT_HOST = {"SERVER_NAME": "localhost", "HTTP_HOST": "localhost"}
ORIGIN = "http://localhost"


def _client_data(kind: str, challenge: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": ORIGIN, "crossOrigin": False}
    ).encode()


class SoftAuthenticator:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.user_handle: bytes | None = None
        self.counter = 0

    def create(self, creation_options: dict) -> str:
        """The credential (JSON) for `creation_options` (allauth's js_data "creation_options")."""
        options = creation_options["publicKey"]
        self.user_handle = websafe_decode(options["user"]["id"])
        client_data = _client_data("webauthn.create", options["challenge"])
        credential_data = AttestedCredentialData.create(
            Aaguid.NONE,
            self.credential_id,
            CoseKey.for_alg(-7).from_cryptography_key(self.key.public_key()),
        )
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV | AuthenticatorData.FLAG.AT
        auth_data = AuthenticatorData.create(
            sha256(options["rp"]["id"].encode()), flags, self.counter, credential_data
        )
        attestation = AttestationObject.create("none", auth_data, {})
        return self._credential(
            {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(bytes(attestation)),
                "transports": ["internal"],
            },
            # A discoverable credential (a passkey), as browsers report it.
            extensions={"credProps": {"rk": True}},
        )

    def get(self, request_options: dict) -> str:
        """The signed assertion (JSON) for `request_options` (what mfa_login_webauthn gives)."""
        options = request_options["publicKey"]
        self.counter += 1
        client_data = _client_data("webauthn.get", options["challenge"])
        auth_data = AuthenticatorData.create(
            sha256(options["rpId"].encode()),
            AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV,
            self.counter,
        )
        signature = self.key.sign(bytes(auth_data) + sha256(client_data), ec.ECDSA(hashes.SHA256()))
        assert self.user_handle is not None, "create() first"
        return self._credential(
            {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(bytes(auth_data)),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(self.user_handle),
            }
        )

    def _credential(self, response: dict, extensions: dict | None = None) -> str:
        return json.dumps(
            {
                "id": websafe_encode(self.credential_id),
                "rawId": websafe_encode(self.credential_id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "response": response,
                "clientExtensionResults": extensions or {},
            }
        )
