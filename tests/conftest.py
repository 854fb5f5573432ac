"""Shared fixtures: the fixed cast (resident, member, representative, other-org member, staff
with a second factor, anonymous) and test-friendly settings."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import polib
import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

from muroran_kyodo.lib import pagecache, scanning
from tests import clamav, factories
from tests.fuzz.report import (  # noqa: F401 (the fuzz tests' summary: pytest hooks)
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session):
    # Tests need the compiled Japanese catalogue, as `make` builds it; pytest alone does too.
    for po_path in ROOT.glob("locale/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


@pytest.fixture(scope="session", autouse=True)
def fake_clamd():
    """One fake clamd for the whole run (per xdist worker), the scanner of every test unless
    CLAMD_ADDRESS names a real one (CI): set for the session, so that session fixtures (the
    access matrix's world) store their files scanned too."""
    with clamav.FakeClamd() as server:
        if os.environ.get("CLAMD_ADDRESS"):
            yield server
            return
        with override_settings(CLAMD_ADDRESS=server.address):
            yield server


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def real_clamd():
    """The address of a real clamd with the EICAR test signatures: CLAMD_ADDRESS when set (CI
    starts one), else one started here when Debian's clamd is installed. Skipped when neither
    is there, with the reason; with REQUIRE_CLAMD=1 (CI) that fails instead."""
    from muroran_kyodo.lib import clamd

    def missing(reason: str):
        if _truthy("REQUIRE_CLAMD"):
            pytest.fail(f"CLAMD TESTS FAILED (REQUIRE_CLAMD=1): {reason}", pytrace=False)
        pytest.skip(f"CLAMD TESTS SKIPPED: {reason} — apt-get install clamav-daemon")

    address = os.environ.get("CLAMD_ADDRESS", "")
    if address:
        if not clamd.ping(address):
            missing(f"CLAMD_ADDRESS={address} does not answer PING")
        yield address
        return
    if clamav.clamd_binary() is None:
        missing("clamd is not installed and CLAMD_ADDRESS is not set")
    try:
        server = clamav.RealClamd().__enter__()
    except RuntimeError as error:
        missing(str(error))
    yield server.address
    server.__exit__()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, fake_clamd):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ADMIN_REQUIRE_MFA = True
    settings.SECURE_SSL_REDIRECT = False
    # Uploads (and seed_demo's subsidy documents) go to a directory of the test, never media/.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Every upload is virus-checked: by the real clamd when CLAMD_ADDRESS is set (CI), else by
    # a fake that speaks its protocol and finds the EICAR test text (tests/clamav.py).
    if not os.environ.get("CLAMD_ADDRESS"):
        settings.CLAMD_ADDRESS = fake_clamd.address
    fake_clamd.reset()
    scanning.forget_verdicts()
    cache.clear()  # rate-limit counters must not leak between tests
    pagecache._local.clear()  # nor the pages this process keeps besides the shared cache
    # Each test starts in the site's language: a request in English (LocaleMiddleware) leaves
    # English active in the thread, and code calling gettext would read English next.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def clock_inside_one_minute():
    """The clock held still at the first second of the next full minute: for tests of the page
    cache, whose entries never outlive the minute they were stored in (a test that crossed a
    minute boundary would see a page expire under it)."""
    with time_machine.travel(math.floor(time.time() / 60) * 60 + 61, tick=False) as traveller:
        yield traveller


@pytest.fixture
def resident(db):
    return factories.make_user(
        "resident@example.jp",
        family_name="輪西",
        given_name="花子",
        family_name_kana="ワニシ",
        given_name_kana="ハナコ",
        display_name="はなこ",
    )


@pytest.fixture
def representative(db):
    return factories.make_user("rep@example.jp")


@pytest.fixture
def member(db):
    return factories.make_user("member@example.jp")


@pytest.fixture
def other_member(db):
    return factories.make_user("other@example.jp")


@pytest.fixture
def organization(representative, member):
    organization = factories.make_organization(
        name="輪西まちづくりの会", representative=representative
    )
    factories.add_member(organization, member)
    return organization


@pytest.fixture
def other_organization(other_member):
    return factories.make_organization(
        name="白鳥台ふれあいの会",
        district_name="白鳥台",
        representative=other_member,
        status="pending",
    )


@pytest.fixture
def staff(db):
    """A clerk of 地域生活課: staff, in the department's group (migration organizations 0003)."""
    from django.contrib.auth.models import Group

    user = factories.make_user("staff@city.muroran.example.jp", staff=True)
    user.groups.add(Group.objects.get(name="地域生活課"))
    return user


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, staff):
    """A staff member signed in with a TOTP second factor, as the admin demands."""
    return factories.with_second_factor(client, staff)
