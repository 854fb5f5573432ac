"""The shared cache (Redis) may go away; the site keeps serving.

`RedisCache` is Django's Redis backend (what `CACHE_URL=redis://…` configures, see settings)
that answers as an empty cache while Redis cannot be reached: reads miss, writes are dropped,
`add` stores "nothing was there", `incr` finds no counter. The first failure is logged once
(WARNING, one line), then for `RETRY_SECONDS` no call tries the network, so a page that asks
the cache a hundred things waits for no timeout; the next call after that tries again, and the
recovery is logged once too.

What must not go on without the cache says so with `required()`: inside it a call raises
`CacheUnavailable` instead. The page cache then renders the page (`lib.pagecache`), the rate
limits of actions count nothing and let the action through (`lib.ratelimit`, fail open: an
opinion is not refused because Redis is down), and sign-in is refused with a message on the form
(`accounts.lockout`, fail closed: password guessing must not become unlimited).

With another backend (the memory cache of a laptop and the tests) errors are raised as ever.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

logger = logging.getLogger(__name__)

# Seconds after a failure during which no call tries Redis again.
RETRY_SECONDS = 5.0
PROBE_KEY = "muroran_kyodo:cache-probe"


class CacheUnavailable(Exception):
    """The shared cache could not be reached (raised only inside `required()`)."""


_required: ContextVar[bool] = ContextVar("cache_required", default=False)


@contextmanager
def required() -> Iterator[None]:
    """Inside this block, a shared cache that cannot be reached raises `CacheUnavailable`
    instead of answering as an empty cache."""
    token = _required.set(True)
    try:
        yield
    finally:
        _required.reset(token)


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions as e

    # Not ResponseError in general: a wrong command is a bug, not an outage.
    return (e.ConnectionError, e.TimeoutError, e.ReadOnlyError, OSError)


# The state of each server, shared by the threads of the process (a backend is per thread).
_down_until: dict[str, float] = {}
_state_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    """Django's RedisCache answering as an empty cache while Redis is unreachable."""

    def _name(self) -> str:
        return ",".join(self._servers)  # type: ignore[attr-defined]  # not in django-stubs

    def _call(self, method: str, miss: Callable[[], Any], *args: Any, **kwargs: Any) -> Any:
        name = self._name()
        if _down_until.get(name, 0.0) > time.monotonic():
            if _required.get():
                raise CacheUnavailable(f"{name} unreachable (retried in a moment)")
            return miss()
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except _unreachable_errors() as error:
            with _state_lock:
                was_down = name in _down_until
                _down_until[name] = time.monotonic() + RETRY_SECONDS
            if not was_down:
                logger.warning(
                    "shared cache unreachable (%s: %s): reads miss, writes are dropped, "
                    "sign-in is refused; retried every %s s",
                    type(error).__name__,
                    str(error).splitlines()[0][:200] if str(error) else "",
                    RETRY_SECONDS,
                )
            if _required.get():
                raise CacheUnavailable(str(error)) from error
            return miss()
        if name in _down_until:
            with _state_lock:
                if _down_until.pop(name, None) is not None:
                    logger.warning("shared cache answers again")
        return result

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("add", lambda: True, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", lambda: default, key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("set", lambda: None, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._call("delete", lambda: False, key, version)

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._call("get_many", dict, keys, version)

    def has_key(self, key: Any, version: Any = None) -> Any:
        return self._call("has_key", lambda: False, key, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        return self._call("incr", _no_counter(key), key, delta, version)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("set_many", lambda: list(data), data, timeout, version)

    def delete_many(self, keys: Any, version: Any = None) -> Any:
        return self._call("delete_many", lambda: None, keys, version)

    def clear(self) -> Any:
        return self._call("clear", lambda: False)


def _no_counter(key: Any) -> Callable[[], Any]:
    def miss() -> Any:
        # As Django's backends answer incr() of a missing key.
        raise ValueError(f"Key '{key}' not found.")

    return miss


def reachable(alias: str = "default") -> bool:
    """Whether the cache answers now (one GET; with the memory cache always)."""
    try:
        with required():
            caches[alias].get(PROBE_KEY)
    except Exception:
        return False
    return True


def forget_failures() -> None:
    """Forget every server's recent failure (tests; the next call tries at once)."""
    with _state_lock:
        _down_until.clear()
