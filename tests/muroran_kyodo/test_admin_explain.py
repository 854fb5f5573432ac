"""The admin lists of the tables that grow to 100,000 rows read them through indexes: every query
of the unfiltered page and of each filter's first choices is EXPLAINed on PostgreSQL, and no plan
may scan a big table from end to end (a Seq Scan, or a full index scan standing in for one).

At test scale every table is small, and the planner rightly prefers reading a small table whole;
so the plans are made with `enable_seqscan = off`, which asks whether an index path exists for
each query (PostgreSQL still plans a sequential scan where there is none). A full index scan
without an index condition is refused too unless a LIMIT stops it (the page of the default
ordering read from its index). `test_reports_at_volume_use_indexes_with_the_real_planner` checks
the biggest table at 100,000 rows with the planner as it runs in production."""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import SecurityEvent
from councils.models import Signup as CouncilSignup
from entalk.models import Request as EntalkRequest
from muroran_kyodo.lib import admin_lists
from muroran_kyodo.lib.admin_lists import EstimatedCountAdminMixin
from muroran_kyodo.lib.models import FileScan, OutboxMail
from organizations.models import District, Organization
from partners.models import ActivityReport, Registration
from partners.models import Signup as PartnerSignup
from publiccomment.models import Opinion
from subsidies.models import Application
from tests import factories
from tests.access.world import build
from tests.subsidies.factories import NOW

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="EXPLAIN plans are PostgreSQL's; SQLite has no planner statistics to speak of",
)

# The tables that grow without bound: a city's years of reports, sign-ups, applications and logs.
BIG = [
    ActivityReport,
    Registration,
    PartnerSignup,
    Application,
    Organization,
    Opinion,
    CouncilSignup,
    EntalkRequest,
    SecurityEvent,
    FileScan,
    OutboxMail,
]
BIG_TABLES = {model._meta.db_table for model in BIG}
SCANS = {"Seq Scan", "Index Scan", "Index Only Scan"}


JOINS = {"Nested Loop", "Merge Join", "Hash Join"}
CONSUMERS = {"Sort", "Aggregate", "Unique", "Hash", "SetOp", "WindowAgg"}


