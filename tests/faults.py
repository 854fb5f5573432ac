"""Faults for the reliability tests: the shared cache pointing at a closed port."""

from __future__ import annotations

from contextlib import contextmanager

from django.test import override_settings

from muroran_kyodo.lib import cache as shared_cache

# Nothing listens on port 1: every connection is refused at once.
CLOSED = "redis://127.0.0.1:1/0"


@contextmanager
def cache_down():
    """The shared cache configured as in production (`CACHE_URL=redis://…`), Redis not there.
    override_settings rebuilds the cache handler, so `django.core.cache.cache` follows."""
    shared_cache.forget_failures()
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "muroran_kyodo.lib.cache.RedisCache",
                "LOCATION": CLOSED,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
    ):
        try:
            yield
        finally:
            shared_cache.forget_failures()
