"""`manage.py bench_setup`: what bench/run.py loads, from the apps' declarations.

Refreshes the planner statistics (a production database has them after its bulk loads),
creates (idempotently) the bench resident and a bench superuser with TOTP, asks every
`registry.BENCH_PAGES` declaration for its pages (which may create the data a signed-in page
needs), opens one session for each person in the session store, as a sign-in would (Django's
auth keys, and allauth's authentication records: for staff with the "mfa" record that
AdminSecondFactorMiddleware wants), and prints one line `BENCH {json}` for the harness.
Neither bench account has a password. Meant for the bench database only."""

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

from muroran_kyodo import registry

PERSON_EMAIL = "bench-partner@example.jp"
STAFF_EMAIL = "bench-staff@example.jp"


class Command(BaseCommand):
    help = "Prepare the bench people and print the pages every app declares (for bench/run.py)."

    def handle(self, *args, **options):
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
