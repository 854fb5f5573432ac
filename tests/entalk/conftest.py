import pytest
import time_machine

from tests import factories
from tests.entalk import factories as ef
from tests.entalk.factories import NOW


@pytest.fixture
def frozen():
    """The clock at NOW (2026-06-15 10:00 JST): slots from 2026-07-15 are outside the lead time."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(db):
    return ef.entalk_staff("hisho@city.muroran.example.jp")


@pytest.fixture
def staff_client(client, staff):
    """秘書広報課's clerk signed in with a TOTP second factor, as the admin demands."""
    return factories.with_second_factor(client, staff)


@pytest.fixture
def representative(db):
    return factories.make_user("rep@example.jp")


@pytest.fixture
def entalk_request(db, frozen, representative):
    """A request of an informal group, received at NOW, with three preferred slots."""
    return ef.make_request(by=representative)
