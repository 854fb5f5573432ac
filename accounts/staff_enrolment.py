"""The first second-factor enrolment of a staff account needs a one-time link e-mailed to the
account's own address (issue 13): a staff password alone never reaches staff powers.

When an account gets staff rights (is_staff or is_superuser turned on: in the admin, by
`createsuperuser`, in code) or a staff account loses its last authenticator, a link goes to its
address (`send_link`, on commit). Until the person, signed in with the password, follows the
link in that browser session (`grant`), `AdminSecondFactorMiddleware` keeps the enrolment pages
of allauth.mfa closed to the account and its staff powers off; the enrolment page
(`staff_enrolment`) says to use the link and sends a new one on request.

Only with ADMIN_REQUIRE_MFA: the demo (DEBUG, ADMIN_REQUIRE_MFA=false) gives staff powers to a
password anyway, so no link is sent or asked for there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, TextIO

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from muroran_kyodo.lib.mail import absolute_url, send

from . import links
from .models import AccountLink
from .security_events import record

if TYPE_CHECKING:
    from django.http import HttpRequest

    from muroran_kyodo.lib.typing import User

PURPOSE = AccountLink.Purpose.STAFF_ENROLMENT
SESSION_KEY = "staff_enrolment_granted"
# Once the link is followed, the session may enrol for this long.
GRANT_SECONDS = 3600
# The allauth.mfa pages that add an authenticator.
ENROLMENT_URL_NAMES = frozenset(
    {"mfa_activate_totp", "mfa_add_webauthn", "mfa_signup_webauthn", "mfa_generate_recovery_codes"}
)

# `createsuperuser` sets this: the links it causes are printed for the operator at the console.
_console: ContextVar[TextIO | None] = ContextVar("staff_enrolment_console", default=None)
# Seeding sets this (`links_not_sent`): demo, benchmark and test accounts get no e-mail.
_not_sent: ContextVar[bool] = ContextVar("staff_enrolment_not_sent", default=False)


@contextlib.contextmanager
def links_not_sent() -> Iterator[None]:
    """Accounts given staff rights inside this block get no link by e-mail: for code that
    seeds accounts set up otherwise (the demo, the benchmark, test factories). The gate is not
    lifted: such an account without an authenticator still needs a link (its page sends one)."""
    token = _not_sent.set(True)
    try:
        yield
    finally:
        _not_sent.reset(token)


@contextlib.contextmanager
def links_printed_to(stream: TextIO) -> Iterator[None]:
    token = _console.set(stream)
    try:
        yield
    finally:
        _console.reset(token)


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.STAFF_ENROLMENT_LINK_HOURS)


def has_staff_rights(user: User) -> bool:
    return bool(user.is_active and (user.is_staff or user.is_superuser))


def has_authenticator(user: User) -> bool:
    """An authenticator that is a second factor of its own (recovery codes need one)."""
    return (
        Authenticator.objects.filter(user_id=user.pk)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )


def needs_link(user: User) -> bool:
    return bool(
        settings.ADMIN_REQUIRE_MFA
        and user.email
        and has_staff_rights(user)
        and not has_authenticator(user)
    )


def send_link(user: User, *, reason: str, request: HttpRequest | None = None) -> bool:
    """E-mail `user` a new enrolment link (the older one dies); True if sent. Nothing is sent
    when the account does not need one (not staff, already enrolled, the demo)."""
    if not needs_link(user):
        return False
    token = links.issue(user=user, purpose=PURPOSE, lifetime=lifetime())
    url = absolute_url(reverse("staff_enrolment_link", args=[token]))
    send(
        "accounts_staff_enrolment",
        [user.email],
        {"user": user, "url": url, "hours": settings.STAFF_ENROLMENT_LINK_HOURS},
    )
    record("staff_enrolment_link_sent", request, user, reason=reason)
    console = _console.get()
    if console is not None:
        console.write(
            f"Second-factor enrolment link for {user.email} (also e-mailed; single use, "
            f"valid {settings.STAFF_ENROLMENT_LINK_HOURS} h; sign in first, then open it in "
            f"the same browser):\n  {url}\n"
        )
    return True


def send_link_on_commit(user_id: int, *, reason: str) -> None:
    """After the transaction that gave the rights (or removed the authenticator) commits."""
    if _not_sent.get():
        return
    pk = user_id
    console = _console.get()  # the command's console, when the commit comes after it

    def _send() -> None:
        from django.contrib.auth import get_user_model

        fresh = get_user_model()._default_manager.filter(pk=pk).first()
        if fresh is None:
            return
        # Several authenticators deleted in one go: one link, not one per row.
        recent = timezone.now() - dt.timedelta(seconds=30)
        if (
            AccountLink.objects.usable()
            .filter(user=fresh, purpose=PURPOSE, created_at__gte=recent)
            .exists()
        ):
            return
        token = _console.set(console)
        try:
            send_link(fresh, reason=reason)
        finally:
            _console.reset(token)

    transaction.on_commit(_send)


def grant(request: HttpRequest, token: str) -> bool:
    """Follow the link: for the signed-in account only (another account's link stays unused),
    once. The session may then enrol for GRANT_SECONDS."""
    link = links.redeem(token, purpose=PURPOSE, user=request.user)  # type: ignore[arg-type]
    if link is None:
        record("staff_enrolment_link_refused", request, request.user)
        return False
    request.session[SESSION_KEY] = {"user": request.user.pk, "at": time.time()}
    record("staff_enrolment_link_used", request, request.user)
    return True


def granted(request: HttpRequest) -> bool:
    mark = request.session.get(SESSION_KEY)
    return bool(
        isinstance(mark, dict)
        and mark.get("user") == request.user.pk
        and time.time() - float(mark.get("at", 0)) < GRANT_SECONDS
    )


# --- when a link is sent ---------------------------------------------------------------------


def _rights_gained(sender, user, **kwargs) -> None:
    send_link_on_commit(user.pk, reason="staff_rights_gained")


def _authenticator_deleted(sender, instance, **kwargs) -> None:
    if instance.type == Authenticator.Type.RECOVERY_CODES:
        return
    # needs_link, on commit, checks the account is staff and has no authenticator left.
    send_link_on_commit(instance.user_id, reason="authenticators_removed")


# --- when the last authenticator goes, the sessions it vouched for lose staff powers ---------


def withdraw_second_factor(request: HttpRequest, user: User) -> None:
    """A staff account has no authenticator left: the second factor its sessions gave came
    from one that is gone. The person's other sessions end; in `request`'s session, when it
    is theirs, the record of the second factor is struck out (they stay signed in, without
    staff powers, until they enrol again with the e-mailed link)."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    own = getattr(request, "user", None) is not None and request.user.pk == user.pk
    sessions = UserSession.objects.filter(user_id=user.pk)
    if own:
        sessions = sessions.exclude(session_key=request.session.session_key)
        methods = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            m for m in methods if m.get("method") != "mfa"
        ]
    get_adapter().end_sessions(list(sessions))
    record("staff_second_factor_withdrawn", request, user)


def authenticators_removed(request: HttpRequest, user: User) -> None:
    """Call after authenticators of `user` were deleted in `request` (the admin's delete)."""
    if has_staff_rights(user) and not has_authenticator(user):
        withdraw_second_factor(request, user)


def _authenticator_removed(sender, request, authenticator, **kwargs) -> None:
    # allauth.mfa's signal: the person removed one of their own on their account pages.
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        authenticators_removed(request, authenticator.user)


def connect() -> None:
    from allauth.mfa.signals import authenticator_removed
    from django.db.models.signals import post_delete

    from .security_events import staff_rights_gained

    uid = "accounts.staff_enrolment"
    staff_rights_gained.connect(_rights_gained, dispatch_uid=f"{uid}.gained")
    post_delete.connect(_authenticator_deleted, sender=Authenticator, dispatch_uid=f"{uid}.del")
    authenticator_removed.connect(_authenticator_removed, dispatch_uid=f"{uid}.removed")
