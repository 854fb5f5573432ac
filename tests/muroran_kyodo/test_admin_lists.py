"""Long admin lists (lib.admin_lists): the estimated count of an unfiltered list on PostgreSQL,
exact counts everywhere else, pages past an estimate still served, the long texts left out of
the list's query, and the audit log and virus-check lists at a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import SecurityEvent
from muroran_kyodo.lib import admin_lists
from muroran_kyodo.lib.admin_lists import EstimatedCountPaginator
from muroran_kyodo.lib.models import FileScan
from tests import factories

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="estimates come from PostgreSQL's statistics; SQLite always counts exactly",
)


def _events(n: int) -> None:
    SecurityEvent.objects.bulk_create(
        SecurityEvent(event="login_failed" if i % 2 else "login", email=f"p{i}@example.jp")
        for i in range(n)
    )


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_securityevent")


@pytest.fixture
def superuser_client(client):
    superuser = factories.make_user("admin@city.muroran.example.jp", superuser=True)
    return factories.with_second_factor(client, superuser)


@pytest.mark.django_db
def test_a_small_or_sqlite_table_is_counted_exactly(monkeypatch):
    _events(3)
    paginator = EstimatedCountPaginator(SecurityEvent.objects.all(), 2)
    assert paginator.count == 3
    assert not paginator.count_is_estimate
    assert list(paginator.page(2).object_list) == list(SecurityEvent.objects.all()[2:])


@postgresql_only
@pytest.mark.django_db
def test_an_unfiltered_big_table_shows_the_estimate(monkeypatch, superuser_client):
    _events(30)
    _analyze()
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 10)
    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get(reverse("admin:accounts_securityevent_changelist"))
    assert response.context["cl"].paginator.count_is_estimate
    assert response.context["cl"].result_count == SecurityEvent.objects.count()  # ANALYZE: exact
    page = response.content.decode()
    assert f"約 {SecurityEvent.objects.count()} 件の" in page
    assert "概数です" in page
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]


@postgresql_only
@pytest.mark.django_db
def test_a_filtered_list_counts_exactly(monkeypatch, superuser_client):
    _events(30)
    _analyze()
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 10)
    url = reverse("admin:accounts_securityevent_changelist") + "?event=login"
    response = superuser_client.get(url)
    cl = response.context["cl"]
    assert not cl.paginator.count_is_estimate
    assert cl.result_count == 15
    assert "約" not in response.content.decode().split('class="paginator"')[1]


@postgresql_only
@pytest.mark.django_db
def test_pages_past_a_low_estimate_are_still_served(monkeypatch):
    _events(4)
    _analyze()
    _events(4)  # written since the statistics: the estimate says about 4 of 8
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 1)
    paginator = EstimatedCountPaginator(SecurityEvent.objects.order_by("pk"), 2)
    assert paginator.count_is_estimate is False  # decided when counted
    assert paginator.count >= 1
    assert paginator.count_is_estimate
    everything = list(SecurityEvent.objects.order_by("pk"))
    served = [row for number in range(1, 5) for row in paginator.page(number).object_list]
    assert served == everything
    assert list(paginator.page(9).object_list) == []


@pytest.mark.django_db
def test_the_list_leaves_out_the_long_texts_and_an_action_gets_whole_rows(superuser_client):
    _events(2)
    with CaptureQueriesContext(connection) as queries:
        superuser_client.get(reverse("admin:accounts_securityevent_changelist"))
    listed = [q["sql"] for q in queries.captured_queries if "accounts_securityevent" in q["sql"]]
    page_query = next(sql for sql in listed if '"accounts_securityevent"."email"' in sql)
    assert '"accounts_securityevent"."detail"' not in page_query
    assert '"accounts_securityevent"."user_agent"' not in page_query


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "add"),
    [
        ("admin:accounts_securityevent_changelist", _events),
        (
            "admin:muroran_kyodo_filescan_changelist",
            lambda n: FileScan.objects.bulk_create(
                FileScan(name=f"x/{FileScan.objects.count()}-{i}.pdf") for i in range(n)
            ),
        ),
    ],
)
def test_the_log_lists_take_as_many_queries_for_many_rows_as_for_one(
    superuser_client, url_name, add
):
    url = reverse(url_name)
    add(1)
    one = _queries(superuser_client, url)
    add(40)
    assert _queries(superuser_client, url) == one


class _Row:
    pk = 7

    def __str__(self) -> str:
        return 'Ōta "<b>" & co'


def test_a_rows_action_box_is_the_one_django_renders():
    """The box written directly (lib.admin_lists) is the element Django's CheckboxInput gives,
    with a label that needs escaping."""
    from django.contrib import admin

    model_admin = admin.site._registry[SecurityEvent]
    assert isinstance(model_admin, admin_lists.EstimatedCountAdminMixin)
    mine = model_admin.action_checkbox(_Row())
    assert mine == admin.ModelAdmin.action_checkbox(model_admin, _Row())
    assert 'value="7"' in mine and "&lt;b&gt;" in mine and "<b>" not in mine


@pytest.mark.django_db
def test_the_rows_link_to_their_change_pages(superuser_client):
    """The links made around one reversed address are the addresses Django reverses."""
    _events(3)
    response = superuser_client.get(reverse("admin:accounts_securityevent_changelist"))
    cl = response.context["cl"]
    assert isinstance(cl, admin_lists.RowLinksChangeList)
    page = response.content.decode()
    for event in SecurityEvent.objects.all():
        url = reverse("admin:accounts_securityevent_change", args=[event.pk])
        assert cl.url_for_result(event) == url
        assert f'href="{url}"' in page
