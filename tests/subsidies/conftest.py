import pytest
import time_machine

from tests.subsidies import factories as sf
from tests.subsidies.factories import NOW


@pytest.fixture
def frozen():
    """The clock inside 第1期 of FY2026."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def programme():
    """A 市民提案型 programme of FY2026 with its windows, categories, criteria and documents."""
    return sf.make_programme()


@pytest.fixture
def application(programme, organization, member):
    """A complete draft of the member's organisation, ready to submit."""
    return sf.make_application(programme=programme, organization=organization, applicant=member)
