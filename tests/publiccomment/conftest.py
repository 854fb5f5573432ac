import pytest
import time_machine
from django.contrib.auth.models import Group

from tests import factories
from tests.publiccomment import factories as pf
from tests.publiccomment.factories import NOW


@pytest.fixture
def frozen():
    """The clock inside the window of the default case (2026-06-01 09:00 to 07-01 17:00 JST)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(db):
    """An announced case with three sections, open at NOW."""
    return pf.make_case()


@pytest.fixture
def comment_staff(db):
    """A clerk of 企画課, which runs public comment (migration publiccomment 0002)."""
    user = factories.make_user("kikaku@city.muroran.example.jp", staff=True)
    user.groups.add(Group.objects.get(name="企画課"))
    return user


@pytest.fixture
def comment_staff_client(client, comment_staff):
    """企画課's clerk signed in with a TOTP second factor, as the admin demands."""
    return factories.with_second_factor(client, comment_staff)
