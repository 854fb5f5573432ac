"""Shared fixtures: the fixed cast (resident, member, representative, other-org member, staff
with a second factor, anonymous) and test-friendly settings."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.core.cache import cache
from django.utils import translation

from tests import factories
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


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ADMIN_REQUIRE_MFA = True
    settings.SECURE_SSL_REDIRECT = False
    # Uploads (and seed_demo's subsidy documents) go to a directory of the test, never media/.
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # rate-limit counters must not leak between tests
    # Each test starts in the site's language: a request in English (LocaleMiddleware) leaves
    # English active in the thread, and code calling gettext would read English next.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    cache.clear()


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
