import pytest

from muroran_kyodo.lib.models import Sequence, next_value

pytestmark = pytest.mark.django_db


def test_a_new_counter_starts_at_one_and_counts_up():
    assert [next_value("partners.MP.2026") for _ in range(3)] == [1, 2, 3]
    assert Sequence.objects.get(key="partners.MP.2026").value == 3


def test_counters_are_independent():
    next_value("partners.MP.2026")
    next_value("partners.MP.2026")
    assert next_value("partners.MP.2027") == 1
    assert next_value("subsidies.2026") == 1
