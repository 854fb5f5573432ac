"""Demo and volume data of まちづくり協議会, for `seed_demo`.

`seed()`: the three councils of the guideline, relative to today:

- 道の駅みたら室蘭魅力アップトーク (企画課, a trial): two workshops held last year with their
  opinions published, and the reflection published;
- 高砂公園リニューアル (都市政策課): one workshop held with its outputs published, and one to come,
  full, with two people on its waiting list (the demo resident among them) and a facilitator of
  the pool at table 1;
- 複合公共施設・子育て応援ワークショップ (子育て支援課): one workshop held with its outputs published,
  one held last week whose outputs wait to be published (the staff work queue), and one to come
  with places left and childcare;
- a facilitator training held with its completions recorded (three demo residents in the pool,
  one of whom has left it) and a training to come.

Everything is written as the services would have left it, with its dated history: sessions in
the past cannot go through the services (they refuse a session that has started), and writing
the ones to come directly keeps the demo independent of the e-mails. Needs given for sessions
over more than a week ago are erased, as `erase_council_needs` would have. No photos (the
admin's upload checks them by content). Idempotent: councils and trainings are found by title,
so a second run creates nothing.

The volume data for the benchmark are in `councils.demo_volume`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from muroran_kyodo.lib.jp import fiscal_year
from organizations.models import District

from .models import (
    Assignment,
    Channel,
    Council,
    CouncilStatusChange,
    Department,
    Facilitator,
    Opinion,
    Session,
    SessionStatusChange,
    Signup,
    SignupStatusChange,
)
from .models.signups import CODE_ALPHABET, CODE_LENGTH

C = Council.Status
S = Session.Status
SS = Signup.Status
W = Session.Kind.WORKSHOP
T = Session.Kind.TRAINING


def at(today: dt.date, days: int, hour: int = 13, minute: int = 30) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=tz)


def code_for(n: int) -> str:
    """The n-th attendance code of a session (0-based): distinct for each n, in the
    unambiguous alphabet of `new_code`."""
    letters = []
    for _ in range(CODE_LENGTH):
        n, digit = divmod(n, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[digit])
    return "".join(reversed(letters))


@dataclass(frozen=True)
class DemoWorkshop:
    title: str
    days: int  # from today
    venue_name: str
    venue_address: str
    district: str
    capacity: int
    registered: int  # people registered (for one held: who took part)
    waiting: tuple[str, ...] = ()  # demo residents (by e-mail) on the waiting list
    residents: tuple[str, ...] = ()  # demo residents (by e-mail) among the registered
    published: bool = False  # outputs published (a workshop held)
    report: str = ""
    opinions: tuple[tuple[int, str, str, int], ...] = ()  # table, theme, summary, notes
    childcare: bool = False
    facilitator: str = ""  # a demo resident of the pool at table 1


@dataclass(frozen=True)
class DemoCouncil:
    title: str
    department: str
    stage: str
    description: str
    workshops: tuple[DemoWorkshop, ...]
    is_trial: bool = False
    summary: str = ""
    reflection: str = ""
    reflected_days: int = 0  # the reflection, days from today (REFLECTED when set)


COUNCILS = [
    DemoCouncil(
        title="道の駅みたら室蘭魅力アップトーク",
        department="企画課",
        stage=Council.Stage.OPERATION,
        is_trial=True,
        description=(
            "道の駅みたら室蘭をもっと魅力ある場所にするため、利用者や地域の方と一緒に"
            "アイデアを出し合います。"
        ),
        summary="2回のワークショップで、地元の食と白鳥大橋の眺めを生かす提案が多く出ました。",
        reflection=(
            "白鳥大橋の夜景を楽しめるベンチの配置と、地元産品の直売コーナーの拡充を運営計画に"
            "加えました。駐車場の拡張は用地の制約から見送り、理由を説明会で報告しました。"
        ),
        reflected_days=-200,
        workshops=(
            DemoWorkshop(
                title="道の駅の魅力を語ろう",
                days=-330,
                venue_name="道の駅みたら室蘭 2階研修室",
                venue_address="室蘭市祝津町4丁目16-15",
                district="祝津町",
                capacity=30,
                registered=24,
                published=True,
                report="市民24名が4つのテーブルに分かれ、道の駅の魅力と課題を話し合いました。",
                opinions=(
                    (1, "魅力", "白鳥大橋の眺めが一番の魅力。夜景を楽しめる場所がほしい。", 18),
                    (2, "魅力", "地元の食材を使った軽食があると立ち寄りたくなる。", 15),
                    (3, "課題", "休日は駐車場が混み合う。案内表示がわかりにくい。", 12),
                    (4, "課題", "冬の集客が弱い。屋内で楽しめる催しがほしい。", 10),
                ),
            ),
            DemoWorkshop(
                title="アイデアを形にしよう",
                days=-300,
                venue_name="道の駅みたら室蘭 2階研修室",
                venue_address="室蘭市祝津町4丁目16-15",
                district="祝津町",
                capacity=30,
                registered=21,
                published=True,
                report="前回の意見をもとに、実現したい取組を3つに絞りました。",
                opinions=(
                    (1, "夜景", "夜景の見えるベンチとライトアップを提案。", 14),
                    (2, "食", "地元産品の直売コーナーを広げ、季節ごとに入れ替える。", 16),
                    (3, "冬", "冬のイルミネーションと温かい飲み物の販売。", 11),
                ),
            ),
        ),
    ),
    DemoCouncil(
        title="高砂公園リニューアル",
        department="都市政策課",
        stage=Council.Stage.BASIC_PLAN,
        description=(
            "高砂公園の再整備の基本計画に、公園を使う子どもから高齢の方までの意見を取り入れます。"
        ),
        workshops=(
            DemoWorkshop(
                title="公園の今を知ろう（まち歩き）",
                days=-60,
                venue_name="高砂会館",
                venue_address="室蘭市高砂町2丁目",
                district="高砂町",
                capacity=25,
                registered=19,
                published=True,
                report="公園を歩いて良いところと困るところを地図に書き込みました。",
                opinions=(
                    (1, "遊具", "幼児向けの遊具が少ない。砂場を残してほしい。", 13),
                    (2, "日陰", "夏に休める日陰とベンチが足りない。", 17),
                    (3, "安全", "夕方は暗く、街灯を増やしてほしい。", 9),
                ),
            ),
            DemoWorkshop(
                title="公園の使い方を話そう",
                days=12,
                venue_name="室蘭市生涯学習センター きらん",
                venue_address="室蘭市東町2丁目1-7",
                district="東町",
                capacity=20,
                registered=20,
                residents=("kaicho@example.jp",),
                waiting=("resident@example.jp", "shotengai@example.jp"),
                facilitator="student@example.jp",
            ),
        ),
    ),
    DemoCouncil(
        title="複合公共施設・子育て応援ワークショップ",
        department="子育て支援課",
        stage=Council.Stage.IDEA,
        description=(
            "新しい複合公共施設に設ける子育て支援の場について、子育て中の方と一緒に考えます。"
        ),
        workshops=(
            DemoWorkshop(
                title="こんな場所がほしい",
                days=-90,
                venue_name="中島会館",
                venue_address="室蘭市中島町1丁目",
                district="中島町",
                capacity=20,
                registered=16,
                published=True,
                childcare=True,
                report="保育付きで開催し、子育て中の16名が参加しました。",
                opinions=(
                    (1, "遊び場", "雨や雪の日も遊べる屋内の遊び場がほしい。", 20),
                    (2, "相談", "気軽に相談できる窓口を同じ建物に。", 12),
                ),
            ),
            DemoWorkshop(
                title="一日の過ごし方を考えよう",
                days=-8,
                venue_name="中島会館",
                venue_address="室蘭市中島町1丁目",
                district="中島町",
                capacity=20,
                registered=14,
                childcare=True,
            ),
            DemoWorkshop(
                title="施設の使い方のルールを考えよう",
                days=25,
                venue_name="中島会館",
                venue_address="室蘭市中島町1丁目",
                district="中島町",
                capacity=20,
                registered=7,
                residents=("salon@example.jp",),
                childcare=True,
            ),
        ),
    ),
]

TRAINING_DONE = "ファシリテーター養成講座 基礎編"
TRAINING_NEXT = "ファシリテーター養成講座 実践編"
# Demo residents who completed the training; the last one has since left the pool.
TRAINEES = ("student@example.jp", "salon@example.jp", "shotengai@example.jp")
TRAINING_VENUE = "室蘭市役所 本庁舎 3階会議室"
TRAINING_ADDRESS = "室蘭市幸町1-2"
NEEDS_KEEP_DAYS = 7


def seed(*, stdout, staff, users: dict) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    departments = {d.name: d for d in Department.objects.all()}
    districts = {d.name: d for d in District.objects.all()}
    created = 0
    with transaction.atomic():
        # The training first: the pool it fills supplies the workshop's facilitator.
        created += _trainings(
            today=today, now=now, staff=staff, users=users, departments=departments
        )
        for demo in COUNCILS:
            if Council.objects.filter(title=demo.title).exists():
                continue
            _council(
                demo,
                today=today,
                now=now,
                staff=staff,
                users=users,
                department=departments[demo.department],
                districts=districts,
            )
            created += 1
    stdout.write(f"councils: {created} demo councils and trainings created")


def _council(demo: DemoCouncil, *, today, now, staff, users, department, districts) -> Council:
    first = at(today, min(w.days for w in demo.workshops))
    opened_at = first - dt.timedelta(days=40)
    reflected_on = today + dt.timedelta(days=demo.reflected_days) if demo.reflected_days else None
    council = Council.objects.create(
        title=demo.title,
        department=department,
        stage=demo.stage,
        is_trial=demo.is_trial,
        fiscal_year=fiscal_year(first),
        description=demo.description,
        summary=demo.summary,
        reflection=demo.reflection,
        reflected_on=reflected_on,
        status=C.REFLECTED if reflected_on else C.ACTIVE,
        status_changed_at=at(reflected_on, 0, 10, 0) if reflected_on else opened_at,
        created_at=opened_at - dt.timedelta(days=7),
    )
    history = [
        CouncilStatusChange(
            council=council, old_status=C.DRAFT, new_status=C.ACTIVE, by=staff, at=opened_at
        )
    ]
    if reflected_on:
        history.append(
            CouncilStatusChange(
                council=council,
                old_status=C.ACTIVE,
                new_status=C.REFLECTED,
                by=staff,
                at=council.status_changed_at,
            )
        )
    CouncilStatusChange.objects.bulk_create(history)
    for workshop in demo.workshops:
        _workshop(
            workshop,
            council=council,
            today=today,
            now=now,
            staff=staff,
            users=users,
            district=districts.get(workshop.district),
        )
    return council


def _session(*, kind, council, department, title, starts_at, staff, district=None, **fields):
    """A session announced 30 days before it starts, with its history."""
    announced_at = starts_at - dt.timedelta(days=30)
    session = Session.objects.create(
        kind=kind,
        council=council,
        department=department,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2, minutes=30),
        signup_closes_at=starts_at - dt.timedelta(days=3),
        venue_district=district,
        status=S.SCHEDULED,
        status_changed_at=announced_at,
        created_at=announced_at - dt.timedelta(days=7),
        **fields,
    )
    SessionStatusChange.objects.create(
        session=session, old_status=S.DRAFT, new_status=S.SCHEDULED, by=staff, at=announced_at
    )
    return session


def _finish(session: Session, *, new_status: str, staff) -> None:
    """Outputs published or completions recorded, two weeks after the session."""
    at = session.ends_at + dt.timedelta(days=14)
    SessionStatusChange.objects.create(
        session=session, old_status=S.SCHEDULED, new_status=new_status, by=staff, at=at
    )
    Session.objects.filter(pk=session.pk).update(status=new_status, status_changed_at=at)
    session.status, session.status_changed_at = new_status, at


def _workshop(demo: DemoWorkshop, *, council, today, now, staff, users, district) -> Session:
    session = _session(
        kind=W,
        council=council,
        department=council.department,
        title=demo.title,
        starts_at=at(today, demo.days),
        staff=staff,
        district=district,
        description="付箋に意見を書き、テーブルごとに話し合います。",
        venue_name=demo.venue_name,
        venue_address=demo.venue_address,
        capacity=demo.capacity,
        tables=4,
        childcare=demo.childcare,
        sign_language=True,
        captioning=True,
        accessibility_note="段差のない入口があります。駐車場あり。",
    )
    held = session.ends_at <= now
    people = [users[e] for e in demo.residents if e in users]
    _signups(
        session,
        registered=demo.registered,
        people=people,
        waiting=[users[e] for e in demo.waiting if e in users],
        attended=held,
        now=now,
    )
    if demo.published:
        Opinion.objects.bulk_create(
            Opinion(session=session, table=table, theme=theme, summary=summary, notes=notes)
            for table, theme, summary, notes in demo.opinions
        )
        Session.objects.filter(pk=session.pk).update(report=demo.report)
        _finish(session, new_status=S.PUBLISHED, staff=staff)
    if demo.facilitator and demo.facilitator in users:
        entry = Facilitator.objects.in_pool().filter(user=users[demo.facilitator]).first()
        if entry is not None:
            Assignment.objects.create(
                session=session,
                table=1,
                facilitator=entry,
                assigned_by=staff,
                assigned_at=session.starts_at - dt.timedelta(days=10),
            )
    return session


def _signups(
    session: Session, *, registered: int, people, waiting, attended: bool, now, completed=False
) -> list[Signup]:
    """`registered` sign-ups (the demo residents first, then guests and people keyed in by
    phone), then the waiting list; for a session held, those registered attended, all but one
    in ten; their needs erased once the session is more than a week over."""
    erased = session.ends_at + dt.timedelta(days=NEEDS_KEEP_DAYS) <= now
    channels = (Channel.WEB, Channel.WEB, Channel.PHONE, Channel.COUNTER)
    rows = []
    for n in range(registered + len(waiting)):
        is_waiting = n >= registered
        if n < len(people):
            user = people[n]
        elif is_waiting:
            user = waiting[n - registered]
        else:
            user = None
        created_at = session.starts_at - dt.timedelta(days=25, hours=-n)
        channel = Channel.WEB if user else channels[n % len(channels)]
        present = attended and not is_waiting and n % 10 != 9
        childcare = session.childcare and n % 5 == 0 and not erased
        rows.append(
            Signup(
                session=session,
                user=user,
                name=f"{user.family_name} {user.given_name}" if user else f"参加者 {n + 1:02d}",
                email=user.email
                if user
                else ("" if channel == Channel.PHONE else f"demo-{session.pk}-{n}@example.jp"),
                phone="0143-00-0000" if channel == Channel.PHONE else "",
                channel=channel,
                status=SS.WAITING if is_waiting else SS.REGISTERED,
                status_changed_at=created_at,
                created_at=created_at,
                queued_at=created_at if is_waiting else None,
                code=code_for(n),
                attended_at=session.starts_at + dt.timedelta(minutes=5) if present else None,
                completed_on=timezone.localdate(session.ends_at)
                if present and completed and user
                else None,
                need_childcare=childcare,
                needs_erased_at=session.ends_at + dt.timedelta(days=NEEDS_KEEP_DAYS)
                if erased
                else None,
            )
        )
    signups = Signup.objects.bulk_create(rows)
    SignupStatusChange.objects.bulk_create(
        SignupStatusChange(signup=s, old_status="", new_status=s.status, at=s.created_at)
        for s in signups
    )
    return signups


def _trainings(*, today, now, staff, users, departments) -> int:
    created = 0
    kikaku = departments["企画課"]
    if not Session.objects.filter(kind=T, title=TRAINING_DONE).exists():
        trainees = [users[e] for e in TRAINEES if e in users]
        training = _session(
            kind=T,
            council=None,
            department=kikaku,
            title=TRAINING_DONE,
            starts_at=at(today, -150, 10, 0),
            staff=staff,
            description="ワークショップの進め方と、意見を引き出す話の聞き方を学びます。",
            venue_name=TRAINING_VENUE,
            venue_address=TRAINING_ADDRESS,
            capacity=30,
        )
        signups = _signups(
            training,
            registered=len(trainees),
            people=trainees,
            waiting=[],
            attended=True,
            now=now,
            completed=True,
        )
        _finish(training, new_status=S.COMPLETED, staff=staff)
        completed_on = timezone.localdate(training.ends_at)
        for signup in signups:
            if signup.completed_on is None or signup.user is None:
                continue
            if Facilitator.objects.in_pool().filter(user=signup.user).exists():
                continue  # already in the pool (one entry each)
            left = signup.user.email == TRAINEES[-1]
            Facilitator.objects.create(
                user=signup.user,
                training=training,
                course=training.title,
                completed_on=completed_on,
                joined_at=training.status_changed_at,
                left_on=today - dt.timedelta(days=20) if left else None,
                left_reason="仕事の都合で当面参加できないため" if left else "",
            )
        created += 1
    if not Session.objects.filter(kind=T, title=TRAINING_NEXT).exists():
        training = _session(
            kind=T,
            council=None,
            department=kikaku,
            title=TRAINING_NEXT,
            starts_at=at(today, 40, 10, 0),
            staff=staff,
            description="模擬ワークショップでテーブルの進行を実際に体験します。",
            venue_name=TRAINING_VENUE,
            venue_address=TRAINING_ADDRESS,
            capacity=24,
        )
        people = [users[e] for e in ("resident@example.jp",) if e in users]
        _signups(
            training, registered=len(people), people=people, waiting=[], attended=False, now=now
        )
        created += 1
    return created
