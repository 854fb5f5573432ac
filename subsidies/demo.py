"""Demo and volume data of the subsidy, for `seed_demo`.

`seed()`: this 年度's three programmes (市民提案型 with its 第1期 open now, 行政提案型 whose
window has closed, 若者チャレンジ応援事業 open all year), with categories, criteria and required
documents; two committee members; applications of the demo organisations in every state that
matters (draft, submitted, returned, under review with scores, adopted, granted, reported,
confirmed, paid, rejected), each taken there through `subsidies.services` so that receipt
numbers, history rows and e-mails (to the in-memory backend) exist; and the year's 報告会.
Idempotent: programmes are found by 年度 and track, applications by programme, organisation and
title, so a second run creates nothing.

`seed_volume(count)`: `count` synthetic applications of the volume organisations to programmes
of the ten years before this one ('HSV-' numbers), with plan budgets, and reviews with scores
for those that went to the committee; bulk-created, not through the services (their history
is not needed). This year's programmes are left alone, so that the demo's budgets stay right.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from muroran_kyodo.lib.jp import current_fiscal_year, end_of_day
from organizations.models import ActorType, Organization

from . import services
from .models import (
    Application,
    ApplicationStatusChange,
    AttachmentType,
    BudgetStage,
    Category,
    Criterion,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    Programme,
    ResultsMeeting,
    ReviewAssignment,
    Score,
)

S = Application.Status
T = Programme.Track
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

PROGRAMMES = {
    T.CITIZEN: {
        "title": "まちづくり活動支援補助金（市民提案型協働事業）",
        "description": (
            "市民活動団体や町内会などが自ら企画し、市と協働して行う公益的な事業に、"
            "経費の一部を補助します。地域の課題を地域の力で解決する取り組みを応援します。"
        ),
        "total_budget": 3_000_000,
        "consultation_required": True,
        "categories": [
            ("一般事業", "団体が企画する公益的なまちづくり事業", 300_000, 1, 2),
            (
                "地域enづくり事業",
                "町内会と他の団体が連携して地域のつながりをつくる事業",
                500_000,
                1,
                2,
            ),
        ],
        "criteria": [("公益性", 3), ("協働性", 2), ("実現性", 2), ("発展性", 1)],
        "required": ["plan", "profile", "budget", "rules", "report", "accounts", "receipts"],
        "actor_types": [],
    },
    T.CITY: {
        "title": "まちづくり活動支援補助金（行政提案型協働事業）",
        "description": "市が示すテーマに沿って、団体の専門性や機動力を生かして取り組む事業に補助します。",
        "theme": (
            "地球岬・測量山などの観光資源を生かし、市民が案内役となって来訪者をもてなす仕組みを"
            "つくること。"
        ),
        "total_budget": 1_500_000,
        "consultation_required": True,
        "categories": [("テーマ事業", "", 300_000, 10, 10)],
        "criteria": [("テーマへの適合", 3), ("実現性", 2), ("継続性", 1)],
        "required": ["plan", "profile", "budget", "report", "accounts"],
        "actor_types": ["npo", "neighbourhood", "university", "business"],
    },
    T.YOUTH: {
        "title": "若者チャレンジ応援事業",
        "description": (
            "15歳から39歳の若者が中心となって取り組む、まちを元気にするチャレンジを応援します。"
            "1団体1回限り、年度内に終わる事業が対象です。"
        ),
        "total_budget": 500_000,
        "consultation_required": False,
        "categories": [("チャレンジ事業", "", 100_000, 10, 10)],
        "criteria": [("若者らしさ", 2), ("実現性", 1)],
        "required": ["plan", "roster", "report", "photos"],
        "actor_types": [],
        "min_members": 3,
        "age_band_share_percent": 50,
        "once_per_group": True,
    },
}

REVIEWERS = [
    ("shinsa1@example.jp", "中村", "恵子", "ナカムラ", "ケイコ"),
    ("shinsa2@example.jp", "小林", "修", "コバヤシ", "オサム"),
]


@dataclass(frozen=True)
class DemoApplication:
    organization: str
    applicant: str
    track: str
    category: int  # index in the programme's categories
    title: str
    requested: int
    status: str
    decided: int | None = None
    actual_eligible: int | None = None  # for 額の確定; the plan's when None


APPLICATIONS = [
    DemoApplication(
        "室蘭まちづくり市民の会",
        "resident@example.jp",
        T.CITIZEN,
        0,
        "空き店舗を使ったまちなかサロン",
        200_000,
        S.PAID,
        decided=200_000,
    ),
    DemoApplication(
        "輪西町内会",
        "kaicho@example.jp",
        T.CITIZEN,
        1,
        "輪西地区合同防災訓練と防災マップづくり",
        250_000,
        S.CONFIRMED,
        decided=250_000,
        actual_eligible=460_000,
    ),
    DemoApplication(
        "輪西商店街振興組合",
        "shotengai@example.jp",
        T.CITIZEN,
        0,
        "輪西商店街 冬の灯りプロジェクト",
        150_000,
        S.REPORTED,
        decided=120_000,
    ),
    DemoApplication(
        "地球岬クリーンアップの会",
        "student@example.jp",
        T.CITY,
        0,
        "地球岬遊歩道の案内ボランティア養成",
        300_000,
        S.GRANTED,
        decided=280_000,
    ),
    DemoApplication(
        "室蘭まちづくり市民の会",
        "student@example.jp",
        T.CITY,
        0,
        "測量山 夜景ガイド講座",
        200_000,
        S.ADOPTED,
        decided=200_000,
    ),
    DemoApplication(
        "輪西町内会",
        "resident@example.jp",
        T.CITIZEN,
        0,
        "子ども見守り隊の拡充",
        120_000,
        S.UNDER_REVIEW,
    ),
    DemoApplication(
        "輪西商店街振興組合",
        "shotengai@example.jp",
        T.CITIZEN,
        0,
        "商店街スタンプラリー",
        180_000,
        S.REJECTED,
    ),
    DemoApplication(
        "地球岬クリーンアップの会",
        "salon@example.jp",
        T.CITIZEN,
        0,
        "海岸清掃と漂着ごみ調べ",
        90_000,
        S.RETURNED,
    ),
    DemoApplication(
        "輪西町内会",
        "kaicho@example.jp",
        T.CITIZEN,
        1,
        "町内会館を拠点にした多世代交流会",
        160_000,
        S.SUBMITTED,
    ),
    DemoApplication(
        "室蘭まちづくり市民の会",
        "student@example.jp",
        T.YOUTH,
        0,
        "学生がつくる港まち散歩マップ",
        80_000,
        S.DRAFT,
    ),
]

# The steps from a submitted application to each target state (staff's, unless marked).
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.RETURNED: ["submit", "return"],
    S.UNDER_REVIEW: ["submit", "accept", "review", "score"],
    S.REJECTED: ["submit", "accept", "review", "score", "reject"],
    S.ADOPTED: ["submit", "accept", "review", "score", "adopt"],
    S.GRANTED: ["submit", "accept", "review", "score", "adopt", "grant"],
    S.REPORTED: ["submit", "accept", "review", "score", "adopt", "grant", "report"],
    S.CONFIRMED: ["submit", "accept", "review", "score", "adopt", "grant", "report", "confirm"],
    S.PAID: ["submit", "accept", "review", "score", "adopt", "grant", "report", "confirm", "pay"],
}


def _windows(track, year, now) -> list[tuple[str, dt.datetime, dt.datetime]]:
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()

    def opens(days):
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(9), tzinfo=tz)

    def closes(days):
        return end_of_day(today + dt.timedelta(days=days))

    if track == T.CITIZEN:  # 第1期 open now, 第2期 later
        return [("第1期", opens(-30), closes(20)), ("第2期", opens(60), closes(90))]
    if track == T.CITY:  # closed a month ago
        return [("募集", opens(-90), closes(-30))]
    return [("通年募集", opens(-60), closes(120))]


def _programme(track, year, now) -> Programme:
    existing = Programme.objects.filter(fiscal_year=year, track=track).first()
    if existing:
        return existing
    spec = PROGRAMMES[track]
    programme = Programme.objects.create(
        fiscal_year=year,
        track=track,
        title=spec["title"],
        description=spec["description"],
        theme=spec.get("theme", ""),
        total_budget=spec["total_budget"],
        consultation_required=spec["consultation_required"],
        min_members=spec.get("min_members", 0),
        age_band_share_percent=spec.get("age_band_share_percent"),
        once_per_group=spec.get("once_per_group", False),
        is_published=True,
    )
    for label, opens, closes in _windows(track, year, now):
        IntakeWindow.objects.create(
            programme=programme, label=label, opens_at=opens, closes_at=closes
        )
    for order, (name, description, cap, numerator, denominator) in enumerate(spec["categories"]):
        Category.objects.create(
            programme=programme,
            name=name,
            description=description,
            cap=cap,
            rate_numerator=numerator,
            rate_denominator=denominator,
            sort_order=order,
        )
    for order, (name, weight) in enumerate(spec["criteria"]):
        Criterion.objects.create(programme=programme, name=name, weight=weight, sort_order=order)
    programme.required_attachment_types.set(
        AttachmentType.objects.filter(code__in=spec["required"])
    )
    programme.eligible_actor_types.set(ActorType.objects.filter(code__in=spec["actor_types"]))
    return programme


def _reviewers() -> list:
    User = get_user_model()
    reviewers = []
    for email, family, given, family_kana, given_kana in REVIEWERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                password=None,
                family_name=family,
                given_name=given,
                family_name_kana=family_kana,
                given_name_kana=given_kana,
                display_name=f"審査委員 {family}",
            )
        reviewers.append(user)
    return reviewers


def _budget(application, *, stage, eligible_expenses, subsidy):
    """Two eligible expense lines and one not eligible (food), balanced by this subsidy and
    the group's own funds."""
    half = eligible_expenses // 2
    expenses = [
        (ExpenseLine.Item.CONSUMABLES, half, True, "花苗・資材"),
        (ExpenseLine.Item.PRINTING, eligible_expenses - half, True, "チラシ印刷"),
        (ExpenseLine.Item.OTHER, 10_000, False, "参加者の茶菓"),
    ]
    for order, (item, amount, eligible, description) in enumerate(expenses):
        ExpenseLine.objects.create(
            application=application,
            stage=stage,
            item=item,
            amount=amount,
            eligible=eligible,
            description=description,
            sort_order=order,
        )
    total = sum(amount for _item, amount, _eligible, _d in expenses)
    IncomeLine.objects.create(
        application=application, stage=stage, kind=IncomeLine.Kind.THIS_SUBSIDY, amount=subsidy
    )
    IncomeLine.objects.create(
        application=application,
        stage=stage,
        kind=IncomeLine.Kind.OWN_FUNDS,
        amount=total - subsidy,
        sort_order=1,
    )


