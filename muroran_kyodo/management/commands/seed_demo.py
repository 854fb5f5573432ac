"""`python manage.py seed_demo [--volume N]`: demo data for a laptop, a review or the benchmark.

Idempotent: users are found by e-mail, organisations by name, projects by title and 年度, so
running it again creates nothing. Each app keeps its demo data in its own `demo.py` with a
`seed(*, stdout, staff, users)` function; add one line to `SEEDERS` below for a new app.

Passwords: the staff user `admin@example.jp` gets $DEMO_ADMIN_PASSWORD, the demo residents
$DEMO_USER_PASSWORD. When the variable is unset, a new user gets a random password that is
printed once; an existing user keeps the one it has.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import translation

import councils.demo
import councils.demo_volume
import entalk.demo
import organizations.demo
import partners.demo
import publiccomment.demo
import subsidies.demo
from accounts.demo import synthetic_users
from organizations.models import CollaborationProject, District, Membership, Organization

User = get_user_model()

STAFF_EMAIL = "admin@example.jp"


@dataclass(frozen=True)
class DemoUser:
    email: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    display_name: str
    phone: str
    postal_code: str
    address: str
    district: str


RESIDENTS = [
    DemoUser(
        "resident@example.jp",
        "佐藤",
        "花子",
        "サトウ",
        "ハナコ",
        "はなこ",
        "090-0000-0001",
        "050-0065",
        "室蘭市輪西町2丁目",
        "輪西町",
    ),
    DemoUser(
        "kaicho@example.jp",
        "高橋",
        "正夫",
        "タカハシ",
        "マサオ",
        "輪西の高橋",
        "0143-00-0002",
        "050-0065",
        "室蘭市輪西町1丁目",
        "輪西町",
    ),
    DemoUser(
        "shotengai@example.jp",
        "渡辺",
        "健一",
        "ワタナベ",
        "ケンイチ",
        "わたなべ商店",
        "0143-00-0003",
        "050-0065",
        "室蘭市輪西町3丁目",
        "輪西町",
    ),
    DemoUser(
        "student@example.jp",
        "伊藤",
        "大輝",
        "イトウ",
        "ダイキ",
        "だいき",
        "080-0000-0004",
        "050-0071",
        "室蘭市水元町",
        "水元町",
    ),
    DemoUser(
        "salon@example.jp",
        "山本",
        "幸子",
        "ヤマモト",
        "サチコ",
        "えとものさちこ",
        "0143-00-0005",
        "051-0034",
        "室蘭市絵鞆町1丁目",
        "絵鞆町",
    ),
]

# One line per app that has demo data: seed(*, stdout, staff, users).
SEEDERS = [
    organizations.demo.seed,
    partners.demo.seed,
    subsidies.demo.seed,
    publiccomment.demo.seed,
    entalk.demo.seed,
    councils.demo.seed,
]

VOLUME_USERS = 300


class Command(BaseCommand):
    help = "Create demo users, organisations and projects (idempotent). --volume N adds N synthetic organisations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--volume",
            type=int,
            default=0,
            metavar="N",
            help="Also create N synthetic verified organisations, their members and N/10 projects (benchmark).",
        )

    def handle(self, *args, volume: int, **options):
        if volume < 0 or volume > 99_999:
            raise CommandError("--volume must be between 0 and 99999.")
        # Demo addresses are not real: whatever EMAIL_URL says, the notifications the
        # workflow sends while seeding stay in memory. Texts stored by services are Japanese.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            translation.override("ja"),
            transaction.atomic(),
        ):
            staff = self._staff()
            users = self._residents()
            for seed in SEEDERS:
                seed(stdout=self.stdout, staff=staff, users=users)
            if volume:
                volume_users = self._volume_users(VOLUME_USERS)
                organizations.demo.seed_volume(
                    count=volume, stdout=self.stdout, staff=staff, users=volume_users
                )
                partners.demo.seed_volume(count=volume, stdout=self.stdout)
                subsidies.demo.seed_volume(count=volume, stdout=self.stdout)
                publiccomment.demo.seed_volume(count=volume, stdout=self.stdout)
                entalk.demo.seed_volume(count=volume, stdout=self.stdout)
                councils.demo_volume.seed_volume(count=volume, stdout=self.stdout)
        self._summary()

    # --- users ----------------------------------------------------------------------------

    def _staff(self):
        user, created = User.objects.get_or_create(
            email=STAFF_EMAIL,
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "family_name": "地域生活課",
                "given_name": "職員",
                "family_name_kana": "チイキセイカツカ",
                "given_name_kana": "ショクイン",
                "display_name": "地域生活課",
            },
        )
        self._password(user, created=created, variable="DEMO_ADMIN_PASSWORD")
        self._verified_address(user)
        return user

    def _residents(self) -> dict:
        districts = {
            d.name: d for d in District.objects.filter(name__in={r.district for r in RESIDENTS})
        }
        password = os.environ.get("DEMO_USER_PASSWORD") or None
        generated = None
        users = {}
        for resident in RESIDENTS:
            user, created = User.objects.get_or_create(
                email=resident.email,
                defaults={
                    "family_name": resident.family_name,
                    "given_name": resident.given_name,
                    "family_name_kana": resident.family_name_kana,
                    "given_name_kana": resident.given_name_kana,
                    "display_name": resident.display_name,
                    "phone": resident.phone,
                    "postal_code": resident.postal_code,
                    "address": resident.address,
                    "district": districts.get(resident.district),
                },
            )
            if password:
                self._set_if_different(user, password)
            elif created:
                # One random password for all new demo residents, printed once below.
                generated = generated or secrets.token_urlsafe(12)
                user.set_password(generated)
                user.save(update_fields=["password"])
            self._verified_address(user)
            users[user.email] = user
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"demo residents ({', '.join(r.email for r in RESIDENTS)}): password {generated}"
                    " (shown only now; set DEMO_USER_PASSWORD to choose it)"
                )
            )
        return users

    def _password(self, user, *, created: bool, variable: str) -> None:
        password = os.environ.get(variable) or None
        if password:
            self._set_if_different(user, password)
        elif created:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            self.stdout.write(
                self.style.WARNING(
                    f"{user.email}: password {password} (shown only now; set {variable} to choose it)"
                )
            )

    @staticmethod
    def _set_if_different(user, password: str) -> None:
        # Checking first keeps a second run from rewriting the hash.
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])

    @staticmethod
    def _verified_address(user) -> None:
        """allauth refuses to sign in an unverified address (ACCOUNT_EMAIL_VERIFICATION is
        mandatory): mark the demo address as verified and primary."""
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )

    @staticmethod
    def _volume_users(count: int) -> list:
        """Synthetic members for the volume organisations; they cannot sign in."""
        return synthetic_users(
            {
                f"volume-user-{n:04d}@example.jp": {
                    "family_name": "ボリューム",
                    "given_name": f"利用者{n:04d}",
                    "family_name_kana": "ボリューム",
                    "given_name_kana": "リヨウシャ",
                    "display_name": f"利用者{n:04d}",
                }
                for n in range(1, count + 1)
            }
        )

    # --- summary --------------------------------------------------------------------------

    def _summary(self) -> None:
        counts = dict(Organization.objects.order_by().values_list("status").annotate(n=Count("pk")))
        self.stdout.write(
            self.style.SUCCESS(
                "seed_demo: "
                f"{User.objects.count()} users, "
                f"{Organization.objects.count()} organisations ("
                + ", ".join(f"{counts.get(s, 0)} {s.value}" for s in Organization.Status)
                + f"), {Membership.objects.count()} memberships, "
                f"{CollaborationProject.objects.count()} collaboration projects."
            )
        )
