"""Synthetic verified organisations and projects for the benchmark (`seed_demo --volume N`)."""

from __future__ import annotations

import datetime as dt

from muroran_kyodo.lib.jp import current_fiscal_year

from ..models import (
    ActivityField,
    ActorType,
    CollaborationForm,
    CollaborationProject,
    District,
    Membership,
    Organization,
    OrganizationStatusChange,
)
from .data import P, R, S

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
