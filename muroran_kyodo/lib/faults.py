"""What counts as a fault of the infrastructure, not of the request: the database unreachable
(PostgreSQL stopped, restarting, the network gone) and the upload storage unable to keep a file
(the disk full or read-only). The site answers both with a 503 page saying so
(`muroran_kyodo.errors`), never the 500 page and never a stack trace per request."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import utils as db_utils
from django.utils.translation import gettext_lazy as _

# Seconds a browser (and a load balancer) is told to wait before trying again.
RETRY_AFTER_SECONDS = 120

_DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    db_utils.OperationalError,
    db_utils.InterfaceError,
)
try:  # psycopg's own, when raised outside Django's wrapper (a raw connection, a pool)
    import psycopg

    _DATABASE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover - SQLite only
    pass


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(seen) < 8:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) says the database cannot be reached or used just now:
    an OperationalError or InterfaceError (connection refused or lost, the server shutting
    down, a statement cancelled, a lock not obtained). All are worth retrying in a while."""
    return any(isinstance(error, _DATABASE_ERRORS) for error in _chain(exc))


def first_line(exc: BaseException) -> str:
    """The exception's class and the first line of its message, for a one-line log entry."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}"


# --- the upload storage ----------------------------------------------------------------------

STORAGE_UNAVAILABLE = _(
    "The file could not be saved: the city's file storage is not accepting files just now. "
    "Nothing was recorded. Please try again in a few minutes; if it keeps happening, contact "
    "the Community Life Division (地域生活課)."
)


class StorageUnavailable(ValidationError):
    """The upload storage could not keep a file (`lib.storage` raises it for an OSError while
    saving). A ValidationError, so that a form view that calls a service puts it next to the
    form like any refusal, with what was typed kept; anywhere else (the admin) the 503 page
    says the file was not saved (`muroran_kyodo.errors`). Raised before the row that would
    point at the file is written: inside a transaction, nothing of it is kept."""

    def __init__(self, error: OSError) -> None:
        super().__init__(STORAGE_UNAVAILABLE, code="storage_unavailable")
        self.os_error = error


def storage_unavailable(exc: BaseException | None) -> StorageUnavailable | None:
    for error in _chain(exc):
        if isinstance(error, StorageUnavailable):
            return error
    return None
