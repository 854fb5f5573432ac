"""Demo and volume data of the partner programme, for `seed_demo`.

Registrations go through the services (numbers, history rows, e-mails to the in-memory
backend); approvals through the transition; reports are the partners' own. Volume data is
synthetic and bulk-created: paper registrations without accounts ('MPV-…' numbers, apart from
the real counter) and their reports.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from organizations.models import District, Organization

from . import services
from .models import (
    ActivityKind,
    ActivityPlace,
    ActivityReport,
    Channel,
    Opportunity,
    Programme,
    Registration,
    Shift,
)

K = Registration.Kind


@dataclass
class DemoPartner:
    email: str
    programme: str
    kind: str
    district: str
    # (district, kind, words, latitude, longitude): approximate points in Muroran.
    places: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    organization: str = ""
    group_name: str = ""
    member_count: int = 1
    list_publicly: bool = False
    skills: str = ""
    approve: bool = True
    reports: int = 0


PARTNERS = [
    DemoPartner(
        "resident@example.jp",
        Programme.PIKA,
        K.INDIVIDUAL,
        "輪西町",
        places=[("輪西町", "park", "輪西町 みなと公園とその周辺の歩道", "42.3523", "140.9908")],
        reports=6,
    ),
    DemoPartner(
        "resident@example.jp",
        Programme.PIKA,
        K.ORGANIZATION,
        "中央町",
        organization="室蘭まちづくり市民の会",
        member_count=24,
        list_publicly=True,
        places=[
            (
                "中央町",
                "road",
                "中央町 中央通りの歩道（旧室蘭駅舎から常盤町まで）",
                "42.3183",
                "140.9752",
            ),
            ("入江町", "beach", "入江町 入江運動公園の海岸沿い", "42.3290", "140.9795"),
        ],
        reports=8,
    ),
    DemoPartner(
        "student@example.jp",
        Programme.PIKA,
        K.GROUP,
        "水元町",
        group_name="水元町 学生クリーン隊",
        member_count=6,
        list_publicly=True,
        places=[("水元町", "road", "水元町 大学通りの歩道と植え込み", "42.3790", "141.0335")],
        reports=4,
    ),
    DemoPartner(
        "kaicho@example.jp",
        Programme.PIKA,
        K.GROUP,
        "白鳥台",
        group_name="白鳥台 花の会",
        member_count=9,
        list_publicly=True,
        places=[("白鳥台", "park", "白鳥台 白鳥台中央公園の花壇", "42.3640", "140.9455")],
        approve=False,
    ),
    DemoPartner(
        "salon@example.jp",
        Programme.MAGOKORO,
        K.INDIVIDUAL,
        "絵鞆町",
        skills="高齢者サロンの運営経験。イベントの受付・案内ができます。",
    ),
    DemoPartner(
        "shotengai@example.jp",
        Programme.MAKASETE,
        K.INDIVIDUAL,
        "中島町",
        skills="パソコン入力、窓口での受付業務の経験があります。",
    ),
]

# Places the city would like someone to look after (entered by staff, nobody registered yet),
# for the map of the まち「ピカ」 page; one not on the map yet (listed only).
PLACES_NEEDING_SOMEONE = [
    ("中島町", "road", "中島町 中島本通りの歩道（中島町交差点の周辺）", "42.3627", "141.0012"),
    ("東町", "park", "東町 東町公園とその周辺", "42.3752", "141.0218"),
    ("母恋北町", "road", "母恋北町 母恋駅前の歩道", "42.3236", "140.9888"),
    ("輪西町", "road", "輪西町 輪西駅から日鋼記念病院までの歩道", "42.3500", "140.9960"),
    ("知利別町", "river", "知利別町 知利別川の河川敷", None, None),
]

OPPORTUNITIES = [
    # programme, title, department, place, days until the deadline, honorarium, shifts (days, hours)
    (
        Programme.MAGOKORO,
        "港まつり 会場案内ボランティア",
        "観光課",
        "入江臨海公園",
        20,
        None,
        [(27, 10, 13, 6), (27, 13, 16, 6)],
    ),
    (
        Programme.MAGOKORO,
        "市民美術館 企画展の受付補助",
        "教育部 生涯学習課",
        "室蘭市民美術館",
        10,
        None,
        [(14, 9, 12, 2)],
    ),
    (
        Programme.MAKASETE,
        "市民活動センター 窓口受付",
        "地域生活課",
        "市民活動センター（中央町）",
        15,
        1_000,
        [(21, 9, 13, 1), (22, 9, 13, 1)],
    ),
]


def seed(*, stdout, staff, users: dict) -> None:
    """Demo registrations, places, reports and opportunities. `users` maps e-mail to User."""
    districts = {d.name: d for d in District.objects.all()}
    kinds = list(ActivityKind.objects.filter(is_active=True))
    today = timezone.localdate()
    created = 0
    rng = random.Random(2026)
    for demo in PARTNERS:
        user = users[demo.email]
        organization = (
            Organization.objects.get(name=demo.organization) if demo.organization else None
        )
        existing = Registration.objects.filter(programme=demo.programme).exclude(
            status=Registration.Status.WITHDRAWN
        )
        existing = (
            existing.filter(organization=organization)
            if organization
            else existing.filter(user=user, organization__isnull=True)
        )
        if existing.exists():
            continue
        registration = Registration(
            programme=demo.programme,
            kind=demo.kind,
            user=user,
            organization=organization,
            group_name=demo.group_name,
            member_count=demo.member_count,
            contact_name=user.get_full_name(),
            contact_kana=user.get_full_name_kana(),
            contact_phone=user.phone,
            contact_email=user.email,
            contact_postal_code=user.postal_code,
            contact_address=user.address,
            district=districts[demo.district],
            frequency=Registration.Frequency.MONTHLY,
            skills=demo.skills,
            list_publicly=demo.list_publicly,
            agreed_terms_at=timezone.now(),
        )
        places = [
            ActivityPlace(
                district=districts[d],
                kind=kind,
                description=words,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
            )
            for d, kind, words, lat, lon in demo.places
        ]
        activity = kinds[:2] if demo.programme == Programme.PIKA else []
        services.registration_create(
            registration=registration, places=places, activity_kinds=activity, by=user
        )
        created += 1
        if demo.approve:
            services.registration_approve(registration=registration, by=staff)
        for n in range(demo.reports):
            ActivityReport.objects.create(
                registration=registration,
                activity_date=today - dt.timedelta(days=14 * n + 3),
                place=places[n % len(places)] if places else None,
                participants=max(1, min(demo.member_count, rng.randint(1, 12))),
                burnable_bags=rng.randint(1, 6),
                non_burnable_bags=rng.randint(0, 2),
                notes="空き缶・たばこの吸い殻が多かった。" if n % 3 == 0 else "",
                created_by=user,
            )
    stdout.write(f"partners: {created} demo registrations created")
    created = 0
    for d, kind, words, lat, lon in PLACES_NEEDING_SOMEONE:
        _place, made = ActivityPlace.objects.get_or_create(
            description=words,
            defaults={
                "district": districts[d],
                "kind": kind,
                "latitude": Decimal(lat) if lat else None,
                "longitude": Decimal(lon) if lon else None,
            },
        )
        created += made
    stdout.write(f"partners: {created} places needing someone created")

    created = 0
    now = timezone.now()
    for programme, title, department, place, deadline, honorarium, shifts in OPPORTUNITIES:
        if Opportunity.objects.filter(title=title).exists():
            continue
        opportunity = Opportunity.objects.create(
            programme=programme,
            title=title,
            department=department,
            description=f"{department}が実施する事業のお手伝いをお願いします。詳しくは当日ご説明します。",
            place=place,
            things_to_bring="動きやすい服装、飲み物、帽子",
            signup_deadline=now + dt.timedelta(days=deadline),
            hourly_honorarium=honorarium,
            is_published=True,
        )
        for days, start, end, slots in shifts:
            day = today + dt.timedelta(days=days)
            tz = timezone.get_current_timezone()
            Shift.objects.create(
                opportunity=opportunity,
                starts_at=dt.datetime.combine(day, dt.time(start), tzinfo=tz),
                ends_at=dt.datetime.combine(day, dt.time(end), tzinfo=tz),
                slots=slots,
            )
        created += 1
    stdout.write(f"partners: {created} demo opportunities created")
    _seed_requests_and_signups(stdout=stdout, staff=staff, users=users)


def _seed_requests_and_signups(*, stdout, staff, users) -> None:
    """A pickup waiting for 土木課, supplies delivered, a mower handed over and not back yet (the
    resident's まち「ピカ」), and a まごころ sign-up: through the services, once."""
    from .models import (
        Equipment,
        EquipmentLoan,
        PickupRequest,
        Signup,
        SupplyItem,
        SupplyRequest,
        SupplyRequestLine,
    )

    resident = users["resident@example.jp"]
    pika = Registration.objects.filter(
        user=resident,
        organization__isnull=True,
        programme=Programme.PIKA,
        status=Registration.Status.REGISTERED,
    ).first()
    if pika is not None and not PickupRequest.objects.filter(registration=pika).exists():
        now = timezone.now()
        services.request_create(
            request=PickupRequest(
                registration=pika,
                district=pika.district,
                location="みなと公園の入口、ベンチの横",
                burnable_bags=4,
                non_burnable_bags=1,
                available_from=now + dt.timedelta(hours=2),
            ),
            by=resident,
        )
        supply = services.request_create(
            request=SupplyRequest(registration=pika, delivery_note="輪西町会館で受け取ります"),
            lines=[
                SupplyRequestLine(item=item, quantity=min(10, item.max_per_request))
                for item in SupplyItem.objects.filter(is_active=True).exclude(
                    counted_as=SupplyItem.Counted.NOTHING  # the bags and the fuel
                )
            ],
            by=resident,
        )
        services.request_mark_done(request=supply, by=staff, reason="会館にお届けしました")
        equipment = Equipment.objects.filter(is_active=True).first()
        if equipment is not None:
            today = timezone.localdate()
            loan = services.request_create(
                request=EquipmentLoan(
                    registration=pika,
                    equipment=equipment,
                    lend_on=today,
                    return_by=today + dt.timedelta(days=3),
                ),
                by=resident,
            )
            services.request_mark_lent(request=loan, by=staff)
        stdout.write("partners: demo requests created")

    salon = Registration.objects.filter(
        user=users["salon@example.jp"],
        programme=Programme.MAGOKORO,
        status=Registration.Status.REGISTERED,
    ).first()
    shift = (
        Shift.objects.filter(
            opportunity__title="港まつり 会場案内ボランティア", starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    if salon and shift and not Signup.objects.filter(registration=salon).exists():
        services.signup_create(shift=shift, registration=salon, by=salon.user)
        stdout.write("partners: demo sign-up created")


VOLUME_PREFIX = "MPV-"
BATCH = 5_000


def seed_volume(*, count: int, stdout) -> None:
    """`count` × 5 synthetic まち「ピカ」 registrations and `count` × 50 reports (the benchmark's
    10,000 partners and 100,000 reports at --volume 2000), bulk-created in batches. Only what
    is missing is added: a second run adds nothing, a larger --volume adds the difference."""
    partners = count * 5
    volume = Registration.objects.filter(number__startswith=VOLUME_PREFIX)
    volume_reports = ActivityReport.objects.filter(registration__number__startswith=VOLUME_PREFIX)
    have_reports = volume_reports.count()
    if volume.count() >= partners and have_reports >= count * 50:
        stdout.write("partners: volume data already there")
        return
    rng = random.Random(7)
    districts = list(District.objects.order_by("sort_order", "pk"))
    today = timezone.localdate()
    now = timezone.now()
    existing = set(volume.values_list("number", flat=True))
    registrations = [
        Registration(
            number=f"{VOLUME_PREFIX}{n:06d}",
            programme=Programme.PIKA,
            kind=K.GROUP if n % 4 == 0 else K.INDIVIDUAL,
            group_name=f"ボリューム清掃グループ{n:06d}" if n % 4 == 0 else "",
            member_count=rng.randint(2, 30) if n % 4 == 0 else 1,
            contact_name=f"ボリューム 太郎{n}",
            contact_kana="ボリューム タロウ",
            district=districts[n % len(districts)],
            list_publicly=n % 8 == 0,
            agreed_terms_at=now,
            channel=Channel.PAPER,
            status=Registration.Status.REGISTERED,
            registered_on=today - dt.timedelta(days=n % 700),
        )
        for n in range(1, partners + 1)
        if f"{VOLUME_PREFIX}{n:06d}" not in existing
    ]
    Registration.objects.bulk_create(registrations, batch_size=BATCH)
    ids = list(volume.order_by("number").values_list("pk", flat=True)[:partners])
    reports = []
    for n in range(have_reports, count * 50):
        reports.append(
            ActivityReport(
                registration_id=ids[n % len(ids)],
                activity_date=today - dt.timedelta(days=n % 730),
                participants=rng.randint(1, 20),
                burnable_bags=rng.randint(0, 8),
                non_burnable_bags=rng.randint(0, 3),
            )
        )
        if len(reports) == BATCH:
            ActivityReport.objects.bulk_create(reports)
            reports = []
    ActivityReport.objects.bulk_create(reports)
    # bulk_create sends no signals: drop the cached totals so the pages show the new data.
    from . import stats

    stats.invalidate()
    stdout.write(
        f"partners: {len(registrations)} volume registrations and "
        f"{max(count * 50 - have_reports, 0)} reports created"
    )
