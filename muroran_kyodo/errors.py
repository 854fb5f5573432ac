"""The server-error handler (`handler500`): the database unreachable or the upload storage
unable to keep a file is a 503 with Retry-After and a page saying so; anything else the 500 page.

Django wraps every middleware in `convert_exception_to_response`, so an error raised in the
session or authentication middleware (the first to read the database) reaches this handler
too, with the exception still in `sys.exc_info()`. The 503 page is rendered from
`templates/503.html` without a request: no context processor runs, no session or user is read,
so nothing touches the database while it is down. One WARNING line per request is logged
instead of Django's "Internal Server Error" with a stack trace.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.views import defaults

from .lib.faults import (
    RETRY_AFTER_SECONDS,
    database_unavailable,
    first_line,
    storage_unavailable,
)

logger = logging.getLogger(__name__)

# The plain text answered if even the template cannot be rendered (a broken deployment).
_FALLBACK = (
    "ただいまご利用いただけません。時間をおいてもう一度お試しください。\n"
    "The site is temporarily unavailable. Please try again in a few minutes.\n"
)


def _language(request: HttpRequest) -> str:
    """The visitor's language from the switch's cookie (as LanguageMiddleware reads it, which
    may not have run yet): English when chosen, else Japanese."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return code if code in {c for c, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def render_unavailable(request: HttpRequest, *, kind: str) -> HttpResponse:
    """The 503 page: `kind` "database" (the site is down for a while: what was sent may not
    have been saved) or "storage" (the file was not saved, nothing was recorded)."""
    language = _language(request)
    try:
        with translation.override(language):
            content = loader.get_template("503.html").render(
                {
                    "kind": kind,
                    "LANGUAGE_CODE": language,
                    "retry_minutes": RETRY_AFTER_SECONDS // 60,
                }
            )
        content_type = "text/html; charset=utf-8"
    except Exception:  # the template itself broken: still a 503, in plain words
        logger.warning("503 page could not be rendered", exc_info=True)
        content, content_type = _FALLBACK, "text/plain; charset=utf-8"
    response = HttpResponse(content, status=503, content_type=content_type)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Language", language)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        kind = "database"
    elif storage_error := storage_unavailable(exc):
        kind, exc = "storage", storage_error.os_error
    else:
        return defaults.server_error(request)
    assert exc is not None
    # Once per request: outer middleware that reads the session or the user again fails again
    # and comes back here.
    if not getattr(request, "_fault_logged", False):
        request._fault_logged = True  # type: ignore[attr-defined]
        logger.warning(
            "%s unavailable, answered 503: %s %s (%s)",
            kind,
            request.method,
            request.path[:200],
            first_line(exc),
        )
    response = render_unavailable(request, kind=kind)
    # Django's request logger would log the 503 at ERROR with the stack trace: logged above.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
