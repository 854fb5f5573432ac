#!/usr/bin/env python3
"""Render measurement: `make bench-render` (or `.venv/bin/python bench/render.py [options]`).

How long Django takes to build each public page, in this process, without a server, a network
or any cache in front: what `make bench` (bench/run.py) measures minus gunicorn and the
loopback. The target (issue 14) is every anonymous public page at ≤ 10 ms p50 at volume.

What it does, in order:

1. uses a database of its own: `.bench/render.sqlite3`, or $RENDER_DATABASE_URL when set (a
   PostgreSQL database, say; never the bench's or the development database);
2. `migrate`, `seed_demo --volume N` (idempotent: a second run is quick), `collectstatic` into
   a temporary STATIC_ROOT (the production storage's manifest names the files the pages link)
   and `bench_setup`, whose pages come from the apps (`<app>/bench.py`, listed in
   `muroran_kyodo/registry.py` BENCH_PAGES); only the anonymous ones are rendered here;
3. with the production settings path (DEBUG off), renders each page through Django's test
   client (the whole middleware stack, the URL resolver, the view, the templates; no socket):
   a few warm-up renders, one render counting its queries, then N timed renders. The cache is
   a memory cache of this process (`--cache memory`): what the apps keep there themselves
   (the partner programme's totals) is reused as Redis keeps it in production, and nothing
   else caches a page. `--cache none` (a dummy cache) recomputes everything on every render;
4. prints p50/p95/max wall-clock milliseconds, the CPU milliseconds of the rendering thread
   (p50: on a loaded machine the wall clock also counts the time other processes had the
   CPU; SQLite's work is in this thread, PostgreSQL's is not), the queries per render and the
   page's size, and writes the table to `.bench/render.md`.

`--profile` runs cProfile over the timed renders of the pages chosen with `--only` and prints
the functions that take the most time (cumulative and own), and writes `.bench/render-<page>.prof`
for `python -m pstats` or snakeviz.

Options: `--volume N` (default 2000), `--renders N` (timed renders per page, default 50),
`--warmup N` (default 5), `--only home,directory` (a subset by name), `--profile`, `--cache
memory|none`, `--fresh` (delete the SQLite database first). Example: `make bench-render RENDER_ARGS="--renders 200"`.
Compare runs on the same machine only; on a shared, loaded machine, read p50 and rerun.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
SQLITE_PATH = BENCH_DIR / "render.sqlite3"
TARGET_MS = 10.0
MAX_RENDERS = 10_000


class RenderError(Exception):
    pass


@dataclass
class Result:
    name: str
    path: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    queries: int | None = None
    size: int = 0
    note: str = ""

    def percentile(self, p: float, cpu: bool = False) -> float | None:
        values = self.cpu if cpu else self.times
        if not values:
            return None
        ordered = sorted(values)
        rank = max(1, round(p / 100 * len(ordered) + 0.5))  # nearest rank, as bench/run.py
        return ordered[min(rank, len(ordered)) - 1]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", type=int, default=2000)
    parser.add_argument("--renders", type=int, default=50, help="timed renders per page")
    parser.add_argument("--warmup", type=int, default=5, help="renders per page before timing")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed renders")
    parser.add_argument(
        "--cache",
        choices=sorted(CACHES),
        default="memory",
        help="memory: the apps' own caches kept (default); none: a dummy cache",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="delete the SQLite render database first"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.renders <= MAX_RENDERS:
        parser.error(f"--renders must be between 1 and {MAX_RENDERS}")
    if not 0 <= args.warmup <= 1000:
        parser.error("--warmup must be between 0 and 1000")
    if not 0 <= args.volume <= 99_999:
        parser.error("--volume must be between 0 and 99999")
    return args


def database_url(args) -> str:
    url = os.environ.get("RENDER_DATABASE_URL")
    if url:
        return url
    BENCH_DIR.mkdir(exist_ok=True)
    if args.fresh and SQLITE_PATH.exists():
        SQLITE_PATH.unlink()
    return f"sqlite:///{SQLITE_PATH}"


CACHES = {
    # The apps' own caches (the partner programme's totals) kept, as Redis keeps them in
    # production; a per-process memory cache, so nothing is shared with another run.
    "memory": "locmemcache://muroran-render",
    # Nothing kept at all: every render recomputes what the apps would keep in the cache.
    "none": "dummycache://",
}


def configure(db_url: str, static_root: str, cache: str = "memory") -> None:
    """Production-like settings from the environment, before Django reads them."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="muroran_kyodo.settings",
        DATABASE_URL=db_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="testserver",  # the test client's host
        SECURE_SSL_REDIRECT="false",  # no proxy in front: plain HTTP answers
        SECURE_HSTS_SECONDS="0",
        CACHE_URL=CACHES[cache],
        STATIC_ROOT=static_root,
        MEDIA_ROOT=str(BENCH_DIR / "media"),
        PAGE_CACHE_SECONDS="0",  # the render itself: the anonymous page cache stays out of it
    )
    os.environ.pop("BENCH_BASELINE", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(volume: int) -> list[tuple[str, str]]:
    """Migrate, seed, collect the static files; the anonymous pages every app declares."""
    from django.core.management import call_command

    quiet = io.StringIO()
    print("$ manage.py migrate", flush=True)
    call_command("migrate", "--noinput", verbosity=0, stdout=quiet)
    print(f"$ manage.py seed_demo --volume {volume}", flush=True)
    out = io.StringIO()
    call_command("seed_demo", "--volume", str(volume), stdout=out)
    print(out.getvalue().strip())
    print("$ manage.py collectstatic", flush=True)
    call_command("collectstatic", "--noinput", verbosity=0, stdout=quiet)
    print("$ manage.py bench_setup", flush=True)
    out = io.StringIO()
    call_command("bench_setup", stdout=out)
    line = next((x for x in out.getvalue().splitlines() if x.startswith("BENCH ")), "")
    if not line:
        raise RenderError(f"manage.py bench_setup printed no pages:\n{out.getvalue()[-3000:]}")
    data = json.loads(line[len("BENCH ") :])
    return [(page["name"], page["path"]) for page in data["pages"] if not page["who"]]


def render_page(client, name: str, path: str, args) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Result(name, path)
    response = client.get(path)
    if response.status_code != 200:
        result.note = f"HTTP {response.status_code}"
        return result
    result.size = len(response.content)
    for _ in range(args.warmup):  # templates compiled, connection open, lazy imports done
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    result.queries = len(captured.captured_queries)

    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.renders):
        if profiler is not None:
            profiler.enable()
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = client.get(path)
        result.times.append((time.perf_counter() - start) * 1000)
        result.cpu.append((time.thread_time() - start_cpu) * 1000)
        if profiler is not None:
            profiler.disable()
        if response.status_code != 200:
            result.note = f"HTTP {response.status_code} during the run"
            break
    if profiler is not None:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "page"
        profiler.dump_stats(BENCH_DIR / f"render-{slug}.prof")
        for order in ("cumulative", "tottime"):
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order).print_stats(30)
            print(f"\n--- {name}: {order} ---\n{text.getvalue()}")
    return result


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def table(results: list[Result]) -> str:
    lines = [
        "| page | path | p50 ms | p95 ms | max ms | CPU p50 ms | queries | KB | ≤ 10 ms p50 |",
        "|---|---|--:|--:|--:|--:|--:|--:|:-:|",
    ]
    for r in results:
        p50 = r.percentile(50)
        verdict = "–" if p50 is None else ("yes" if p50 <= TARGET_MS else "**no**")
        queries = "–" if r.queries is None else str(r.queries)
        lines.append(
            f"| {r.name} | `{r.path}` | {_fmt(p50)} | {_fmt(r.percentile(95))} "
            f"| {_fmt(max(r.times) if r.times else None)} | {_fmt(r.percentile(50, cpu=True))} "
            f"| {queries} | {r.size / 1024:,.0f} "
            f"| {verdict}{' ' + r.note if r.note else ''} |"
        )
    return "\n".join(lines)


