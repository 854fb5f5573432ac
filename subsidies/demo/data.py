"""What the demo holds: the programmes, reviewers and applications (in every state that
matters), as data.

The categories (補助区分) follow the city's published ones: スタートアップ事業 and 地域enづくり事業
under the 市民提案型 programme, and the 若者チャレンジ応援事業 (¥100,000 at 10/10, as the city
publishes it). The guideline (/work/shared/reference/kyodo-guideline-muroran.txt) states no cap
or rate for スタートアップ事業 or 地域enづくり事業: their values below are demo values, which staff
set per programme in the admin (subsidies/README.md says where each value comes from)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import (
    Application,
    Programme,
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
        # (name, description, cap, rate numerator, rate denominator): demo values.
        "categories": [
            (
                "スタートアップ事業",
                "新たにまちづくり活動を始める団体の立ち上げの事業",
                200_000,
                1,
                2,
            ),
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
        # 事前相談 with 地域生活課 is expected before every track, this one included.
        "consultation_required": True,
        # As the city publishes it: up to ¥100,000, 10/10.
        "categories": [
            ("若者チャレンジ応援事業", "若者が中心となって取り組むチャレンジ", 100_000, 10, 10)
        ],
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
