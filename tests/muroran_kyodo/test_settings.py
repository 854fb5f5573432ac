"""Settings come from the environment and refuse unsafe production values. Each test starts
a fresh interpreter, since settings are read once at import."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Every variable settings.py reads; removed so that the caller's shell does not leak in.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "DB_CONNECT_TIMEOUT",
    "CACHE_SOCKET_TIMEOUT",
    "CACHE_URL",
    "EMAIL_URL",
    "MFA_ENCRYPTION_KEYS",
    "EMAIL_SUBJECT_PREFIX",
    "DEFAULT_FROM_EMAIL",
    "SERVER_EMAIL",
    "ADMIN_EMAILS",
    "ADMIN_REQUIRE_MFA",
    "TRUSTED_PROXY_COUNT",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "SECURE_SSL_REDIRECT",
    "USE_X_FORWARDED_PROTO",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SITE_URL",
    "CITY_POPULATION",
    "LOG_LEVEL",
    "BENCH_BASELINE",
    "STAFF_IDLE_TIMEOUT_SECONDS",
    "CLAMD_ADDRESS",
    "CLAMD_TIMEOUT",
    "UPLOAD_QUARANTINE_ROOT",
    "UPLOAD_STORAGE",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_PREFIX",
}

GOOD_KEY = secrets.token_urlsafe(64)

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "kyodo.city.muroran.example.jp",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.jp:587",
    "MFA_ENCRYPTION_KEYS": "3yV0z5sQfq0m4bqv9bQXo1Yq9oQn2l7o2xkqgJt9yWk=",
    "CLAMD_ADDRESS": "unix:///run/clamav/clamd.ctl",
}

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECRET_KEY_IS_DEV": s.SECRET_KEY.startswith("django-insecure"),
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "CACHE": s.CACHES["default"]["BACKEND"],
    "ADMIN_REQUIRE_MFA": s.ADMIN_REQUIRE_MFA,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
}))
"""


def _run(args, **env_values):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "muroran_kyodo.settings"
    # An empty value still counts as "set", so a developer's .env cannot fill in a secret.
    env.setdefault("SECRET_KEY", "")
    env.update({k: v for k, v in env_values.items() if v is not None})
    for name in [k for k, v in env_values.items() if v is None]:
        env.pop(name, None)  # None: not set at all
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(**env_values) -> dict:
    result = _run(["-c", SHOW_SETTINGS], **env_values)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _refused(result, message):
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_with_nothing_set_it_runs_as_a_local_demo():
    values = _settings()
    assert values["DEBUG"] is True
    assert values["SECRET_KEY_IS_DEV"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["ADMIN_REQUIRE_MFA"] is True
    assert values["SESSION_COOKIE_SECURE"] is False


def test_debug_off_without_a_secret_key_is_refused():
    result = _run(["-c", SHOW_SETTINGS], DEBUG="false")
    _refused(result, "SECRET_KEY must be set when DEBUG is off.")


@pytest.mark.parametrize(
    "key",
    [
        "too-short-a-secret",
        "django-insecure-" + "x" * 60,  # Django's startproject placeholder style
    ],
)
def test_debug_off_with_an_insecure_secret_key_is_refused(key):
    result = _run(["-c", SHOW_SETTINGS], DEBUG="false", SECRET_KEY=key)
    _refused(result, "SECRET_KEY is not a real secret")


@pytest.mark.parametrize("name", ["DEBUG", "ADMIN_REQUIRE_MFA", "SECURE_SSL_REDIRECT"])
def test_a_boolean_that_is_neither_yes_nor_no_fails_loudly(name):
    result = _run(["-c", SHOW_SETTINGS], **{name: "maybe"})
    _refused(result, f"{name}='maybe' is not a boolean")


@pytest.mark.parametrize("value", ["False", "0", "no", "OFF", " false "])
def test_the_usual_spellings_of_no_switch_debug_off(value):
    assert _settings(**{**PRODUCTION, "DEBUG": value})["DEBUG"] is False


def test_debug_off_turns_on_https_only_cookies_and_hsts():
    values = _settings(**PRODUCTION)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["ALLOWED_HOSTS"] == ["kyodo.city.muroran.example.jp"]
    # Django's RedisCache, answering as an empty cache while Redis is unreachable.
    assert values["CACHE"] == "muroran_kyodo.lib.cache.RedisCache"


def test_debug_off_has_no_default_allowed_hosts():
    assert _settings(**{**PRODUCTION, "ALLOWED_HOSTS": ""})["ALLOWED_HOSTS"] == []


def test_switching_off_the_admin_second_factor_is_ignored_when_debug_is_off():
    assert _settings(**PRODUCTION, ADMIN_REQUIRE_MFA="false")["ADMIN_REQUIRE_MFA"] is True


def test_the_demo_may_switch_off_the_admin_second_factor():
    assert _settings(ADMIN_REQUIRE_MFA="false")["ADMIN_REQUIRE_MFA"] is False


def test_deploy_check_passes_with_production_values():
    pytest.importorskip("redis", reason="the redis package is needed for CACHE_URL=redis://")
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        ADMIN_REQUIRE_MFA="false",  # ignored: DEBUG is off
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_when_rate_limits_are_kept_per_process():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **{**PRODUCTION, "CACHE_URL": None},
    )
    assert result.returncode != 0
    assert "muroran_kyodo.W002" in result.stderr


