"""The database unreachable: every request answers a 503 page in Japanese with Retry-After,
rendered without touching the database, logged in one WARNING line; a dead persistent
connection is replaced on the next request once PostgreSQL is back."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.db.utils import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from muroran_kyodo import errors
from tests import factories

REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


class DatabaseDown:
    """Every connection attempt of the default database fails, as with PostgreSQL stopped."""

    def __init__(self, error: Exception):
        self.error = error
        self.attempts = 0

    def __call__(self):
        self.attempts += 1
        raise self.error


@pytest.fixture
def database_down(db):
    """Restored before the test's transaction is rolled back (after `db`'s set-up, so torn
    down before it)."""

    def down(error: Exception | None = None) -> DatabaseDown:
        fake = DatabaseDown(error or OperationalError(REFUSED))
        connection.ensure_connection = fake
        return fake

    yield down
    real = connections["default"]
    real.__dict__.pop("ensure_connection", None)


@pytest.fixture
def rendering(monkeypatch):
    """The database attempts made while the 503 page is rendered (each render's count)."""
    seen: list[int] = []
    real = errors.render_unavailable

    def watched(request, *, kind):
        attempts = getattr(connection.ensure_connection, "attempts", 0)
        response = real(request, kind=kind)
        seen.append(getattr(connection.ensure_connection, "attempts", 0) - attempts)
        return response

    monkeypatch.setattr(errors, "render_unavailable", watched)
    return seen


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


def _assert_unavailable(response, rendering):
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "ただいまご利用いただけません" in page
    assert "送信した内容が保存されていない可能性があります" in page
    assert "Traceback" not in page
    assert rendering and set(rendering) == {0}  # no database attempt while rendering it


def test_it_answers_a_public_page_with_503(db, database_down, rendering, browser, caplog):
    down = database_down()
    with caplog.at_level(logging.INFO):
        response = browser.get("/")
    _assert_unavailable(response, rendering)
    assert down.attempts >= 1
    warnings = [r for r in caplog.records if r.name == "muroran_kyodo.errors"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert warnings[0].exc_info is None
    assert "GET / " in warnings[0].getMessage() and "Connection refused" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_it_answers_a_signed_in_page_failing_in_the_middleware(
    db, resident, database_down, rendering, browser, caplog
):
    browser.force_login(resident)
    database_down()  # the session is read by the middleware, before any view
    with caplog.at_level(logging.INFO):
        response = browser.get("/mypage/")
    _assert_unavailable(response, rendering)
    assert len([r for r in caplog.records if r.name == "muroran_kyodo.errors"]) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_it_answers_a_post_with_503_and_says_it_may_not_be_saved(
    db, resident, database_down, rendering, browser
):
    browser.force_login(resident)
    database_down(InterfaceError("connection already closed"))
    response = browser.post("/accounts/login/", {"login": "a@example.jp", "password": "x"})
    _assert_unavailable(response, rendering)


def test_the_page_is_english_when_english_was_chosen(db, database_down, rendering, browser):
    database_down()
    browser.cookies["django_language"] = "en"
    response = browser.get("/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "The site is temporarily unavailable" in page
    assert "What you sent may not have been saved" in page
    assert 'lang="en"' in page


def test_other_server_errors_still_give_the_500_page(db):
    request = RequestFactory().get("/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = errors.server_error(request)
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_an_error_caused_by_a_database_error_counts(db):
    request = RequestFactory().get("/")
    try:
        try:
            raise OperationalError(REFUSED)
        except OperationalError as cause:
            raise ValueError("wrapped") from cause
    except ValueError:
        response = errors.server_error(request)
    assert response.status_code == 503


# --- a dead persistent connection ----------------------------------------------------------------


def _wsgi_get(path: str) -> int:
    """A request through the WSGI handler as gunicorn makes it (request_started/finished close
    unusable connections, as the test client does not)."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    statuses: list[str] = []
    response = WSGIHandler()(environ, lambda status, headers, *a: statuses.append(status))
    b"".join(response)
    response.close()
    return int(statuses[0].split()[0])


@pytest.mark.postgres_only
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL (DATABASE_URL=postgres://…)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_killed_underneath_is_replaced_on_the_next_request(monkeypatch):
    import psycopg

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    factories.make_user(email="someone@example.jp")
    connection.close()
    try:
        assert _wsgi_get("/guideline/") == 200
        assert _wsgi_get("/") == 200
        old_pid = connection.connection.info.backend_pid  # kept between requests
        # PostgreSQL restarted: the server ends the connection the worker keeps.
        params = connection.get_connection_params()
        with psycopg.connect(**{**params, "autocommit": True}) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [old_pid])
        assert _wsgi_get("/") == 200
        assert connection.connection.info.backend_pid != old_pid
    finally:
        connection.close()


def test_postgresql_connections_have_a_connect_timeout():
    from tests.muroran_kyodo.test_settings import _run

    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['OPTIONS']['connect_timeout'])",
        ],
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        DB_CONNECT_TIMEOUT="3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3"
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['OPTIONS']['connect_timeout'])",
        ],
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
    )
    assert result.stdout.strip().splitlines()[-1] == "5"
