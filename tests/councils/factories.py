"""Factories for the まちづくり協議会 tests. Records are made directly with the ORM in a known
state (fast, and independent of the services under test); sign-ups through the service where a
test is about sign-ups. The clock is NOW (2026-06-15 10:00 JST, frozen by the `frozen`
fixture); the workshop is on 2026-07-04 (Sat) 13:30-16:00, sign-up closing 07-01."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.utils import timezone

from councils.models import Council, Department, Facilitator, Session, Signup
from councils.models.signups import new_code
from tests import factories

JST = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=JST)
STARTS = dt.datetime(2026, 7, 4, 13, 30, tzinfo=JST)
ENDS = dt.datetime(2026, 7, 4, 16, 0, tzinfo=JST)
DEADLINE = dt.datetime(2026, 7, 1, 23, 59, tzinfo=JST)
_seq = itertools.count(1)


def department(name="都市政策課") -> Department:
    return Department.objects.get(name=name)


def council_staff(name="都市政策課", email=None):
    """A clerk of a department that runs councils (migration councils 0002)."""
    user = factories.make_user(email or f"kyogi{next(_seq)}@city.muroran.example.jp", staff=True)
    user.groups.add(Group.objects.get(name=name))
    return user


def pool_keeper(email=None):
    """A clerk of 企画課, which runs the facilitator training and keeps the pool."""
    return council_staff("企画課", email)


def make_council(*, department_name="都市政策課", status=Council.Status.ACTIVE, **fields):
    values = {
        "title": "高砂公園リニューアル",
        "department": department(department_name),
        "stage": Council.Stage.BASIC_PLAN,
        "fiscal_year": 2026,
        "description": "高砂公園の再整備の基本計画に、利用者の意見を取り入れます。",
        "status": status,
    }
    if status == Council.Status.REFLECTED:
        values.update(
            summary="遊具と日陰を求める声が多く出ました。",
            reflection="日陰棚を基本計画に加えました。",
            reflected_on=dt.date(2026, 9, 1),
        )
    values.update(fields)
    return Council.objects.create(**values)


def make_workshop(
    council=None, *, status=Session.Status.SCHEDULED, capacity=20, starts_at=STARTS, **fields
) -> Session:
    council = council or make_council()
    values = {
        "kind": Session.Kind.WORKSHOP,
        "council": council,
        "department": council.department,
        "title": "公園の使い方を話そう",
        "starts_at": starts_at,
        "ends_at": starts_at + (ENDS - STARTS),
        "signup_closes_at": starts_at - (STARTS - DEADLINE),
        "venue_name": "室蘭市生涯学習センター きらん",
        "venue_address": "室蘭市東町2丁目1-7",
        "venue_district": factories.district("東町"),
        "capacity": capacity,
        "tables": 4,
        "status": status,
    }
    values.update(fields)
    return Session.objects.create(**values)


def make_training(*, status=Session.Status.SCHEDULED, capacity=30, starts_at=STARTS, **fields):
    values = {
        "kind": Session.Kind.TRAINING,
        "department": department("企画課"),
        "title": "ファシリテーター養成講座 基礎編",
        "starts_at": starts_at,
        "ends_at": starts_at + (ENDS - STARTS),
        "signup_closes_at": starts_at - (STARTS - DEADLINE),
        "venue_name": "室蘭市役所 本庁舎 3階会議室",
        "capacity": capacity,
        "status": status,
    }
    values.update(fields)
    return Session.objects.create(**values)


def make_signup(session, *, user=None, status=Signup.Status.REGISTERED, **fields) -> Signup:
    """A sign-up made directly in a state (not through the service)."""
    n = next(_seq)
    values = {
        "session": session,
        "user": user,
        "name": f"参加 {n}郎" if user is None else (user.get_full_name() or user.email),
        "email": (user.email if user else f"guest{n}@example.jp"),
        "status": status,
        "code": new_code(),
        "queued_at": timezone.now() if status == Signup.Status.WAITING else None,
    }
    values.update(fields)
    return Signup.objects.create(**values)


def make_facilitator(user=None, *, training=None, **fields) -> Facilitator:
    user = user or factories.make_user(f"fac{next(_seq)}@example.jp")
    values = {
        "user": user,
        "training": training,
        "course": training.title if training else "ファシリテーター養成講座 基礎編",
        "completed_on": dt.date(2026, 5, 10),
    }
    values.update(fields)
    return Facilitator.objects.create(**values)


def make_assignment(session, facilitator=None, *, table=1, **fields):
    """A facilitator at a table, made directly (not through the service)."""
    from councils.models import Assignment

    return Assignment.objects.create(
        session=session, table=table, facilitator=facilitator or make_facilitator(), **fields
    )


def without_second_factor(user):
    """The account as a web request carries it before the TOTP code is given (a fresh copy:
    `user` itself keeps its powers)."""
    copy = type(user).objects.get(pk=user.pk)
    copy.second_factor_passed = False
    return copy
