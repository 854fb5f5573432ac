"""The demo data: five cases of Muroran in every phase, opinions through the service, and a
second run creates nothing; the volume data keeps its numbers consistent."""

import io

import pytest
from django.core import mail

from muroran_kyodo.lib.models import Sequence
from publiccomment import demo
from publiccomment.models import (
    Case,
    CaseStatusChange,
    Issue,
    Opinion,
    OpinionItem,
    Submission,
)
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = (Case, CaseStatusChange, Submission, Opinion, OpinionItem, Issue)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _seed():
    staff = factories.make_user("admin@example.jp", staff=True, superuser=True)
    users = {
        email: factories.make_user(email)
        for email in ("resident@example.jp", "kaicho@example.jp", "student@example.jp")
    }
    demo.seed(stdout=io.StringIO(), staff=staff, users=users)
    return staff, users


def test_the_demo_has_a_case_in_every_phase(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _seed()
    phases = {case.title: case.phase for case in Case.objects.all()}
    assert sorted(phases.values()) == sorted(
        [
            Case.Phase.OPEN,
            Case.Phase.UPCOMING,
            Case.Phase.CONSIDERING,
            Case.Phase.RESULT_PUBLISHED,
            Case.Phase.ABANDONED,
        ]
    )
    open_case = Case.objects.get(title="第3次室蘭市環境基本計画（案）")
    assert open_case.window_days >= 30
    assert {s.channel for s in open_case.submissions.all()} == {"web", "box", "fax"}
    assert open_case.submissions.filter(user__email="resident@example.jp").exists()
    considering = Case.objects.get(title="第3期室蘭市子ども・子育て支援事業計画（案）")
    assert considering.opinion_items.filter(issue__isnull=False).exists()
    assert considering.opinion_items.filter(issue__isnull=True).exists()
    result = Case.objects.get(status=Case.Status.RESULT_PUBLISHED)
    assert all(issue.is_answered for issue in result.issues.all())
    assert not result.opinion_items.filter(issue__isnull=True).exists()
    assert result.final_plan and result.changes_summary
    assert result.opinions.filter(redaction_reason__gt="").count() == 1
    # Every opinion of the result was checked for publishing before it was published.
    assert not result.opinions.filter(reviewed_at__isnull=True).exists()
    abandoned = Case.objects.get(status=Case.Status.ABANDONED)
    assert abandoned.abandon_reason
    # Every case has its history, and the numbers are the services'.
    for case in Case.objects.all():
        assert case.status_changes.filter(new_status=case.status).exists()
        for submission in case.submissions.all():
            assert submission.number == f"PC-{case.code}-{submission.sequence:04d}"
    # Submitters of the published and abandoned cases with an address were told.
    assert any("kaicho@example.jp" in message.to for message in mail.outbox)


def test_seeding_twice_creates_nothing():
    staff, users = _seed()
    first = _counts()
    demo.seed(stdout=io.StringIO(), staff=staff, users=users)
    assert _counts() == first


def test_seed_demo_command_runs_twice(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    assert first["Case"] == len(demo.CASES)
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first


def test_volume_cases_have_200_opinions_each_and_consistent_numbers():
    demo.seed_volume(count=40, stdout=io.StringIO())  # two cases at --volume 40
    cases = list(Case.objects.filter(department=demo.VOLUME_DEPARTMENT).with_counts())
    assert len(cases) == 2
    for case in cases:
        assert case.opinion_count == 200
        assert case.submission_count == 100
        assert Sequence.objects.get(key=f"publiccomment.submission.{case.pk}").value == 100
        last = case.submissions.order_by("-sequence").first()
        assert last.number == f"PC-{case.code}-0100"
        assert not case.opinion_items.filter(issue__isnull=True).exists()
        assert all(issue.is_answered for issue in case.issues.all())
    assert len({case.code for case in cases}) == 2
    before = _counts()
    demo.seed_volume(count=40, stdout=io.StringIO())
    assert _counts() == before
    assert demo.volume_case_count(2000) == 100
