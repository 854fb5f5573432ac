"""The benchmark harness's own logic (bench/run.py, bench/capacity.py): reading wrk's output
with the p95 of bench/percentiles.lua, the table's ratio to the bare view, the hidden fields a
capacity-run visitor sends back, and which step of a capacity run counts as held."""

from __future__ import annotations

import sys
from argparse import Namespace

import pytest

from tests.bench_modules import load

run = load("run")
capacity = load("capacity")

WRK = """Running 3s test @ http://127.0.0.1:4000/
  2 threads and 8 connections
  Latency Distribution
     50%   12.50ms
     75%   20.00ms
     90%   31.00ms
     99%    1.20s
  4801 requests in 3.00s, 1.2MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1600.33
Transfer/sec:    400KB
PERCENTILE 50 12345
PERCENTILE 90 30999
PERCENTILE 95 45678
PERCENTILE 99 1199000
"""


def test_wrk_output_gives_p50_p95_p99_from_the_script():
    result = run.parse_wrk(WRK, run.Result("home", "/"))
    assert result.rps == pytest.approx(1600.33)
    assert (result.p50, result.p95, result.p99) == (12.345, 45.678, 1199.0)
    assert result.requests == 4801
    assert result.errors == 3


def test_without_the_script_wrk_s_own_table_gives_what_it_lists():
    plain = "\n".join(line for line in WRK.splitlines() if not line.startswith("PERCENTILE"))
    result = run.parse_wrk(plain, run.Result("home", "/"))
    assert (result.p50, result.p95, result.p99) == (12.5, None, 1200.0)


def test_the_table_gives_each_page_s_ratio_to_the_bare_view():
    text = run.table(
        [
            run.Result("baseline", "/bench/baseline/", rps=1000, p50=1, p95=2, p99=3),
            run.Result("home", "/", rps=250, p50=10, p95=20, p99=30),
            run.Result("broken", "/x/", note="HTTP 500"),
        ]
    )
    lines = text.splitlines()
    assert "p95 ms" in lines[0] and "p90" not in text
    assert "| home | `/` | 250 | 0.25 | 10.0 | 20.0 | 30.0 | 0 |" in lines
    assert "| baseline | `/bench/baseline/` | 1,000 | 1.00 |" in text
    assert "| broken | `/x/` | – | – |" in text


def test_the_ratio_is_to_the_mean_of_the_bare_view_measured_first_and_last():
    text = run.table(
        [
            run.Result("baseline", "/bench/baseline/", rps=900),
            run.Result("home", "/", rps=500),
            run.Result("baseline (again, last)", "/bench/baseline/", rps=1100),
        ]
    )
    assert "| home | `/` | 500 | 0.50 |" in text
    assert "| baseline | `/bench/baseline/` | 900 | 0.90 |" in text
    assert "| baseline (again, last) | `/bench/baseline/` | 1,100 | 1.10 |" in text


def test_the_database_is_postgresql_unless_sqlite_is_asked_for(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/somebody_s_dev_db")
    assert run.database_url(Namespace(sqlite=False, fresh=False)) == run.POSTGRES_URL
    assert run.database_url(Namespace(sqlite=True, fresh=False)).startswith("sqlite:///")
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/other_bench")
    assert run.database_url(Namespace(sqlite=False, fresh=False)).endswith("/other_bench")


def test_capacity_arguments_are_bounded(monkeypatch):
    monkeypatch.setitem(sys.modules, "capacity", capacity)  # run.py imports it from bench/
    run.parse_args(["--capacity", "--step-users", "10", "--max-users", "400"])
    for wrong in (
        ["--step-seconds", "500"],
        ["--max-users", "5000"],
        ["--step-users", "1", "--max-users", "100"],  # 100 steps
        ["--residents", "0"],
    ):
        with pytest.raises(SystemExit):
            run.parse_args(["--capacity", *wrong])


def test_hidden_fields_are_what_a_browser_sends_back():
    page = (
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="a&amp;b">'
        '<input type="text" name="name" value="typed">'
        '<input name="token" value="k1" type="hidden">'
        '<input type="hidden" name="opinion1_text" value="&lt;改行&gt;&quot;">'
        '<input type="hidden" value="nameless"></form>'
    )
    assert capacity.hidden_fields(page) == [
        ("csrfmiddlewaretoken", "a&b"),
        ("token", "k1"),
        ("opinion1_text", '<改行>"'),
    ]


def test_percentile_of_a_histogram():
    histogram = {10: 90, 50: 5, 300: 5}
    assert capacity.percentile(histogram, 50) == 10
    assert capacity.percentile(histogram, 95) == 50
    assert capacity.percentile(histogram, 99) == 300
    assert capacity.percentile({}, 95) is None


def _step(users, rps, p95, failures=0):
    return {
        "users": users,
        "rps": rps,
        "p50": 5,
        "p95": p95,
        "p99": p95,
        "failures": failures,
        "requests": int(rps * 10),
        "seconds": 10,
    }


def test_the_figure_held_is_the_best_step_within_the_limit_without_errors():
    steps = [
        _step(20, 90.0, 40),
        _step(40, 170.0, 120),
        _step(60, 230.0, 150, failures=1),  # errors: not held
        _step(80, 240.0, 260),  # past the limit
    ]
    assert capacity.held(steps, 200)["users"] == 40
    args = Namespace(step_users=20, step_seconds=10, p95_limit=200.0)
    report = capacity.report(steps, args=args, header="Benchmark", pages=[])
    assert report.held == 170.0
    assert (
        "**170 page views/s held** with 0 errors and p95 120 ms (40 simulated people)"
        in report.text
    )
    assert "| 60 | 230 | 5 | 150 | 150 | 1 | 2300 |" in report.text


def test_no_step_held_is_said():
    args = Namespace(step_users=20, step_seconds=10, p95_limit=200.0)
    report = capacity.report([_step(20, 50.0, 900)], args=args, header="B", pages=[])
    assert report.held is None and not report.broken  # measured: a busy machine
    assert "No step held" in report.text


def test_errors_from_the_first_step_on_mean_something_is_broken():
    args = Namespace(step_users=20, step_seconds=10, p95_limit=200.0)
    report = capacity.report([_step(20, 50.0, 90, failures=4)], args=args, header="B", pages=[])
    assert report.broken
    assert capacity.report([], args=args, header="B", pages=[]).broken
