"""Where browsers report what the Content-Security-Policy blocked (its `report-uri`).

Each report becomes one JSON line in the `muroran_kyodo.security` log, nothing in the
database: a report is sent by any browser, signed in or not, and a page that breaks the policy
sends one per blocked thing, so it must cost nothing but a log line. Reports are accepted
without a CSRF token (the browser sends them on its own), capped in size, counted per client
address in the shared cache (`RATE_LIMITS["security.csp_report"]`; over the limit they are
dropped unlogged), and cut down to the fields that say what was blocked where. URLs lose
their query string and fragment, where a token could be.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .lib import ratelimit

logger = logging.getLogger("muroran_kyodo.security")

MAX_BYTES = 8 * 1024
MAX_FIELD = 300
# The fields kept, in the old report-uri form (hyphens) and the Reporting API's (camelCase).
FIELDS = {
    "document-uri": "document",
    "documentURL": "document",
    "effective-directive": "directive",
    "effectiveDirective": "directive",
    "violated-directive": "directive",
    "blocked-uri": "blocked",
    "blockedURL": "blocked",
    "source-file": "source",
    "sourceFile": "source",
    "line-number": "line",
    "lineNumber": "line",
    "column-number": "column",
    "columnNumber": "column",
    "disposition": "disposition",
    "status-code": "status",
    "statusCode": "status",
}
URL_FIELDS = {"document", "blocked", "source"}


def _clean(name: str, value: Any) -> str | int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    if name in URL_FIELDS:
        value = value.split("#", 1)[0].split("?", 1)[0]
    return value[:MAX_FIELD]


def _violations(payload: Any) -> list[dict[str, Any]]:
    """The reports' bodies: {"csp-report": {...}} from report-uri, or the Reporting API's list
    of {"type": "csp-violation", "body": {...}}."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        bodies = [payload["csp-report"]]
    elif isinstance(payload, list):
        bodies = [
            item["body"]
            for item in payload[:10]
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    else:
        return []
    violations = []
    for body in bodies:
        violation: dict[str, Any] = {}
        for key, name in FIELDS.items():
            value = _clean(name, body.get(key))
            if value is not None and name not in violation:
                violation[name] = value
        if violation:
            violations.append(violation)
    return violations


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES:
        return HttpResponse(status=413)
    raw = request.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return HttpResponse(status=413)
    if not ratelimit.hit(request, "security.csp_report"):
        return HttpResponse(status=204)
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponse(status=400)
    client = ratelimit.client_ip(request)
    for violation in _violations(payload):
        logger.warning(
            json.dumps(
                {"event": "csp_violation", "ip": client, **violation},
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    return HttpResponse(status=204)
