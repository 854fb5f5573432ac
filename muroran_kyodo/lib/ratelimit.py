"""Limits on actions that create records or send mail, counted in the shared cache.

Each action has its rates in `settings.RATE_LIMITS`, per kind of key:

    RATE_LIMITS = {
        "publiccomment.submission": {"ip": "60/h", "email": "10/h", "user": "10/h"},
    }

`ip` counts per client address (generous: a household or an office shares one), `user` per
signed-in account, `email` (or any other named identity the caller passes) per value typed.
`hit(request, action, email=…)` counts one attempt against every key that applies and says
whether all were still within their limits; views call it only once the form is valid, so a
mistyped form costs nothing, and show `LIMITED` next to the form, keeping what was typed.

Fixed windows (a counter that expires `seconds` after its first hit): simple, and enough to
stop a burst. With the cache unreachable the action is allowed and one line logged (fail
open): a resident's opinion is not refused because Redis is down. Sign-in is the exception:
it fails closed (`accounts.lockout`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cache import CacheUnavailable, required

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("muroran_kyodo.security")

LIMITED = _(
    "Too many submissions from here in a short time. Please wait a while and send again: "
    "what you typed is kept."
)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'10/h', '5/10m', '100/d'."""
        count, per = text.split("/")
        unit = per[-1]
        amount = int(per[:-1] or 1)
        return cls(int(count), amount * _UNITS[unit])


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address
    the nearest trusted proxy saw (never a value the client could set)."""
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _cache_key(action: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{kind}:{value}".lower().encode()).hexdigest()[:32]
    return f"rl:{action}:{kind}:{digest}"


def _count(key: str, rate: Rate) -> int:
    cache.add(key, 0, rate.seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, rate.seconds)
        return 1


def hit(request: HttpRequest, action: str, **identities: str) -> bool:
    """Count one attempt of `action`; True while every applicable key is within its limit."""
    rates = getattr(settings, "RATE_LIMITS", {}).get(action, {})
    keys: dict[str, str] = {"ip": client_ip(request)}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys["user"] = str(user.pk)
    keys.update({kind: value for kind, value in identities.items() if value})
    allowed = True
    for kind, value in keys.items():
        if kind not in rates or not value:
            continue
        rate = Rate.parse(rates[kind])
        try:
            with required():
                count = _count(_cache_key(action, kind, value), rate)
        except CacheUnavailable:  # the cache is down (logged once by it): fail open
            logger.warning("rate limit of %s not counted: the shared cache is unreachable", action)
            break
        except Exception:  # the cache failing otherwise: fail open, loudly
            logger.exception("rate limit cache unavailable for %s", action)
            continue
        if count > rate.count:
            allowed = False
            if count == rate.count + 1:
                # Once per window and key, so a flood writes one line, not one per request.
                _log_refusal(request, action, kind, rate)
    return allowed


def _log_refusal(request: HttpRequest, action: str, kind: str, rate: Rate) -> None:
    """One line in the security log (ASVS 16.3.3) when a limit is first passed: the action,
    what was counted (ip, user, email — the typed address itself is not written), from where."""
    user = getattr(request, "user", None)
    security_logger.info(
        json.dumps(
            {
                "event": "rate_limited",
                "action": action,
                "counted_by": kind,
                "limit": f"{rate.count}/{rate.seconds}s",
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "ip": client_ip(request),
                "path": request.path[:200],
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
    )
