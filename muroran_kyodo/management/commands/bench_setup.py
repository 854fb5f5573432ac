"""`manage.py bench_setup`: what bench/run.py loads, from the apps' declarations.

Refreshes the planner statistics (a production database has them after its bulk loads),
creates (idempotently) the bench resident and a bench superuser with TOTP, asks every
`registry.BENCH_PAGES` declaration for its pages (which may create the data a signed-in page
needs), opens one session for each person in the session store, as a sign-in would (Django's
auth keys, and allauth's authentication records: for staff with the "mfa" record that
AdminSecondFactorMiddleware wants), and prints one line `BENCH {json}` for the harness.

`--residents N` (the capacity run) also creates N bench residents, bench-resident-0001@example.jp
…, bulk-created once, and opens a session for each: every simulated signed-in visitor of the
capacity run is a person of their own, as in real use, so that no per-account rate limit
counts the whole crowd as one. Their session keys are the list "residents".

No bench account has a password. Meant for the bench database only."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from importlib import import_module

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.demo import synthetic_users
from muroran_kyodo import registry

PERSON_EMAIL = "bench-partner@example.jp"
STAFF_EMAIL = "bench-staff@example.jp"
RESIDENT_EMAIL = "bench-resident-{:04d}@example.jp"
MAX_RESIDENTS = 5000


class Command(BaseCommand):
    help = "Prepare the bench people and print the pages every app declares (for bench/run.py)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents",
            type=int,
            default=0,
            metavar="N",
            help="Also N bench residents with a session each (the capacity run).",
        )

    def handle(self, *args, residents: int = 0, **options):
        if not 0 <= residents <= MAX_RESIDENTS:
            raise CommandError(f"--residents must be between 0 and {MAX_RESIDENTS}.")
        engine = settings.SESSION_ENGINE
        backend = settings.CACHES["default"]["BACKEND"].lower()
        if engine.endswith(".cache") and "locmem" in backend:
            raise CommandError(
                f"SESSION_ENGINE {engine} with a local-memory cache: gunicorn cannot see "
                "sessions made here; set CACHE_URL to a shared cache."
            )
        if connection.vendor in ("postgresql", "sqlite"):
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        staff = _user(STAFF_EMAIL, is_staff=True, is_superuser=True)
        totp = Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).first()
        if totp is None:
            totp = TOTP.activate(staff, generate_totp_secret()).instance
        person = _user(PERSON_EMAIL)
        pages = [
            asdict(page)
            for declare in registry.BENCH_PAGES
            for page in declare(person=person, staff=staff)
        ]
        Store = import_module(engine).SessionStore
        Store.clear_expired()
        out = {
            "cookie": settings.SESSION_COOKIE_NAME,
            "sessions": {"person": _session(Store, person), "staff": _session(Store, staff, totp)},
            "pages": pages,
            "residents": [_session(Store, user) for user in _residents(residents)],
        }
        self.stdout.write("BENCH " + json.dumps(out, ensure_ascii=False))


def _user(email, **extra):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            password=None,
            family_name="ベンチ",
            given_name="太郎",
            family_name_kana="ベンチ",
            given_name_kana="タロウ",
            **extra,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _residents(count: int) -> list:
    """The capacity run's residents, bulk-created (only those missing), with a verified
    address each, as a signed-up resident has; unusable passwords."""
    if not count:
        return []
    users = synthetic_users(
        {
            RESIDENT_EMAIL.format(n): {
                "family_name": "ベンチ",
                "given_name": f"住民{n:04d}",
                "family_name_kana": "ベンチ",
                "given_name_kana": "ジュウミン",
                "display_name": f"住民{n:04d}",
            }
            for n in range(1, count + 1)
        }
    )
    verified = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in users
            if user.pk not in verified
        ],
        batch_size=500,
    )
    return users


def _session(Store, user, totp=None) -> str:
    session = Store()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    if totp is not None:
        records.append({"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.create()
    return session.session_key
