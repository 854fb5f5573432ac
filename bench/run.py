#!/usr/bin/env python3
"""Benchmark harness: `make bench` (or `.venv/bin/python bench/run.py [options]`), and the
capacity run `make capacity` (`--capacity`).

What it does, in order:

1. uses a database of its own, as production runs: PostgreSQL `muroran_bench` on
   127.0.0.1:5432 as user postgres ($BENCH_DATABASE_URL to point elsewhere; created when
   missing; the server is started as `.ci/run` starts it when nothing answers there), or with
   `--sqlite` the file `.bench/bench.sqlite3`. Never $DATABASE_URL: the volume data must not
   land in a development database;
2. uses Redis as the shared cache (CACHE_URL) with a database number of its own,
   redis://127.0.0.1:6379/13 ($BENCH_CACHE_URL to change it), emptied at the start of every run
   so that rate-limit counters and cached pages of an earlier run do not count (Redis is
   started as `.ci/run` starts it when nothing answers);
3. `migrate`, `seed_demo --volume 2000` (bulk-created in batches, idempotent: a second run adds
   nothing and takes seconds): 10,000 partner registrations, 100,000 activity reports, 2,000
   subsidy applications, 2,000 organisations and each later app's volume data (パブコメ cases
   with 200 opinions each, enとーく sessions, まちづくり協議会 councils); `collectstatic` into a
   temporary STATIC_ROOT, and `manage.py bench_setup`: the pages come from the apps, each
   declaring its own in `<app>/bench.py`, listed in `muroran_kyodo/registry.py` (BENCH_PAGES);
   the command also prepares the bench resident's data and opens a session for the resident
   and for a staff member with TOTP (and, for the capacity run, for many residents);
4. starts gunicorn with the production settings path (`gunicorn.conf.py`, DEBUG off, a random
   SECRET_KEY, 2 × CPUs + 1 sync workers as gunicorn.conf.py's default) on a free port of
   127.0.0.1, and waits until it answers;
5. loads each page over loopback for a fixed time, with `wrk` when it is installed
   (`apt-get install wrk`; bench/percentiles.lua adds p95), otherwise with a small Python
   client (threads + http.client); signed-in pages send the session cookie, and are first
   checked to answer 200 with the person's content (not a redirect to the sign-in or
   second-factor page): the run stops with an error otherwise;
6. prints a table - requests/s, p50/p95/p99 latency and the ratio to the bare baseline view -
   and writes it to `.bench/last.md`;
7. stops gunicorn, also on Ctrl-C or an error. gunicorn's log is in `.bench/gunicorn.log`.

The baseline page `/bench/baseline/` (muroran_kyodo/bench_views.py) returns "ok" through the
full middleware stack; the harness sets BENCH_BASELINE=true so that the URL exists. "ratio"
is the page's requests/s divided by the baseline's (1.0 = as fast as a bare response; the
issue's targets, e.g. ≥ 0.6 for public pages, are in this unit). Compare runs on the same
machine only.

Signed-in pages are loaded with the session cookie of the bench resident or of the bench
superuser whose session carries allauth's "mfa" record, as after a TOTP code
(accounts/middleware.py); what each page holds is said in the app's bench.py.

The capacity run (`--capacity`, bench/capacity.py and bench/locustfile.py) replaces step 5:
locust, headless, loads a mix like real use and adds users step by step until p95 passes
200 ms; it writes `.bench/capacity.md`. See bench/capacity.py.

Options: `--sqlite`, `--volume N` (default 2000), `--duration S` per page (default 10),
`--connections C` (default 8), `--threads T` (wrk threads, default 2), `--workers W`
(gunicorn, default 2 × CPUs + 1), `--only home,figures` (a subset of pages), `--tool python`
(force the fallback), `--fresh` (empty the bench database first: the SQLite file, or the
PostgreSQL database dropped and created again). Capacity: `--capacity`, `--step-users`,
`--step-seconds`, `--max-users`, `--p95-limit`, `--residents`. Example:
`make bench BENCH_ARGS="--duration 20 --only home,directory"`.

Everything is bounded: a fixed list of pages, at most 120 s per page and 256 connections, a
capacity run of at most 40 steps of at most 120 s and 2,000 users, and requests go to 127.0.0.1
only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
SQLITE_PATH = BENCH_DIR / "bench.sqlite3"
SETUP_JSON = BENCH_DIR / "setup.json"
HOST = "127.0.0.1"
BASELINE = ("baseline", "/bench/baseline/")
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/muroran_bench"
REDIS_URL = "redis://127.0.0.1:6379/13"
PERCENTILES = (50, 95, 99)


MAX_DURATION = 120
MAX_CONNECTIONS = 256
MAX_FALLBACK_REQUESTS = 500_000


@dataclass
class Session:
    """A signed-in person's session cookie, and text their page must contain."""

    cookie: str
    expect: list[str]