def _attach(application, programme, stage, by):
    for attachment_type in programme.required_attachment_types.filter(stage=stage):
        services.attachment_add(
            application=application,
            attachment_type=attachment_type,
            file=ContentFile(PDF, name=f"{attachment_type.name}.pdf"),
            by=by,
        )


def _eligible_for(category, requested) -> int:
    """Eligible expenses for which `requested` is exactly what the rate allows."""
    return requested * category.rate_denominator // category.rate_numerator


def seed(*, stdout, staff, users: dict) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    year = current_fiscal_year()
    programmes = {track: _programme(track, year, now) for track in PROGRAMMES}
    reviewers = _reviewers()
    organizations = {
        o.name: o
        for o in Organization.objects.filter(name__in={a.organization for a in APPLICATIONS})
    }
    created = 0
    for demo in APPLICATIONS:
        programme = programmes[demo.track]
        organization = organizations.get(demo.organization)
        if organization is None or not organization.is_verified:
            continue
        if Application.objects.filter(
            programme=programme, organization=organization, title=demo.title
        ).exists():
            continue
        _apply(demo, programme, organization, users[demo.applicant], staff, reviewers, now, today)
        created += 1
    stdout.write(f"subsidies: {len(programmes)} programmes, {created} demo applications created")

    _meeting, made = ResultsMeeting.objects.get_or_create(
        fiscal_year=year,
        defaults={
            "held_at": dt.datetime.combine(
                dt.date(year + 1, 3, 10), dt.time(14), tzinfo=timezone.get_current_timezone()
            ),
            "place": "室蘭市市民会館 大会議室",
            "description": "採択された団体が一年間の活動の成果を発表します。どなたでも参加できます。",
            "is_published": True,
        },
    )
    if made:
        stdout.write("subsidies: results meeting created")


