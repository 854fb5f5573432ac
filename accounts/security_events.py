"""The audit log of security events: each event is one log line (logger
"muroran_kyodo.security", JSON) and one `SecurityEvent` row (one INSERT). Ordinary requests
write nothing. Never records a password, code, token or session id: only the event's name,
the person, the typed e-mail address (for failures), the client's address, the user agent,
the path and a few harmless details."""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import sys
from contextvars import ContextVar

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import Signal
from django.utils import timezone

from muroran_kyodo.lib.ratelimit import client_ip

logger = logging.getLogger("muroran_kyodo.security")

USER_AGENT_MAX = 200
PATH_MAX = 200
STAFF_FIELDS = ("is_staff", "is_superuser", "is_active")

# The request being answered, for the receivers that Django calls without one (a user saved,
# groups changed): `CurrentRequestMiddleware` sets it, so the audit log names who did it.
current_request: ContextVar = ContextVar("security_current_request", default=None)

# Sent (with `user`) when an account gets staff rights (is_staff or is_superuser turned on,
# created with them, or made active again with them): `accounts.staff_enrolment` listens.
staff_rights_gained = Signal()


def record(event: str, request=None, user=None, email: str = "", **detail):
    """Write one event: a log line and a row (returned)."""
    from .models import SecurityEvent

    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and getattr(user, "pk", None) is None:
        user = None
    ip = user_agent = path = ""
    if request is not None:
        ip = client_ip(request)
        user_agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]
        path = request.path[:PATH_MAX]
    if user is not None and not email:
        email = user.email
    at = timezone.now()
    logger.info(
        json.dumps(
            {
                "event": event,
                "user_id": user.pk if user is not None else None,
                "email": email,
                "ip": ip,
                "user_agent": user_agent,
                "path": path,
                "at": at.isoformat(),
                "detail": detail,
            },
            ensure_ascii=False,
            default=str,
        )
    )
    return SecurityEvent.objects.create(
        at=at,
        event=event,
        user=user,
        email=email[:254],
        ip=ip,
        user_agent=user_agent,
        path=path,
        detail=detail,
    )


def actor(request=None) -> dict:
    """Who did it, for events about another account: the signed-in person, or for code run
    outside a request (a management command, the shell) the OS user and the command."""
    request = request if request is not None else current_request.get()
    if request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return {"by": {"user_id": user.pk, "email": user.email}}
        return {"by": {"user_id": None, "email": ""}}
    try:
        os_user = getpass.getuser()
    except (OSError, KeyError):
        os_user = ""
    program = os.path.basename(sys.argv[0]) if sys.argv else ""
    if program in ("manage.py", "django-admin") and len(sys.argv) > 1:
        program = f"{program} {sys.argv[1]}"
    return {"by": {"command": program or "code", "os_user": os_user}}


