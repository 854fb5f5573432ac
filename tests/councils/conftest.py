import pytest
import time_machine

from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import NOW


@pytest.fixture
def frozen():
    """The clock at NOW (2026-06-15 10:00 JST), three weeks before the workshop."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(db):
    """都市政策課's clerk, who runs the 高砂公園 council."""
    return cf.council_staff("都市政策課", "toshi@city.muroran.example.jp")


@pytest.fixture
def staff_client(client, staff):
    """The clerk signed in with a TOTP second factor, as the admin demands."""
    return factories.with_second_factor(client, staff)


@pytest.fixture
def resident(db):
    return factories.make_user("resident@example.jp")


@pytest.fixture
def workshop(db, frozen):
    return cf.make_workshop()