def _apply(demo, programme, organization, applicant, staff, reviewers, now, today):
    year = programme.fiscal_year
    category = list(programme.categories.all())[demo.category]
    window = programme.windows.order_by("opens_at").first()
    # Submitted while its window was open: the closed 行政提案型 one a week before it closed.
    submitted_at = now if window.is_open(now) else window.closes_at - dt.timedelta(days=7)
    application = services.application_create(
        application=Application(
            programme=programme,
            window=window,
            category=category,
            organization=organization,
            applicant=applicant,
            title=demo.title,
            purpose="地域の人が気軽に集まり、顔の見える関係をつくるため。",
            content="月2回の定例活動と、年1回の成果発表会を行います。",
            place=organization.district.name if organization.district_id else "室蘭市内",
            starts_on=dt.date(year, 6, 1),
            ends_on=dt.date(year + 1, 2, 15),
            expected_effects="参加者同士のつながりが生まれ、活動の担い手が増えることを期待しています。",
            member_count=12,
            youth_count=8,
            requested_amount=demo.requested,
        ),
        by=applicant,
    )
    _budget(
        application,
        stage=BudgetStage.PLAN,
        eligible_expenses=_eligible_for(category, demo.requested),
        subsidy=demo.requested,
    )
    _attach(application, programme, AttachmentType.Stage.APPLICATION, applicant)
    if (
        programme.consultation_required
        and not programme.consultations.filter(organization=organization).exists()
    ):
        services.consultation_book(
            organization=organization,
            programme=programme,
            held_on=timezone.localdate(submitted_at) - dt.timedelta(days=7),
            topic="事業計画と予算の相談",
            by=staff,
            held=True,
        )
    for step in PATHS[demo.status]:
        if step == "submit":
            services.application_submit(application=application, by=applicant, now=submitted_at)
        elif step == "return":
            services.application_return(
                application=application,
                by=staff,
                reason="予算書の消耗品費の内訳を記入し、会則を添付し直してください。",
            )
        elif step == "accept":
            services.application_accept(application=application, by=staff)
        elif step == "review":
            services.application_start_review(application=application, by=staff)
        elif step == "score":
            _score(application, programme, reviewers, staff)
        elif step == "adopt":
            services.application_adopt(
                application=application,
                by=staff,
                amount=demo.decided,
                conditions="事業の様子を写真で記録し、実績報告に添付してください。",
            )
        elif step == "reject":
            services.application_reject(
                application=application,
                by=staff,
                reason="事業の公益性と継続性についての説明が不十分と判断しました。",
            )
        elif step == "grant":
            services.application_grant(application=application, by=staff)
        elif step == "report":
            eligible = demo.actual_eligible or _eligible_for(category, demo.decided)
            _budget(
                application,
                stage=BudgetStage.ACTUAL,
                eligible_expenses=eligible,
                subsidy=min(
                    demo.decided, eligible * category.rate_numerator // category.rate_denominator
                ),
            )
            _attach(application, programme, AttachmentType.Stage.REPORT, applicant)
            services.application_report(
                application=application,
                by=applicant,
                summary=f"{demo.title}を計画どおり実施しました。延べ参加者は予定を上回りました。",
                participants=85,
                effects="新しい参加者が10名増え、来年度も継続することになりました。",
            )
        elif step == "confirm":
            services.application_confirm_amount(application=application, by=staff, today=today)
        elif step == "pay":
            services.application_pay(application=application, by=staff, paid_on=today)


