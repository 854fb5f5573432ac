"""The page cache: public pages for anonymous visitors, kept in the shared cache (Redis in
production, `CACHE_URL`), per URL (scheme, host, path and query string) and language.

A view opts in with `@public_page`. A request is answered from the cache only when it is
anonymous (no user; its session, if any, empty; no message waiting) and a GET or HEAD. A
response is stored only when nothing personal can be in it: status 200, not streamed, no cookie
set, no CSRF token rendered (Django then sets the CSRF cookie: `CSRF_COOKIE_NEEDS_UPDATE`) and no
`csrfmiddlewaretoken` in the body, the session not written, no message added, no
`Cache-Control: private/no-store/no-cache` and no `Vary` of the view's own.

Invalidation is exact, by table. Every SQL statement the site runs passes `_note_write`
(a database execute wrapper on every connection, installed by `install()` from the site's
AppConfig): an INSERT, UPDATE, DELETE (also `QuerySet.update()`, `bulk_create`, raw SQL, the
admin's actions) gives each table it names a new *generation* (a random token in the cache),
once the transaction commits (`on_commit`; at once in autocommit). While a page renders on a
miss, the tables its queries read are recorded and stored with the page, each with the
generation it had *before* the render began; a cached page is served only while every one of
those generations is unchanged. A write committed during a render therefore never hides behind
a page rendered from the older rows.

Time changes pages too (a パブリックコメント case opens at a minute, a session passes, the 年度
turns at midnight): an entry lives at most `PAGE_CACHE_SECONDS` and never past the next full
minute, the granularity at which the site's windows and dates are entered. A new release (code,
templates, catalogues, static manifest) gets keys of its own (`release()`).

Each worker process also keeps the pages it served last in its own memory (`_Local`, at most
`PAGE_CACHE_LOCAL_BYTES` of page bodies, the oldest dropped first). A copy there is checked
exactly as the shared one, against the generations in the shared cache, so it is never staler
than the shared copy; it spares the hit one round trip to Redis and unpickling the page: a
hit is one `MGET` of the page's table generations.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any, TypeGuard

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .cache import CacheUnavailable, required

logger = logging.getLogger(__name__)

# Every page depends on this generation too: a write whose tables cannot be read from its SQL
# (not a string, or naming no known table) bumps it, so every page renders afresh.
EVERYTHING = "*"
_PREFIX = "pagecache"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE", "MERGE", "WITH", "ALTER", "DROP")
_WORD = re.compile(r"[A-Za-z0-9_]+")
_UNCACHEABLE = ("private", "no-store", "no-cache", "max-age=0")


# --- Tables and generations -------------------------------------------------------------------


@functools.cache
def _known_tables() -> frozenset[str]:
    from django.apps import apps

    return frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))


@functools.lru_cache(maxsize=4096)
def _tables_in(sql: str) -> frozenset[str]:
    """The tables a statement names (every word that is a model's table: a column that happened
    to share a table's name would only add a dependency, never lose one)."""
    return _known_tables().intersection(_WORD.findall(sql))


def _generation_key(table: str) -> str:
    return f"{_PREFIX}:gen:{table}"


# A token that changes with every bump, in the same MSET as the generations and after them: a
# page checked against its generations once is served while the clock stays the same.
_CLOCK = f"{_PREFIX}:clock"


def bump(tables: Iterable[str]) -> None:
    """New generations for `tables`: every cached page that read one of them is out of date."""
    new = {_generation_key(t): secrets.token_hex(8) for t in tables}
    # The clock last: a backend whose set_many is no single MSET (the memory cache of the tests)
    # writes in this order, so a reader never sees the new clock with an old generation.
    new[_CLOCK] = secrets.token_hex(8)
    try:
        cache.set_many(new, None)
    except Exception:  # the cache down: nothing is served from it either
        logger.exception("page cache: generations not bumped for %s", sorted(tables))


def _generations(tables: Iterable[str]) -> dict[str, str]:
    """The current generation of each table, a new one given to those the cache lacks (never
    None: a page stored against a missing generation would survive a later bump whose key was
    then evicted)."""
    keys = {_generation_key(t): t for t in tables}
    found = cache.get_many(keys)
    for key in keys.keys() - found.keys():
        cache.add(key, secrets.token_hex(8), None)
    if len(found) < len(keys):
        found = cache.get_many(keys)
    return {keys[key]: value for key, value in found.items()}


# --- Writes: the execute wrapper on every connection ----------------------------------------------


class _Pending:
    """The tables written in the current transaction, bumped once when it commits."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.index = -1

    def run(self) -> None:
        bump(self.tables)


def _written_tables(sql: Any) -> frozenset[str] | None:
    if not isinstance(sql, str):
        return frozenset({EVERYTHING})
    if sql.startswith("SELECT"):  # most statements: no copy of the text
        return None
    head = sql.lstrip()[:8].upper()
    if not head.startswith(_WRITES):
        return None
    return _tables_in(sql) or frozenset({EVERYTHING})


def _note_write(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    result = execute(sql, params, many, context)
    tables = _written_tables(sql)
    if tables:
        connection = context["connection"]
        if connection.in_atomic_block:
            _pending(connection).tables.update(tables)
        else:  # autocommit: the statement is committed already
            bump(tables)
    return result


def _pending(connection: BaseDatabaseWrapper) -> _Pending:
    """The transaction's pending bump, registered with `on_commit` once. A rollback (of the
    transaction or of the savepoint it was registered in) drops the callback: a new one then."""
    state: _Pending | None = getattr(connection, "_page_cache_pending", None)
    callbacks: list[Any] = connection.run_on_commit  # (savepoint ids, function, robust)
    if state is not None:
        if 0 <= state.index < len(callbacks) and callbacks[state.index][1] == state.run:
            return state
        for index, callback in enumerate(callbacks):
            if callback[1] == state.run:
                state.index = index
                return state
    state = _Pending()
    connection.on_commit(state.run, robust=True)
    state.index = len(connection.run_on_commit) - 1
    setattr(connection, "_page_cache_pending", state)  # noqa: B010 (a connection's own state)
    return state


def _wrap(connection: BaseDatabaseWrapper) -> None:
    # In front: `execute_wrapper()` contexts pop the last wrapper when they end.
    if _note_write not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _note_write)


def _on_connection_created(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    _wrap(connection)


def install() -> None:
    """Watch the writes of every database connection (called once from the site's AppConfig)."""
    connection_created.connect(_on_connection_created, dispatch_uid="page_cache_writes")
    for connection in connections.all(initialized_only=True):
        _wrap(connection)


class _Reads:
    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.outer: _Reads | None = None

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: Any,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        if isinstance(sql, str):
            self.tables.update(_tables_in(sql))
        else:
            self.tables.add(EVERYTHING)
        return execute(sql, params, many, context)


_recording: ContextVar[_Reads | None] = ContextVar("page_cache_reads", default=None)


@contextmanager
def recorded() -> Iterator[set[str]]:
    """The tables read by the queries run inside, as a set filled as they run. For a value kept
    in a cache of its own (partners.stats): store the set with the value and pass it to
    `depends_on` when the value is read back, so that a page showing it depends on its rows."""
    reads = _Reads()
    reads.outer = _recording.get()
    token = _recording.set(reads)
    try:
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(reads))
            yield reads.tables
    finally:
        _recording.reset(token)


