"""The mayor's diary under concurrent writes (PostgreSQL, threads): two clerks confirming two
overlapping sessions at the same moment, a clerk confirming while another blocks the same
time, and a group accepting a proposal while a clerk confirms another group over it. Exactly
one wins each time; the diary never holds two overlapping engagements."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from entalk import services
from entalk.models import Block, Request
from tests import factories
from tests.entalk import factories as ef
from tests.entalk.factories import NOW, SLOT_1
from tests.races import race as _race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
    ),
]


def _overlapping_pairs() -> int:
    sessions = list(Request.objects.confirmed().values_list("starts_at", "ends_at"))
    blocks = list(Block.objects.values_list("starts_at", "ends_at"))
    spans = sessions + blocks
    return sum(
        1 for i, (s1, e1) in enumerate(spans) for (s2, e2) in spans[i + 1 :] if s1 < e2 and s2 < e1
    )


@pytest.mark.parametrize("attempt", range(3))
def test_two_overlapping_sessions_confirmed_at_once_one_wins(attempt):
    with time_machine.travel(NOW, tick=False):
        clerks = [
            factories.make_user(f"hisho-race{attempt}-{n}@city.muroran.example.jp", superuser=True)
            for n in (1, 2)
        ]
        first = ef.make_request(slots=[SLOT_1])
        second = ef.make_request(slots=[SLOT_1 + dt.timedelta(minutes=45)])

        outcomes = _race(
            lambda: services.request_accept(
                request=Request.objects.get(pk=first.pk), slot=first.slots.get(), by=clerks[0]
            ),
            lambda: services.request_accept(
                request=Request.objects.get(pk=second.pk), slot=second.slots.get(), by=clerks[1]
            ),
        )
    assert outcomes == ["done", "refused"], outcomes
    assert Request.objects.confirmed().count() == 1 and _overlapping_pairs() == 0


@pytest.mark.parametrize("attempt", range(3))
def test_a_block_and_a_confirmation_of_the_same_time_one_wins(attempt):
    with time_machine.travel(NOW, tick=False):
        clerk = factories.make_user(f"hisho-block{attempt}@city.muroran.example.jp", superuser=True)
        request = ef.make_request(slots=[SLOT_1])

        outcomes = _race(
            lambda: services.request_accept(
                request=Request.objects.get(pk=request.pk), slot=request.slots.get(), by=clerk
            ),
            lambda: services.block_create(
                starts_at=SLOT_1 - dt.timedelta(minutes=30),
                ends_at=SLOT_1 + dt.timedelta(hours=1),
                by=clerk,
            ),
        )
    assert outcomes == ["done", "refused"], outcomes
    assert Request.objects.confirmed().count() + Block.objects.count() == 1
    assert _overlapping_pairs() == 0


@pytest.mark.parametrize("attempt", range(3))
def test_a_group_accepting_a_proposal_races_a_clerk_confirming_another_group(attempt):
    with time_machine.travel(NOW, tick=False):
        clerk = factories.make_user(f"hisho-prop{attempt}@city.muroran.example.jp", superuser=True)
        representative = factories.make_user(f"rep-race{attempt}@example.jp")
        proposed = ef.make_request(by=representative)
        other_time = SLOT_1 + dt.timedelta(days=20)
        services.request_propose(request=proposed, starts_at=other_time, by=clerk)
        rival = ef.make_request(slots=[other_time + dt.timedelta(minutes=30)])

        outcomes = _race(
            lambda: services.proposal_accept(
                request=Request.objects.get(pk=proposed.pk), by=representative
            ),
            lambda: services.request_accept(
                request=Request.objects.get(pk=rival.pk), slot=rival.slots.get(), by=clerk
            ),
        )
    assert outcomes == ["done", "refused"], outcomes
    assert _overlapping_pairs() == 0


def test_the_exclusion_constraint_refuses_overlapping_sessions_written_past_the_services():
    """The database's own guard, for a write that skips the lock (a script, a bad migration)."""
    from django.db import IntegrityError, transaction

    with time_machine.travel(NOW, tick=False):
        first = ef.make_request(slots=[SLOT_1])
        second = ef.make_request(slots=[SLOT_1 + dt.timedelta(hours=1)])
        ef.confirm(first)
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=second.pk).update(
            status=Request.Status.CONFIRMED,
            starts_at=SLOT_1 + dt.timedelta(minutes=30),
            ends_at=SLOT_1 + dt.timedelta(hours=2),
        )
