"""enとーく's 実績: sessions held and their participants per 年度 (by the session's date), the
requests received, and the same two numbers over a range of 年度."""

import datetime as dt
import json

import pytest

from entalk import stats
from entalk.models import Request
from muroran_kyodo.lib.jp import fiscal_year
from tests.entalk import factories as ef
from tests.entalk.factories import JST

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Request.Status


def _session(starts_at, status, participants=None) -> Request:
    """A request whose session is (or was) at `starts_at`, in `status`, as the services leave
    it (the services refuse a past date: the row is moved there)."""
    request = ef.make_request()
    Request.objects.filter(pk=request.pk).update(
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        held_fiscal_year=fiscal_year(starts_at) if status in Request.HELD_STATES else None,
        participants=participants,
    )
    return request


@pytest.fixture
def sessions():
    ef.make_request()  # received, no date yet
    _session(dt.datetime(2025, 10, 1, 18, 30, tzinfo=JST), S.PUBLISHED, 30)
    # Held, record not yet written: counted as held, no participants yet.
    _session(dt.datetime(2026, 3, 31, 18, 30, tzinfo=JST), S.CONFIRMED)
    _session(dt.datetime(2026, 2, 1, 18, 30, tzinfo=JST), S.CONFIRMED, 12)
    _session(dt.datetime(2026, 1, 10, 18, 30, tzinfo=JST), S.CANCELLED, 40)  # not held
    _session(dt.datetime(2026, 5, 10, 18, 30, tzinfo=JST), S.PUBLISHED, 20)
    _session(dt.datetime(2026, 7, 20, 14, 0, tzinfo=JST), S.CONFIRMED, 25)  # to come


def test_figures_count_sessions_held_and_participants_per_year(sessions, django_assert_num_queries):
    with django_assert_num_queries(1):
        values = {figure.key: figure.value for figure in stats.figures(2025)}
    assert values == {"entalk.sessions": 3, "entalk.participants": 42, "entalk.requests": 0}
    values = {figure.key: figure.value for figure in stats.figures(2026)}
    # Every request was received at NOW (FY2026); only the May session has taken place.
    assert values == {"entalk.sessions": 1, "entalk.participants": 20, "entalk.requests": 7}
    assert {figure.value for figure in stats.figures(2024)} == {0}


def test_a_confirmed_session_counts_once_its_time_is_over(sessions, frozen):
    frozen.move_to(dt.datetime(2026, 7, 20, 15, 29, tzinfo=JST))
    assert stats.sessions_over(2026, 2026) == (1, 20)
    frozen.move_to(dt.datetime(2026, 7, 20, 15, 30, tzinfo=JST))
    assert stats.sessions_over(2026, 2026) == (2, 45)


def test_sessions_over_a_range_of_years(sessions, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert stats.sessions_over(2025, 2026) == (4, 62)
    assert stats.sessions_over(2025, 2025) == (3, 42)
    assert stats.sessions_over(2011, 2014) == (0, 0)


def test_figures_appear_on_the_figures_page_and_in_open_data(sessions, client):
    html = client.get("/figures/?year=2025").content.decode()
    assert "enとーく" in html and "開催回数" in html
    csv_text = client.get("/figures.csv?year=2025").getvalue().decode("utf-8-sig")
    rows = [line.split(",") for line in csv_text.splitlines()]
    assert any(row[3] == "entalk.participants" and row[5] == "42" for row in rows[1:])
    data = json.loads(client.get("/figures.json?year=2025").getvalue())
    found = {f["key"]: f["value"] for f in data["figures"]}
    assert found["entalk.sessions"] == 3 and found["entalk.participants"] == 42


def test_the_figures_page_adds_the_sessions_up_over_a_range(sessions, client):
    """/figures/?from=…&to=… (either order) shows the sessions and participants of the range,
    the guideline's 「平成23年度～平成26年度 46回 940名」 way."""
    for query in ("from=2025&to=2026", "from=2026&to=2025"):
        response = client.get(f"/figures/?year=2026&{query}")
        assert response.status_code == 200
        groups = dict(response.context["range_groups"])
        values = {figure.key: figure.value for figure in groups["enとーく"]}
        assert values == {"entalk.sessions": 4, "entalk.participants": 62}
        html = response.content.decode()
        assert "令和7年度" in html and "令和8年度" in html


@pytest.mark.parametrize(
    "query", ["", "from=2025", "from=x&to=2026", "from=1990&to=2026", "from=2025&to=2999"]
)
def test_a_range_not_given_or_not_understood_shows_none(sessions, client, query):
    response = client.get(f"/figures/?{query}")
    assert response.status_code == 200
    assert response.context["span"] is None and response.context["range_groups"] == []
