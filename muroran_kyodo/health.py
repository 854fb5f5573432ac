"""The health of the portal for a load balancer or a monitor: `GET /health/` (`health`).

    {"status": "ok" | "degraded" | "down",
     "checks": {"database": {"ok": true, "ms": 1.2}, "cache": {...}, "outbox": {...},
                "scanner": {...}}}

HTTP 200 while the database answers, even if another check fails (status "degraded": the
site serves, with the fallbacks of README "Faults: what the portal does"); 503 when the
database does not (status "down": take the server out of rotation).

`CHECKS` lists the checks by name: each is a function of no argument returning a dict with at
least "ok" (a bool), bounded in time by its own timeout, reading nothing but states, times and
counts (no secret, no version, no host name is ever shown). `CRITICAL` names those whose
failure is "down". The outbox's check is `lib.outbox.outbox_health` (e-mails waiting, failed or
stuck: README "The e-mail outbox").

The view answers no POST, sets no cookie, reads no session, is never kept by the page cache
(not `@public_page`) nor by any other (`Cache-Control: no-store`), counts against no rate limit
and is exempt from the HTTPS redirect (a load balancer probes the app server over plain HTTP).
Its answer is computed at most once a second per process, so a flood of probes costs one check
a second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .lib import cache as shared_cache
from .lib import clamd, scanning
from .lib.faults import RETRY_AFTER_SECONDS, database_unavailable
from .lib.models import FileScan
from .lib.outbox import outbox_health

logger = logging.getLogger(__name__)

# Seconds the scanner's PING may take (a probe must answer well within a load balancer's own
# timeout, typically 5 s); the database's bound is DB_CONNECT_TIMEOUT, the cache's
# CACHE_SOCKET_TIMEOUT.
SCANNER_TIMEOUT = 2.0
# Seconds one answer is reused for the next probes of this process.
REUSE_SECONDS = 1.0


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def database() -> dict[str, Any]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        if not database_unavailable(error):
            raise
        # The connection is dropped at the end of the request (CONN_HEALTH_CHECKS).
        return {"ok": False, "ms": _ms(started)}
    return {"ok": True, "ms": _ms(started)}


def cache() -> dict[str, Any]:
    started = time.monotonic()
    return {"ok": shared_cache.reachable(), "ms": _ms(started)}


def scanner() -> dict[str, Any]:
    """clamd answers PING (when CLAMD_ADDRESS is set), and how many stored files wait for their
    virus check (an indexed count; None without the database)."""
    started = time.monotonic()
    address = scanning.address()
    if address:
        ok = clamd.ping(address, timeout=min(SCANNER_TIMEOUT, scanning.timeout()))
    else:
        ok = scanning.scanning_off_allowed()  # the demo only; with DEBUG off files wait
    result: dict[str, Any] = {"ok": ok, "configured": bool(address), "ms": _ms(started)}
    try:
        result["pending_scans"] = FileScan.objects.filter(
            state__in=[FileScan.State.PENDING, FileScan.State.UNSCANNED]
        ).count()
    except Exception as error:
        if not database_unavailable(error):
            raise
        result["pending_scans"] = None
    return result


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": database,
    "cache": cache,
    "outbox": outbox_health,
    "scanner": scanner,
}
CRITICAL = {"database"}


def report() -> tuple[str, dict[str, dict[str, Any]]]:
    """Run every check: the status and each check's result. A check that fails unexpectedly
    counts as not ok (its error is not shown)."""
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            results[name] = {"ok": False}
    if any(not results[name]["ok"] for name in CRITICAL if name in results):
        status = "down"
    elif all(result["ok"] for result in results.values()):
        status = "ok"
    else:
        status = "degraded"
    return status, results


_last: dict[str, Any] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop the answer kept for the next probes (tests)."""
    with _lock:
        _last.clear()


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    with _lock:
        kept = _last.get("answer") if _last.get("until", 0.0) > time.monotonic() else None
    if kept is None:
        kept = report()
        with _lock:
            _last.update(answer=kept, until=time.monotonic() + REUSE_SECONDS)
    status, results = kept
    response = JsonResponse(
        {"status": status, "checks": results}, status=503 if status == "down" else 200
    )
    if status == "down":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        # One WARNING line a probe, not Django's ERROR for every 5xx.
        logger.warning(
            "health: down (%s)", ", ".join(name for name, r in results.items() if not r["ok"])
        )
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response