@dataclass
class Page:
    name: str
    path: str
    session: Session | None = None


@dataclass
class Result:
    name: str
    path: str
    rps: float | None = None
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    requests: int = 0
    errors: int = 0
    note: str = ""


class BenchError(Exception):
    pass


# --- set-up ----------------------------------------------------------------------------------


def executable(name: str) -> str:
    candidate = ROOT / ".venv" / "bin" / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BenchError(f"{name} not found: run `make install` first.")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def database_url(args) -> str:
    """PostgreSQL (as production) unless --sqlite; never $DATABASE_URL (see the docstring)."""
    if args.sqlite:
        BENCH_DIR.mkdir(exist_ok=True)
        if args.fresh and SQLITE_PATH.exists():
            SQLITE_PATH.unlink()
        return f"sqlite:///{SQLITE_PATH}"
    return os.environ.get("BENCH_DATABASE_URL") or POSTGRES_URL


def cache_url() -> str:
    return os.environ.get("BENCH_CACHE_URL") or REDIS_URL


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def wait_for(host: str, port: int, what: str, seconds: int = 30) -> None:
    for _ in range(seconds * 5):
        if answers(host, port):
            return
        time.sleep(0.2)
    raise BenchError(f"{what} does not answer on {host}:{port}")


def start_postgres(url: str) -> None:
    """Started as `.ci/run` starts it (Debian's cluster tools), on loopback only."""
    parts = urlsplit(url)
    host, port = parts.hostname or HOST, parts.port or 5432
    if answers(host, port):
        return
    clusters = sorted(Path("/etc/postgresql").glob("*")) if host == HOST else []
    if not clusters or not shutil.which("pg_ctlcluster"):
        raise BenchError(
            f"PostgreSQL does not answer on {host}:{port}: start it, set BENCH_DATABASE_URL, "
            "or run with --sqlite."
        )
    print(f"starting PostgreSQL {clusters[0].name} (as .ci/run does)", flush=True)
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", clusters[0].name, "main", "start"],
        check=True,
        timeout=60,
    )
    wait_for(host, port, "PostgreSQL")


def prepare_postgres(url: str, *, fresh: bool) -> None:
    """The bench database exists (created when missing; dropped first with --fresh)."""
    import psycopg  # the project's PostgreSQL driver, in the venv that runs this script
    from psycopg import sql

    start_postgres(url)
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise BenchError(f"bench database name {name!r}: letters, digits and _ only")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and fresh:
            print(f"dropping the bench database {name} (--fresh)", flush=True)
            connection.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            exists = None
        if not exists:
            print(f"creating the bench database {name}", flush=True)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare_redis(url: str) -> None:
    """Redis answers (started as `.ci/run` starts it when it is the local default), and the
    bench's own database number is emptied: no counter or cached page of an earlier run."""
    import redis

    parts = urlsplit(url)
    host, port = parts.hostname or HOST, parts.port or 6379
    if not answers(host, port):
        if host != HOST or not shutil.which("redis-server"):
            raise BenchError(
                f"Redis does not answer on {host}:{port}: start it or set BENCH_CACHE_URL"
            )
        print("starting Redis (as .ci/run does)", flush=True)
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                HOST,
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
            timeout=30,
        )
        wait_for(host, port, "Redis")
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def bench_env(
    *, db_url: str, cache: str, static_root: str, port: int, workers: int
) -> dict[str, str]:
    """Production-like settings from the environment, as a deployment would set them."""
    env = os.environ.copy()
    env.update(
        DATABASE_URL=db_url,
        CACHE_URL=cache,
        EMAIL_URL="dummymail://",  # the capacity run's opinions send receipts: dropped here
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters, new on every run
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=static_root,
        MEDIA_ROOT=str(BENCH_DIR / "media"),  # the demo's uploaded documents stay in .bench/
        BENCH_BASELINE="true",
        GUNICORN_BIND=f"{HOST}:{port}",
        GUNICORN_WORKERS=str(workers),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env, *args, log, label: str = "") -> str:
    command = [executable("python"), "manage.py", *args]
    print(f"$ manage.py {label or ' '.join(args)}", flush=True)
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    log.write(f"$ {' '.join(command)}\n{done.stdout}{done.stderr}\n")
    log.flush()
    if done.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        )
    return done.stdout


