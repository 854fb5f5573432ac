"""Failed sign-ins lock out the source, not the owner (issue 13).

allauth's `login_failed` limit (ACCOUNT_RATE_LIMITS: per client address, and per key) is kept,
with its key made the pair (e-mail address, client address): an attacker elsewhere exhausts
only their own pair, and the owner still signs in from home. Besides it:

- a cap per address from all sources together (LOGIN_LOCKOUT["ADDRESS_FAILURES_PER_HOUR"]) slows
  guessing spread over many sources;
- a browser refused by either can have an unlock link e-mailed to the account's own address
  (rate-limited; single use; expiring): followed, that browser may sign in to that address
  again, a few attempts, despite both;
- when one address fails from many sources in an hour (LOGIN_LOCKOUT["ALERT_SOURCES_PER_HOUR"]),
  staff (地域生活課 and ADMINS) get one mail per address and hour, and the audit log an event.

Counters live in the shared cache (Redis in production). With it unreachable a sign-in (and a
re-authentication: both check a password) is refused with `SIGN_IN_UNAVAILABLE` on the form:
fail closed, unlike RATE_LIMITS, or stopping Redis would make guessing unlimited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from muroran_kyodo.lib.cache import CacheUnavailable, required
from muroran_kyodo.lib.mail import absolute_url, send
from muroran_kyodo.lib.outbox import OutboxBackend
from muroran_kyodo.lib.ratelimit import client_ip

from . import links
from .models import AccountLink
from .security_events import count_in_cache, record

if TYPE_CHECKING:
    from django.core.mail import EmailMessage
    from django.http import HttpRequest

    from muroran_kyodo.lib.typing import User

logger = logging.getLogger(__name__)

PURPOSE = AccountLink.Purpose.LOGIN_UNLOCK
SESSION_KEY = "login_unlocked"
HOUR = 3600
# Attempts an unlocked browser gets before it is locked again.
UNLOCKED_ATTEMPTS = 5
# The staff group told when an address is attacked from many sources (with ADMINS).
ALERT_GROUPS = ("地域生活課",)

LOCKED = _(
    "Too many failed sign-in attempts for this address. Please wait a while and try again. "
    "If this is your account, we can e-mail you a link that lets you sign in from this browser "
    "straight away."
)


SIGN_IN_UNAVAILABLE = _(
    "Signing in is not possible just now: a part of the site that protects accounts against "
    "password guessing is being restored. Please try again in a few minutes."
)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).lower().encode()).hexdigest()[:32]


def normalize(email: str) -> str:
    return get_user_model()._default_manager.normalize_email(email or "")  # type: ignore[attr-defined]


def _config(name: str) -> int:
    return int(settings.LOGIN_LOCKOUT[name])


# --- the state of an address -----------------------------------------------------------------


def address_capped(email: str) -> bool:
    """Whether the address has failed too often from all sources; `CacheUnavailable` when the
    counters cannot be read (the caller refuses the sign-in: fail closed)."""
    try:
        with required():
            failures = cache.get(f"lockout:failures:{_digest(email)}", 0)
    except CacheUnavailable:
        raise
    except Exception as error:  # another cache failing: the same
        raise CacheUnavailable(str(error)) from error
    return failures >= _config("ADDRESS_FAILURES_PER_HOUR")


def mark_locked(request: HttpRequest, email: str) -> None:
    """Remember that this source was refused this address: the unlock link is offered to it."""
    try:
        cache.set(f"lockout:locked:{_digest(email, client_ip(request))}", 1, HOUR)
    except Exception:
        logger.exception("lock-out cache unavailable")


def is_locked_for(request: HttpRequest, email: str) -> bool:
    try:
        return bool(cache.get(f"lockout:locked:{_digest(email, client_ip(request))}"))
    except Exception:
        logger.exception("lock-out cache unavailable")
        return False


def unlocked(request: HttpRequest, email: str) -> bool:
    mark = request.session.get(SESSION_KEY)
    return bool(
        isinstance(mark, dict)
        and mark.get("email") == email
        and mark.get("remaining", 0) > 0
        and time.time() - float(mark.get("at", 0)) < HOUR
    )


def note_failure(request: HttpRequest, email: str) -> None:
    """Count a failed password for `email` from this source; alert staff when the address is
    tried from many sources in an hour."""
    if not email:
        return
    mark = request.session.get(SESSION_KEY)
    if isinstance(mark, dict) and mark.get("email") == email:
        request.session[SESSION_KEY] = {**mark, "remaining": int(mark.get("remaining", 0)) - 1}
    try:
        count_in_cache(f"lockout:failures:{_digest(email)}", HOUR)
        ip = client_ip(request)
        sources = cache.get(f"lockout:sources:{_digest(email)}", 0)
        if cache.add(f"lockout:source:{_digest(email, ip)}", 1, HOUR):
            sources = count_in_cache(f"lockout:sources:{_digest(email)}", HOUR)
        if sources >= _config("ALERT_SOURCES_PER_HOUR") and cache.add(
            f"lockout:alerted:{_digest(email)}", 1, HOUR
        ):
            alert_staff(request, email, sources)
    except Exception:
        logger.exception("lock-out cache unavailable")


def alert_staff(request: HttpRequest, email: str, sources: int) -> None:
    record("login_attacked", request, email=email, sources=sources)
    staff = (
        get_user_model()
        ._default_manager.filter(is_active=True, is_staff=True, groups__name__in=ALERT_GROUPS)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    recipients = sorted({*staff, *(address for _name, address in settings.ADMINS)})
    send(
        "accounts_login_attacked",
        recipients,
        {
            "email": email,
            "sources": sources,
            "threshold": _config("ALERT_SOURCES_PER_HOUR"),
            "events_url": absolute_url(reverse("admin:accounts_securityevent_changelist")),
        },
    )


# --- the unlock link -------------------------------------------------------------------------


def send_unlock_link(request: HttpRequest, email: str) -> bool:
    """E-mail the account with this address an unlock link, if this source is locked out of it;
    True if sent. The caller answers the same either way (no enumeration)."""
    if not is_locked_for(request, email):
        return False
    user = get_user_model()._default_manager.filter(email=email, is_active=True).first()
    if user is None or not user.email:
        return False
    minutes = _config("UNLOCK_LINK_MINUTES")
    token = links.issue(user=user, purpose=PURPOSE, lifetime=dt.timedelta(minutes=minutes))
    send(
        "accounts_login_unlock",
        [user.email],
        {
            "user": user,
            "url": absolute_url(reverse("login_unlock_link", args=[token])),
            "minutes": minutes,
        },
    )
    record("login_unlock_link_sent", request, user)
    return True


def unlock(request: HttpRequest, token: str) -> User | None:
    """Follow the unlock link: this browser may sign in to the account again (a few attempts,
    within the hour)."""
    link = links.redeem(token, purpose=PURPOSE)
    if link is None:
        record("login_unlock_link_refused", request)
        return None
    request.session[SESSION_KEY] = {
        "email": normalize(link.user.email),
        "remaining": UNLOCKED_ATTEMPTS,
        "at": time.time(),
    }
    record("login_unlocked", request, link.user)
    return link.user


# --- allauth's adapter -------------------------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with the lock-out above, recording it in the audit log; its e-mails
    (address confirmation, password reset, sign-in codes) go through the portal's outbox."""

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        # Rendered as allauth renders it; its `send()` (allauth's send_mail) puts it in the
        # outbox, delivered once the request's transaction commits and retried if that fails.
        message = super().render_mail(template_prefix, email, context, headers)
        message.connection = OutboxBackend(name=template_prefix)
        return message

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth's key is "<site>:<address>": one per (address, source) instead.
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_ip(request)}"
        )

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        email = normalize(_typed_login(credentials))
        if email and unlocked(request, email):
            self._login_failed_rl_usage = None
            return
        try:
            capped = address_capped(email)
        except CacheUnavailable:
            # Failures could not be counted: guessing would be unlimited. Refused, with words
            # of its own (no unlock link: that needs the counters too).
            logger.warning("sign-in refused: the shared cache is unreachable")
            record("login_locked_out", request, email=email, reason="cache_unavailable")
            raise ValidationError(SIGN_IN_UNAVAILABLE, code="sign_in_unavailable") from None
        if email and capped:
            self._refuse(request, email, reason="address_cap")
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            self._refuse(request, email, reason="source_limit")

    def _refuse(self, request: HttpRequest, email: str, *, reason: str) -> None:
        record("login_locked_out", request, email=email, reason=reason)
        mark_locked(request, email)
        # The sign-in page offers the unlock link for this address (accounts.allauth_forms).
        request.login_locked_email = email  # type: ignore[attr-defined]
        raise ValidationError(LOCKED, code="too_many_login_attempts")

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        super().authentication_failed(request, **credentials)
        note_failure(request, normalize(_typed_login(credentials)))

    def login(self, request: HttpRequest, user: User) -> None:  # type: ignore[override]
        super().login(request, user)
        request.session.pop(SESSION_KEY, None)


def _typed_login(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")[:254]
