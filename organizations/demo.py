"""Demo and benchmark data of the registry, called by `python manage.py seed_demo`.

`seed()` adds a dozen realistic Muroran organisations, their members and some collaboration
projects; `seed_volume()` adds N synthetic verified organisations for the benchmark. Both
are idempotent: rows are looked up by their natural key (name, title + 年度) and only the
missing ones are created, so a second run changes nothing.

Verification goes through `services.organization_verify` / `organization_return`, so every
demo organisation has the same history rows as a real one. The synthetic volume rows are
bulk-created as verified, each with one history row, because going through the service
for thousands of rows would only measure the seeding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from muroran_kyodo.lib.jp import current_fiscal_year

from . import services
from .models import (
    ActivityField,
    ActorType,
    CollaborationForm,
    CollaborationProject,
    District,
    Membership,
    Organization,
    OrganizationStatusChange,
)

S = Organization.Status
R = Membership.Role
P = CollaborationProject.Status

REGISTERED_REASON = "ポータルから登録"
KEYED_IN_REASON = "紙の届出を職員が入力"


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    kana: str
    actor_type: str
    district: str
    fields: tuple[str, ...]
    description: str
    registered: dt.date
    founded_year: int | None = None
    member_count: int | None = None
    representative_title: str = ""
    public_email: str = ""
    website: str = ""
    contact_note: str = ""
    status: str = S.VERIFIED
    return_reason: str = ""
    # e-mail -> role; the first representative listed is the one who registered it.
    members: dict[str, str] = field(default_factory=dict)


ORGANIZATIONS = [
    DemoOrganization(
        name="輪西町内会",
        kana="ワニシチョウナイカイ",
        actor_type="neighbourhood",
        district="輪西町",
        fields=("防災・防犯・地域安全", "まちづくり・地域活性化", "高齢者支援"),
        description=(
            "輪西町の約420世帯でつくる町内会です。春と秋の町内一斉清掃、夏の盆踊り、"
            "子どもの登下校の見守り、冬の高齢者宅の雪かき応援を行っています。"
            "令和5年度に自主防災組織を結成し、毎年9月には商店街や室蘭工業大学の学生と一緒に"
            "輪西地区合同防災訓練を開いています。"
        ),
        registered=dt.date(2019, 5, 20),
        founded_year=1952,
        member_count=420,
        representative_title="会長",
        public_email="wanishi-chonaikai@example.jp",
        contact_note="輪西町内会館（平日10時〜15時）",
        members={
            "kaicho@example.jp": R.REPRESENTATIVE,
            "resident@example.jp": R.MEMBER,
            "shotengai@example.jp": R.MEMBER,
        },
    ),
    DemoOrganization(
        name="白鳥台連合町内会",
        kana="ハクチョウダイレンゴウチョウナイカイ",
        actor_type="neighbourhood",
        district="白鳥台",
        fields=("高齢者支援", "防災・防犯・地域安全", "子育て・子どもの健全育成"),
        description=(
            "白鳥台地区の単位町内会でつくる連合町内会です。坂の多い団地の高齢化に向き合い、"
            "見守り訪問、毎月第2水曜日のふれあいサロン、冬の除雪ボランティアの調整を行っています。"
            "室蘭工業大学の学生による雪かきボランティアとの協力も続けています。"
        ),
        registered=dt.date(2019, 6, 3),
        founded_year=1976,
        member_count=2100,
        representative_title="会長",
        contact_note="白鳥台会館気付",
    ),
    DemoOrganization(
        name="母恋町内会",
        kana="ボコイチョウナイカイ",
        actor_type="neighbourhood",
        district="母恋北町",
        fields=("環境保全・美化", "防災・防犯・地域安全"),
        description=(
            "地球岬に向かう母恋地区の町内会です。地球岬クリーンアップの会と一緒に"
            "遊歩道沿いの清掃を行い、秋には町内の防災マップを更新しています。"
        ),
        registered=dt.date(2020, 4, 14),
        founded_year=1958,
        member_count=310,
        representative_title="会長",
        contact_note="母恋会館気付",
    ),
    DemoOrganization(
        name="室蘭まちづくり市民の会",
        kana="ムロランマチヅクリシミンノカイ",
        actor_type="npo",
        district="中央町",
        fields=("まちづくり・地域活性化", "観光・港・交流"),
        description=(
            "中央町・入江町の旧市街地のにぎわいづくりに取り組む市民グループです。"
            "空き店舗を使った「まちなかサロン」の運営、歴史的建造物をめぐるまち歩き、"
            "港の夜景ガイドを行っています。まちづくり活動支援補助金を活用した事業も実施しています。"
        ),
        registered=dt.date(2019, 8, 1),
        founded_year=2006,
        member_count=35,
        representative_title="代表",
        public_email="machizukuri-shimin@example.jp",
        contact_note="市民活動センター気付",
        members={"resident@example.jp": R.REPRESENTATIVE, "student@example.jp": R.MEMBER},
    ),
    DemoOrganization(
        name="NPO法人 むろらん子育てネット",
        kana="ムロランコソダテネット",
        actor_type="npo",
        district="東町",
        fields=("子育て・子どもの健全育成", "保健・医療・福祉"),
        description=(
            "乳幼児と保護者のための親子ひろば（平日10時〜15時）、子育て講座、"
            "子育て中の親同士の交流会を行うNPO法人です。市の委託を受けて親子ひろばを運営しています。"
        ),
        registered=dt.date(2020, 10, 6),
        founded_year=2011,
        member_count=28,
        representative_title="理事長",
        public_email="kosodate-net@example.jp",
    ),
    DemoOrganization(
        name="地球岬クリーンアップの会",
        kana="チキュウミサキクリーンアップノカイ",
        actor_type="npo",
        district="母恋南町",
        fields=("環境保全・美化", "観光・港・交流"),
        description=(
            "毎月第1日曜日の朝、地球岬展望台の周辺と遊歩道を清掃しています。"
            "まち「ピカ」パートナーとして登録し、観光客の多い夏は回数を増やしています。"
            "どなたでも軍手ひとつで参加できます。"
        ),
        registered=dt.date(2021, 5, 10),
        founded_year=2009,
        member_count=18,
        representative_title="代表",
        members={"student@example.jp": R.MEMBER, "salon@example.jp": R.MEMBER},
    ),
    DemoOrganization(
        name="輪西図書サポーターズ",
        kana="ワニシトショサポーターズ",
        actor_type="npo",
        district="輪西町",
        fields=("生涯学習・社会教育", "子育て・子どもの健全育成"),
        description=(
            "図書館輪西分室の夜間開館の受付と、土曜日の子ども向け読み聞かせ会を担う"
            "ボランティア団体です。"
        ),
        registered=dt.date(2021, 9, 22),
        founded_year=2014,
        member_count=22,
        representative_title="代表",
        contact_note="図書館輪西分室気付",
    ),
    DemoOrganization(
        name="えとも・ふれあいサロンの会",
        kana="エトモ・フレアイサロンノカイ",
        actor_type="npo",
        district="絵鞆町",
        fields=("高齢者支援", "保健・医療・福祉"),
        description=(
            "絵鞆町の集会所で月2回、高齢者のお茶会と椅子に座ってできる体操教室を開いています。"
            "令和7年に近所の有志で立ち上げました。"
        ),
        registered=dt.date(2026, 11, 2),
        founded_year=2025,
        member_count=12,
        representative_title="代表",
        status=S.PENDING,
        members={"salon@example.jp": R.REPRESENTATIVE},
    ),
    DemoOrganization(
        name="室工大 学生雪かきボランティア",
        kana="ムロコウダイ　ガクセイユキカキボランティア",
        actor_type="npo",
        district="水元町",
        fields=("高齢者支援",),
        description="雪かき。",
        registered=dt.date(2026, 10, 15),
        founded_year=2023,
        member_count=15,
        status=S.RETURNED,
        return_reason=(
            "活動内容の記載が「雪かき」のみのため、活動する地区と時期、これまでの実績を追記してください。"
            "公開する連絡先（メールアドレスなど）と代表者の役職名の入力もお願いします。"
        ),
        members={"student@example.jp": R.REPRESENTATIVE},
    ),
    DemoOrganization(
        name="室蘭工業大学",
        kana="ムロランコウギョウダイガク",
        actor_type="university",
        district="水元町",
        fields=("学術・文化・芸術・スポーツ", "生涯学習・社会教育", "まちづくり・地域活性化"),
        description=(
            "水元町にある工学系の国立大学です。市民向けの公開講座や講演会、子ども向けの"
            "ものづくり体験教室を開くほか、学生が雪かきボランティアや地域の防災訓練、"
            "商店街のイベント運営に参加しています。"
        ),
        registered=dt.date(2019, 7, 1),
        founded_year=1949,
        representative_title="学長",
        website="https://muroran-it.ac.jp/",
        contact_note="地域連携の窓口までお問い合わせください",
    ),
    DemoOrganization(
        name="輪西商店街振興組合",
        kana="ワニシショウテンガイシンコウクミアイ",
        actor_type="business",
        district="輪西町",
        fields=("経済・商店街振興", "まちづくり・地域活性化", "防災・防犯・地域安全"),
        description=(
            "輪西町の商店街の振興組合です。夏の夜店、歳末の大売り出し、街路灯の維持管理、"
            "夜間の防犯パトロールを行っています。防災訓練では炊き出しの会場を提供しています。"
        ),
        registered=dt.date(2020, 2, 12),
        founded_year=1965,
        member_count=40,
        representative_title="理事長",
        members={"shotengai@example.jp": R.REPRESENTATIVE},
    ),
    DemoOrganization(
        name="中島商店街振興組合",
        kana="ナカジマショウテンガイシンコウクミアイ",
        actor_type="business",
        district="中島町",
        fields=("経済・商店街振興", "観光・港・交流"),
        description=(
            "中島町の商店街の振興組合です。港まつりにあわせた歩行者天国や、"
            "地元の高校生と企画するスタンプラリーでまちなかのにぎわいをつくっています。"
        ),
        registered=dt.date(2020, 3, 2),
        founded_year=1968,
        member_count=55,
        representative_title="理事長",
    ),
    DemoOrganization(
        name="みなと室蘭建設株式会社",
        kana="ミナトムロランケンセツ",
        actor_type="business",
        district="港北町",
        fields=("防災・防犯・地域安全", "環境保全・美化"),
        description=(
            "港北町の建設会社です。災害時協定に基づく重機と資材の提供、公園遊具の点検への協力、"
            "町内会行事への会場の提供を行っています。社員による海岸清掃も毎年続けています。"
        ),
        registered=dt.date(2022, 5, 30),
        founded_year=1971,
        member_count=86,
        representative_title="代表取締役",
    ),
    DemoOrganization(
        name="室蘭市 地域生活課",
        kana="ムロランシ　チイキセイカツカ",
        actor_type="government",
        district="幸町",
        fields=("まちづくり・地域活性化",),
        description=(
            "協働のまちづくりの窓口です。町内会・市民活動団体の支援、まちづくり活動支援補助金、"
            "行政パートナー制度、市民活動センターを担当しています。協働事業のご相談はお気軽にどうぞ。"
        ),
        registered=dt.date(2019, 4, 1),
        representative_title="課長",
        website="https://www.city.muroran.lg.jp/",
        contact_note="室蘭市役所 地域生活課（平日8時45分〜17時30分）",
        members={"admin@example.jp": R.CONTACT},
    ),
]


@dataclass(frozen=True)
class DemoProject:
    title: str
    form: str
    lead_department: str
    fiscal_year: int
    description: str
    organizations: tuple[str, ...]
    status: str = P.COMPLETED
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    other_partners: str = ""


PROJECTS = [
    DemoProject(
        "輪西地区合同防災訓練",
        "co-hosting",
        "防災対策課",
        2024,
        "町内会の自主防災組織、商店街、大学と市が共に主催する避難訓練。避難所の開設、"
        "炊き出し、安否確認の練習を行った。",
        ("輪西町内会", "輪西商店街振興組合", "室蘭工業大学"),
        started_on=dt.date(2024, 9, 8),
        ended_on=dt.date(2024, 9, 8),
    ),
    DemoProject(
        "輪西地区合同防災訓練",
        "co-hosting",
        "防災対策課",
        2025,
        "前年度の振り返りを踏まえ、要配慮者の避難支援と夜間の避難所運営を加えて実施した。",
        ("輪西町内会", "輪西商店街振興組合", "室蘭工業大学"),
        started_on=dt.date(2025, 9, 7),
        ended_on=dt.date(2025, 9, 7),
    ),
    DemoProject(
        "白鳥台地区 学生雪かきボランティア",
        "agreement",
        "地域生活課",
        2024,
        "高齢世帯の玄関先と通路の除雪を学生ボランティアが担い、連合町内会が依頼の取りまとめ、"
        "市が道具の貸し出しと保険の手配を行う。",
        ("白鳥台連合町内会", "室蘭工業大学"),
        started_on=dt.date(2024, 12, 1),
        ended_on=dt.date(2025, 3, 15),
    ),
    DemoProject(
        "白鳥台地区 学生雪かきボランティア",
        "agreement",
        "地域生活課",
        2025,
        "対象世帯を42世帯に広げ、降雪の翌朝に作業できるよう連絡網を見直した。",
        ("白鳥台連合町内会", "室蘭工業大学"),
        started_on=dt.date(2025, 12, 1),
        ended_on=dt.date(2026, 3, 15),
    ),
    DemoProject(
        "白鳥台地区 学生雪かきボランティア",
        "agreement",
        "地域生活課",
        2026,
        "今冬も12月から3月まで実施予定。参加学生の事前説明会を11月に開く。",
        ("白鳥台連合町内会", "室蘭工業大学"),
        status=P.PLANNED,
        started_on=dt.date(2026, 12, 1),
        ended_on=dt.date(2027, 3, 15),
    ),
    DemoProject(
        "まちなかサロン運営事業",
        "subsidy",
        "地域生活課",
        2023,
        "まちづくり活動支援補助金の採択事業。中央町の空き店舗で週3日サロンを開き、"
        "まち歩きの案内所としても活用した。",
        ("室蘭まちづくり市民の会",),
        started_on=dt.date(2023, 6, 1),
        ended_on=dt.date(2024, 2, 29),
    ),
    DemoProject(
        "市民公開講座「鉄のまち室蘭のものづくり」",
        "patronage",
        "生涯学習課",
        2025,
        "室蘭工業大学が開く全5回の公開講座に市が後援名義を出し、広報紙で周知した。",
        ("室蘭工業大学",),
        started_on=dt.date(2025, 10, 4),
        ended_on=dt.date(2025, 11, 29),
    ),
    DemoProject(
        "図書館輪西分室 夜間開館運営",
        "commission",
        "生涯学習課",
        2026,
        "火曜日と金曜日の夜間開館（18時〜20時）の受付と貸出業務をボランティア団体に委託する。",
        ("輪西図書サポーターズ",),
        status=P.ACTIVE,
        started_on=dt.date(2026, 4, 1),
        ended_on=dt.date(2027, 3, 31),
    ),
    DemoProject(
        "地球岬周辺 清掃美化活動",
        "agreement",
        "地域生活課",
        2026,
        "まち「ピカ」パートナーとして、地球岬展望台の周辺と遊歩道を毎月清掃する。"
        "市はごみ袋の提供と回収を担う。",
        ("地球岬クリーンアップの会", "母恋町内会"),
        status=P.ACTIVE,
        started_on=dt.date(2026, 4, 1),
        ended_on=dt.date(2027, 3, 31),
    ),
    DemoProject(
        "親子ひろば運営事業",
        "commission",
        "子育て支援課",
        2025,
        "乳幼児と保護者が自由に過ごせる親子ひろばの運営と子育て相談を委託した。",
        ("NPO法人 むろらん子育てネット",),
        started_on=dt.date(2025, 4, 1),
        ended_on=dt.date(2026, 3, 31),
    ),
    DemoProject(
        "協働のまちづくり情報交換会",
        "information",
        "地域生活課",
        2025,
        "町内会、市民活動団体、大学、企業と市が集まり、活動の紹介と人材不足の悩みを話し合った。",
        (
            "輪西町内会",
            "室蘭まちづくり市民の会",
            "NPO法人 むろらん子育てネット",
            "地球岬クリーンアップの会",
            "室蘭市 地域生活課",
        ),
        started_on=dt.date(2026, 2, 14),
        ended_on=dt.date(2026, 2, 14),
    ),
    DemoProject(
        "災害時における応急対策業務に関する協定",
        "agreement",
        "防災対策課",
        2022,
        "地震や大雨の際、道路の障害物の除去と応急復旧に重機と人員を提供する協定。",
        ("みなと室蘭建設株式会社",),
        status=P.ACTIVE,
        started_on=dt.date(2022, 6, 1),
    ),
]

# The guideline's example projects (loaded by the reference-data migration) that demo
# organisations take part in.
GUIDELINE_PROJECT_MEMBERS = {
    "防災訓練": ("輪西町内会", "白鳥台連合町内会"),
    "港まつり実行委員会": ("輪西商店街振興組合", "中島商店街振興組合", "室蘭まちづくり市民の会"),
    "みなとオアシス室蘭運営協議会": ("室蘭まちづくり市民の会", "中島商店街振興組合"),
    "まち「ピカ」パートナー情報交換会": ("地球岬クリーンアップの会", "母恋町内会"),
    "災害時協定": ("みなと室蘭建設株式会社",),
}


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


# The dates above are written as they stood on WRITTEN_ON, in 年度 WRITTEN_FISCAL_YEAR. On another
# day they move with the clock, so `make run` in any later year shows the same live demo:
# registrations keep their age in days, projects keep their 年度 relative to this one.
WRITTEN_ON = dt.date(2026, 11, 28)
WRITTEN_FISCAL_YEAR = 2026


@dataclass(frozen=True)
class _Clock:
    days: dt.timedelta
    years: int

    @classmethod
    def now(cls) -> _Clock:
        return cls(
            days=timezone.localdate() - WRITTEN_ON,
            years=current_fiscal_year() - WRITTEN_FISCAL_YEAR,
        )

    def day(self, written: dt.date) -> dt.date:
        return written + self.days

    def in_year(self, written: dt.date | None) -> dt.date | None:
        if written is None:
            return None
        try:
            return written.replace(year=written.year + self.years)
        except ValueError:  # 29 February in a common year
            return written.replace(year=written.year + self.years, day=28)


def seed(*, stdout, staff, users: dict) -> None:
    """The demo organisations, members and projects. `users` maps e-mail to User."""
    users = {**users, staff.email: staff}
    actor_types = {a.code: a for a in ActorType.objects.all()}
    districts = {d.name: d for d in District.objects.all()}
    fields = {f.name: f for f in ActivityField.objects.all()}
    forms = {f.code: f for f in CollaborationForm.objects.all()}

    clock = _Clock.now()
    created = 0
    organizations = {}
    for demo in ORGANIZATIONS:
        organization = Organization.objects.filter(name=demo.name).first()
        if organization is None:
            organization = _create_organization(
                demo,
                staff=staff,
                users=users,
                actor_types=actor_types,
                districts=districts,
                fields=fields,
                clock=clock,
            )
            created += 1
        organizations[demo.name] = organization
    stdout.write(f"organizations: {created} demo organisations created")

    created = 0
    for demo in PROJECTS:
        project, was_created = CollaborationProject.objects.get_or_create(
            title=demo.title,
            fiscal_year=demo.fiscal_year + clock.years,
            defaults={
                "form": forms[demo.form],
                "lead_department": demo.lead_department,
                "description": demo.description,
                "status": demo.status,
                "started_on": clock.in_year(demo.started_on),
                "ended_on": clock.in_year(demo.ended_on),
                "other_partners": demo.other_partners,
            },
        )
        if was_created:
            project.organizations.set([organizations[name] for name in demo.organizations])
            created += 1
    for title, names in GUIDELINE_PROJECT_MEMBERS.items():
        # add() skips links that exist, so this stays idempotent; a project staff renamed
        # or deleted is left alone.
        for project in CollaborationProject.objects.filter(title=title):
            project.organizations.add(*(organizations[name] for name in names))
    stdout.write(f"organizations: {created} demo collaboration projects created")


def _create_organization(
    demo, *, staff, users, actor_types, districts, fields, clock: _Clock
) -> Organization:
    """Register like the portal does (申請中 + history row), then let staff decide."""
    organization = Organization.objects.create(
        name=demo.name,
        name_kana=demo.kana,
        actor_type=actor_types[demo.actor_type],
        district=districts.get(demo.district),
        description=demo.description,
        founded_year=demo.founded_year,
        member_count=demo.member_count,
        representative_title=demo.representative_title,
        public_email=demo.public_email,
        website=demo.website,
        contact_note=demo.contact_note,
        status=S.PENDING,
    )
    # The registration date drives the yearly figures; it is not a status field.
    Organization.objects.filter(pk=organization.pk).update(
        created_at=_aware(clock.day(demo.registered))
    )
    organization.fields.set([fields[name] for name in demo.fields if name in fields])
    for email, role in demo.members.items():
        Membership.objects.create(organization=organization, user=users[email], role=role)
    registrant = next(
        (users[e] for e, role in demo.members.items() if role == R.REPRESENTATIVE), None
    )
    OrganizationStatusChange.objects.create(
        organization=organization,
        old_status="",
        new_status=S.PENDING,
        by=registrant or staff,
        at=_aware(clock.day(demo.registered)),
        reason=REGISTERED_REASON if registrant else KEYED_IN_REASON,
    )
    if demo.status == S.VERIFIED:
        services.organization_verify(organization=organization, by=staff)
    elif demo.status == S.RETURNED:
        services.organization_return(organization=organization, by=staff, reason=demo.return_reason)
    return organization


# --- Synthetic volume for the benchmark -----------------------------------------------------

VOLUME_PREFIX = "ボリューム団体 "
VOLUME_PROJECT_PREFIX = "ボリューム協働事業 "
VOLUME_REASON = "ベンチマーク用の合成データ"
# Older than any demo organisation, so the home page still shows the demo ones as newest.
VOLUME_VERIFIED_AT = dt.datetime(2025, 4, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))
# 40% 町内会, 40% NPO, 15% 企業・団体, 5% 大学等.
VOLUME_TYPES = ["neighbourhood"] * 8 + ["npo"] * 8 + ["business"] * 3 + ["university"]
VOLUME_DEPARTMENTS = ["地域生活課", "防災対策課", "環境課", "生涯学習課", "子育て支援課", "観光課"]
BATCH = 500


def volume_name(number: int) -> str:
    return f"{VOLUME_PREFIX}{number:05d}"


def seed_volume(*, count: int, stdout, staff, users: list) -> None:
    """`count` synthetic verified organisations ('ボリューム団体 00001'…), members from
    `users` and about count/10 projects. Numbers that exist already are skipped."""
    actor_types = {a.code: a for a in ActorType.objects.all()}
    districts = list(District.objects.order_by("sort_order", "pk"))
    fields = list(ActivityField.objects.order_by("sort_order", "pk"))
    forms = list(CollaborationForm.objects.order_by("sort_order", "pk"))

    existing = set(
        Organization.objects.filter(name__startswith=VOLUME_PREFIX).values_list("name", flat=True)
    )
    missing = [n for n in range(1, count + 1) if volume_name(n) not in existing]
    for start in range(0, len(missing), BATCH):
        _create_volume_batch(
            missing[start : start + BATCH],
            staff=staff,
            users=users,
            actor_types=actor_types,
            districts=districts,
            fields=fields,
        )
    stdout.write(f"organizations: {len(missing)} volume organisations created")

    project_count = count // 10
    existing = set(
        CollaborationProject.objects.filter(title__startswith=VOLUME_PROJECT_PREFIX).values_list(
            "title", flat=True
        )
    )
    numbers = [
        n for n in range(1, project_count + 1) if f"{VOLUME_PROJECT_PREFIX}{n:04d}" not in existing
    ]
    for start in range(0, len(numbers), BATCH):
        _create_volume_projects(numbers[start : start + BATCH], count=count, forms=forms)
    stdout.write(f"organizations: {len(numbers)} volume collaboration projects created")


def _create_volume_batch(numbers, *, staff, users, actor_types, districts, fields) -> None:
    rows = []
    for n in numbers:
        district = districts[n % len(districts)]
        field_ = fields[n % len(fields)]
        rows.append(
            Organization(
                name=volume_name(n),
                name_kana="ボリュームダンタイ",
                actor_type=actor_types[VOLUME_TYPES[n % len(VOLUME_TYPES)]],
                district=district,
                description=(
                    f"{district.name}を拠点に「{field_.name}」の活動をしている団体です。"
                    "月に一度の定例会と年に数回の行事を行い、近隣の町内会や市民活動団体とも"
                    "協力しています。（ベンチマーク用の合成データです）"
                ),
                founded_year=1950 + n % 75,
                member_count=5 + n % 200,
                representative_title="代表",
                status=S.VERIFIED,
                status_changed_at=VOLUME_VERIFIED_AT - dt.timedelta(minutes=n),
            )
        )
    Organization.objects.bulk_create(rows, batch_size=BATCH)
    # Read the keys back by name: bulk_create only sets them on some databases.
    ids = dict(
        Organization.objects.filter(name__in=[r.name for r in rows]).values_list("name", "pk")
    )

    changes, links, memberships = [], [], []
    Through = Organization.fields.through
    for n in numbers:
        pk = ids[volume_name(n)]
        changes.append(
            OrganizationStatusChange(
                organization_id=pk,
                old_status="",
                new_status=S.VERIFIED,
                by=staff,
                at=VOLUME_VERIFIED_AT - dt.timedelta(minutes=n),
                reason=VOLUME_REASON,
            )
        )
        for k in range(1 + n % 2):
            links.append(
                Through(organization_id=pk, activityfield_id=fields[(n + 5 * k) % len(fields)].pk)
            )
        if users:
            chosen = [users[n % len(users)]]
            for k in range(n % 4):
                user = users[(n * 7 + k * 31 + 1) % len(users)]
                if user not in chosen:
                    chosen.append(user)
            memberships.append(
                Membership(organization_id=pk, user=chosen[0], role=R.REPRESENTATIVE)
            )
            memberships.extend(
                Membership(organization_id=pk, user=user, role=R.MEMBER) for user in chosen[1:]
            )
    OrganizationStatusChange.objects.bulk_create(changes, batch_size=BATCH)
    Through.objects.bulk_create(links, batch_size=BATCH)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)


def _create_volume_projects(numbers, *, count, forms) -> None:
    rows = []
    this_year = current_fiscal_year()
    for n in numbers:
        year = this_year - 11 + n % 12
        rows.append(
            CollaborationProject(
                title=f"{VOLUME_PROJECT_PREFIX}{n:04d}",
                form=forms[n % len(forms)],
                lead_department=VOLUME_DEPARTMENTS[n % len(VOLUME_DEPARTMENTS)],
                fiscal_year=year,
                description="ベンチマーク用の合成データの協働事業です。",
                status=P.ACTIVE if year == this_year else P.COMPLETED,
                started_on=dt.date(year, 4, 1),
                ended_on=dt.date(year + 1, 3, 31),
            )
        )
    CollaborationProject.objects.bulk_create(rows, batch_size=BATCH)
    ids = dict(
        CollaborationProject.objects.filter(title__in=[r.title for r in rows]).values_list(
            "title", "pk"
        )
    )
    names = {n: [volume_name((n * 10 + k * 3) % count + 1) for k in range(3)] for n in numbers}
    org_ids = dict(
        Organization.objects.filter(
            name__in={name for group in names.values() for name in group}
        ).values_list("name", "pk")
    )
    Through = CollaborationProject.organizations.through
    Through.objects.bulk_create(
        [
            Through(
                collaborationproject_id=ids[f"{VOLUME_PROJECT_PREFIX}{n:04d}"],
                organization_id=org_ids[name],
            )
            for n in numbers
            for name in dict.fromkeys(names[n])
            if name in org_ids
        ],
        batch_size=BATCH,
    )
