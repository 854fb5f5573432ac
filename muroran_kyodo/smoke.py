"""The smoke journey of the restore drill (`manage.py smoke_journey`, run by `restore --drill`
in a child process whose DATABASE_URL and MEDIA_ROOT name the restored copy).

The pages a visitor, a signed-in person and a clerk open first, through Django's test client:
the home page, the organisation directory and one organisation, a パブリックコメント case and its
result, マイページ of the first active person, an admin changelist as a superuser with a second
factor, and one uploaded file through its permission-checked view as the person who sent it,
its bytes hashed. Everything runs in one transaction that is rolled back: the sessions and the
second factor the journey needs leave nothing in the restored copy.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accounts.middleware import STAFF_ACTIVITY_KEY
from muroran_kyodo.lib import scanning
from muroran_kyodo.lib.backup import Check
from muroran_kyodo.lib.models import FileScan
from organizations.models import Organization
from publiccomment.models import Case
from subsidies.models import Attachment


class _Rollback(Exception):
    pass


def run(uploads: dict[str, dict] | None = None) -> list[Check]:
    """Open every page of the journey; one Check each. `uploads`: the manifest's SHA-256 of
    each uploaded file (by storage name), which a downloaded file must match; without it, the
    file as stored."""
    checks: list[Check] = []
    try:
        with (
            # The test client's host, and the pages rendered, not served from a page cache.
            override_settings(ALLOWED_HOSTS=["testserver"], PAGE_CACHE_SECONDS=0),
            transaction.atomic(),
        ):
            for step in STEPS:
                checks.append(_step(step, uploads or {}))
            raise _Rollback
    except _Rollback:
        pass
    return checks


def _step(step: Callable[[dict[str, dict]], Check], uploads: dict[str, dict]) -> Check:
    try:
        with transaction.atomic():  # a savepoint: a failed step leaves the next ones a database
            return step(uploads)
    except Exception as error:  # noqa: BLE001 (a failed step is a line of the table)
        return Check(step.__doc__ or step.__name__, False, f"{type(error).__name__}: {error}")


def _client(user=None) -> Client:
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    if user.is_staff or user.is_superuser:
        # As after a password and a TOTP code (the admin demands a second factor).
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "drill"}}
        )
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": 0, "email": user.email},
            {"method": "mfa", "at": 0, "type": "totp"},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        now = time.time()
        session[STAFF_ACTIVITY_KEY] = {"first": now, "last": now}
        session.save()
    return client


def _page(what: str, url: str, client: Client | None = None) -> Check:
    response = (client or Client()).get(url, secure=True)
    return Check(what, response.status_code == 200, f"GET {url} → {response.status_code}")


def home(uploads: dict[str, dict]) -> Check:
    """home page"""
    return _page("home page", reverse("home"))


def directory(uploads: dict[str, dict]) -> Check:
    """organisation directory"""
    return _page("organisation directory", reverse("organizations:directory"))


def organisation(uploads: dict[str, dict]) -> Check:
    """organisation page"""
    found = Organization.objects.for_directory().first()
    if found is None:
        return Check("organisation page", None, "no verified organisation")
    return _page("organisation page", reverse("organizations:detail", args=[found.pk]))


def case(uploads: dict[str, dict]) -> Check:
    """public comment case"""
    found = Case.objects.public().order_by("pk").first()
    if found is None:
        return Check("public comment case", None, "no public case")
    return _page("public comment case", reverse("publiccomment:case_detail", args=[found.pk]))


def result(uploads: dict[str, dict]) -> Check:
    """public comment result"""
    found = Case.objects.filter(status=Case.Status.RESULT_PUBLISHED).order_by("pk").first()
    if found is None:
        return Check("public comment result", None, "no case with a published result")
    return _page("public comment result", reverse("publiccomment:case_result", args=[found.pk]))


def mypage(uploads: dict[str, dict]) -> Check:
    """マイページ"""
    user = get_user_model().objects.filter(is_active=True).order_by("pk").first()
    if user is None:
        return Check("マイページ (first active user)", None, "no active user")
    check = _page("マイページ (first active user)", reverse("mypage"), _client(user))
    return Check(check.what, check.ok, f"{check.detail} as user {user.pk}")


def admin_changelist(uploads: dict[str, dict]) -> Check:
    """admin changelist"""
    what = "admin changelist (organisations)"
    user = get_user_model().objects.filter(is_active=True, is_superuser=True, is_staff=True)
    user = user.order_by("pk").first()
    if user is None:
        return Check(what, None, "no active superuser")
    url = reverse("admin:organizations_organization_changelist")
    check = _page(what, url, _client(user))
    return Check(what, check.ok, f"{check.detail} as superuser {user.pk}")


def download(uploads: dict[str, dict]) -> Check:
    """uploaded file download"""
    what = "uploaded file download (subsidy attachment)"
    # A file the portal serves: clean, or any not found infected when scanning is off (demo).
    states = [state for state in FileScan.State if scanning.servable(state)]
    clean = FileScan.objects.filter(state__in=states).values("name")
    attachment = (
        Attachment.objects.filter(file__in=clean, application__applicant__is_active=True)
        .select_related("application__applicant")
        .order_by("pk")
        .first()
    )
    if attachment is None:
        return Check(what, None, "no servable subsidy attachment of an active applicant")
    url = reverse("subsidies:attachment", args=[attachment.pk])
    response = _client(attachment.application.applicant).get(url, secure=True)
    if response.status_code != 200:
        return Check(what, False, f"GET {url} → {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    served = hashlib.sha256(body).hexdigest()
    if attachment.file.name in uploads:
        expected, against = uploads[attachment.file.name]["sha256"], "the manifest"
    else:
        with attachment.file.open("rb") as stored:
            expected, against = hashlib.sha256(stored.read()).hexdigest(), "the stored file"
    return Check(
        what,
        served == expected,
        f"GET {url} → 200, {len(body)} B, sha256 {served[:12]}… "
        f"{'=' if served == expected else '≠'} {against}",
    )


STEPS: list[Callable[[dict[str, dict]], Check]] = [
    home,
    directory,
    organisation,
    case,
    result,
    mypage,
    admin_changelist,
    download,
]