def _score(application, programme, reviewers, staff):
    criteria = list(programme.criteria.all())
    for r, reviewer in enumerate(reviewers):
        assignment = services.assign_reviewer(application=application, reviewer=reviewer, by=staff)
        for c, criterion in enumerate(criteria):
            services.score_save(
                assignment=assignment,
                criterion=criterion,
                score=3 + (application.pk + r + c) % 3,
                comment="地域の課題に合った計画です。" if c == 0 else "",
                by=reviewer,
            )


# --- volume ---------------------------------------------------------------------------------------

VOLUME_PREFIX = "HSV-"
VOLUME_YEARS = 10
VOLUME_REVIEWERS = 5
BATCH = 2_000
# Status of the n-th volume application, in a fixed rotation.
VOLUME_STATUSES = [
    S.CLOSED,
    S.CLOSED,
    S.PAID,
    S.CONFIRMED,
    S.GRANTED,
    S.REJECTED,
    S.REJECTED,
    S.WITHDRAWN,
    S.CLOSED,
    S.REJECTED,
]
REVIEWED = {S.CLOSED, S.PAID, S.CONFIRMED, S.GRANTED, S.REJECTED}
DECIDED = {S.CLOSED, S.PAID, S.CONFIRMED, S.GRANTED}
CONFIRMED = {S.CLOSED, S.PAID, S.CONFIRMED}


