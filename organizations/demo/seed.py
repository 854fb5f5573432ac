"""Seeding the demo organisations, members and projects through the registry's services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from muroran_kyodo.lib.jp import current_fiscal_year

from .. import services
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
from .data import (
    GUIDELINE_PROJECT_MEMBERS,
    KEYED_IN_REASON,
    ORGANIZATIONS,
    PROJECTS,
    REGISTERED_REASON,
    R,
    S,
)


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
