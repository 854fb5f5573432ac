import pytest

from publiccomment.models import Opinion, OpinionItem, Submission
from tests.publiccomment import factories as pf

pytestmark = pytest.mark.django_db


def test_a_web_submission_gets_the_next_receipt_number(frozen, case):
    first = pf.submit(
        case, "第一の意見", "第二の意見", section_numbers=[1, None], email="a@example.jp"
    )
    second = pf.submit(case, "別の意見")
    assert first.number == f"PC-{case.code}-0001"
    assert second.number == f"PC-{case.code}-0002"
    assert Opinion.objects.filter(submission=first).count() == 2
    assert OpinionItem.objects.filter(case=case).count() == 3
    assert Submission.objects.count() == 2
