"""Demo and volume data of パブリックコメント, for `seed_demo`.

`seed()`: five cases of Muroran relative to today: one taking opinions now (a 35-day window),
one opening next week, one closed and being considered (items split and partly grouped under
論点), one with its result published (every 論点 answered, the final plan, one opinion redacted)
and one abandoned. Opinions arrive through `services.submission_create` on the web and keyed in
(意見箱, counter, post, FAX, e-mail). A case whose window is already over cannot be announced
through the service (it refuses a closed window), so the three past cases are put in 公示 with
the history row the announcement would have written; publishing and abandoning go through the
services. A web submission to a past case is keyed in on its day and then marked as web.
Idempotent: cases are found by title, so a second run creates nothing.

`seed_volume(count)`: `count // 20` (at most 100) past cases with their result published, each
with 100 submissions of two opinions (200 opinions), every item grouped under one of ten
answered 論点; bulk-created with numbers and counters as the services would leave them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from muroran_kyodo.lib.jp import end_of_day, fiscal_year
from muroran_kyodo.lib.models import Sequence, next_value

from . import services
from .models import (
    Case,
    CaseStatusChange,
    Channel,
    Eligibility,
    Facility,
    Issue,
    Opinion,
    OpinionItem,
    Section,
    Submission,
)

S = Case.Status
D = Issue.Disposition
ALL_ELIGIBLE = list(Eligibility.values)


@dataclass(frozen=True)
class DemoOpinion:
    section: int | None  # the section's number; None: the draft as a whole
    text: str
    points: tuple[str, ...] = ()  # the items staff split it into (none: one item, unsplit)
    issue: int | None = None  # the 論点 (its index in the case's issues) its items go under


@dataclass(frozen=True)
class DemoSubmission:
    channel: str
    days: int  # received this many days after the window opened
    name: str
    opinions: tuple[DemoOpinion, ...]
    email: str = ""
    user: str = ""  # a demo resident's e-mail: sent signed in
    organization: str = ""
    organization_public: bool = False


@dataclass(frozen=True)
class DemoIssue:
    summary: str
    section: int | None
    city_view: str = ""
    disposition: str = ""
    draft_changed: bool = False


@dataclass(frozen=True)
class DemoCase:
    key: str  # open, upcoming, considering, result, abandoned
    title: str
    department: str
    summary: str
    purpose: str
    legal_basis: str
    opens: int  # days from today (09:00 JST)
    closes: int  # days from today (end of the day, JST)
    sections: tuple[tuple[str, str], ...]
    submissions: tuple[DemoSubmission, ...] = ()
    issues: tuple[DemoIssue, ...] = ()
    final_plan: str = ""
    changes_summary: str = ""
    abandon_reason: str = ""
    redact: tuple[int, int, str] | None = None  # (submission index, opinion index, public text)
    extra: dict = field(default_factory=dict)


CASES = [
    DemoCase(
        key="open",
        title="第3次室蘭市環境基本計画（案）",
        department="生活環境部 環境課",
        summary="今後10年間の環境施策の方向性を定める第3次環境基本計画の案です。",
        purpose="脱炭素社会の実現と豊かな自然環境の保全に向けた施策を総合的に進めるため。",
        legal_basis="室蘭市環境基本条例 第9条",
        opens=-10,
        closes=25,
        sections=(
            ("計画の基本的事項", "計画の位置付け、期間（令和9年度〜令和18年度）、対象地域。"),
            ("望ましい環境像", "「海と緑と産業が調和する 環境にやさしいまち むろらん」。"),
            ("脱炭素社会の実現", "再生可能エネルギーの導入、水素の利活用、省エネルギー。"),
            ("自然環境の保全", "測量山・絵鞆半島の緑地、イタンキ浜の海岸環境の保全。"),
        ),
        submissions=(
            DemoSubmission(
                Channel.WEB,
                0,
                "佐藤 花子",
                (
                    DemoOpinion(3, "水素ステーションの整備時期を具体的に示してほしい。"),
                    DemoOpinion(4, "イタンキ浜の清掃活動への市の支援を計画に明記してほしい。"),
                ),
                email="resident@example.jp",
                user="resident@example.jp",
            ),
            DemoSubmission(
                Channel.WEB,
                0,
                "輪西町内会",
                (DemoOpinion(None, "計画の概要版を町内会の回覧で配ってほしい。"),),
                organization="輪西町内会",
                organization_public=True,
            ),
            DemoSubmission(
                Channel.BOX,
                -2,
                "中島 一郎",
                (DemoOpinion(4, "測量山の遊歩道の整備も自然環境の保全に加えてほしい。"),),
            ),
            DemoSubmission(
                Channel.FAX,
                -1,
                "東町 二郎",
                (DemoOpinion(3, "家庭用の太陽光発電への補助を続けてほしい。"),),
            ),
        ),
    ),
    DemoCase(
        key="upcoming",
        title="室蘭市地域公共交通計画（案）",
        department="都市建設部 都市政策推進課",
        summary="路線バスと地域の移動手段を持続可能にするための計画の案です。",
        purpose="人口減少と高齢化の中で、通院・通学・買物の移動手段を確保するため。",
        legal_basis="地域公共交通の活性化及び再生に関する法律 第5条",
        opens=7,
        closes=38,
        sections=(
            ("現状と課題", "路線バスの利用者数の推移と運転士不足。"),
            ("基本方針", "幹線と支線の役割分担、デマンド交通の導入。"),
            ("施策と目標", "乗継拠点の整備、運賃施策、利用促進。"),
        ),
    ),
    DemoCase(
        key="considering",
        title="第3期室蘭市子ども・子育て支援事業計画（案）",
        department="保健福祉部 子育て支援課",
        summary="教育・保育の量の見込みと確保の方策、地域子ども・子育て支援事業の計画の案です。",
        purpose="子ども・子育て支援法に基づき、令和9年度からの5年間の計画を定めるため。",
        legal_basis="子ども・子育て支援法 第61条",
        opens=-50,
        closes=-12,
        sections=(
            ("計画の概要", "計画期間と位置付け。"),
            ("教育・保育の提供体制", "保育所・認定こども園の定員と確保の方策。"),
            ("地域子ども・子育て支援事業", "放課後児童クラブ、一時預かり、病児保育。"),
        ),
        submissions=(
            DemoSubmission(
                Channel.WEB,
                3,
                "伊藤 大輝",
                (
                    DemoOpinion(
                        3,
                        "放課後児童クラブの開所時間を19時まで延ばしてほしい。"
                        "また、長期休みの昼食提供も検討してほしい。",
                        points=("放課後児童クラブの開所時間の延長", "長期休みの昼食提供"),
                        issue=0,
                    ),
                ),
                email="student@example.jp",
                user="student@example.jp",
            ),
            DemoSubmission(
                Channel.BOX,
                10,
                "本輪西 三郎",
                (DemoOpinion(3, "放課後児童クラブを19時まで開けてほしい。", issue=0),),
            ),
            DemoSubmission(
                Channel.COUNTER,
                15,
                "母恋 四葉",
                (DemoOpinion(3, "病児保育の施設を市の東側にも作ってほしい。", issue=1),),
            ),
            DemoSubmission(
                Channel.POST,
                20,
                "港北 五月",
                (
                    DemoOpinion(2, "保育士の処遇改善を計画に盛り込んでほしい。", issue=2),
                    DemoOpinion(None, "計画の内容が難しいので、やさしい概要版がほしい。"),
                ),
            ),
            DemoSubmission(
                Channel.EMAIL,
                30,
                "室蘭子育てネットワーク",
                (DemoOpinion(3, "一時預かりの予約をオンラインでできるようにしてほしい。"),),
                email="kosodate-net@example.jp",
                organization="室蘭子育てネットワーク",
                organization_public=True,
            ),
        ),
        issues=(
            DemoIssue(
                "放課後児童クラブの開所時間の延長",
                3,
                "令和9年度から市内3か所で19時までの延長開所を試行します。",
                D.PARTLY,
                True,
            ),
            DemoIssue("病児保育施設の拡充", 3),
            DemoIssue("保育士の処遇改善", 2),
        ),
    ),
    DemoCase(
        key="result",
        title="室蘭市緑の基本計画（改定案）",
        department="都市建設部 緑地公園課",
        summary="都市公園の整備と緑地の保全・創出の方針を定める緑の基本計画の改定案です。",
        purpose="公園施設の老朽化と人口減少に対応した公園の再編と緑の保全を進めるため。",
        legal_basis="都市緑地法 第4条",
        opens=-95,
        closes=-60,
        sections=(
            ("計画の目的と期間", "改定の背景と計画期間（令和9年度〜令和18年度）。"),
            ("緑の将来像", "「海と山の緑をつなぐまち むろらん」。"),
            ("公園の再編", "利用の少ない街区公園の統合と、地域の拠点となる公園の再整備。"),
        ),
        submissions=(
            DemoSubmission(
                Channel.WEB,
                5,
                "高橋 正夫",
                (
                    DemoOpinion(3, "近所の街区公園がなくなると子どもの遊び場がなくなる。", issue=0),
                    DemoOpinion(
                        2,
                        "測量山の緑を守ることを将来像の中心に置いてほしい。"
                        "連絡先は0143-00-0002です。",
                        issue=1,
                    ),
                ),
                email="kaicho@example.jp",
                user="kaicho@example.jp",
            ),
            DemoSubmission(
                Channel.BOX,
                12,
                "絵鞆 六郎",
                (DemoOpinion(3, "公園の統合には住民の意見を聞く場を設けてほしい。", issue=0),),
            ),
            DemoSubmission(
                Channel.FAX,
                20,
                "渡辺 健一",
                (DemoOpinion(None, "公園のトイレを洋式化してほしい。", issue=2),),
                email="shotengai@example.jp",
            ),
        ),
        issues=(
            DemoIssue(
                "街区公園の統合への懸念",
                3,
                "統合の対象とする公園は、町内会等との協議を経て決定することを計画に明記しました。",
                D.REFLECTED,
                True,
            ),
            DemoIssue(
                "測量山の緑の保全",
                2,
                "測量山は将来像の「緑の拠点」に位置付けており、原案のとおりとします。",
                D.AS_DRAFTED,
            ),
            DemoIssue(
                "公園施設の改修",
                None,
                "個別の施設の改修は、公園施設長寿命化計画に基づき順次進めます。",
                D.NOTED,
            ),
        ),
        final_plan="室蘭市緑の基本計画（令和9年3月改定）は、市ホームページと市役所 緑地公園課で公開しています。",
        changes_summary="第3章「公園の再編」に、統合の対象を町内会等との協議を経て決定する旨を追加しました。",
        redact=(0, 1, "測量山の緑を守ることを将来像の中心に置いてほしい。"),
    ),
    DemoCase(
        key="abandoned",
        title="室蘭市公共施設使用料の見直し方針（案）",
        department="総務部 財政課",
        summary="公共施設の使用料を受益者負担の考え方に基づき見直す方針の案です。",
        purpose="施設の維持管理費と使用料のバランスを見直すため。",
        legal_basis="",
        opens=-45,
        closes=-10,
        sections=(
            ("見直しの考え方", "受益者負担の原則と減免制度。"),
            ("対象施設と改定額", "市民会館、体育館、地区会館ほか。"),
        ),
        submissions=(
            DemoSubmission(
                Channel.COUNTER,
                8,
                "知利別 七海",
                (DemoOpinion(2, "地区会館の使用料を上げないでほしい。"),),
            ),
        ),
        abandon_reason=(
            "国の地方財政措置の見直しが示され、前提となる試算をやり直す必要が生じたため、"
            "本案による見直しは中止します。改めて案を作成し、意見を募集します。"
        ),
    ),
]


def _at(today: dt.date, days: int) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(9), tzinfo=tz)


def seed(*, stdout, staff, users: dict) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    facilities = list(Facility.objects.filter(is_active=True)[:4])
    created = 0
    for demo in CASES:
        if Case.objects.filter(title=demo.title).exists():
            continue
        _seed_case(demo, today=today, now=now, staff=staff, users=users, facilities=facilities)
        created += 1
    stdout.write(f"publiccomment: {created} demo cases created")


def _seed_case(demo: DemoCase, *, today, now, staff, users, facilities) -> Case:
    opens_at = _at(today, demo.opens)
    closes_at = end_of_day(today + dt.timedelta(days=demo.closes))
    case = services.case_create(
        by=staff,
        opens_at=opens_at,
        closes_at=closes_at,
        title=demo.title,
        department=demo.department,
        summary=demo.summary,
        purpose=demo.purpose,
        legal_basis=demo.legal_basis,
        may_submit=ALL_ELIGIBLE,
        submit_address="〒051-8511 室蘭市幸町1番2号 " + demo.department,
        submit_fax="0143-22-1234",
        submit_email="kikaku@city.muroran.example.jp",
    )
    case.facilities.set(facilities)
    Section.objects.bulk_create(
        Section(case=case, number=number, heading=heading, body=body)
        for number, (heading, body) in enumerate(demo.sections, start=1)
    )
    if opens_at > now:
        services.case_announce(case=case, by=staff)
    else:
        # Already open (or over): announced as it was then, a week before opening, with the
        # history row it wrote (announcing now would open it now).
        announced_at = opens_at - dt.timedelta(days=7)
        Case.objects.filter(pk=case.pk).update(
            status=S.ANNOUNCED, announced_at=announced_at, status_changed_at=announced_at
        )
        CaseStatusChange.objects.create(
            case=case, old_status=S.DRAFT, new_status=S.ANNOUNCED, by=staff, at=announced_at
        )
        case.refresh_from_db()

    sections = {section.number: section for section in case.sections.all()}
    opinions_made: list[list[Opinion]] = []
    for demo_submission in demo.submissions:
        submission = _submit(
            case, demo_submission, sections=sections, now=now, staff=staff, users=users
        )
        opinions_made.append(list(submission.opinions.order_by("position")))

    if demo.key in ("considering", "result"):
        issues = []
        for demo_issue in demo.issues:
            issue = services.issue_create(
                case=case,
                summary=demo_issue.summary,
                section=sections.get(demo_issue.section) if demo_issue.section else None,
            )
            Issue.objects.filter(pk=issue.pk).update(
                city_view=demo_issue.city_view,
                disposition=demo_issue.disposition,
                draft_changed=demo_issue.draft_changed,
            )
            issues.append(issue)
        for demo_submission, opinions in zip(demo.submissions, opinions_made, strict=True):
            for demo_opinion, opinion in zip(demo_submission.opinions, opinions, strict=True):
                if demo_opinion.points:
                    items = services.opinion_split(opinion=opinion, summaries=demo_opinion.points)
                else:
                    items = list(opinion.items.all())
                if demo_opinion.issue is not None:
                    # The first point goes under the named 論点; other points stay for staff.
                    services.items_group(items=items[:1], issue=issues[demo_opinion.issue])
    if demo.redact:
        submission_index, opinion_index, public_text = demo.redact
        services.opinion_redact(
            opinion=opinions_made[submission_index][opinion_index],
            public_text=public_text,
            reason="個人の電話番号を含むため、その部分を削除しました。",
            by=staff,
        )
    if demo.key == "result":
        Case.objects.filter(pk=case.pk).update(
            final_plan=demo.final_plan, draft_changed=True, changes_summary=demo.changes_summary
        )
        case.refresh_from_db()
        # Staff read every opinion before the result publishes them.
        services.opinions_mark_reviewed(
            opinions=case.opinions.filter(reviewed_at__isnull=True), by=staff
        )
        services.case_publish_result(case=case, by=staff)
    elif demo.key == "abandoned":
        services.case_abandon(case=case, by=staff, reason=demo.abandon_reason)
    return case


def _submit(case, demo: DemoSubmission, *, sections, now, staff, users) -> Submission:
    opinions = [
        services.OpinionInput(section=sections.get(o.section) if o.section else None, text=o.text)
        for o in demo.opinions
    ]
    person = {
        "opinions": opinions,
        "name": demo.name,
        "eligibility": Eligibility.RESIDENT,
        "kind": Submission.Kind.ORGANIZATION if demo.organization else Submission.Kind.INDIVIDUAL,
        "organization_name": demo.organization,
        "organization_name_public": demo.organization_public,
        "address": "室蘭市内（デモ）",
        "phone": "0143-00-0000",
        "email": demo.email,
    }
    user = users.get(demo.user) if demo.user else None
    received_at = case.opens_at + dt.timedelta(days=demo.days, hours=2)
    if demo.channel == Channel.WEB and case.is_open_at(now):
        submission, _created = services.submission_create(case=case, user=user, **person)
        return submission
    if demo.days < 0:  # days before today
        received_at = now + dt.timedelta(days=demo.days)
    keyed_channel = Channel.COUNTER if demo.channel == Channel.WEB else demo.channel
    submission, _created = services.submission_create(
        case=case,
        user=user,
        channel=keyed_channel,
        received_at=received_at,
        recorded_by=None if demo.channel == Channel.WEB else staff,
        **person,
    )
    if demo.channel == Channel.WEB:
        # Sent on the web form on its day (see the module's docstring).
        Submission.objects.filter(pk=submission.pk).update(channel=Channel.WEB)
        submission.channel = Channel.WEB
    return submission


# --- volume -------------------------------------------------------------------------------------

VOLUME_DEPARTMENT = "ボリューム課（ベンチマーク用）"
VOLUME_MAX_CASES = 100
VOLUME_SUBMISSIONS = 100  # two opinions each: 200 opinions a case
VOLUME_ISSUES = 10


def volume_case_count(count: int) -> int:
    """100 cases at --volume 2000 (the benchmark's), fewer for a smaller volume."""
    return min(VOLUME_MAX_CASES, max(1, count // 20))


def seed_volume(*, count: int, stdout) -> None:
    target = volume_case_count(count)
    existing = Case.objects.filter(department=VOLUME_DEPARTMENT).count()
    if existing >= target:
        stdout.write("publiccomment: volume data already there")
        return
    today = timezone.localdate()
    with transaction.atomic():
        for n in range(existing + 1, target + 1):
            _volume_case(n, today=today)
    stdout.write(f"publiccomment: {target - existing} volume cases with 200 opinions each")


def _volume_case(n: int, *, today: dt.date) -> None:
    # Spread over the last ten years, each case closed at least 60 days ago.
    opens_at = _at(today, -70 - (n * 37) % 3600)
    closes_at = end_of_day(timezone.localdate(opens_at) + dt.timedelta(days=30 + n % 5))
    published_at = closes_at + dt.timedelta(days=40)
    year = fiscal_year(opens_at)
    case = Case.objects.create(
        fiscal_year=year,
        serial=next_value(f"publiccomment.case.{year}"),
        title=f"ボリューム案件{n:03d}（ベンチマーク用の合成データです）",
        department=VOLUME_DEPARTMENT,
        summary="ベンチマーク用の合成データです。",
        purpose="ベンチマークのため。",
        opens_at=opens_at,
        closes_at=closes_at,
        may_submit=ALL_ELIGIBLE,
        status=S.RESULT_PUBLISHED,
        status_changed_at=published_at,
        announced_at=opens_at,
        result_published_at=published_at,
        final_plan="合成データの最終案です。",
    )
    CaseStatusChange.objects.bulk_create(
        [
            CaseStatusChange(case=case, old_status="", new_status=S.DRAFT, at=opens_at),
            CaseStatusChange(case=case, old_status=S.DRAFT, new_status=S.ANNOUNCED, at=opens_at),
            CaseStatusChange(
                case=case, old_status=S.ANNOUNCED, new_status=S.RESULT_PUBLISHED, at=published_at
            ),
        ]
    )
    sections = Section.objects.bulk_create(
        Section(case=case, number=number, heading=f"第{number}章", body="合成データの本文です。")
        for number in range(1, 4)
    )
    issues = Issue.objects.bulk_create(
        Issue(
            case=case,
            number=number,
            section=sections[number % 3],
            summary=f"論点{number}の要旨（合成データ）",
            city_view="市の考え方（合成データ）",
            disposition=D.values[number % len(D.values)],
        )
        for number in range(1, VOLUME_ISSUES + 1)
    )
    channels = Channel.values
    submissions = Submission.objects.bulk_create(
        Submission(
            case=case,
            sequence=sequence,
            number=services.receipt_number(case, sequence),
            channel=channels[sequence % len(channels)],
            received_at=opens_at + dt.timedelta(hours=sequence * 6),
            name=f"ボリューム提出者{sequence:03d}",
            address="室蘭市内（合成データ）",
            eligibility=Eligibility.RESIDENT,
        )
        for sequence in range(1, VOLUME_SUBMISSIONS + 1)
    )
    Sequence.objects.update_or_create(
        key=f"publiccomment.submission.{case.pk}", defaults={"value": VOLUME_SUBMISSIONS}
    )
    opinions = Opinion.objects.bulk_create(
        Opinion(
            submission=submission,
            case=case,
            position=position,
            section=sections[(submission.sequence + position) % 3],
            text=f"合成データの意見です（{submission.sequence}-{position}）。" * 3,
            reviewed_at=published_at - dt.timedelta(days=1),
        )
        for submission in submissions
        for position in (1, 2)
    )
    OpinionItem.objects.bulk_create(
        OpinionItem(opinion=opinion, case=case, position=1, issue=issues[index % VOLUME_ISSUES])
        for index, opinion in enumerate(opinions)
    )