def header(args, db_url: str) -> str:
    import django

    engine = db_url.split(":", 1)[0]  # never the credentials
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (
        f"Render measurement {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — "
        f"{platform.node()}, {os.cpu_count()} CPUs (load average {load} at the end), "
        f"Python {platform.python_version()}, Django {django.get_version()}\n\n"
        f"database {engine}, --volume {args.volume}, in-process test client, DEBUG off, "
        f"--cache {args.cache}, {args.warmup} warm-up + {args.renders} timed renders per page"
        + (" (under cProfile: slower than without)" if args.profile else "")
        + "."
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    BENCH_DIR.mkdir(exist_ok=True)
    db_url = database_url(args)
    static_root = tempfile.mkdtemp(prefix="muroran-render-static-")
    try:
        configure(db_url, static_root, args.cache)
        pages = prepare(args.volume)
        if args.only:
            wanted = set(filter(None, args.only.split(",")))
            unknown = wanted - {name for name, _path in pages}
            if unknown:
                raise RenderError(
                    f"unknown page(s) {', '.join(sorted(unknown))}; choose from "
                    + ", ".join(name for name, _path in pages)
                )
            pages = [page for page in pages if page[0] in wanted]

        from django.test import Client

        client = Client(HTTP_ACCEPT_LANGUAGE="ja")
        results = []
        for name, path in pages:
            print(f"  {name:<30} {path}", flush=True)
            results.append(render_page(client, name, path, args))
    finally:
        shutil.rmtree(static_root, ignore_errors=True)

    report = header(args, db_url) + "\n\n" + table(results) + "\n"
    if not args.profile:
        (BENCH_DIR / "render.md").write_text(report, encoding="utf-8")
    print()
    print(report)
    if not args.profile:
        print(f"written to {(BENCH_DIR / 'render.md').relative_to(ROOT)}")
    p50s = [p for p in (r.percentile(50) for r in results) if p is not None]
    if p50s:
        print(
            f"p50 over {len(p50s)} pages: median {statistics.median(p50s):.1f} ms, "
            f"highest {max(p50s):.1f} ms (target ≤ {TARGET_MS:.0f} ms)"
        )
    return 1 if any(r.note for r in results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RenderError as error:
        print(f"bench-render: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench-render: interrupted.", file=sys.stderr)
        sys.exit(130)
