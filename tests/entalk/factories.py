"""Factories for the enとーく tests: requests made through the service, as the form and the
admin make them, with the clock frozen at NOW (the lead time is 30 days: slots from 07-15)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group

from entalk import services
from entalk.models import Department, Request, Theme, Topic
from muroran_kyodo.lib.models import Channel
from tests import factories

JST = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=JST)
SLOT_1 = dt.datetime(2026, 7, 20, 14, 0, tzinfo=JST)
SLOT_2 = dt.datetime(2026, 7, 22, 18, 30, tzinfo=JST)
SLOT_3 = dt.datetime(2026, 7, 25, 10, 0, tzinfo=JST)
_seq = itertools.count(1)


def entalk_staff(email=None):
    """A clerk of 秘書広報課, which runs enとーく (migration entalk 0002)."""
    user = factories.make_user(email or f"hisho{next(_seq)}@city.muroran.example.jp", staff=True)
    user.groups.add(Group.objects.get(name="秘書広報課"))
    return user


def department_staff(name="土木課", email=None):
    """A clerk of a department that answers follow-ups."""
    user = factories.make_user(email or f"dept{next(_seq)}@city.muroran.example.jp", staff=True)
    user.groups.add(Group.objects.get(name=name))
    return user


def department(name="土木課") -> Department:
    return Department.objects.get(name=name)


def request_fields(**overrides) -> dict:
    fields = {
        "slots": [SLOT_1, SLOT_2, SLOT_3],
        "group_name": "輪西町子育てサークル",
        "contact_name": "輪西 花子",
        "email": "hanako@example.jp",
        "phone": "0143-22-1111",
        "theme": "子育て世代が集まれる場所について市長と話したい",
        "themes": [Theme.objects.get(name="子育て・教育")],
        "venue_name": "輪西町会館",
        "venue_district": factories.district("輪西町"),
        "venue_postal_code": "050-0081",
        "venue_address": "室蘭市日の出町1丁目1-1",
        "step_free": True,
        "participants_expected": 20,
        "public_naming": True,
    }
    fields.update(overrides)
    return fields


def make_request(by=None, **overrides) -> Request:
    """A request sent on the web by `by` (a new resident when None), at the current clock."""
    if by is None and overrides.get("channel", Channel.WEB) == Channel.WEB:
        by = factories.make_user(f"group{next(_seq)}@example.jp")
    return services.request_create(by=by, **request_fields(**overrides))


def confirm(request: Request, *, staff=None, slot=1) -> Request:
    staff = staff or entalk_staff()
    return services.request_accept(request=request, slot=request.slots.get(position=slot), by=staff)


def held(request: Request, *, participants=25, topics=1, publish=False, staff=None) -> Request:
    """A confirmed request whose session has taken place (the clock must be after it): the
    record written as staff write it in the admin."""
    Request.objects.filter(pk=request.pk).update(
        participants=participants, summary="和やかな雰囲気で意見交換を行いました。"
    )
    for n in range(1, topics + 1):
        Topic.objects.create(
            request=request,
            position=n,
            title=f"公園の遊具について{n}",
            summary="遊具が古く危ないとの意見がありました。",
            response="現地を確認し、更新を検討します。",
        )
    request.refresh_from_db()
    if publish:
        request = services.record_publish(request=request, by=staff or entalk_staff())
    return request
