"""GET /health/ for a load balancer: 200 "ok" when all answer, 200 "degraded" when the cache or
the virus scanner does not, 503 "down" when the database does not; JSON of states, times and
counts only; no cookie, never cached, no POST."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connections
from django.db.utils import OperationalError
from django.test import Client

from muroran_kyodo import health
from muroran_kyodo.lib.models import FileScan, OutboxMail
from tests import clamav
from tests.faults import cache_down


@pytest.fixture(autouse=True)
def _fresh():
    health.forget()
    yield
    health.forget()


def _probe(client=None):
    response = (client or Client()).get("/health/")
    return response, json.loads(response.content)


def test_all_answering_is_ok(db):
    response, body = _probe()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "outbox", "scanner"}
    assert body["checks"]["outbox"] == {
        "pending": 0,
        "failed": 0,
        "oldest_pending_seconds": None,
        "stuck_sending": 0,
        "ok": True,
    }
    assert body["checks"]["database"]["ok"] is True
    assert isinstance(body["checks"]["database"]["ms"], float)
    assert body["checks"]["scanner"] == {
        "ok": True,
        "configured": True,
        "ms": body["checks"]["scanner"]["ms"],
        "pending_scans": 0,
    }
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_database_down_is_503_down(db, caplog):
    def refused():
        raise OperationalError("connection refused")

    real = connections["default"]
    real.ensure_connection = refused
    try:
        with caplog.at_level(logging.INFO):
            response, body = _probe()
    finally:
        real.__dict__.pop("ensure_connection", None)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "health: down (database, outbox)")
    ]
    assert body["status"] == "down"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["scanner"]["pending_scans"] is None
    assert body["checks"]["outbox"] == {"ok": False}  # its figures are in the database


def test_cache_down_is_degraded_but_200(db):
    with cache_down():
        response, body = _probe()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_a_failed_e_mail_is_degraded_with_the_outbox_figures(db):
    OutboxMail.objects.create(
        from_email="c@example.jp", to="a@example.jp", subject="s", body="b",
        status=OutboxMail.Status.FAILED,
    )  # fmt: skip
    response, body = _probe()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["outbox"]["failed"] == 1
    assert body["checks"]["outbox"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_clamd_down_is_degraded_with_the_files_waiting(db, settings):
    settings.CLAMD_ADDRESS = clamav.closed_address()
    FileScan.objects.create(name="private/a.pdf", state=FileScan.State.PENDING)
    FileScan.objects.create(name="private/b.pdf", state=FileScan.State.CLEAN)
    response, body = _probe()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["scanner"]["ok"] is False
    assert body["checks"]["scanner"]["pending_scans"] == 1


def test_an_added_check_counts(db, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "outbox", lambda: {"ok": False, "waiting": 3})
    response, body = _probe()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["outbox"] == {"ok": False, "waiting": 3}


def test_a_check_that_breaks_is_not_ok_and_shows_no_error(db, monkeypatch):
    def broken():
        raise RuntimeError("secret detail")

    monkeypatch.setitem(health.CHECKS, "outbox", broken)
    response, body = _probe()
    assert body["checks"]["outbox"] == {"ok": False}
    assert b"secret" not in response.content


def test_it_answers_no_post_and_is_exempt_from_the_https_redirect(db, settings):
    assert Client().post("/health/").status_code == 405
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/health/").status_code == 200
    assert Client().get("/guideline/").status_code == 301


def test_a_signed_in_browser_gets_no_new_cookie(db, resident):
    client = Client()
    client.force_login(resident)
    response, body = _probe(client)
    assert response.status_code == 200
    assert not response.cookies
