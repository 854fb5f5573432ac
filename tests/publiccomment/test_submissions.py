"""services.submission_create: the one way an opinion arrives, on the web (received now) or
keyed in by staff (its channel and received date). The window to the second in Japan time,
the limits on opinions, who may submit, and the form key that stops a double submit."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from publiccomment import services
from publiccomment.models import (
    MAX_OPINION_LENGTH,
    MAX_OPINIONS_PER_SUBMISSION,
    Case,
    Channel,
    Eligibility,
    Opinion,
    OpinionItem,
    Submission,
)
from tests.forms import form_data
from tests.publiccomment import factories as pf
from tests.publiccomment.factories import CLOSES, NOW, OPENS

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


def _create(case, *texts, **fields):
    fields.setdefault("name", "輪西 花子")
    fields.setdefault("eligibility", Eligibility.RESIDENT)
    opinions = fields.pop(
        "opinions",
        [services.OpinionInput(section=None, text=text) for text in texts or ("意見です。",)],
    )
    return services.submission_create(case=case, opinions=opinions, **fields)


def _refusal(case, *texts, **fields) -> dict:
    """The refusal's errors by field; nothing was written."""
    before = (Submission.objects.count(), Opinion.objects.count(), OpinionItem.objects.count())
    with pytest.raises(ValidationError) as caught:
        _create(case, *texts, **fields)
    after = (Submission.objects.count(), Opinion.objects.count(), OpinionItem.objects.count())
    assert after == before
    return caught.value.message_dict


# --- the window, to the second, in Japan time --------------------------------------------------


@pytest.mark.parametrize(
    ("at", "taken"),
    [
        (OPENS - SECOND, False),  # 08:59:59 JST on the opening day
        (OPENS, True),  # 09:00:00 JST: open
        (CLOSES - SECOND, True),  # 16:59:59 JST on the closing day
        (CLOSES, False),  # 17:00:00 JST: closed
    ],
)
def test_a_web_opinion_is_taken_exactly_inside_the_window(db, at, taken):
    case = pf.make_case()
    with time_machine.travel(at, tick=False):
        if taken:
            submission, created = _create(case)
            assert created and submission.received_at == at
        else:
            assert "received_at" in _refusal(case)


def test_the_window_is_read_in_japan_time():
    """16:59 JST is 07:59 UTC: a server clock in UTC still takes it, and 17:00 JST does not."""
    case = pf.make_case()
    with time_machine.travel(dt.datetime(2026, 7, 1, 7, 59, 59, tzinfo=dt.UTC), tick=False):
        assert _create(case)[1]
    with time_machine.travel(dt.datetime(2026, 7, 1, 8, 0, 0, tzinfo=dt.UTC), tick=False):
        message = _refusal(case)["received_at"][0]
    assert "2026-07-01 17:00" in message


def test_the_web_ignores_a_received_date_given_with_it(frozen, case):
    submission, _created = _create(case, received_at=OPENS - dt.timedelta(days=5))
    assert submission.received_at == NOW
    assert submission.channel == Channel.WEB


@pytest.mark.parametrize(
    "status", [Case.Status.DRAFT, Case.Status.RESULT_PUBLISHED, Case.Status.ABANDONED]
)
def test_a_case_not_announced_takes_nothing(frozen, status):
    case = pf.make_case(status=status)
    assert "case" in _refusal(case)


# --- keyed in by staff: the received date's window -------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "taken"),
    [
        (OPENS, True),
        (CLOSES - SECOND, True),
        (OPENS - SECOND, False),
        (CLOSES, False),
    ],
)
def test_a_keyed_in_opinion_is_judged_by_its_received_date(comment_staff, received_at, taken):
    case = pf.make_case()
    # Keyed in a week after the window closed: a FAX that arrived inside it still counts.
    with time_machine.travel(CLOSES + dt.timedelta(days=7), tick=False):
        if taken:
            submission, _created = _create(
                case, channel=Channel.FAX, received_at=received_at, recorded_by=comment_staff
            )
            assert (submission.channel, submission.received_at) == ("fax", received_at)
            assert submission.recorded_by == comment_staff
            assert submission.number == f"PC-{case.code}-0001"
        else:
            assert "received_at" in _refusal(
                case, channel=Channel.FAX, received_at=received_at, recorded_by=comment_staff
            )


def test_a_keyed_in_opinion_cannot_be_received_in_the_future(frozen, case):
    errors = _refusal(case, channel=Channel.POST, received_at=NOW + dt.timedelta(minutes=1))
    assert list(errors) == ["received_at"]


def test_a_keyed_in_opinion_needs_its_received_date(frozen, case):
    assert "received_at" in _refusal(case, channel=Channel.BOX)


# --- the opinions -------------------------------------------------------------------------------


def test_empty_opinions_are_left_out_and_one_is_needed(frozen, case):
    assert "opinions" in _refusal(case, "", "   \n  ")
    submission, _created = _create(case, "", "一つ目", "  ", "二つ目")
    assert [o.text for o in submission.opinions.order_by("position")] == ["一つ目", "二つ目"]
    assert [o.position for o in submission.opinions.order_by("position")] == [1, 2]


def test_an_opinion_over_the_limit_is_refused_and_at_the_limit_taken(frozen, case):
    assert "opinions" in _refusal(case, "あ" * (MAX_OPINION_LENGTH + 1))
    submission, _created = _create(case, "あ" * MAX_OPINION_LENGTH)
    assert len(submission.opinions.get().text) == MAX_OPINION_LENGTH


