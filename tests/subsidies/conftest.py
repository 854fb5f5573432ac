import pytest
import time_machine

from tests.subsidies.factories import NOW


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frozen():
    """The clock inside 第1期 of FY2026."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