@contextmanager
def stamped() -> Iterator[dict[str, str]]:
    """For a value kept in a cache of its own: the generations, from before the block, of the
    tables the block's queries read (filled in when the block ends). The value is current while
    `current(stamp)`, whatever path a later write takes (a signal-less `update()`, raw SQL,
    another worker); pass the stamp to `depends_on` when the value is read back."""
    before = _generations(_known_tables() | {EVERYTHING})
    stamp: dict[str, str] = {}
    with recorded() as read:
        yield stamp
    stamp.update({table: before[table] for table in (read | {EVERYTHING}) & before.keys()})
    # The generations could not be read (the cache unreachable): a stamp never current.
    stamp.setdefault(EVERYTHING, "")


def current(stamp: dict[str, str]) -> bool:
    """Whether no table of `stamp` (from `stamped`) has been written since (one MGET)."""
    return _generations(stamp) == stamp


def depends_on(tables: Iterable[str]) -> None:
    """The page being rendered (and any `recorded()` block around this) depends on `tables`,
    though no query read them now (a value served from a cache of its own)."""
    reads = _recording.get()
    while reads is not None:
        reads.tables.update(tables)
        reads = reads.outer


# --- The release: keys of their own for new code ----------------------------------------------


_SKIP_DIRS = {
    "node_modules",
    "media",
    "staticfiles",
    "tests",
    "bench",
    "build",
    "__pycache__",
    "backups",  # `make backup`'s default directory: its manifests are no code
}
_RELEASE_FILES = (".py", ".html", ".txt", ".mo", ".json")


