"""Small factories for the fixed cast of the tests. Plain functions, no factory library."""

from __future__ import annotations

import contextlib
import itertools
import time

from allauth.account.models import EmailAddress

from accounts.middleware import STAFF_ACTIVITY_KEY
from accounts.models import User
from organizations.models import (
    ActivityField,
    ActorType,
    CollaborationForm,
    CollaborationProject,
    District,
    Membership,
    Organization,
)

PASSWORD = "kyodo-test-password-2026"
_seq = itertools.count(1)


def make_user(
    email=None, *, verified=True, staff=False, superuser=False, enrolment_link=False, **fields
) -> User:
    """A person. Staff made here get no enrolment link by e-mail (accounts.staff_enrolment)
    unless `enrolment_link`: tests counting e-mails would count it."""
    from accounts.staff_enrolment import links_not_sent

    n = next(_seq)
    email = email or f"user{n}@example.jp"
    defaults = {
        "family_name": "室蘭",
        "given_name": f"太郎{n}",
        "family_name_kana": "ムロラン",
        "given_name_kana": "タロウ",
        "display_name": f"むろたろ{n}",
    }
    defaults.update(fields)
    with contextlib.nullcontext() if enrolment_link else links_not_sent():
        user = User.objects.create_user(
            email, PASSWORD, is_staff=staff or superuser, is_superuser=superuser, **defaults
        )
    if verified:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def actor_type(code="npo") -> ActorType:
    return ActorType.objects.get(code=code)


def district(name="輪西町") -> District:
    return District.objects.get(name=name)


def make_organization(
    *,
    name=None,
    status=Organization.Status.VERIFIED,
    type_code="npo",
    district_name="輪西町",
    fields=(),
    representative=None,
    **extra,
) -> Organization:
    n = next(_seq)
    organization = Organization.objects.create(
        name=name or f"テスト団体{n}",
        name_kana=extra.pop("name_kana", "テストダンタイ"),
        actor_type=actor_type(type_code),
        district=district(district_name) if district_name else None,
        description=extra.pop("description", "室蘭のまちを元気にする活動をしています。"),
        status=status,
        **extra,
    )
    if fields:
        organization.fields.set(ActivityField.objects.filter(name__in=fields))
    if representative is not None:
        add_member(organization, representative, Membership.Role.REPRESENTATIVE)
    return organization


def add_member(organization, user, role=Membership.Role.MEMBER) -> Membership:
    return Membership.objects.create(organization=organization, user=user, role=role)


def make_project(
    *, form_code="agreement", fiscal_year=2026, organizations=(), **extra
) -> CollaborationProject:
    n = next(_seq)
    project = CollaborationProject.objects.create(
        title=extra.pop("title", f"協働事業{n}"),
        form=CollaborationForm.objects.get(code=form_code),
        lead_department=extra.pop("lead_department", "地域生活課"),
        fiscal_year=fiscal_year,
        description=extra.pop("description", "市民と市が協力して進める事業。"),
        **extra,
    )
    if organizations:
        project.organizations.set(organizations)
    return project


SIGNUP_DATA = {
    "email": "hanako@example.jp",
    "password1": "kyodo-signup-2026",
    "password2": "kyodo-signup-2026",
    "family_name": "輪西",
    "given_name": "花子",
    "family_name_kana": "ワニシ",
    "given_name_kana": "ハナコ",
    "display_name": "はなこ",
}


def organization_form_data(**overrides) -> dict:
    """What a resident types into the organisation registration form."""
    data = {
        "name": "室蘭港を愛する会",
        "name_kana": "ムロランコウヲアイスルカイ",
        "actor_type": ActorType.objects.get(code="npo").pk,
        "district": District.objects.get(name="輪西町").pk,
        "fields": [ActivityField.objects.get(name="環境保全・美化").pk],
        "description": "港の清掃と見学会をしています。",
        "founded_year": "2005",
        "member_count": "12",
        "representative_title": "会長",
        "public_email": "",
        "public_phone": "",
        "website": "",
        "contact_note": "",
    }
    data.update(overrides)
    return data


def organization_edit_data(organization, **changes) -> dict:
    """The edit form as it arrives with the organisation's current values, plus changes."""
    data = {
        "name": organization.name,
        "name_kana": organization.name_kana,
        "actor_type": organization.actor_type_id,
        "district": organization.district_id or "",
        "fields": [f.pk for f in organization.fields.all()],
        "description": organization.description,
        "founded_year": organization.founded_year or "",
        "member_count": organization.member_count or "",
        "representative_title": organization.representative_title,
        "public_email": organization.public_email,
        "public_phone": organization.public_phone,
        "website": organization.website,
        "contact_note": organization.contact_note,
    }
    data.update(changes)
    return data


def make_registration(
    *,
    programme="pika",
    kind="individual",
    user=None,
    organization=None,
    status="applied",
    places=(),
    district_name="輪西町",
    by=None,
    **extra,
):
    """A partner registration created through `partners.services.registration_create` (number,
    history row), then moved to `status` directly: a setup shortcut, not a transition."""
    from partners import services
    from partners.models import Registration

    if organization is not None:
        kind = Registration.Kind.ORGANIZATION
    registration = Registration(
        programme=programme,
        kind=kind,
        user=user,
        organization=organization,
        contact_name=extra.pop("contact_name", "輪西 花子"),
        contact_kana=extra.pop("contact_kana", "ワニシ ハナコ"),
        contact_email=extra.pop("contact_email", user.email if user else ""),
        district=district(district_name),
        agreed_terms_at=extra.pop("agreed_terms_at", None) or _now(),
        **extra,
    )
    if by is None:
        by = user or User.objects.filter(is_superuser=True).first() or make_user(superuser=True)
    services.registration_create(registration=registration, places=places, by=by)
    if status != Registration.Status.APPLIED:
        changes = {"status": status}
        if status != Registration.Status.RETURNED:
            changes["registered_on"] = _today()
        Registration.objects.filter(pk=registration.pk).update(**changes)
        for field, value in changes.items():
            setattr(registration, field, value)
    return registration


def make_place(*, district_name="輪西町", kind="park", description=None, **extra):
    from partners.models import ActivityPlace

    n = next(_seq)
    return ActivityPlace.objects.create(
        district=district(district_name),
        kind=kind,
        description=description or f"{district_name} 公園{n}とその周辺の歩道",
        **extra,
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def _today():
    from django.utils import timezone

    return timezone.localdate()


def with_second_factor(client, user):
    """Sign `user` in on `client` as after a password and a TOTP code: what the admin demands
    of staff (accounts.middleware.AdminSecondFactorMiddleware)."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": 0, "email": user.email},
        {"method": "mfa", "at": 0, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    # As the first request after signing in would (accounts.middleware.StaffIdleTimeoutMiddleware).
    now = time.time()
    session[STAFF_ACTIVITY_KEY] = {"first": now, "last": now}
    session.save()
    return client


def sign_in(client, user):
    """Sign in as a person would: staff with their second factor (their staff powers need it on
    every page), anyone else with the password alone."""
    if user.is_staff:
        return with_second_factor(client, user)
    client.force_login(user)
    return client
