"""The WSGI module gunicorn preloads in its master: warm, and without a connection that the
forked workers would share."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import muroran_kyodo.wsgi
from django.db import connections
from django.urls import get_resolver
from django.utils import translation
from muroran_kyodo.lib import pagecache

assert all(c.connection is None for c in connections.all()), "a database connection is open"
resolver = get_resolver()
assert {"ja", "en"} <= set(resolver._reverse_dict), resolver._reverse_dict.keys()
assert pagecache.release.cache_info().currsize == 1
print("ok")
"""


def test_importing_the_application_warms_up_without_opening_a_connection():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "muroran_kyodo.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "testserver",
        # Nothing answers on port 1: a connection to the database or the cache would fail.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "CACHE_URL": "redis://127.0.0.1:1/0",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"