@functools.cache
def release() -> str:
    """`PAGE_CACHE_RELEASE` when set (a deployment's version, the same on every server), else a
    digest of the names, sizes and times of the code, templates and catalogues and the static
    files' manifest: a new release never serves a page rendered by the old one."""
    if settings.PAGE_CACHE_RELEASE:
        return settings.PAGE_CACHE_RELEASE
    digest = hashlib.sha256()
    roots = [settings.BASE_DIR]
    if settings.STATIC_ROOT:
        manifest = os.path.join(settings.STATIC_ROOT, "staticfiles.json")
        if os.path.exists(manifest):
            stat = os.stat(manifest)
            digest.update(f"{manifest}{stat.st_size}{stat.st_mtime_ns}".encode())
    for root in roots:
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in _SKIP_DIRS)
            for name in sorted(files):
                if name.endswith(_RELEASE_FILES):
                    path = os.path.join(directory, name)
                    stat = os.stat(path)
                    digest.update(f"{path}{stat.st_size}{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


# --- The view decorator -----------------------------------------------------------------------


# Session keys no `@public_page` view reads: what a view keeps for a page of its own (the
# receipts a browser may open after sending an opinion). A visitor whose session holds only
# these still gets the cached pages, instead of rendered ones for the session's life.
_UNREAD_BY_PUBLIC_PAGES: set[str] = set()


def unread_by_public_pages(key: str) -> str:
    """Declare session key `key` as read by no `@public_page` view (returns it). Checked: a
    page rendered for such a session that reads the session is never stored, and the tests
    render every public page with these keys in the session and assert that none reads them
    (tests/access/test_page_cache.py)."""
    _UNREAD_BY_PUBLIC_PAGES.add(key)
    return key


def _anonymous(request: HttpRequest) -> bool:
    """No user, a session empty (or none) but for keys no public page reads, and no message
    waiting. Without a session cookie this reads nothing from the database."""
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if (
        session is not None
        and session.session_key
        and set(session.keys()) - _UNREAD_BY_PUBLIC_PAGES
    ):
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and len(storage))


def _page_key(request: HttpRequest) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"{_PREFIX}:page:{release()}:{translation.get_language()}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or b"csrfmiddlewaretoken" in response.content:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and (storage.added_new or len(storage)):
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in _UNCACHEABLE):
        return False
    return not response.has_header("Vary") and not response.has_header("Set-Cookie")


def _expiry(now: float) -> float:
    return min(now + settings.PAGE_CACHE_SECONDS, math.floor(now / 60) * 60 + 60)


class _Local:
    """The pages this process served last: page key -> entry, oldest first, bounded by the size
    of their bodies. Dict operations only (atomic under the GIL), so threads may share it."""

    def __init__(self) -> None:
        self.entries: dict[str, dict] = {}
        self.size = 0

    def get(self, key: str) -> dict | None:
        return self.entries.get(key)

    def put(self, key: str, entry: dict) -> None:
        self.drop(key)
        limit = settings.PAGE_CACHE_LOCAL_BYTES
        if len(entry["content"]) > limit:
            return
        self.entries[key] = entry
        self.size += len(entry["content"])
        while self.size > limit and self.entries:
            try:
                self.drop(next(iter(self.entries)))
            except (StopIteration, RuntimeError):  # another thread changed it meanwhile
                break

    def drop(self, key: str) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.size -= len(entry["content"])

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