def _volume_programmes(count: int) -> list[Programme]:
    """A 市民提案型 programme for each of the ten years before this one (created when
    missing), its budget large enough for the volume's decided amounts."""
    year = current_fiscal_year()
    programmes = []
    for fiscal_year in range(year - VOLUME_YEARS, year):
        programme = Programme.objects.filter(fiscal_year=fiscal_year, track=T.CITIZEN).first()
        if programme is None:
            programme = Programme.objects.create(
                fiscal_year=fiscal_year,
                track=T.CITIZEN,
                title=PROGRAMMES[T.CITIZEN]["title"],
                description=PROGRAMMES[T.CITIZEN]["description"],
                total_budget=max(3_000_000, count * 300_000 // VOLUME_YEARS),
                is_published=True,
            )
            opens = dt.datetime(fiscal_year, 4, 1, tzinfo=timezone.get_current_timezone())
            IntakeWindow.objects.create(
                programme=programme,
                label="第1期",
                opens_at=opens,
                closes_at=end_of_day(dt.date(fiscal_year, 5, 31)),
            )
            Category.objects.create(programme=programme, name="一般事業", cap=300_000)
            for order, (name, weight) in enumerate(PROGRAMMES[T.CITIZEN]["criteria"]):
                Criterion.objects.create(
                    programme=programme, name=name, weight=weight, sort_order=order
                )
        programmes.append(programme)
    return programmes


def _volume_reviewers() -> list:
    User = get_user_model()
    emails = [f"volume-reviewer-{n}@example.jp" for n in range(1, VOLUME_REVIEWERS + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=email,
                password=unusable,
                family_name="ボリューム",
                given_name="審査委員",
                family_name_kana="ボリューム",
                given_name_kana="シンサイイン",
                display_name=email.split("@")[0],
            )
            for email in emails
            if email not in existing
        ]
    )
    return list(User.objects.filter(email__in=emails).order_by("email"))


