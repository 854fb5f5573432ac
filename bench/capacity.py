"""The capacity run: `make capacity` (bench/run.py --capacity).

After bench/run.py's set-up (PostgreSQL, Redis, volume data, gunicorn with its production
settings), locust runs headless in a process of its own with bench/locustfile.py against
127.0.0.1 only: a mix like real use (mostly anonymous reading, パブコメ opinions sent through
the form with its CSRF token, signed-in residents on マイページ, a partner's pages, three staff
members on the admin lists), `--step-users` more people every `--step-seconds` until a step's
p95 passes `--p95-limit` ms (200), a step has an error, or `--max-users` is reached.

The figure: the requests per second of the highest step held with p95 within the limit and
no error - every request is a page view (a page, a form's confirmation or "send", a receipt).
Written with each step's figures and locust's per-page table to `.bench/capacity.md`.

Bounded: at most 40 steps of at most 120 s, at most 2,000 people; locust is stopped when the
steps are done, and killed past their time.
"""

from __future__ import annotations

import csv
import html
import json
import math
import os
import re
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
STEPS_OUT = BENCH_DIR / "capacity-steps.json"
CSV_PREFIX = BENCH_DIR / "capacity"
MAX_STEPS = 40
MAX_STEP_SECONDS = 120
MAX_USERS = 2000


_HIDDEN = re.compile(r"<input\b[^>]*\btype=\"hidden\"[^>]*>", re.I)
_ATTRIBUTE = re.compile(r'\b(name|value)="([^"]*)"')


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """(name, value) of every hidden input of an HTML page, in order: what a browser sends
    back (the CSRF token, a form's key, a confirmation page's data)."""
    found = []
    for tag in _HIDDEN.findall(page):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if "name" in attributes:
            found.append(
                (html.unescape(attributes["name"]), html.unescape(attributes.get("value", "")))
            )
    return found


def percentile(histogram: dict[int, int], p: float) -> float | None:
    """Nearest-rank percentile of {value: how many times}."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return float(max(histogram))


@dataclass
class Report:
    text: str
    held: float | None
    broken: bool = False  # no step measured, or errors from the first step on


def add_arguments(parser) -> None:
    group = parser.add_argument_group("capacity run (--capacity)")
    group.add_argument("--capacity", action="store_true", help="locust, rising load; not the table")
    group.add_argument("--step-users", type=int, default=20, help="people added at each step")
    group.add_argument("--step-seconds", type=int, default=20, help="length of a step")
    group.add_argument(
        "--max-users",
        type=int,
        default=None,
        help=f"stop there at the latest (default 600, or {MAX_STEPS} steps)",
    )
    group.add_argument("--p95-limit", type=float, default=200.0, help="ms; stop past it")
    group.add_argument(
        "--residents", type=int, default=200, help="signed-in residents, a session each"
    )


def check_arguments(parser, args) -> None:
    if not 1 <= args.step_users <= MAX_USERS:
        parser.error(f"--step-users must be between 1 and {MAX_USERS}")
    if not 6 <= args.step_seconds <= MAX_STEP_SECONDS:
        parser.error(f"--step-seconds must be between 6 and {MAX_STEP_SECONDS}")
    if args.max_users is None:
        args.max_users = min(600, MAX_STEPS * args.step_users)
    if not args.step_users <= args.max_users <= MAX_USERS:
        parser.error(f"--max-users must be between --step-users and {MAX_USERS}")
    if args.max_users / args.step_users > MAX_STEPS:
        parser.error(f"at most {MAX_STEPS} steps: raise --step-users or lower --max-users")
    if not 1 <= args.p95_limit <= 10_000:
        parser.error("--p95-limit must be between 1 and 10000 ms")
    if not 1 <= args.residents <= 5000:
        parser.error("--residents must be between 1 and 5000")


def locust_command(port: int) -> list[str]:
    locust = ROOT / ".venv" / "bin" / "locust"
    return [
        str(locust if locust.exists() else "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(CSV_PREFIX),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
        "--exit-code-on-error",
        "0",
    ]


def run_capacity(args, *, port: int, setup_json: Path, header: str) -> Report:
    STEPS_OUT.unlink(missing_ok=True)
    env = os.environ.copy()
    env.update(
        BENCH_SETUP_JSON=str(setup_json),
        BENCH_STEPS_OUT=str(STEPS_OUT),
        BENCH_STEP_USERS=str(args.step_users),
        BENCH_STEP_SECONDS=str(args.step_seconds),
        BENCH_MAX_USERS=str(args.max_users),
        BENCH_P95_LIMIT=str(args.p95_limit),
    )
    steps = -(-args.max_users // args.step_users)
    budget = steps * args.step_seconds + 60
    print(
        f"locust: +{args.step_users} people every {args.step_seconds} s up to "
        f"{args.max_users}, until p95 > {args.p95_limit:.0f} ms (at most {budget} s)",
        flush=True,
    )
    with open(BENCH_DIR / "locust.log", "w") as log:
        process = subprocess.Popen(
            locust_command(port),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            raise
    found = json.loads(STEPS_OUT.read_text(encoding="utf-8")) if STEPS_OUT.exists() else []
    return report(found, args=args, header=header, pages=per_page())


def per_page() -> list[dict]:
    path = Path(f"{CSV_PREFIX}_stats.csv")
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def held(steps: list[dict], limit: float) -> dict | None:
    """The step with the most requests per second among those within the limit, no error."""
    good = [s for s in steps if s["p95"] is not None and s["p95"] <= limit and not s["failures"]]
    return max(good, key=lambda s: s["rps"], default=None)


def _ms(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def report(steps: list[dict], *, args, header: str, pages: list[dict]) -> Report:
    best = held(steps, args.p95_limit)
    lines = [
        header,
        "",
        f"Capacity run: locust (bench/locustfile.py), +{args.step_users} people every "
        f"{args.step_seconds} s, each step measured after its people have started; "
        f"stop when p95 > {args.p95_limit:.0f} ms or on an error.",
        "",
    ]
    if best is None:
        lines.append("**No step held** p95 within the limit with 0 errors.")
    else:
        lines.append(
            f"**{best['rps']:.0f} page views/s held** with 0 errors and p95 {best['p95']:.0f} ms "
            f"({best['users']} simulated people)."
        )
    lines += [
        "",
        "| people | req/s | p50 ms | p95 ms | p99 ms | errors | requests |",
        "|--:|--:|--:|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {s['users']} | {s['rps']:.0f} | {_ms(s['p50'])} | {_ms(s['p95'])} | {_ms(s['p99'])} "
        f"| {s['failures']} | {s['requests']} |"
        for s in steps
    ]
    if pages:
        lines += [
            "",
            "The whole run by page (locust's table; its percentiles are rounded):",
            "",
            "| page | requests | errors | p50 ms | p95 ms | p99 ms |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for row in pages:
            if row.get("Name") == "Aggregated":
                name = "**all**"
            else:
                name = f"{row.get('Type', '')} {row.get('Name', '')}".strip()
            lines.append(
                f"| {name} | {row.get('Request Count')} | {row.get('Failure Count')} "
                f"| {row.get('50%')} | {row.get('95%')} | {row.get('99%')} |"
            )
    broken = not steps or bool(steps[0]["failures"])
    if broken:
        lines += ["", "**Errors from the first step on** (see .bench/locust.log)."]
    return Report("\n".join(lines) + "\n", None if best is None else best["rps"], broken)