def test_too_many_opinions_at_once_are_refused(frozen, case):
    texts = [f"意見{n}" for n in range(MAX_OPINIONS_PER_SUBMISSION + 1)]
    assert "opinions" in _refusal(case, *texts)
    submission, _created = _create(case, *texts[:MAX_OPINIONS_PER_SUBMISSION])
    assert submission.opinions.count() == MAX_OPINIONS_PER_SUBMISSION
    # One item per opinion, for staff to group.
    assert OpinionItem.objects.filter(case=case).count() == MAX_OPINIONS_PER_SUBMISSION


def test_a_section_of_another_case_is_refused(frozen, case):
    other = pf.make_case()
    opinions = [services.OpinionInput(section=other.sections.first(), text="意見")]
    assert "opinions" in _refusal(case, opinions=opinions)


def test_opinions_point_at_their_sections(frozen, case):
    second = case.sections.get(number=2)
    opinions = [
        services.OpinionInput(section=second, text="第2章について"),
        services.OpinionInput(section=None, text="全体について"),
    ]
    submission, _created = _create(case, opinions=opinions)
    assert [(o.section, o.text) for o in submission.opinions.order_by("position")] == [
        (second, "第2章について"),
        (None, "全体について"),
    ]


def test_text_is_stored_exactly_as_typed(frozen, case):
    text = '  <script>alert("x")</script>\n\n　全角スペース&amp;  '
    submission, _created = _create(case, text)
    assert submission.opinions.get().text == text


# --- who sends it ---------------------------------------------------------------------------


def test_only_the_cases_categories_may_submit(frozen):
    case = pf.make_case(may_submit=[Eligibility.RESIDENT])
    errors = _refusal(case, eligibility=Eligibility.COMMUTER)
    assert "eligibility" in errors
    assert _create(case, eligibility=Eligibility.RESIDENT)[1]


def test_an_organisation_needs_its_name(frozen, case):
    assert "organization_name" in _refusal(case, kind="organization", organization_name=" ")
    submission, _created = _create(
        case,
        kind="organization",
        organization_name=" 輪西まちづくりの会 ",
        organization_name_public=True,
    )
    assert submission.organization_name == "輪西まちづくりの会"
    assert submission.public_name == "輪西まちづくりの会"


def test_an_organisation_that_did_not_agree_is_never_named(frozen, case):
    submission, _created = _create(
        case, kind="organization", organization_name="輪西まちづくりの会"
    )
    assert submission.public_name == ""


def test_an_individual_carries_no_organisation(frozen, case):
    submission, _created = _create(
        case, organization_name="どこかの会", organization_name_public=True
    )
    assert (submission.organization_name, submission.organization_name_public) == ("", False)
    assert submission.public_name == ""


def test_a_name_is_needed(frozen, case):
    assert "name" in _refusal(case, name="  ")


# --- numbers, mail and the form key ------------------------------------------------------------


def test_numbers_are_per_case_and_gap_free(frozen, case):
    other = pf.make_case()
    numbers = [
        _create(case)[0].number,
        _create(other)[0].number,
        _create(case)[0].number,
    ]
    assert numbers == [
        f"PC-{case.code}-0001",
        f"PC-{other.code}-0001",
        f"PC-{case.code}-0002",
    ]
    with pytest.raises(ValidationError):
        _create(case, "")  # a refusal takes no number
    assert _create(case)[0].number == f"PC-{case.code}-0003"


def test_the_same_form_key_gives_the_first_submission(frozen, case):
    token = uuid.uuid4()
    first, created = _create(case, "一回目", token=token)
    again, created_again = _create(case, "二回目", token=token)
    assert (created, created_again) == (True, False)
    assert again == first
    assert Submission.objects.count() == 1
    assert [o.text for o in Opinion.objects.all()] == ["一回目"]


def test_the_form_key_is_honoured_even_after_the_window_closed(case):
    """A reload of the confirmation after 17:00 still finds the receipt it made before."""
    token = uuid.uuid4()
    with time_machine.travel(CLOSES - SECOND, tick=False):
        first, _created = _create(case, token=token)
    with time_machine.travel(CLOSES + SECOND, tick=False):
        assert _create(case, token=token) == (first, False)


def test_a_copy_is_mailed_on_commit_only_with_an_address(
    frozen, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission, _created = _create(case, "木を植えて", email="hanako@example.jp")
        _create(case, "住所だけ")
    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert submission.number in message.subject and "木を植えて" in message.body


# --- two browsers posting the same form at once ----------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers with a database lock; the race needs PostgreSQL",
)
def test_a_double_submit_racing_makes_one_submission():
    """A double click sends the confirmation twice at the same moment: both requests land
    on the one receipt (the unique form key; the loser finds the winner's row)."""
    threads_count = 4
    with time_machine.travel(NOW, tick=False):
        case = pf.make_case()
        client = Client()
        url = reverse("publiccomment:submit", args=[case.pk])
        data = form_data(client.get(url).content)
        data.update(
            {
                "kind": "individual",
                "name": "輪西 花子",
                "address": "室蘭市輪西町1丁目",
                "eligibility": Eligibility.RESIDENT,
                "opinion1_text": "同時に二度送られた意見",
                "_submit": "1",
            }
        )
        barrier = threading.Barrier(threads_count)
        locations, errors = [], []
        lock = threading.Lock()

        def post():
            try:
                browser = Client()
                browser.cookies = client.cookies
                barrier.wait(timeout=10)
                response = browser.post(url, data)
                with lock:
                    locations.append((response.status_code, response.get("Location")))
            except Exception as error:  # reported below, a thread cannot fail the test itself
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=post) for _ in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    submission = Submission.objects.get()
    receipt = reverse("publiccomment:submission_receipt", args=[submission.pk])
    assert locations == [(302, receipt)] * threads_count
    assert Opinion.objects.filter(submission=submission).count() == 1