# --- gunicorn --------------------------------------------------------------------------------


class Server:
    """gunicorn in its own process group, so that stopping it also stops its workers."""

    def __init__(self, env, port: int, log_path: Path):
        self.port = port
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [executable("gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"gunicorn exited with {self.process.returncode}; see {self.log.name}"
                )
            try:
                get(self.port, "/", timeout=2)
            except OSError:
                time.sleep(0.2)
                continue
            return  # any answer, even an error page, means Django is loaded
        raise BenchError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.log.close()


def request_headers(session: Session | None = None) -> dict[str, str]:
    headers = {"Accept-Language": "ja"}
    if session is not None:
        headers["Cookie"] = session.cookie
    return headers


def get(
    port: int, path: str, timeout: float = 10, session: Session | None = None
) -> tuple[int, bytes, str]:
    """One GET: status, body and the Location header (for redirects)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=request_headers(session))
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Location") or ""
    finally:
        connection.close()


def read_pages(data: dict) -> list[Page]:
    """bench_setup's data → the pages to load, the bare view first."""
    cookies = {who: f"{data['cookie']}={key}" for who, key in data["sessions"].items()}
    pages = [Page(*BASELINE)]
    for page in data["pages"]:
        session = None
        if page["who"]:
            session = Session(cookies[page["who"]], list(page["expect"]))
        pages.append(Page(page["name"], page["path"], session))
    return pages


# --- load ------------------------------------------------------------------------------------

_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise BenchError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * _WRK_UNITS[match.group(2)]


def parse_wrk(output: str, result: Result) -> Result:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if not rps:
        raise BenchError(f"cannot read wrk output:\n{output}")
    result.rps = float(rps.group(1))
    # bench/percentiles.lua prints every percentile in microseconds; wrk's own --latency
    # table (50/75/90/99) is the fallback for a run without the script.
    for percent in PERCENTILES:
        exact = re.search(rf"^PERCENTILE {percent} (\d+)$", output, re.M)
        listed = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M)
        if exact:
            setattr(result, f"p{percent}", int(exact.group(1)) / 1000)
        elif listed:
            setattr(result, f"p{percent}", _ms(listed.group(1)))
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    result.requests = int(total.group(1)) if total else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result.errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0
    )
    return result


def load_wrk(port, result: Result, args, session: Session | None = None) -> Result:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "percentiles.lua"),
        *(
            arg
            for name, value in request_headers(session).items()
            for arg in ("-H", f"{name}: {value}")
        ),
        f"http://{HOST}:{port}{result.path}",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"wrk failed: {done.stderr or done.stdout}")
    return parse_wrk(done.stdout, result)


