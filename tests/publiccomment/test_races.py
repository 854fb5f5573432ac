"""Publishing a result and splitting an opinion at the same moment (PostgreSQL, threads): both
take the case's row lock, so either the split comes first and the result is refused (an item
is not grouped), or the result comes first and the split is refused. Never a published result
with an ungrouped item."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from muroran_kyodo.lib.workflow import TransitionError
from publiccomment import services
from publiccomment.models import Case, Channel, OpinionItem
from tests import factories
from tests.publiccomment import factories as pf
from tests.publiccomment.factories import NOW
from tests.publiccomment.results import group_all


def _considered_case():
    case = pf.make_case(opens_at=NOW - dt.timedelta(days=60), closes_at=NOW - dt.timedelta(days=20))
    pf.submit(
        case,
        "第一の意見",
        "第二の意見",
        channel=Channel.POST,
        received_at=NOW - dt.timedelta(days=30),
    )
    group_all(case)
    pf.review_all(case)
    Case.objects.filter(pk=case.pk).update(final_plan="案のとおり決定しました。")
    case.refresh_from_db()
    return case


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
)
@pytest.mark.parametrize("attempt", range(4))
def test_a_result_never_goes_out_with_an_item_split_off_at_the_same_moment(attempt):
    with time_machine.travel(NOW, tick=False):
        clerk = factories.make_user(f"kikaku-race{attempt}@city.muroran.example.jp", superuser=True)
        case = _considered_case()
        opinion = case.opinions.order_by("pk").first()
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def publish():
            try:
                barrier.wait(timeout=10)
                services.case_publish_result(case=Case.objects.get(pk=case.pk), by=clerk)
                outcomes["publish"] = "done"
            except ValidationError:
                outcomes["publish"] = "refused"
            except Exception as error:  # reported below
                outcomes["publish"] = repr(error)
            finally:
                connection.close()

        def split():
            try:
                barrier.wait(timeout=10)
                services.opinion_split(
                    opinion=type(opinion).objects.select_related("case").get(pk=opinion.pk),
                    summaries=["公園を増やす", "木を植える"],
                )
                outcomes["split"] = "done"
            except TransitionError:
                outcomes["split"] = "refused"
            except Exception as error:  # reported below
                outcomes["split"] = repr(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=publish), threading.Thread(target=split)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    case.refresh_from_db()
    ungrouped = OpinionItem.objects.filter(case=case, issue__isnull=True).count()
    assert outcomes in (
        {"publish": "done", "split": "refused"},
        {"publish": "refused", "split": "done"},
    ), outcomes
    if outcomes["publish"] == "done":
        assert case.status == Case.Status.RESULT_PUBLISHED and ungrouped == 0
    else:
        assert case.status == Case.Status.ANNOUNCED and ungrouped == 2