def test_deploy_check_warns_when_mail_would_only_be_printed():
    pytest.importorskip("redis", reason="the redis package is needed for CACHE_URL=redis://")
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **{**PRODUCTION, "EMAIL_URL": None},
    )
    assert result.returncode != 0
    assert "muroran_kyodo.W003" in result.stderr


def test_deploy_check_fails_without_a_virus_scanner():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **{**PRODUCTION, "CLAMD_ADDRESS": None},
    )
    assert result.returncode != 0
    assert "muroran_kyodo.E010" in result.stderr
    assert "CLAMD_ADDRESS is not set" in result.stderr


# A real sign-in through the whole middleware stack, with the production settings: the cookies
# and headers as a browser receives them over HTTPS. Tables are made without migrations (fast);
# static files are not collected, so their names are not looked up in a manifest.
PRODUCTION_RESPONSES = """
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
setup_test_environment()
connection.settings_dict["TEST"]["MIGRATE"] = False
connection.creation.create_test_db(verbosity=0)
from tests import factories
factories.make_user("resident@example.jp")

def cookie(morsel):
    return {k: morsel[k] for k in ("path", "domain", "secure", "httponly", "samesite")}

client = Client()
page = client.get("/accounts/login/", secure=True)
signed_in = client.post(
    "/accounts/login/",
    {"login": "resident@example.jp", "password": factories.PASSWORD},
    secure=True,
)
language = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
plain = client.get("/", secure=False)
print(json.dumps({
    "page_status": page.status_code,
    "headers": dict(page.headers),
    "signed_in_status": signed_in.status_code,
    "cookies": {
        name: cookie(m)
        for name, m in {**page.cookies, **signed_in.cookies, **language.cookies}.items()
    },
    "plain_http": [plain.status_code, plain.headers.get("Location")],
}))
"""


@pytest.fixture(scope="module")
def production_responses():
    result = _run(
        ["-c", PRODUCTION_RESPONSES],
        **{**PRODUCTION, "CACHE_URL": None, "EMAIL_URL": None, "ALLOWED_HOSTS": "testserver"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_host_only_https_only(production_responses):
    assert production_responses["signed_in_status"] == 302
    cookies = production_responses["cookies"]
    # The sign-in sets a flash message ("signed in as …"), the language switch its cookie.
    expected = {
        "__Host-sessionid",
        "__Host-csrftoken",
        "__Host-messages",
        "__Host-django_language",
    }
    assert expected <= set(cookies)
    for name, attributes in cookies.items():
        assert name.startswith("__Host-"), name
        assert attributes["secure"] is True
        assert attributes["path"] == "/"
        assert attributes["domain"] == ""
        assert attributes["samesite"] == "Lax"
        # No script of the site reads a cookie (ASVS 3.3.4).
        assert attributes["httponly"] is True, name


def test_production_responses_carry_the_security_headers(production_responses):
    assert production_responses["page_status"] == 200
    headers = production_responses["headers"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy.split(", ")


def test_production_sends_plain_http_to_https(production_responses):
    assert production_responses["plain_http"] == [301, "https://testserver/"]


def test_local_development_keeps_the_plain_cookie_names():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    )
    result = _run(["-c", script])
    assert result.stdout.split() == ["sessionid", "csrftoken"]


SHOW_STORAGE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]  # the storage itself, not the lazy default_storage
print(json.dumps({
    "class": type(default_storage).__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "endpoint": getattr(default_storage, "endpoint_url", None),
    "location": getattr(default_storage, "location", None),
    "acl": getattr(default_storage, "default_acl", None),
    "overwrite": getattr(default_storage, "file_overwrite", None),
}))
"""


def test_uploads_go_to_the_file_system_unless_s3_is_chosen():
    result = _run(["-c", SHOW_STORAGE])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["class"] == "ScannedFileSystemStorage"

    result = _run(
        ["-c", SHOW_STORAGE],
        UPLOAD_STORAGE="s3",
        S3_BUCKET="kyodo-uploads",
        S3_ENDPOINT_URL="https://minio.internal:9000",
        S3_PREFIX="uploads",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "class": "ScannedS3Storage",
        "bucket": "kyodo-uploads",
        "endpoint": "https://minio.internal:9000",
        "location": "uploads",
        "acl": "private",
        "overwrite": False,
    }


def test_an_unknown_upload_storage_or_s3_without_a_bucket_is_refused():
    _refused(_settings_run(UPLOAD_STORAGE="ftp"), "UPLOAD_STORAGE must be filesystem or s3")
    _refused(_settings_run(UPLOAD_STORAGE="s3"), "S3_BUCKET")


def _settings_run(**env_values):
    return _run(["-c", SHOW_SETTINGS], **env_values)
