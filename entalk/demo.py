"""Demo and volume data of enとーく, for `seed_demo`.

`seed()`: requests of Muroran's demo groups relative to today, in every state: one received
with three preferred dates (室蘭まちづくり市民の会, sent on the web by its representative), one
with another date proposed by the city (むろらん子育てネット, keyed in from paper), one
confirmed and coming (an informal group of a demo resident), one declined (白鳥台連合町内会,
by FAX), one cancelled by the group (輪西町内会), one held and waiting for its record, and three
published records with topics, participants by actor type and follow-ups in each of the four
states (one of them overdue); and two times the mayor is unavailable. Requests still to come go
through the services; a session in the past cannot (the service refuses a past date), so those
are written as the services would have left them, with their dated history. No photos (the
admin's upload checks them by content; a demo photo adds nothing). Idempotent: requests are
found by group and theme, blocks by their note, so a second run creates nothing.

`seed_volume(count)`: up to 500 published sessions (500 at --volume 2000) over the last ten
years, each with two topics, participants by actor type and two follow-ups with their dated
changes; bulk-created with numbers and counters as the services would leave them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from muroran_kyodo.lib.jp import fiscal_year
from muroran_kyodo.lib.models import Channel, Sequence, next_value
from organizations.models import ActorType, District, Organization

from . import services
from .models import (
    Block,
    Department,
    FollowUp,
    FollowUpChange,
    ParticipantCount,
    Request,
    RequestStatusChange,
    Slot,
    Theme,
    Topic,
)

S = Request.Status
F = FollowUp.Status
A = ActorType.Code


def _at(today: dt.date, days: int, hour: int = 18, minute: int = 30) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=tz)


@dataclass(frozen=True)
class DemoFollowUp:
    department: str
    matter: str
    # (status, answer, days after the record was published) for each change after 検討中
    steps: tuple[tuple[str, str, int], ...] = ()


@dataclass(frozen=True)
class DemoTopic:
    title: str
    summary: str
    response: str
    follow_ups: tuple[DemoFollowUp, ...] = ()


@dataclass(frozen=True)
class DemoRequest:
    key: str  # requested, proposed, confirmed, declined, cancelled, due, published
    group_name: str
    theme: str
    themes: tuple[str, ...]
    venue_name: str
    district: str
    postal_code: str
    address: str
    participants_expected: int
    organization: str = ""  # a demo organisation of the registry, by name
    user: str = ""  # the demo resident who sends it on the web (informal group or 代表者)
    channel: str = Channel.WEB
    public_naming: bool = True
    days: int = 0  # the session (or first preferred date), days from today
    reason: str = ""  # why declined or cancelled
    participants: tuple[tuple[str, int], ...] = ()  # actor type code, people
    summary: str = ""
    topics: tuple[DemoTopic, ...] = ()


REQUESTS = [
    DemoRequest(
        key="cancelled",
        group_name="輪西町内会",
        organization="輪西町内会",
        user="kaicho@example.jp",
        theme="輪西地区の除雪と通学路の安全について",
        themes=("道路・公園・交通",),
        venue_name="輪西町会館",
        district="輪西町",
        postal_code="050-0081",
        address="室蘭市輪西町2丁目1-1",
        participants_expected=25,
        days=12,
        reason="町内会の行事と重なったため、今回は取り消します。",
    ),
    DemoRequest(
        key="requested",
        group_name="室蘭まちづくり市民の会",
        organization="室蘭まちづくり市民の会",
        user="resident@example.jp",
        theme="空き店舗を活用した中心市街地のにぎわいづくりについて、市長と意見交換したい。",
        themes=("まちづくり・地域活動", "産業・観光"),
        venue_name="中島町コミュニティセンター",
        district="中島町",
        postal_code="050-0074",
        address="室蘭市中島町1丁目3-8",
        participants_expected=15,
        days=10,
    ),
    DemoRequest(
        key="proposed",
        group_name="NPO法人 むろらん子育てネット",
        organization="NPO法人 むろらん子育てネット",
        channel=Channel.PAPER,
        theme="子育て世代が集まれる屋内の遊び場について",
        themes=("子育て・教育",),
        venue_name="東町子育て支援センター",
        district="東町",
        postal_code="050-0083",
        address="室蘭市東町4丁目20-6",
        participants_expected=18,
        days=20,
    ),
    DemoRequest(
        key="confirmed",
        group_name="絵鞆ママの会",
        user="salon@example.jp",
        theme="絵鞆半島の観光と地域の子どもの居場所について",
        themes=("産業・観光", "子育て・教育"),
        venue_name="絵鞆臨海公園 休憩所",
        district="絵鞆町",
        postal_code="051-0034",
        address="室蘭市絵鞆町4丁目",
        participants_expected=12,
        public_naming=False,
        days=5,
    ),
    DemoRequest(
        key="declined",
        group_name="白鳥台連合町内会",
        organization="白鳥台連合町内会",
        channel=Channel.FAX,
        theme="白鳥台の買い物環境について",
        themes=("まちづくり・地域活動",),
        venue_name="白鳥台会館",
        district="白鳥台",
        postal_code="050-0047",
        address="室蘭市白鳥台5丁目1-1",
        participants_expected=30,
        days=15,
        reason="ご希望の期間は市議会定例会と重なるため、改めてお申し込みください。",
    ),
    DemoRequest(
        key="due",
        group_name="室工大まちづくりサークル",
        user="student@example.jp",
        theme="学生が暮らしやすいまちについて",
        themes=("まちづくり・地域活動",),
        venue_name="室蘭工業大学 学生会館",
        district="水元町",
        postal_code="050-0071",
        address="室蘭市水元町27-1",
        participants_expected=20,
        days=-5,
    ),
    DemoRequest(
        key="published",
        group_name="輪西町内会",
        organization="輪西町内会",
        user="kaicho@example.jp",
        theme="輪西地区の防災と高齢者の見守りについて",
        themes=("防災・防犯", "福祉・健康"),
        venue_name="輪西町会館",
        district="輪西町",
        postal_code="050-0081",
        address="室蘭市輪西町2丁目1-1",
        participants_expected=30,
        days=-120,
        participants=((A.NEIGHBOURHOOD, 22), (A.INDIVIDUAL, 6)),
        summary="町内会の役員と住民が、避難所と見守りの体制について市長と意見を交わしました。",
        topics=(
            DemoTopic(
                "避難所の備蓄について",
                "輪西町会館を避難所として使う場合の毛布や水の備蓄が足りないとの意見がありました。",
                "防災対策課で現地を確認し、備蓄の配置を見直します。",
                (
                    DemoFollowUp(
                        "防災対策課",
                        "輪西町会館の避難所備蓄の見直し",
                        (
                            (F.IN_PROGRESS, "備蓄品の配置計画を作成しています。", 20),
                            (F.DONE, "毛布50枚と飲料水を輪西町会館に追加で備蓄しました。", 70),
                        ),
                    ),
                ),
            ),
            DemoTopic(
                "通学路の街灯について",
                "輪西小学校への通学路に暗い区間があるとの意見がありました。",
                "土木課で調査し、必要な箇所に街灯を設置します。",
                (
                    # Left 検討中 since the record: overdue on the staff dashboard.
                    DemoFollowUp("土木課", "輪西小学校通学路の街灯の増設"),
                ),
            ),
        ),
    ),
    DemoRequest(
        key="published",
        group_name="母恋町内会",
        organization="母恋町内会",
        channel=Channel.PAPER,
        theme="母恋地区の坂道の除雪について",
        themes=("道路・公園・交通",),
        venue_name="母恋会館",
        district="母恋北町",
        postal_code="051-0003",
        address="室蘭市母恋北町1丁目5-2",
        participants_expected=20,
        days=-60,
        participants=((A.NEIGHBOURHOOD, 15), (A.INDIVIDUAL, 3)),
        summary="坂道の多い母恋地区の冬の暮らしについて意見を交わしました。",
        topics=(
            DemoTopic(
                "坂道の除雪の時間帯について",
                "朝の通勤時間までに坂道の除雪を終えてほしいとの意見がありました。",
                "除雪の順番を見直せるか検討します。",
                (
                    DemoFollowUp(
                        "土木課",
                        "母恋地区の坂道の除雪順序の見直し",
                        (
                            (F.IN_PROGRESS, "除雪業者と順序を協議しています。", 10),
                            (F.DONE, "今冬から母恋地区の坂道を朝7時までに除雪します。", 30),
                        ),
                    ),
                    DemoFollowUp(
                        "土木課",
                        "坂道へのロードヒーティングの設置",
                        (
                            (
                                F.NOT_POSSIBLE,
                                "費用が大きく、当面は砂まき箱の増設で対応します。",
                                25,
                            ),
                        ),
                    ),
                    DemoFollowUp(
                        "都市政策課",
                        "母恋駅前のバス停への屋根の設置",
                        ((F.IN_PROGRESS, "バス事業者と設置場所を協議しています。", 15),),
                    ),
                ),
            ),
        ),
    ),
    DemoRequest(
        key="published",
        group_name="地球岬クリーンアップの会",
        organization="地球岬クリーンアップの会",
        channel=Channel.EMAIL,
        theme="地球岬周辺の清掃活動と観光について",
        themes=("環境・美化", "産業・観光"),
        venue_name="母恋南町会館",
        district="母恋南町",
        postal_code="051-0004",
        address="室蘭市母恋南町4丁目",
        participants_expected=12,
        days=-200,
        participants=((A.NPO, 9), (A.BUSINESS, 2), (A.INDIVIDUAL, 3)),
        summary="清掃活動の参加者と、地球岬の景観を守る取組について意見を交わしました。",
        topics=(
            DemoTopic(
                "ごみの持ち帰りの呼びかけについて",
                "観光客のごみが多く、看板での呼びかけを増やしてほしいとの意見がありました。",
                "環境課で看板の設置を進めます。",
                (
                    DemoFollowUp(
                        "環境課",
                        "地球岬駐車場へのごみ持ち帰り看板の設置",
                        ((F.DONE, "駐車場と展望台に看板を3か所設置しました。", 40),),
                    ),
                ),
            ),
        ),
    ),
]

BLOCK_NOTE = "デモ："


def seed(*, stdout, staff, users: dict) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    lead = services.rules().lead_days
    organizations = {
        o.name: o
        for o in Organization.objects.filter(
            name__in={d.organization for d in REQUESTS if d.organization}
        )
    }
    created = 0
    for demo in REQUESTS:
        if Request.objects.filter(group_name=demo.group_name, theme=demo.theme).exists():
            continue
        organization = organizations.get(demo.organization) if demo.organization else None
        user = users.get(demo.user) if demo.user else None
        if (demo.organization and organization is None) or (demo.user and user is None):
            continue  # the organisations' or residents' demo is not there
        if demo.days < 0:
            _past_session(demo, today=today, organization=organization, user=user, staff=staff)
        else:
            _future_request(
                demo, today=today, lead=lead, organization=organization, user=user, staff=staff
            )
        created += 1
    blocks = _blocks(today=today, lead=lead, staff=staff)
    stdout.write(f"entalk: {created} demo requests and {blocks} blocks created")


def _fields(demo: DemoRequest, *, organization, user) -> dict:
    return {
        "organization": organization,
        "group_name": demo.group_name,
        "contact_name": f"{user.family_name} {user.given_name}" if user else "代表 担当",
        "email": user.email if user else "",
        "phone": "0143-00-0000",
        "theme": demo.theme,
        "venue_name": demo.venue_name,
        "venue_district": District.objects.get(name=demo.district),
        "venue_postal_code": demo.postal_code,
        "venue_address": demo.address,
        "step_free": True,
        "participants_expected": demo.participants_expected,
        "public_naming": demo.public_naming,
    }


def _future_request(demo: DemoRequest, *, today, lead, organization, user, staff) -> Request:
    first = lead + demo.days
    slots = [_at(today, first), _at(today, first + 2, 14, 0), _at(today, first + 4, 10, 0)]
    themes = list(Theme.objects.filter(name__in=demo.themes))
    fields = _fields(demo, organization=organization, user=user)
    if demo.channel == Channel.WEB:
        request = services.request_create(by=user, slots=slots, themes=themes, **fields)
    else:
        request = services.request_create(
            by=staff,
            slots=slots,
            themes=themes,
            channel=demo.channel,
            received_at=timezone.now() - dt.timedelta(days=2),
            user=user,
            **fields,
        )
    if demo.key == "proposed":
        return services.request_propose(
            request=request,
            starts_at=_at(today, first + 7, 13, 30),
            by=staff,
            reason="ご希望の日は市長の公務があるため、別の日時をご提案します。",
        )
    if demo.key == "confirmed":
        return services.request_accept(
            request=request, slot=request.slots.get(position=1), by=staff
        )
    if demo.key == "declined":
        return services.request_decline(request=request, by=staff, reason=demo.reason)
    if demo.key == "cancelled":
        return services.request_cancel(request=request, by=user or staff, reason=demo.reason)
    return request


def _past_session(demo: DemoRequest, *, today, organization, user, staff) -> Request:
    """A session already held, written as the services would have left it: received 45 days
    before, confirmed a week after that, and (key "published") its record published two weeks
    after the session, with its topics and follow-ups."""
    length = services.rules().session_length
    starts_at = _at(today, demo.days)
    received_at = starts_at - dt.timedelta(days=45)
    confirmed_at = received_at + dt.timedelta(days=7)
    published_at = starts_at + dt.timedelta(days=14)
    publish = demo.key == "published"
    year = fiscal_year(received_at)
    fields = _fields(demo, organization=organization, user=user)
    request = Request.objects.create(
        number=f"EN-{year}-{next_value(f'entalk.request.{year}'):05d}",
        fiscal_year=year,
        user=user,
        channel=demo.channel,
        received_at=received_at,
        created_by=None if demo.channel == Channel.WEB else staff,
        status=S.PUBLISHED if publish else S.CONFIRMED,
        status_changed_at=published_at if publish else confirmed_at,
        starts_at=starts_at,
        ends_at=starts_at + length,
        held_fiscal_year=fiscal_year(starts_at),
        participants=sum(n for _, n in demo.participants) or None,
        summary=demo.summary,
        published_at=published_at if publish else None,
        **fields,
    )
    request.themes.set(Theme.objects.filter(name__in=demo.themes))
    Slot.objects.bulk_create(
        Slot(request=request, position=n, starts_at=starts_at + dt.timedelta(days=2 * (n - 1)))
        for n in (1, 2, 3)
    )
    history = [
        RequestStatusChange(
            request=request, old_status="", new_status=S.REQUESTED, at=received_at, by=staff
        ),
        RequestStatusChange(
            request=request,
            old_status=S.REQUESTED,
            new_status=S.CONFIRMED,
            at=confirmed_at,
            by=staff,
            starts_at=starts_at,
        ),
    ]
    if publish:
        history.append(
            RequestStatusChange(
                request=request,
                old_status=S.CONFIRMED,
                new_status=S.PUBLISHED,
                at=published_at,
                by=staff,
                starts_at=starts_at,
            )
        )
    RequestStatusChange.objects.bulk_create(history)
    if not publish:
        return request
    actor_types = {a.code: a for a in ActorType.objects.all()}
    ParticipantCount.objects.bulk_create(
        ParticipantCount(request=request, actor_type=actor_types[code], count=n)
        for code, n in demo.participants
    )
    departments = {d.name: d for d in Department.objects.all()}
    for position, demo_topic in enumerate(demo.topics, start=1):
        topic = Topic.objects.create(
            request=request,
            position=position,
            title=demo_topic.title,
            summary=demo_topic.summary,
            response=demo_topic.response,
        )
        for demo_follow_up in demo_topic.follow_ups:
            _follow_up(
                request,
                topic,
                demo_follow_up,
                department=departments[demo_follow_up.department],
                opened_at=published_at,
                staff=staff,
            )
    return request


def _follow_up(request, topic, demo: DemoFollowUp, *, department, opened_at, staff) -> None:
    status, answer, changed_at = F.CONSIDERING, "", None
    follow_up = FollowUp.objects.create(
        request=request, topic=topic, department=department, matter=demo.matter, opened_at=opened_at
    )
    changes = [
        FollowUpChange(
            follow_up=follow_up, old_status="", new_status=status, by=staff, at=opened_at
        )
    ]
    for new, new_answer, days in demo.steps:
        changed_at = opened_at + dt.timedelta(days=days)
        changes.append(
            FollowUpChange(
                follow_up=follow_up,
                old_status=status,
                new_status=new,
                answer=new_answer,
                by=staff,
                at=changed_at,
            )
        )
        status, answer = new, new_answer
    FollowUpChange.objects.bulk_create(changes)
    FollowUp.objects.filter(pk=follow_up.pk).update(
        status=status, answer=answer, status_changed_at=changed_at
    )


def _blocks(*, today, lead, staff) -> int:
    """A day of official duties inside the dates groups are choosing from, and a trip."""
    wanted = [
        (BLOCK_NOTE + "市議会定例会", Block.Kind.DUTY, _at(today, lead + 3, 9, 0), 9),
        (BLOCK_NOTE + "東京出張（要望活動）", Block.Kind.TRAVEL, _at(today, lead + 30, 8, 0), 58),
    ]
    created = 0
    for note, kind, starts_at, hours in wanted:
        if Block.objects.filter(note=note).exists():
            continue
        services.block_create(
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            kind=kind,
            note=note,
            by=staff,
        )
        created += 1
    return created


# --- volume -------------------------------------------------------------------------------------

VOLUME_GROUP = "ボリューム団体"  # + number (ベンチマーク用の合成データ)
VOLUME_MAX_SESSIONS = 500
VOLUME_DEPARTMENTS = ("土木課", "環境課", "都市政策課", "保健福祉課")


def volume_session_count(count: int) -> int:
    """500 sessions at --volume 2000 (the benchmark's), fewer for a smaller volume."""
    return min(VOLUME_MAX_SESSIONS, max(1, count // 4))


def seed_volume(*, count: int, stdout) -> None:
    target = volume_session_count(count)
    existing = Request.objects.filter(group_name__startswith=VOLUME_GROUP).count()
    if existing >= target:
        stdout.write("entalk: volume data already there")
        return
    today = timezone.localdate()
    with transaction.atomic():
        _volume(range(existing + 1, target + 1), today=today)
    stdout.write(f"entalk: {target - existing} volume sessions with follow-ups")


def _volume(numbers: range, *, today: dt.date) -> None:
    length = services.rules().session_length
    district = District.objects.order_by("sort_order", "pk").first()
    actor_types = list(ActorType.objects.filter(code__in=(A.NEIGHBOURHOOD, A.INDIVIDUAL)))
    departments = list(Department.objects.filter(name__in=VOLUME_DEPARTMENTS))
    # One session a week back from a month ago, at 13:00 (the demo's are at 18:30: never
    # the same time, so the diary's exclusion constraint holds).
    plans = []
    for n in numbers:
        starts_at = _at(today, -30 - 7 * n, 13, 0)
        plans.append((n, starts_at, starts_at - dt.timedelta(days=45)))
    serials: dict[int, int] = defaultdict(int)
    base = dict(
        Sequence.objects.filter(
            key__in={f"entalk.request.{fiscal_year(r)}" for _n, _s, r in plans}
        ).values_list("key", "value")
    )
    base = {int(key.rsplit(".", 1)[1]): value for key, value in base.items()}
    requests = []
    for n, starts_at, received_at in plans:
        year = fiscal_year(received_at)
        serials[year] += 1
        published_at = starts_at + dt.timedelta(days=14)
        requests.append(
            Request(
                number=f"EN-{year}-{base.get(year, 0) + serials[year]:05d}",
                fiscal_year=year,
                group_name=f"{VOLUME_GROUP}{n:03d}",
                contact_name="合成 データ",
                theme="ベンチマーク用の合成データです。",
                venue_name="合成会館",
                venue_district=district,
                venue_postal_code="050-0000",
                venue_address="室蘭市（合成データ）",
                participants_expected=20,
                public_naming=n % 2 == 0,
                channel=Channel.PAPER,
                received_at=received_at,
                status=S.PUBLISHED,
                status_changed_at=published_at,
                starts_at=starts_at,
                ends_at=starts_at + length,
                held_fiscal_year=fiscal_year(starts_at),
                participants=20 + n % 15,
                summary="合成データの要旨です。",
                published_at=published_at,
            )
        )
    requests = Request.objects.bulk_create(requests, batch_size=500)
    for year, used in serials.items():
        Sequence.objects.update_or_create(
            key=f"entalk.request.{year}", defaults={"value": base.get(year, 0) + used}
        )
    RequestStatusChange.objects.bulk_create(
        [
            change
            for r in requests
            for change in (
                RequestStatusChange(
                    request=r, old_status="", new_status=S.REQUESTED, at=r.received_at
                ),
                RequestStatusChange(
                    request=r,
                    old_status=S.REQUESTED,
                    new_status=S.CONFIRMED,
                    at=r.received_at + dt.timedelta(days=7),
                    starts_at=r.starts_at,
                ),
                RequestStatusChange(
                    request=r,
                    old_status=S.CONFIRMED,
                    new_status=S.PUBLISHED,
                    at=r.published_at,
                    starts_at=r.starts_at,
                ),
            )
        ],
        batch_size=1000,
    )
    ParticipantCount.objects.bulk_create(
        [
            ParticipantCount(
                request=r,
                actor_type=actor_type,
                count=r.participants // 2 + (i * (r.participants % 2)),
            )
            for r in requests
            for i, actor_type in enumerate(actor_types)
        ],
        batch_size=1000,
    )
    topics = Topic.objects.bulk_create(
        [
            Topic(
                request=r,
                position=position,
                title=f"話題{position}（合成データ）",
                summary="合成データの要旨です。" * 5,
                response="合成データの市長の回答です。" * 3,
            )
            for r in requests
            for position in (1, 2)
        ],
        batch_size=1000,
    )
    statuses = (F.DONE, F.NOT_POSSIBLE, F.IN_PROGRESS, F.DONE)
    follow_ups = FollowUp.objects.bulk_create(
        [
            FollowUp(
                request=topic.request,
                topic=topic,
                department=departments[i % len(departments)],
                matter=f"合成データの対応事項{i}",
                status=statuses[i % len(statuses)],
                answer="合成データの回答です。",
                opened_at=topic.request.published_at,
                status_changed_at=topic.request.published_at + dt.timedelta(days=30),
            )
            for i, topic in enumerate(topics)
        ],
        batch_size=1000,
    )
    FollowUpChange.objects.bulk_create(
        [
            change
            for f in follow_ups
            for change in (
                FollowUpChange(
                    follow_up=f, old_status="", new_status=F.CONSIDERING, at=f.opened_at
                ),
                FollowUpChange(
                    follow_up=f,
                    old_status=F.CONSIDERING,
                    new_status=f.status,
                    answer=f.answer,
                    at=f.status_changed_at,
                ),
            )
        ],
        batch_size=1000,
    )
