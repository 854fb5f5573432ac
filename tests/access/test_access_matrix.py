"""The access matrix: every URL of the portal × nine roles, GET and (where the URL takes one) an
empty or minimal POST, against the expected status in tests/access/matrix.py.

A URL of the resolver that has no row (and is not excluded with a reason) fails, and so does a
row whose URL is gone: a new app writes its rows here. One world (tests/access/world.py) is built
per module and per xdist worker; each cell runs in its own savepoint, so writes by permitted
roles are rolled back. Cells where the app is wrong keep the right answer and are marked
xfail(strict=True) in matrix.XFAIL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve, reverse

from tests.access import harness
from tests.access.matrix import EXCLUDED, MATRIX, OPTIONAL_EXCLUDED, XFAIL
from tests.access.urls import kwargs_for, post_data, url_name
from tests.access.world import ROLES, build
from tests.subsidies.factories import NOW

REFUSALS = {"L", "403", "404", "405"}


def _row(text: str) -> dict[str, str]:
    tokens = text.split()
    assert len(tokens) == len(ROLES), text
    return dict(zip(ROLES, tokens, strict=True))


def _cells():
    for key, methods in MATRIX.items():
        for method, text in methods.items():
            for role, expected in _row(text).items():
                marks = []
                if (key, role, method) in XFAIL:
                    marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[(key, role, method)]))
                yield pytest.param(
                    key, role, method, expected, marks=marks, id=f"{key}-{role}-{method}"
                )


def _reference_data_back() -> None:
    """A transactional test that ran before on this worker (a migration test, a browser test)
    leaves the tables flushed; pytest-django puts the migrations' reference data back for each
    test, but not for a module-scoped fixture: do it here, inside the world's transaction."""
    from django.contrib.auth.models import Group
    from django.db import connection

    serialized = getattr(connection, "_test_serialized_contents", None)
    if serialized and not Group.objects.exists():
        connection.creation.deserialize_db_from_string(serialized)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once per module inside the subsidies' frozen clock (FY2026 第1期), in a
    transaction rolled back at the end of the module."""
    media = tmp_path_factory.mktemp("access-media")
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        _reference_data_back()
        world = build()
        world.media = media
        # One session per role, signed in once; each cell sends its cookie.
        world.sessions = {}
        for role in ROLES:
            client = harness.sign_in(Client(), role, world.users[role])
            cookie = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
            world.sessions[role] = cookie.value if cookie else None
        # Every cell starts from this state (its savepoint is rolled back after it).
        world.snapshot = harness.snapshot()
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_media(_test_settings, settings, world):
    settings.MEDIA_ROOT = world.media


def _matches(response, expected: str) -> bool:
    if expected.isdigit():
        return response.status_code == int(expected)
    if response.status_code != 302:
        return False
    target = "account_login" if expected == "L" else expected.removeprefix("R:")
    return resolve(urlsplit(response["Location"]).path).view_name == target


@pytest.mark.parametrize(("key", "role", "method", "expected"), list(_cells()))
def test_access(world, db, key, role, method, expected):
    client = Client()
    if world.sessions[role]:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = reverse(url_name(key), kwargs=kwargs_for(key, world))

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, post_data(key, world))

    observed = f"{response.status_code} {response.get('Location', '')}".strip()
    assert _matches(response, expected), f"{method} {url} as {role}: {observed}, not {expected}"
    if method == "GET" or expected in REFUSALS:
        assert harness.snapshot() == world.snapshot, (
            f"{method} {url} as {role} wrote to the database"
        )


def test_every_url_has_a_row_and_every_row_a_url():
    """The guard: a URL pattern without a row (or a reasoned exclusion) fails, and so does a row
    or an exclusion whose URL is gone."""
    routes = list(harness.walk())
    names = {name for _, name in routes if name}
    unnamed = [route for route, name in routes if not name and not route.startswith("admin/")]
    assert not unnamed, f"URL patterns without a name: {unnamed}"

    def listed(name):
        return (
            name in MATRIX
            or name in EXCLUDED
            or name in OPTIONAL_EXCLUDED
            or (name.startswith("admin:") and name != "admin:index")
        )

    missing = sorted(name for name in names if not listed(name))
    assert not missing, f"URLs with no row in tests/access/matrix.py: {missing}"
    gone = sorted({url_name(key) for key in MATRIX} - names)
    gone += sorted(set(EXCLUDED) - names)
    assert not gone, f"rows whose URL no longer exists: {gone}"
    wrong = [key for key in XFAIL if key[0] not in MATRIX or key[2] not in MATRIX[key[0]]]
    assert not wrong, f"xfail marks for cells that are not in the matrix: {wrong}"
