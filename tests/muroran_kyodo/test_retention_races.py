"""Two runs of `manage.py apply_retention` at the same moment (PostgreSQL, threads): each
record is anonymised by exactly one of them, neither fails nor waits for the other's rows."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from councils.models import Session
from councils.models import Signup as CouncilSignup
from muroran_kyodo.lib.retention import ANONYMISED
from publiccomment.models import Submission
from tests.councils import factories as cf
from tests.publiccomment import factories as pf
from tests.publiccomment.results import RESULT_AT, publish
from tests.races import race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
    ),
]

SUBMISSIONS = 30
GUESTS = 20


def _counts(output: str) -> dict[str, int]:
    return {
        kind: int(count) for kind, count in re.findall(r"^(.+): (\d+) anonymised$", output, re.M)
    }


@pytest.mark.parametrize("attempt", range(2))
def test_two_runs_at_once_anonymise_each_record_once(attempt):
    with time_machine.travel(pf.NOW, tick=False):
        case = pf.make_case()
        for n in range(SUBMISSIONS):
            pf.submit(case, f"意見{n}", name=f"競合ＸＱ{n}", email=f"race{attempt}-{n}@example.jp")
    publish(case)
    session = cf.make_workshop(status=Session.Status.PUBLISHED)
    for _n in range(GUESTS):
        cf.make_signup(session)
    outputs = [io.StringIO(), io.StringIO()]

    with time_machine.travel(RESULT_AT + 400 * dt.timedelta(days=1), tick=False):
        outcomes = race(
            *(lambda out=out: call_command("apply_retention", stdout=out) for out in outputs)
        )

    assert outcomes == ["done", "done"]
    first, second = (_counts(out.getvalue()) for out in outputs)
    assert first["public comment submissions"] + second["public comment submissions"] == SUBMISSIONS
    assert first["council guest sign-ups"] + second["council guest sign-ups"] == GUESTS
    assert not Submission.objects.exclude(name=ANONYMISED).exists()
    assert not CouncilSignup.objects.filter(anonymised_at__isnull=True).exists()
