"""`manage.py drill_setup`: the people and records the reliability drill (bench/drill.py) acts on.

Meant for the drill's own scratch database only (bench/drill.py makes a new PostgreSQL cluster
for every run): it runs `bench_setup` (the pages every app declares, the bench staff member
with TOTP, `--residents N` residents with a session each), then adds:

- a まごころ and a まち「ピカ」 partner registration (registered) for every bench resident, so
  that each may sign up for a shift and file an activity report;
- the race's opportunity: one shift with `--race-places` places (default 20), open for
  sign-ups; and the load's opportunity: shifts with room for everyone;
- `--clerks N` staff members (superusers with TOTP) and a session each carrying the second
  factor, as bench_setup opens the bench staff member's;
- the budget race: a subsidy programme (unpublished, of a later 年度 so that it stays out of
  the public pages) whose budget is less than the sum of `--budget-applications` applications
  under review; and one submitted application of the same programme for "two clerks";

- the open まちづくり協議会 workshop the load's participants sign up for;
- `--groups N` organisations (verified, one resident each) for the load's subsidy drafts, with
  the programme open now, a category and the document type a draft attaches;

and prints one line `DRILL {json}` for the harness: bench_setup's data, the clerks' sessions,
the resident → registration ids, and the ids of the shifts, programme and applications.

No drill account has a password but drill-signin@example.jp's, random, printed for the drill's
sign-in check ("signin")."""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from councils.models import Session as CouncilSession
from muroran_kyodo.lib.jp import current_fiscal_year
from organizations.models import ActorType, District, Membership, Organization
from partners.models import Opportunity, Programme, Registration, Shift
from subsidies.models import Application, AttachmentType, Category, IntakeWindow
from subsidies.models import Programme as SubsidyProgramme

from .bench_setup import PERSON_EMAIL, RESIDENT_EMAIL, _session, _user

CLERK_EMAIL = "drill-clerk-{:02d}@example.jp"
SIGNIN_EMAIL = "drill-signin@example.jp"
REGISTRATION_PREFIX = "DRILL-"
RACE_TITLE = "ドリル: 同時申込の枠"
LOAD_TITLE = "ドリル: 負荷試験の活動"
BUDGET_PER_APPLICATION = 100_000


