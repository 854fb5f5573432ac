"""Posting generated inputs to one form and checking the answer: never a server error, and a
form that comes back (or a refusal) leaves every table as it was — no partial record."""

from __future__ import annotations

import hashlib
import zlib
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import given, seed, settings

from tests.fuzz import report
from tests.fuzz.html import Form
from tests.fuzz.strategies import Mutation, mutations

# Tables a refused or re-rendered form may write by design: the session (and allauth's record
# of it), the audit log of security events (a failed sign-in is recorded).
IGNORED_TABLES = {"django_session", "usersessions_usersession", "accounts_securityevent"}


def _tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if not model._meta.proxy and model._meta.managed
        }
        - IGNORED_TABLES
    )


def digest() -> dict[str, tuple[int, str]]:
    """Per table: its row count and a hash of its rows (order-independent)."""
    quote = connection.ops.quote_name
    result = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (our table names)
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.blake2b("\n".join(rows).encode()).hexdigest())
    return result


def changed_tables(before, after) -> list[str]:
    return [table for table in before if before[table] != after.get(table)]


def view_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def action_url(form: Form, page_url: str) -> str:
    return form.action or page_url


def clone(client: Client) -> Client:
    """A new client with the same cookies (session, CSRF): each example starts alike. The CSRF
    check is on, as in production: it reads the body before any view runs, so a body Django
    cannot parse is refused before a view could write (the test client skips it otherwise)."""
    fresh = Client(raise_request_exception=True, enforce_csrf_checks=True)
    fresh.cookies = SimpleCookie()
    for key, morsel in client.cookies.items():
        fresh.cookies[key] = morsel.value
    return fresh


class Finding(AssertionError):
    pass


def fuzz_form(
    name: str,
    client: Client,
    url: str,
    form: Form,
    *,
    may_write: frozenset[str] = frozenset(),
    share: float = 1.0,
) -> None:
    """Run the profile's number of generated inputs against the form at `url` (each in a
    savepoint rolled back after it; `share` of them for the admin's many forms); fail with the
    first finding (shrunk by hypothesis in the long profile)."""
    before = digest()
    counter = report.form(name)

    @settings(max_examples=max(2, round(settings.default.max_examples * share)))
    @given(mutation=mutations(form))
    def example(mutation: Mutation) -> None:
        counter.examples += 1
        cache.clear()  # rate limits (the site's and allauth's) count per example
        poster = clone(client)
        with transaction.atomic():
            try:
                response = poster.post(url, mutation.data)
            except Exception as error:
                counter.finding(f"{type(error).__name__}: {str(error)[:200]}")
                raise
            try:
                if response.status_code >= 500:
                    counter.finding(f"status {response.status_code}")
                    raise Finding(f"{url}: {response.status_code}")
                if response.status_code not in (301, 302, 303):
                    changed = [t for t in changed_tables(before, digest()) if t not in may_write]
                    if changed:
                        counter.finding(f"partial record in {', '.join(changed)}")
                        raise Finding(
                            f"{url} answered {response.status_code} and wrote to {changed}"
                        )
            finally:
                transaction.set_rollback(True)

    if settings.default.derandomize:
        # Deterministic (the CI profile), but a stream of its own for each form.
        example = seed(zlib.crc32(name.encode()))(example)
    example()
