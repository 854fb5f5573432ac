"""`seed()`: this 年度's programmes, reviewers and the demo applications, each taken to its
state through `subsidies.services` (see the package's docstring)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from muroran_kyodo.lib.jp import current_fiscal_year, end_of_day
from organizations.models import ActorType, Organization

from .. import services
from ..models import (
    DECLARATIONS,
    Application,
    AttachmentType,
    BudgetStage,
    Category,
    Criterion,
    ExpenseLine,
    IncomeLine,
    IntakeWindow,
    Programme,
    ResultsMeeting,
)
from .data import APPLICATIONS, PATHS, PDF, PROGRAMMES, REVIEWERS, T

# The group ticks every declaration when it submits.
DECLARED = [name for name, _statement in DECLARATIONS]


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
        services.consultation_record(
            organization=organization,
            programme=programme,
            held_on=timezone.localdate(submitted_at) - dt.timedelta(days=7),
            topic="事業計画と予算の相談",
            consulted_with="地域生活課 佐藤",
            by=staff,
        )
    for step in PATHS[demo.status]:
        if step == "submit":
            services.application_submit(
                application=application,
                by=applicant,
                now=submitted_at,
                declarations=dict.fromkeys(DECLARED, True),
            )
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