def seed_volume(*, count: int, stdout) -> None:
    """`count` synthetic applications (2,000 at --volume 2000) to the programmes of the last
    ten years, with plan budgets (three expense and two income lines each) and, for those
    reviewed, two reviewers' scores on every criterion. Skipped if already there."""
    if Application.objects.filter(number__startswith=VOLUME_PREFIX).count() >= count:
        stdout.write("subsidies: volume data already there")
        return
    organizations = list(
        Organization.objects.verified()
        .filter(memberships__isnull=False)
        .order_by("pk")
        .values_list("pk", "memberships__user_id")
        .distinct()[: max(count, 1)]
    )
    if not organizations:
        stdout.write("subsidies: no verified organisation with members: no volume data")
        return
    programmes = _volume_programmes(count)
    reviewers = _volume_reviewers()
    windows = {w.programme_id: w for w in IntakeWindow.objects.filter(programme__in=programmes)}
    categories = {c.programme_id: c for c in Category.objects.filter(programme__in=programmes)}
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(programme__in=programmes).order_by("sort_order"):
        criteria.setdefault(criterion.programme_id, []).append(criterion)
    rng = random.Random(4)
    tz = timezone.get_current_timezone()
    Application.objects.filter(number__startswith=VOLUME_PREFIX).delete()  # a partial earlier run

    for start in range(0, count, BATCH):
        numbers = range(start + 1, min(count, start + BATCH) + 1)
        rows = []
        for n in numbers:
            programme = programmes[n % len(programmes)]
            organization_id, applicant_id = organizations[n % len(organizations)]
            # Every year gets every state: the year follows n % years, so the state is shifted
            # by n // years.
            status = VOLUME_STATUSES[(n + n // len(programmes)) % len(VOLUME_STATUSES)]
            requested = rng.randrange(50, 301) * 1000
            decided = requested - rng.choice((0, 0, 10_000)) if status in DECIDED else None
            submitted = dt.datetime(programme.fiscal_year, 5, 1 + n % 28, 12, tzinfo=tz)
            rows.append(
                Application(
                    number=f"{VOLUME_PREFIX}{programme.fiscal_year}-{n:06d}",
                    programme=programme,
                    window=windows[programme.pk],
                    category=categories[programme.pk],
                    organization_id=organization_id,
                    applicant_id=applicant_id,
                    channel="web" if n % 5 else "paper",
                    status=status,
                    title=f"ボリューム事業{n:06d}",
                    purpose="地域のつながりづくり（ベンチマーク用の合成データです）",
                    content="定例活動と成果発表会",
                    starts_on=dt.date(programme.fiscal_year, 6, 1),
                    ends_on=dt.date(programme.fiscal_year + 1, 2, 15),
                    requested_amount=requested,
                    decided_amount=decided,
                    confirmed_amount=decided - 5_000 if status in CONFIRMED else None,
                    report_summary="計画どおり実施しました。" if status in CONFIRMED else "",
                    submitted_at=submitted,
                    status_changed_at=submitted + dt.timedelta(days=60),
                    decided_at=submitted + dt.timedelta(days=40) if decided else None,
                    created_at=submitted - dt.timedelta(days=3),
                )
            )
        Application.objects.bulk_create(rows)
        made = list(
            Application.objects.filter(number__in=[r.number for r in rows]).values_list(
                "pk", "programme_id", "status", "requested_amount"
            )
        )
        _volume_children(made, reviewers=reviewers, criteria=criteria, rng=rng)
    stdout.write(f"subsidies: {count} volume applications created")


def _volume_children(made, *, reviewers, criteria, rng) -> None:
    lines_in, lines_out, history, assignments = [], [], [], []
    for pk, _programme_id, status, requested in made:
        eligible = requested * 2
        lines_out += [
            ExpenseLine(
                application_id=pk, stage=BudgetStage.PLAN, item="consumables", amount=eligible // 2
            ),
            ExpenseLine(
                application_id=pk,
                stage=BudgetStage.PLAN,
                item="printing",
                amount=eligible - eligible // 2,
                sort_order=1,
            ),
            ExpenseLine(
                application_id=pk,
                stage=BudgetStage.PLAN,
                item="other",
                amount=10_000,
                eligible=False,
                sort_order=2,
            ),
        ]
        lines_in += [
            IncomeLine(
                application_id=pk, stage=BudgetStage.PLAN, kind="this_subsidy", amount=requested
            ),
            IncomeLine(
                application_id=pk,
                stage=BudgetStage.PLAN,
                kind="own_funds",
                amount=eligible + 10_000 - requested,
                sort_order=1,
            ),
        ]
        history.append(
            ApplicationStatusChange(application_id=pk, old_status="submitted", new_status=status)
        )
        if status in REVIEWED:
            first = pk % len(reviewers)
            for reviewer in (reviewers[first], reviewers[(first + 1) % len(reviewers)]):
                assignments.append(ReviewAssignment(application_id=pk, reviewer=reviewer))
    ExpenseLine.objects.bulk_create(lines_out, batch_size=BATCH)
    IncomeLine.objects.bulk_create(lines_in, batch_size=BATCH)
    ApplicationStatusChange.objects.bulk_create(history, batch_size=BATCH)
    ReviewAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    programme_of = {pk: programme_id for pk, programme_id, _s, _r in made}
    scores = [
        Score(assignment_id=assignment_id, criterion=criterion, score=rng.randint(1, 5))
        for assignment_id, application_id in ReviewAssignment.objects.filter(
            application_id__in=list(programme_of)
        ).values_list("pk", "application_id")
        for criterion in criteria.get(programme_of[application_id], [])
    ]
    Score.objects.bulk_create(scores, batch_size=BATCH)