def partial_indexes() -> set[str]:
    """Indexes with a WHERE: reading one whole reads only the rows it holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indpred IS NOT NULL"
        )
        return {name for (name,) in cursor.fetchall()}


def full_scans(plan: dict, *, partial: set[str], stopped: bool = False) -> list[str]:
    """The nodes of an EXPLAIN (FORMAT JSON) plan that read a big table whole: a Seq Scan, or an
    index read from end to end with no condition when neither a LIMIT stops it (the page of the
    list's order) nor it is a side of a join (with its foreign key's index, a nested loop reads
    only the joined rows at volume; tiny tables make the planner prefer merging whole indexes),
    nor a partial index (which holds only the rows its condition selects)."""
    found = []
    kind = plan["Node Type"]
    relation = plan.get("Relation Name")
    if relation in BIG_TABLES and kind in SCANS:
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {relation}")
        elif "Index Cond" not in plan and not stopped and plan.get("Index Name") not in partial:
            found.append(f"{kind} of all of {relation} ({plan.get('Index Name')})")
    if kind in CONSUMERS:  # reads all of its input whatever stops it above
        stopped = False
    stopped = stopped or kind == "Limit" or kind in JOINS
    for child in plan.get("Plans", []):
        found += full_scans(child, partial=partial, stopped=stopped)
    return found


def explain(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (row,) = cursor.fetchone()
    document = json.loads(row) if isinstance(row, str) else row
    return document[0]["Plan"]


def reads_a_big_table(sql: str) -> bool:
    return any(re.search(rf'\b"?{table}"?\b', sql) for table in BIG_TABLES)


def query_strings(client, url: str) -> list[str]:
    """The unfiltered list and the first two choices of each of its filters, as the changelist
    offers them."""
    response = client.get(url)
    assert response.status_code == 200
    cl = response.context["cl"]
    strings = [""]
    for spec in cl.filter_specs:
        choices = [c for c in spec.choices(cl) if not c.get("selected")]
        strings += [c["query_string"] for c in choices[:2]]
    return strings


def as_at_volume(sql: str) -> str:
    """The page's query as it runs at volume: at test scale the whole list fits on one page and
    Django leaves out the LIMIT it adds to a list of many pages."""
    if " ORDER BY " in sql and not re.search(r"\bLIMIT \d+", sql):
        return sql + " LIMIT 100"
    return sql


@pytest.mark.django_db
def test_big_lists_read_their_tables_through_indexes(client, monkeypatch):
    with time_machine.travel(NOW, tick=False):
        world = build()
        FileScan.objects.create(name="x/a.pdf")
        OutboxMail.objects.create(
            from_email="c@example.jp", to="a@example.jp", subject="s", body="b"
        )
        SecurityEvent.objects.create(event="login_failed", email="a@example.jp", ip="127.0.0.1")
        # Every table counts as big here, so the unfiltered page shows the estimate.
        monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 0)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        factories.with_second_factor(client, world.users["superuser"])
        problems = {}
        for model in BIG:
            problems.update(_full_scans_of_the_list(client, model))
    assert problems == {}


def _full_scans_of_the_list(client, model) -> dict:
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, EstimatedCountAdminMixin), model
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    strings = query_strings(client, url)
    assert len(strings) > 1 or not model_admin.list_filter, model
    problems: dict = {}
    partial = partial_indexes()
    for query_string in strings:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + query_string)
        assert response.status_code == 200, (model, query_string)
        if query_string == "":
            assert response.context["cl"].paginator.count_is_estimate, model
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
        try:
            for query in queries.captured_queries:
                sql = query["sql"]
                if sql.lstrip().upper().startswith(("SELECT", "WITH")) and reads_a_big_table(sql):
                    scans = full_scans(explain(as_at_volume(sql)), partial=partial)
                    if scans:
                        key = f"{model._meta.label} {query_string or '(unfiltered)'}"
                        problems.setdefault(key, []).append((scans, sql[:300]))
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = on")
    return problems


def _reports_at_volume(count: int) -> None:
    """`count` reports over two years and 12 partners of four programmes and districts, one in
    ten keyed in from paper, written by one INSERT … SELECT (a second or so), then VACUUM
    ANALYZE as autovacuum would have done in production."""
    districts = list(District.objects.order_by("pk").values_list("name", flat=True)[:4])
    programmes = ["pika", "magokoro", "makasete", "pika"]
    ids = [
        factories.make_registration(
            programme=programmes[n % 4],
            district_name=districts[n % 4],
            user=factories.make_user(f"partner{n}@example.jp"),
            status="registered",
        ).pk
        for n in range(12)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO partners_activityreport (registration_id, activity_date, place_other,"
            " participants, burnable_bags, non_burnable_bags, notes, photo, channel, created_at)"
            " SELECT (%s::bigint[])[1 + g %% 12], DATE '2026-05-14' - (g %% 730), '',"
            " 1 + g %% 20, g %% 8, g %% 3, '', '', CASE WHEN g %% 10 = 0 THEN 'paper' ELSE 'web'"
            " END, TIMESTAMPTZ '2026-05-14 12:00+09' - (g %% 730) * INTERVAL '1 day'"
            " FROM generate_series(1, %s) AS g",
            [ids, count],
        )
        cursor.execute("VACUUM ANALYZE partners_activityreport")
        cursor.execute("VACUUM ANALYZE partners_registration")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reports_at_volume_use_indexes_with_the_real_planner(client):
    """100,000 reports, the planner as in production: the unfiltered page shows 「約」 and the
    estimate, and neither it nor any filter reads the reports table with a Seq Scan."""
    with time_machine.travel(NOW, tick=False):
        superuser = factories.make_user("admin@city.muroran.example.jp", superuser=True)
        _reports_at_volume(100_000)
        factories.with_second_factor(client, superuser)
        url = reverse("admin:partners_activityreport_changelist")
        response = client.get(url)
        cl = response.context["cl"]
        assert cl.paginator.count_is_estimate
        assert 90_000 <= cl.result_count <= 110_000
        assert "約" in response.content.decode()
        seq_scans = {}
        for query_string in query_strings(client, url):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url + query_string).status_code == 200
            for query in queries.captured_queries:
                sql = query["sql"]
                if sql.lstrip().upper().startswith("SELECT") and "partners_activityreport" in sql:
                    if "Seq Scan on partners_activityreport" in full_scans(
                        explain(sql), partial=set(), stopped=True
                    ):
                        seq_scans.setdefault(query_string or "(unfiltered)", []).append(sql)
    assert seq_scans == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [Opinion, Application, ActivityReport], ids=lambda model: model._meta.label
)
def test_a_big_lists_page_is_read_in_its_order_without_sorting_the_table(client, model):
    """An unfiltered list's page in the list's order, read from indexes and stopped at the
    page instead of sorting every row: the applications by an index of their order; the
    opinions (ordered by case, newest first, then submission and position) by walking an index
    of the cases' order down to their submissions' and opinions' (an Incremental Sort of the
    few rows of a case is fine). Asked with sorting and sequential scans made prohibitive, the
    planner must find such a path."""
    with time_machine.travel(NOW, tick=False):
        world = build()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        factories.with_second_factor(client, world.users["superuser"])
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["cl"].result_list
    table = model._meta.db_table
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if f'FROM "{table}"' in q["sql"] and " ORDER BY " in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_sort = off")
        cursor.execute("SET enable_seqscan = off")
    try:
        plan = explain(as_at_volume(page))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET enable_sort = on")
            cursor.execute("SET enable_seqscan = on")
    assert "Sort" not in _node_types(plan), plan
    assert full_scans(plan, partial=partial_indexes()) == []


def _node_types(plan: dict) -> set[str]:
    kinds = {plan["Node Type"]}
    for child in plan.get("Plans", []):
        kinds |= _node_types(child)
    return kinds