def load_python(port, result: Result, args, session: Session | None = None) -> Result:
    """Fixed-duration closed loop: each thread sends one request after another. Slower than
    wrk (the client shares one GIL), so fast pages are under-reported; the ratios still help."""
    deadline = time.monotonic() + args.duration
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_thread = MAX_FALLBACK_REQUESTS // args.connections
    headers = request_headers(session)

    def worker():
        mine, failed = [], 0
        connection = None
        while time.monotonic() < deadline and len(mine) < per_thread:
            if connection is None:
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
            start = time.perf_counter()
            try:
                connection.request("GET", result.path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = None
                continue
            mine.append((time.perf_counter() - start) * 1000)
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 30)
    elapsed = time.monotonic() - started
    latencies.sort()
    result.requests, result.errors = len(latencies), errors[0]
    if latencies:
        result.rps = len(latencies) / elapsed
        for p in PERCENTILES:
            setattr(result, f"p{p}", percentile(latencies, p))
    return result


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def check_signed_in(port, name, path, session: Session) -> None:
    """The page answers 200 with the person's content, not a redirect to a sign-in or second-
    factor page: otherwise the numbers would measure the redirect. Stops the run."""
    status, body, location = get(port, path, session=session)
    if status != 200:
        raise BenchError(
            f"{name}: {path} answered HTTP {status}"
            + (f" → {location}" if location else "")
            + " with the bench session; the sign-in set-up does not match the settings "
            "(see muroran_kyodo/management/commands/bench_setup.py and accounts/middleware.py)."
        )
    text = body.decode("utf-8", "replace")
    missing = [token for token in session.expect if token not in text]
    if missing:
        raise BenchError(f"{name}: {path} answered 200 without {', '.join(missing)}")


def measure(port, name, path, args, tool, session: Session | None = None) -> Result:
    result = Result(name, path)
    if session is not None:
        check_signed_in(port, name, path, session)
    status, _body, _location = get(port, path, session=session)
    if status != 200:
        result.note = f"HTTP {status}"
        if name == "baseline" and status == 404:
            result.note += " (route /bench/baseline/ missing: see muroran_kyodo/bench_views.py)"
        return result
    for _ in range(args.warmup):  # templates compiled and connections opened in each worker
        get(port, path, session=session)
    loader = load_wrk if tool == "wrk" else load_python
    return loader(port, result, args, session)


# --- report ----------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(results: list[Result]) -> str:
    """Ratio: the page's requests/s over the bare view's (1.00 = as fast as a bare response)."""
    # The bare view is measured first and again last; the ratio is to their mean, so that a
    # machine that drifted during the run shows as two different baselines, not as the pages.
    measured = [r.rps for r in results if r.name.startswith(BASELINE[0]) and r.rps]
    baseline = sum(measured) / len(measured) if measured else None
    lines = [
        "| page | path | req/s | ratio to bare view | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        ratio = f"{r.rps / baseline:.2f}" if baseline and r.rps else "–"
        errors = str(r.errors) + (f" {r.note}" if r.note else "")
        lines.append(
            f"| {r.name} | `{r.path}` | {_fmt(r.rps, 0)} | {ratio} | {_fmt(r.p50)} "
            f"| {_fmt(r.p95)} | {_fmt(r.p99)} | {errors} |"
        )
    return "\n".join(lines)


def header(args, tool, db_url) -> str:
    engine = db_url.split(":", 1)[0]  # never the credentials
    engine += f" + Redis cache (db {urlsplit(cache_url()).path.lstrip('/') or '0'})"
    # A busy machine gives slow numbers: the load average says whether to trust this run.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (
        f"Benchmark {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — {platform.node()}, "
        f"{os.cpu_count()} CPUs (load average {load} at the end), "
        f"Python {platform.python_version()}\n\n"
        f"database {engine}, --volume {args.volume}, gunicorn {args.workers} sync workers, "
        + (
            "DEBUG off."
            if tool == "locust"
            else f"{tool} with {args.connections} connections for {args.duration} s per page, "
            "DEBUG off."
        )
    )


# --- main ------------------------------------------------------------------------------------