def _typed_login(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")[:254]


# ---- receivers ---------------------------------------------------------------------------


def _logged_in(sender, request, user, **kwargs):
    record("login", request, user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("logout", request, user)


def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password with asterisks; we keep only the login.
    record("login_failed", request, email=_typed_login(credentials))


def _password_changed(sender, request, user, **kwargs):
    record("password_changed", request, user)


def _password_reset(sender, request, user, **kwargs):
    record("password_reset", request, user)


def _password_set(sender, request, user, **kwargs):
    record("password_set", request, user)


def _email_added(sender, request, user, email_address, **kwargs):
    record("email_added", request, user, address=email_address.email)


def _email_removed(sender, request, user, email_address, **kwargs):
    record("email_removed", request, user, address=email_address.email)


def _email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    record(
        "email_changed",
        request,
        user,
        old=getattr(from_email_address, "email", ""),
        new=getattr(to_email_address, "email", ""),
    )


def _authenticator_added(sender, request, user, authenticator, **kwargs):
    record("mfa_added", request, user, type=authenticator.type)


def _authenticator_removed(sender, request, user, authenticator, **kwargs):
    record("mfa_removed", request, user, type=authenticator.type)


def _authenticator_reset(sender, request, user, authenticator, **kwargs):
    record("mfa_reset", request, user, type=authenticator.type)


def _authenticator_used(sender, request, user, authenticator, **kwargs):
    record(
        "mfa_used",
        request,
        user,
        type=authenticator.type,
        reauthenticated=bool(kwargs.get("reauthenticated")),
    )


def _authentication_failed(sender, request, user, authenticator, **kwargs):
    record(
        "mfa_failed",
        request,
        user,
        type=authenticator.type,
        reauthentication=bool(kwargs.get("reauthentication")),
    )


def _user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(STAFF_FIELDS):
        return  # e.g. last_login on each sign-in: no query
    old = sender._default_manager.filter(pk=instance.pk).values(*STAFF_FIELDS).first()
    instance._security_old_powers = old


def _user_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_security_old_powers", None)
    instance._security_old_powers = None
    request = current_request.get()
    if created:
        if instance.is_staff or instance.is_superuser:
            powers = {f: getattr(instance, f) for f in ("is_staff", "is_superuser")}
            record(
                "staff_powers_changed", request, instance, created=True, **powers, **actor(request)
            )
            if instance.is_active:
                staff_rights_gained.send(sender=sender, user=instance)
        return
    if old is None:
        return
    changes = {
        f: [old[f], getattr(instance, f)] for f in STAFF_FIELDS if old[f] != getattr(instance, f)
    }
    if changes:
        record("staff_powers_changed", request, instance, **changes, **actor(request))
        had = old["is_active"] and (old["is_staff"] or old["is_superuser"])
        has = instance.is_active and (instance.is_staff or instance.is_superuser)
        if has and not had:
            staff_rights_gained.send(sender=sender, user=instance)


def _user_m2m_changed(sender, instance, action, reverse, model, pk_set, field, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    request = current_request.get()
    by = actor(request)
    User = get_user_model()
    if reverse:
        # group.user_set.add(...): the instance is the group or permission; each user changed.
        users = User._default_manager.filter(pk__in=pk_set or ())
        for user in users:
            record(
                "staff_powers_changed",
                request,
                user,
                **{field: {action.removeprefix("post_"): [str(instance)]}},
                **by,
            )
        return
    if not isinstance(instance, User):
        return
    names = sorted(str(o) for o in model._default_manager.filter(pk__in=pk_set or ()))
    record(
        "staff_powers_changed",
        request,
        instance,
        **{field: {action.removeprefix("post_"): names}},
        **by,
    )


def connect() -> None:
    User = get_user_model()
    uid = "accounts.security_events"
    account_signals.user_logged_in.connect(_logged_in, dispatch_uid=f"{uid}.login")
    user_logged_out.connect(_logged_out, dispatch_uid=f"{uid}.logout")
    user_login_failed.connect(_login_failed, dispatch_uid=f"{uid}.login_failed")
    account_signals.password_changed.connect(_password_changed, dispatch_uid=f"{uid}.pw_c")
    account_signals.password_reset.connect(_password_reset, dispatch_uid=f"{uid}.pw_r")
    account_signals.password_set.connect(_password_set, dispatch_uid=f"{uid}.pw_s")
    account_signals.email_added.connect(_email_added, dispatch_uid=f"{uid}.em_a")
    account_signals.email_removed.connect(_email_removed, dispatch_uid=f"{uid}.em_r")
    account_signals.email_changed.connect(_email_changed, dispatch_uid=f"{uid}.em_c")
    mfa_signals.authenticator_added.connect(_authenticator_added, dispatch_uid=f"{uid}.mfa_a")
    mfa_signals.authenticator_removed.connect(_authenticator_removed, dispatch_uid=f"{uid}.mfa_r")
    mfa_signals.authenticator_reset.connect(_authenticator_reset, dispatch_uid=f"{uid}.mfa_x")
    mfa_signals.authenticator_used.connect(_authenticator_used, dispatch_uid=f"{uid}.mfa_u")
    mfa_signals.authentication_failed.connect(_authentication_failed, dispatch_uid=f"{uid}.mfa_f")
    pre_save.connect(_user_pre_save, sender=User, dispatch_uid=f"{uid}.pre")
    post_save.connect(_user_post_save, sender=User, dispatch_uid=f"{uid}.post")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid=f"{uid}.groups")
    m2m_changed.connect(
        _permissions_changed, sender=User.user_permissions.through, dispatch_uid=f"{uid}.perms"
    )


def _groups_changed(sender, **kwargs):
    _user_m2m_changed(sender, field="groups", **kwargs)


def _permissions_changed(sender, **kwargs):
    _user_m2m_changed(sender, field="user_permissions", **kwargs)


class CurrentRequestMiddleware:
    """Makes the request being answered known to the audit log's receivers (`current_request`),
    after AuthenticationMiddleware so that its user is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class RefusalLogMiddleware:
    """Records each refused authorisation (a 403, PermissionDenied included) with the user.
    404s — the site's answer for other people's ids — are not recorded.

    A flood of 403s cannot fill the table: per person (or, signed out, per client address) and
    minute, the first PER_PATH refusals of one path and the first PER_SOURCE of all paths are
    recorded one by one; beyond them one `refused_repeated` row per person and minute holds the
    count, updated at powers of two (so a flood of n costs about log2(n) writes). The counters
    live in the shared cache; with the cache down every refusal is recorded."""

    PER_PATH = 5
    PER_SOURCE = 20
    WINDOW = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            self.refused(request)
        return response

    def refused(self, request) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            source = f"u{user.pk}"
        else:
            user = None
            source = f"ip{client_ip(request)}"
        window = int(timezone.now().timestamp()) // self.WINDOW
        prefix = f"refusals:{window}:{hashlib.sha256(source.encode()).hexdigest()[:24]}"
        path_digest = hashlib.sha256(request.path.encode()).hexdigest()[:24]
        try:
            on_path = count_in_cache(f"{prefix}:{path_digest}", self.WINDOW * 2)
            from_source = count_in_cache(f"{prefix}:all", self.WINDOW * 2)
        except Exception:  # the cache is down: record, as before
            logger.exception("refusal log counters unavailable")
            on_path = from_source = 1
        if on_path <= self.PER_PATH and from_source <= self.PER_SOURCE:
            record("refused", request, user, method=request.method)
            return
        self.summarise(request, user, f"{prefix}:summary")

    def summarise(self, request, user, key: str) -> None:
        from .models import SecurityEvent

        suppressed = count_in_cache(f"{key}:count", self.WINDOW * 2)
        if suppressed == 1:
            row = record(
                "refused_repeated",
                request,
                user,
                method=request.method,
                suppressed=1,
                window_seconds=self.WINDOW,
            )
            cache.set(f"{key}:row", row.pk, self.WINDOW * 2)
        elif suppressed & (suppressed - 1) == 0:  # a power of two
            pk = cache.get(f"{key}:row")
            if pk is not None:
                row = SecurityEvent.objects.filter(pk=pk).first()
                if row is not None:
                    row.detail = {**row.detail, "suppressed": suppressed}
                    row.save(update_fields=["detail"])


def count_in_cache(key: str, timeout: int) -> int:
    """Add one to a counter in the shared cache that expires `timeout` seconds after its first
    hit; the new count."""
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1