class Command(BaseCommand):
    help = "Prepare the reliability drill's people and records (bench/drill.py)."

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=1000)
        parser.add_argument("--race-places", type=int, default=20)
        parser.add_argument("--clerks", type=int, default=8)
        parser.add_argument("--budget-applications", type=int, default=8)
        parser.add_argument("--budget-fits", type=int, default=3)
        parser.add_argument(
            "--groups", type=int, default=None, help="default: 100, or --residents if fewer"
        )

    def handle(
        self, *args, residents, race_places, clerks, budget_applications, budget_fits, groups, **o
    ):
        if not 1 <= residents <= 5000:
            raise CommandError("--residents must be between 1 and 5000.")
        if not 1 <= race_places < residents:
            raise CommandError("--race-places must be between 1 and --residents − 1.")
        groups = min(100, residents) if groups is None else groups
        if not 0 <= groups <= residents:
            raise CommandError("--groups must be between 0 and --residents.")
        if not 2 <= clerks <= 50 or not 1 <= budget_fits < budget_applications <= clerks:
            raise CommandError("need 1 ≤ --budget-fits < --budget-applications ≤ --clerks ≥ 2.")
        out = io.StringIO()
        call_command("bench_setup", residents=residents, stdout=out)
        line = next(x for x in out.getvalue().splitlines() if x.startswith("BENCH "))
        data = json.loads(line[len("BENCH ") :])

        User = get_user_model()
        emails = [RESIDENT_EMAIL.format(n) for n in range(1, residents + 1)]
        users = {u.email: u for u in User.objects.filter(email__in=emails)}
        people = [users[e] for e in emails]
        registrations = _registrations(people)
        data["registrations"] = [registrations[u.pk] for u in people]
        pika = _registrations(people, Programme.PIKA)
        data["pika_registrations"] = [pika[u.pk] for u in people]
        data["emails"] = {str(registrations[u.pk]): u.email for u in people}
        person = User.objects.get(email=PERSON_EMAIL)
        data["report_registration"] = (
            Registration.objects.filter(
                user=person, programme=Programme.PIKA, status=Registration.Status.REGISTERED
            )
            .values_list("pk", flat=True)
            .first()
        )
        # A person who signs in with a password: the drill's Redis phase.
        # Not one of the residents: a new password would end their session (its auth hash).
        signin = _user(SIGNIN_EMAIL)
        password = secrets.token_urlsafe(18)
        signin.set_password(password)
        signin.save(update_fields=["password"])
        data["signin"] = {"email": signin.email, "password": password}

        now = timezone.now()
        race = _opportunity(RACE_TITLE, now, [race_places])
        load = _opportunity(LOAD_TITLE, now, [residents] * 4)
        data["race_shift"] = race[0].pk
        data["race_opportunity"] = race[0].opportunity_id
        data["load_shifts"] = [s.pk for s in load]
        data["load_opportunity"] = load[0].opportunity_id

        Store = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"]).SessionStore
        data["clerks"] = []
        for n in range(1, clerks + 1):
            clerk = _user(CLERK_EMAIL.format(n), is_staff=True, is_superuser=True)
            totp = Authenticator.objects.filter(user=clerk, type=Authenticator.Type.TOTP).first()
            if totp is None:
                totp = TOTP.activate(clerk, generate_totp_secret()).instance
            data["clerks"].append(_session(Store, clerk, totp))
        data.update(_budget_race(now, budget_applications, budget_fits, people[0]))
        data.update(_workshop(now))
        data["groups"] = _groups(list(enumerate(people))[-groups:]) if groups else []
        data["marker"] = f"drill-{int(time.time())}"
        data["started_at"] = now.isoformat()
        self.stdout.write("DRILL " + json.dumps(data, ensure_ascii=False))


def _registrations(people, programme=Programme.MAGOKORO) -> dict[int, int]:
    """A registered partner registration of `programme` for each resident (bulk-created once)."""
    mine = Registration.objects.filter(
        user__in=people, programme=programme, number__startswith=REGISTRATION_PREFIX
    )
    have = dict(mine.values_list("user_id", "pk"))
    now = timezone.now()
    district = District.objects.order_by("sort_order", "pk").first()
    Registration.objects.bulk_create(
        [
            Registration(
                number=f"{REGISTRATION_PREFIX}{programme[:2].upper()}{user.pk:08d}",
                programme=programme,
                kind=Registration.Kind.INDIVIDUAL,
                user=user,
                member_count=1,
                contact_name=f"{user.family_name} {user.given_name}",
                contact_kana="ベンチ ジュウミン",
                contact_email=user.email,
                district=district,
                agreed_terms_at=now,
                status=Registration.Status.REGISTERED,
                registered_on=timezone.localdate(now),
            )
            for user in people
            if user.pk not in have
        ],
        batch_size=500,
    )
    return dict(mine.values_list("user_id", "pk"))


def _opportunity(title: str, now, places: list[int]) -> list[Shift]:
    opportunity = Opportunity.objects.create(
        programme=Programme.MAGOKORO,
        title=title,
        department="地域生活課",
        description="信頼性ドリルの活動です。",
        place="室蘭市役所",
        signup_deadline=now + dt.timedelta(days=7),
        is_published=True,
    )
    start = now + dt.timedelta(days=10)
    return [
        Shift.objects.create(
            opportunity=opportunity,
            starts_at=start + dt.timedelta(days=n),
            ends_at=start + dt.timedelta(days=n, hours=2),
            slots=slots,
        )
        for n, slots in enumerate(places)
    ]