def parse_args(argv):
    from capacity import add_arguments, check_arguments  # bench/capacity.py

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--volume", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--warmup", type=int, default=20, help="requests per page before measuring")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--fresh", action="store_true", help="empty the bench database first (SQLite or PostgreSQL)"
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be between 1 and {MAX_DURATION}")
    if not 1 <= args.connections <= MAX_CONNECTIONS:
        parser.error(f"--connections must be between 1 and {MAX_CONNECTIONS}")
    if not 1 <= args.threads <= args.connections:
        parser.error("--threads must be between 1 and --connections")
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be between 1 and 64")
    if not 0 <= args.volume <= 99_999:
        parser.error("--volume must be between 0 and 99999")
    check_arguments(parser, args)
    return args


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def setup(env, args) -> dict:
    """migrate, seed, collectstatic, bench_setup: the `BENCH {json}` data, also kept in
    .bench/setup.json (session keys of the bench database's people: for the capacity run)."""
    with open(BENCH_DIR / "setup.log", "w") as log:
        manage(env, "migrate", "--noinput", log=log)
        started = time.monotonic()
        print(manage(env, "seed_demo", "--volume", str(args.volume), log=log).strip())
        print(f"seed_demo took {time.monotonic() - started:.0f} s", flush=True)
        manage(env, "collectstatic", "--noinput", "-v0", log=log)
        extra = ["--residents", str(args.residents)] if args.capacity else []
        output = manage(
            env,
            "bench_setup",
            *extra,
            log=log,
            label="bench_setup (ANALYZE; the apps' pages; bench people and sessions)",
        )
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), "")
    if not line:
        raise BenchError(f"manage.py bench_setup printed no pages:\n{output[-3000:]}")
    SETUP_JSON.write_text(line[len("BENCH ") :], encoding="utf-8")
    SETUP_JSON.chmod(0o600)
    return json.loads(line[len("BENCH ") :])


def main(argv=None) -> int:
    args = parse_args(argv)
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    elif tool == "wrk" and not shutil.which("wrk"):
        raise BenchError("wrk is not installed (apt-get install wrk); use --tool python")
    if tool == "python" and not args.capacity:
        print("wrk not found: using the Python client (install wrk for sharper numbers).")

    BENCH_DIR.mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, _terminate)
    db_url = database_url(args)
    if not args.sqlite:
        prepare_postgres(db_url, fresh=args.fresh)
    prepare_redis(cache_url())
    static_root = tempfile.mkdtemp(prefix="muroran-bench-static-")
    port = free_port()
    env = bench_env(
        db_url=db_url, cache=cache_url(), static_root=static_root, port=port, workers=args.workers
    )
    if args.capacity:
        # As behind the production proxy: one trusted proxy's X-Forwarded-For is the client's
        # address. Locust sends a distinct address for each simulated visitor, so that the
        # per-address rate limits count each visitor, not the whole crowd as one (loopback).
        env["TRUSTED_PROXY_COUNT"] = "1"
    server = None
    try:
        data = setup(env, args)
        pages = read_pages(data)
        if args.only:
            wanted = set(filter(None, args.only.split(",")))
            unknown = wanted - {page.name for page in pages}
            if unknown:
                raise BenchError(
                    f"unknown page(s) {', '.join(sorted(unknown))}; choose from "
                    + ", ".join(page.name for page in pages)
                )
            pages = [p for p in pages if p.name in wanted or p.name == BASELINE[0]]

        print(f"starting gunicorn on {HOST}:{port} ({args.workers} workers)", flush=True)
        server = Server(env, port, BENCH_DIR / "gunicorn.log")
        server.wait_until_up()
        for page in pages:
            if page.session is not None:
                check_signed_in(port, page.name, page.path, page.session)

        if args.capacity:
            from capacity import run_capacity

            report = run_capacity(
                args, port=port, setup_json=SETUP_JSON, header=header(args, "locust", db_url)
            )
            (BENCH_DIR / "capacity.md").write_text(report.text, encoding="utf-8")
            print()
            print(report.text)
            print(f"written to {(BENCH_DIR / 'capacity.md').relative_to(ROOT)}")
            # A run that measured is a success, even when no step held (a busy machine); one
            # whose first step already had errors (a page or the form broken) is not.
            return 1 if report.broken else 0

        results = []
        for page in pages:
            print(f"  {page.name:<26} {page.path}", flush=True)
            results.append(measure(port, page.name, page.path, args, tool, page.session))
        again = f"{BASELINE[0]} (again, last)"
        print(f"  {again:<26} {BASELINE[1]}", flush=True)
        results.append(measure(port, again, BASELINE[1], args, tool, None))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(static_root, ignore_errors=True)

    report = header(args, tool, db_url) + "\n\n" + table(results) + "\n"
    (BENCH_DIR / "last.md").write_text(report, encoding="utf-8")
    print()
    print(report)
    print(f"written to {(BENCH_DIR / 'last.md').relative_to(ROOT)}")
    failed = [r for r in results if r.rps is None and r.name != "baseline"]
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench: interrupted, gunicorn stopped.", file=sys.stderr)
        sys.exit(130)