_local = _Local()


def _clock() -> str | None:
    clock = cache.get(_CLOCK)
    if clock is None:
        cache.add(_CLOCK, secrets.token_hex(8), None)
    return clock


def _valid(entry: dict | None, now: float, clock: str | None) -> TypeGuard[dict]:
    """Whether `entry` may be served: not expired, and either no write since it was last found
    valid (the clock read before that check is the clock now: one GET) or every table it read
    at the generation it was rendered with (one MGET; the clock is then noted in the entry)."""
    if entry is None or entry["expires"] <= now:
        return False
    if clock is not None and entry.get("clock") == clock:
        return True
    if _generations(entry["tables"]) != entry["tables"]:
        return False
    entry["clock"] = clock
    return True


def _served(entry: dict, state: str) -> HttpResponse:
    response = HttpResponse(entry["content"], status=200)
    for name, value in entry["headers"]:
        response.headers[name] = value
    if settings.PAGE_CACHE_HEADER:
        response.headers["X-Page-Cache"] = state
    return response


def _lookup(key: str) -> tuple[Any, str | None, dict[str, str]]:
    """The cached page as a response (a hit), or the entry found (not valid), the clock and the
    generations read before the render (a miss)."""
    now = time.time()
    entry = _local.get(key)
    if entry is None:
        found = cache.get_many([key, _CLOCK])
        entry, clock = found.get(key), found.get(_CLOCK)
        if clock is None:
            clock = _clock()
        if _valid(entry, now, clock):
            _local.put(key, entry)
            return _served(entry, "hit"), None, {}
    else:
        clock = _clock()
        if _valid(entry, now, clock):
            return _served(entry, "hit"), None, {}
        _local.drop(key)
        entry = cache.get(key)  # another worker's render, perhaps newer than this one's
        if _valid(entry, now, clock):
            _local.put(key, entry)
            return _served(entry, "hit"), None, {}
    return entry, clock, _generations(_known_tables() | {EVERYTHING})


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view` from the page cache to anonymous visitors (see the module's docstring)."""

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            settings.PAGE_CACHE_SECONDS <= 0
            or request.method not in ("GET", "HEAD")
            or not _anonymous(request)
        ):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        try:
            with required():
                entry, clock, before = _lookup(key)
        except CacheUnavailable:  # logged once by the cache: the page as without it
            return view(request, *args, **kwargs)
        except Exception:  # the cache failing otherwise: the page as without it
            logger.exception("page cache unavailable")
            return view(request, *args, **kwargs)
        if isinstance(entry, HttpResponse):
            return entry

        session = getattr(request, "session", None)
        accessed = session is not None and session.accessed
        if session is not None:
            session.accessed = False  # did the page read the session? (SessionMiddleware's flag)
        with recorded() as read:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        read_session = session is not None and session.accessed
        if session is not None:
            session.accessed = accessed or read_session
        if read_session and session is not None and session.session_key:
            return response  # rendered from what this visitor's session holds: theirs alone
        if not _storable(request, response):
            return response
        now = time.time()
        expires = _expiry(now)
        if EVERYTHING not in before:  # the generations could not be read: not stored
            return response
        tables = (read & before.keys()) | {EVERYTHING}
        entry = {
            "content": response.content,
            "headers": list(response.headers.items()),
            "tables": {table: before[table] for table in tables},
            "expires": expires,
            "clock": clock,  # read before `before`: no write since then while it is the clock
        }
        try:
            cache.set(key, entry, math.ceil(expires - now) + 1)
        except Exception:
            logger.exception("page cache: page not stored")
        else:
            _local.put(key, entry)
        if settings.PAGE_CACHE_HEADER:
            response.headers["X-Page-Cache"] = "miss"
        return response

    cached_view.public_page = True  # type: ignore[attr-defined]
    return cached_view
