"""One-time links e-mailed to an account's own address (`AccountLink`): issued, looked at and
redeemed here; the flows that use them are `accounts.staff_enrolment` and `accounts.lockout`."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .models import AccountLink

if TYPE_CHECKING:
    from muroran_kyodo.lib.typing import User


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(*, user: User, purpose: str, lifetime: dt.timedelta) -> str:
    """A new link for `user`: its token (to put in the e-mail; only its hash is stored).

    1. delete the account's earlier links of this purpose (only the newest works);
    2. store the hash of 256 random bits with the expiry.
    """
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        AccountLink.objects.filter(user=user, purpose=purpose).delete()
        AccountLink.objects.create(
            user=user,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    return token


def find(token: str, *, purpose: str) -> AccountLink | None:
    """The usable link with this token (not used, not expired), without using it."""
    if not token or len(token) > 100:
        return None
    return (
        AccountLink.objects.usable()
        .filter(purpose=purpose, token_hash=token_hash(token))
        .select_related("user")
        .first()
    )


def redeem(token: str, *, purpose: str, user: User | None = None) -> AccountLink | None:
    """Use the link once: the link, or None when it is unknown, used, expired or (with `user`)
    another account's — which is then left unused for its owner. Compare-and-set on `used_at`,
    so two requests at the same moment cannot both use it."""
    link = find(token, purpose=purpose)
    if link is None or (user is not None and link.user_id != user.pk):
        return None
    now = timezone.now()
    changed = AccountLink.objects.usable(now=now).filter(pk=link.pk).update(used_at=now)
    if changed != 1:
        return None
    link.used_at = now
    return link
