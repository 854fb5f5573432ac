"""The Content-Security-Policy: on every kind of page (public, signed in, admin, allauth's, the
error pages), without 'unsafe-inline', with frame-ancestors 'none' and the map tiles' host;
uploaded files keep their own stricter policy; violations reported by browsers are logged,
capped and rate-limited, never stored."""

import json
import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from muroran_kyodo import csp_report
from muroran_kyodo.settings import tile_source
from tests import factories
from tests.muroran_kyodo.test_settings import PRODUCTION, _run

EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: https://cyberjapandata.gsi.go.jp",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "report-uri": "/security/csp-report/",
}


def directives(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";") if p.strip()]
    return {p.split(" ", 1)[0]: (p.split(" ", 1) + [""])[1] for p in parts}


def assert_policy(response):
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    found = directives(header)
    for name, value in EXPECTED.items():
        assert found.get(name) == value, (name, header)


def test_public_pages_carry_the_policy(client, db):
    for url in ("/", "/guideline/", reverse("account_login"), reverse("account_signup")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)


def test_signed_in_and_admin_pages_carry_it(resident, staff_client):
    from django.test import Client

    client = Client()
    client.force_login(resident)
    for url in (reverse("mypage"), reverse("mfa_index"), reverse("account_email")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_policy(response)
    response = staff_client.get("/admin/")
    assert response.status_code == 200
    assert_policy(response)


def test_refusals_carry_it(client, resident, db):
    assert_policy(client.get("/no-such-page/"))  # 404
    assert_policy(client.put("/"))  # 405
    client.force_login(resident)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert_policy(response)


def test_the_tile_host_comes_from_map_tile_url():
    assert tile_source("https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png") == (
        "https://cyberjapandata.gsi.go.jp"
    )
    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        tile_source("javascript:alert(1)")


# With the production settings (DEBUG off, as deployed): the error pages too, and the browser
# told to fetch everything over https.
PRODUCTION_ERRORS = """
import json, django
django.setup()
from django.conf import settings
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import clear_url_caches, path
setup_test_environment()
connection.settings_dict["TEST"]["MIGRATE"] = False
connection.creation.create_test_db(verbosity=0)
from muroran_kyodo import urls
def boom(request):
    raise RuntimeError("boom")
urls.urlpatterns.append(path("boom/", boom))
clear_url_caches()
client = Client(raise_request_exception=False)
out = {}
for name, response in (
    ("home", client.get("/", secure=True)),
    ("404", client.get("/no-such-page/", secure=True)),
    ("405", client.put("/", secure=True)),
    ("500", client.get("/boom/", secure=True)),
):
    out[name] = [response.status_code, response.get("Content-Security-Policy")]
print(json.dumps(out))
"""


def test_production_pages_and_error_pages_carry_it():
    result = _run(
        ["-c", PRODUCTION_ERRORS],
        **{**PRODUCTION, "CACHE_URL": None, "EMAIL_URL": None, "ALLOWED_HOSTS": "testserver"},
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert [out[k][0] for k in ("home", "404", "405", "500")] == [200, 404, 405, 500]
    for name, (_status, header) in out.items():
        assert header, name
        assert "unsafe-inline" not in header
        found = directives(header)
        assert found["frame-ancestors"] == "'none'", name
        assert found["script-src"] == "'self'", name
        assert "upgrade-insecure-requests" in found, name


def test_local_development_does_not_upgrade_requests(client, db):
    assert "upgrade-insecure-requests" not in client.get("/")["Content-Security-Policy"]


# --- the report endpoint --------------------------------------------------------------------

REPORT = {
    "csp-report": {
        "document-uri": "https://kyodo.example.jp/accounts/password/reset/key/abc/?token=secret",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "https://kyodo.example.jp/static/x.js#frag",
        "line-number": 12,
        "original-policy": "default-src 'self'; " * 50,
    }
}
URL = "/security/csp-report/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _post(client, body, content_type="application/csp-report"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data, content_type=content_type)


def test_a_report_is_logged_without_csrf_token_or_database(db, caplog, django_assert_num_queries):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="muroran_kyodo.security"):
        with django_assert_num_queries(0):
            response = _post(client, REPORT)
    assert response.status_code == 204
    (line,) = [r.getMessage() for r in caplog.records if r.name == "muroran_kyodo.security"]
    logged = json.loads(line)
    assert logged["event"] == "csp_violation"
    assert logged["document"] == "https://kyodo.example.jp/accounts/password/reset/key/abc/"
    assert logged["source"] == "https://kyodo.example.jp/static/x.js"
    assert logged["directive"] == "script-src-elem" and logged["line"] == 12
    assert "secret" not in line and "original-policy" not in line


def test_the_reporting_api_form_is_read_too(client, db, caplog):
    body = [
        {
            "type": "csp-violation",
            "body": {"documentURL": "https://kyodo.example.jp/", "effectiveDirective": "img-src"},
        },
        {"type": "deprecation", "body": {"id": "x"}},
    ]
    with caplog.at_level(logging.WARNING, logger="muroran_kyodo.security"):
        assert _post(client, body, "application/reports+json").status_code == 204
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name.endswith("security")]
    assert [line["directive"] for line in lines] == ["img-src"]


def test_bad_reports_are_refused_without_a_500(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="muroran_kyodo.security"):
        assert _post(client, b"not json").status_code == 400
        assert _post(client, b"\xff\xfe").status_code == 400
        assert _post(client, {"csp-report": "x"}).status_code == 204
        too_big = json.dumps({"csp-report": {"blocked-uri": "x" * (csp_report.MAX_BYTES + 1)}})
        assert _post(client, too_big).status_code == 413
        assert client.get(URL).status_code == 405
    assert not [r for r in caplog.records if r.name == "muroran_kyodo.security"]


def test_reports_over_the_limit_are_dropped(client, db, caplog, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "security.csp_report": {"ip": "2/m"}}
    with caplog.at_level(logging.WARNING, logger="muroran_kyodo.security"):
        for _ in range(4):
            assert _post(client, REPORT).status_code == 204
    assert len([r for r in caplog.records if r.name == "muroran_kyodo.security"]) == 2


def test_uploaded_files_keep_their_stricter_policy():
    from muroran_kyodo.lib import uploads

    assert "default-src 'none'" in open(uploads.__file__, encoding="utf-8").read()


def test_signed_in_report_is_logged(client, resident, caplog):
    factories.sign_in(client, resident)
    with caplog.at_level(logging.WARNING, logger="muroran_kyodo.security"):
        assert _post(client, REPORT).status_code == 204
    assert any(r.name == "muroran_kyodo.security" for r in caplog.records)