def _budget_race(now, count: int, fits: int, applicant) -> dict:
    """A programme whose budget holds `fits` of the `count` applications under review (each
    asking BUDGET_PER_APPLICATION), and one submitted application for the two clerks."""
    year = current_fiscal_year() + 5  # one programme per 年度 and track: a 年度 of its own
    programme = SubsidyProgramme.objects.create(
        fiscal_year=year,
        track=SubsidyProgramme.Track.CITIZEN,
        title="ドリル: 予算の取り合い",
        description="信頼性ドリルの制度です(非公開)。",
        total_budget=BUDGET_PER_APPLICATION * fits,
        consultation_required=False,
        is_published=False,
    )
    window = IntakeWindow.objects.create(
        programme=programme,
        label="ドリル",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )
    category = Category.objects.create(
        programme=programme,
        name="ドリル区分",
        cap=BUDGET_PER_APPLICATION * 10,
        rate_numerator=1,
        rate_denominator=1,
    )
    organization = (
        Organization.objects.filter(status=Organization.Status.VERIFIED).order_by("pk").first()
    )
    if organization is None:
        raise CommandError("no verified organisation: run seed_demo first.")

    def application(n: int, status: str) -> int:
        return Application.objects.create(
            number=f"DRILL-{year}-{n:05d}",
            programme=programme,
            window=window,
            category=category,
            organization=organization,
            applicant=applicant,
            title=f"ドリル申請 {n}",
            requested_amount=BUDGET_PER_APPLICATION,
            status=status,
            submitted_at=now,
        ).pk

    S = Application.Status
    return {
        "budget_programme": programme.pk,
        "budget_total": programme.total_budget,
        "budget_applications": [application(n, S.UNDER_REVIEW) for n in range(1, count + 1)],
        "clerks_application": application(count + 1, S.SUBMITTED),
    }


def _workshop(now) -> dict:
    """An announced まちづくり協議会 workshop open for sign-ups, and a district it takes people
    from (its own list, or any when it has none); None when the demo has no open workshop."""
    session = (
        CouncilSession.objects.public()
        .filter(
            kind=CouncilSession.Kind.WORKSHOP,
            status=CouncilSession.Status.SCHEDULED,
            signup_closes_at__gt=now,
            starts_at__gt=now,
        )
        .order_by("starts_at", "pk")
        .first()
    )
    if session is None:
        return {"workshop_session": None, "workshop_district": None}
    district = (
        session.eligible_districts.order_by("pk").first()
        or District.objects.order_by("sort_order", "pk").first()
    )
    return {"workshop_session": session.pk, "workshop_district": district.pk if district else None}


def _groups(people) -> list[dict]:
    """For the load's groups: a verified organisation for each of `people` ((index among the
    residents, user) pairs; its only member),
    of an actor type the programme open now takes, with the programme, a category and the
    document type its drafts attach. Empty when no programme is open."""
    window = (
        IntakeWindow.objects.open()
        .filter(programme__is_published=True)
        .select_related("programme")
        .order_by("closes_at", "pk")
        .first()
    )
    if window is None:
        return []
    programme = window.programme
    category = programme.categories.order_by("sort_order", "pk").first()
    document = programme.required_attachment_types.filter(
        stage=AttachmentType.Stage.APPLICATION
    ).first()
    actor_type = programme.eligible_actor_types.order_by("pk").first() or (
        ActorType.objects.order_by("pk").first()
    )
    if category is None or document is None or actor_type is None:
        return []
    district = District.objects.order_by("sort_order", "pk").first()
    groups = []
    for index, user in people:
        organization, _made = Organization.objects.get_or_create(
            name=f"ドリル団体{user.pk}",
            defaults={
                "name_kana": "ドリルダンタイ",
                "actor_type": actor_type,
                "district": district,
                "description": "信頼性ドリルの団体です。",
                "status": Organization.Status.VERIFIED,
            },
        )
        Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": Membership.Role.MEMBER}
        )
        groups.append(
            {
                "resident": index,
                "organization": organization.pk,
                "programme": programme.pk,
                "category": category.pk,
                "document": document.pk,
            }
        )
    return groups
