"""The second factor (TOTP or a passkey, allauth.mfa): who has one, who passed it in this
session, and where someone is sent when a page needs it.

Staff need it for the admin and their staff powers (`accounts.middleware`); subsidy reviewers
(審査委員) need it before any page of the applications they review (`subsidies.views`). Both
follow `settings.ADMIN_REQUIRE_MFA`, which only the embedded demo may switch off."""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .security_events import record

# A recovery code alone is not a second factor one could sign in with day to day.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user) -> bool:
    """An authenticator app (TOTP) or a passkey is set up for the account."""
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def passed_second_factor(request: HttpRequest) -> bool:
    """The second factor was given in this session (at sign-in or since, by TOTP, recovery code
    or passkey: allauth records each as "mfa")."""
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


def second_factor_required(request: HttpRequest) -> bool:
    return bool(settings.ADMIN_REQUIRE_MFA)


def send_to_second_factor(
    request: HttpRequest, *, set_up_message: str, event: str
) -> HttpResponseRedirect | None:
    """None when the signed-in user has passed the second factor in this session (or it is
    not required); otherwise the redirect that gets it: to the page that sets one up (with
    `set_up_message`) when the account has none, else to give the code and come back. The
    refusal is recorded in the audit log as `event`."""
    if not second_factor_required(request) or passed_second_factor(request):
        return None
    user = request.user
    if not has_second_factor(user):
        messages.warning(request, set_up_message)
        record(event, request, user, reason="no_second_factor_set_up")
        return redirect("mfa_index")
    record(event, request, user, reason="second_factor_not_passed")
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
