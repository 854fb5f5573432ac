"""The demo organisations and collaboration projects, written as they stood on the day in
`seed.WRITTEN_ON` (seeding moves the dates with the clock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models import CollaborationProject, Membership, Organization

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
