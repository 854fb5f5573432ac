#!/usr/bin/env python3
"""Benchmark harness: `make bench` (or `.venv/bin/python bench/run.py [options]`).

What it does, in order:

1. uses a database of its own: `.bench/bench.sqlite3`, or $BENCH_DATABASE_URL / $DATABASE_URL
   when set (PostgreSQL, as in production; the seed data is written there);
2. `migrate`, `seed_demo --volume 2000` (idempotent, so a second run is quick) and
   `collectstatic` into a temporary STATIC_ROOT;
   when a signed-in page is on the list, creates (idempotently) a partner with registrations,
   reports, requests and an upcoming shift, and a staff user with TOTP activated, and opens a
   session for each in the session store (SIGNED_IN_SETUP, run with `manage.py shell -c`
   under this run's settings and SECRET_KEY: see there what the session holds);
3. starts gunicorn with the production settings path (`gunicorn.conf.py`, DEBUG off, a random
   SECRET_KEY, 2 workers) on a free port of 127.0.0.1, and waits until it answers;
4. loads each page over loopback for a fixed time, with `wrk` when it is installed
   (`apt-get install wrk`), otherwise with a small Python client (threads + http.client);
   signed-in pages send the session cookie, and are first checked to answer 200 with the
   person's content (not a redirect to the sign-in or second-factor page): the run stops
   with an error otherwise;
5. prints a table - requests/s, p50/p90/p99 latency and the cost relative to the bare
   baseline view - and writes it to `.bench/last.md`;
6. stops gunicorn, also on Ctrl-C or an error. gunicorn's log is in `.bench/gunicorn.log`.

The baseline page `/bench/baseline/` (muroran_kyodo/bench_views.py) returns "ok" through the
full middleware stack; the harness sets BENCH_BASELINE=true so that the URL exists. "×
baseline" is baseline requests/s divided by the page's: how many bare responses one page
costs. Compare runs on the same machine only.

Signed-in pages: "mypage (partner)" is マイページ of bench-partner@example.jp (two
registrations, 30 reports, pickup/supply/loan requests, a confirmed shift on an unpublished
opportunity, so public pages and figures do not change); "admin reports changelist" is the
admin's list of all activity reports for bench-staff@example.jp, a superuser whose session
carries allauth's "mfa" authentication record, as after a TOTP code
(accounts/middleware.py, AdminSecondFactorMiddleware). Neither account has a password.
"admin applications changelist" is the admin's list of every subsidy application (the demo's and
the 2,000 volume ones at --volume 2000) for the same staff session. "adopted projects" is this
年度's public list: the demo's adopted projects (the volume applications are in the ten years
before, so that this year's budgets stay right); "adopted projects (last 年度)" is the year
before, with its share of the volume applications (30 a page).

Options: `--volume N` (synthetic organisations, default 2000), `--duration S` per page
(default 10), `--connections C` (default 8), `--threads T` (wrk threads, default 2),
`--workers W` (gunicorn, default 2), `--only home,figures` (a subset of pages), `--tool
python` (force the fallback), `--fresh` (delete the SQLite bench database first). Example:
`make bench BENCH_ARGS="--volume 10000 --duration 20"`.

Everything is bounded: a fixed list of pages, at most 120 s per page and 256 connections, and
requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
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

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
SQLITE_PATH = BENCH_DIR / "bench.sqlite3"
HOST = "127.0.0.1"
ORGANISATION = "__organisation__"  # resolved to a demo organisation's page after seeding

# The fiscal year (年度, April to March) before this one: the volume applications are there.
_TODAY = dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).date()  # Asia/Tokyo
LAST_FISCAL_YEAR = (_TODAY.year if _TODAY.month >= 4 else _TODAY.year - 1) - 1

PAGES = [
    ("baseline", "/bench/baseline/"),
    ("home", "/"),
    ("directory", "/organizations/"),
    ("directory ?type=npo", "/organizations/?type=npo"),
    ("organisation", ORGANISATION),
    ("projects", "/projects/"),
    ("guideline", "/guideline/"),
    ("figures", "/figures/"),
    ("partners programme", "/partners/pika/"),
    ("mypage (partner)", "/mypage/"),
    ("admin reports changelist", "/admin/partners/activityreport/"),
    ("adopted projects", "/subsidies/adopted/"),
    ("adopted projects (last 年度)", f"/subsidies/adopted/{LAST_FISCAL_YEAR}/"),
    ("admin applications changelist", "/admin/subsidies/application/"),
]

# Pages for a signed-in person: page name → which session (see SIGNED_IN_SETUP) loads it.
SIGNED_IN = {
    "mypage (partner)": "partner",
    "admin reports changelist": "staff",
    "admin applications changelist": "staff",
}

# Refreshes the planner statistics after the bulk seed (a production database has them), then
# prints the page of a demo organisation with members and projects (any verified one if the
# demo data was changed).
ORGANISATION_LOOKUP = (
    "from django.db import connection; connection.cursor().execute('ANALYZE'); "
    "from organizations.models import Organization as O; "
    "o = O.objects.verified().filter(name='輪西町内会').first() "
    "or O.objects.verified().order_by('pk').first(); "
    "print(o.get_absolute_url() if o else '')"
)

# Creates (idempotently) in the bench database a partner with registrations in two programmes,
# activity reports, pickup/supply/equipment requests and an upcoming shift, and a staff user
# with TOTP activated; then opens one session for each in the session store the settings name,
# as a sign-in would: Django's auth keys (hash made with this run's SECRET_KEY) and allauth's
# authentication records - for staff with the "mfa" record AdminSecondFactorMiddleware wants.
# Prints `BENCH <what> <value>` lines for the harness.
SIGNED_IN_SETUP = r"""
import datetime as dt, time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from organizations.models import District
from partners import opportunities, requests, services
from partners.models import (ActivityReport, Equipment, EquipmentLoan, Opportunity,
    PickupRequest, Registration, Shift, Signup, SupplyItem, SupplyRequest, SupplyRequestLine)

engine = settings.SESSION_ENGINE
if engine.endswith('.cache') and 'locmem' in settings.CACHES['default']['BACKEND'].lower():
    raise SystemExit(f'SESSION_ENGINE {engine} with a local-memory cache: gunicorn cannot '
                     'see sessions made here; set CACHE_URL to a shared cache.')
User = get_user_model()
now, today = timezone.now(), timezone.localdate()

def user(email, **extra):
    u = User.objects.filter(email=email).first()
    if u is None:
        u = User.objects.create_user(email, password=None, family_name='ベンチ',
            given_name='太郎', family_name_kana='ベンチ', given_name_kana='タロウ', **extra)
    EmailAddress.objects.get_or_create(user=u, email=email,
        defaults={'verified': True, 'primary': True})
    return u

staff = user('bench-staff@example.jp', is_staff=True, is_superuser=True)
totp = Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).first()
if totp is None:
    totp = TOTP.activate(staff, generate_totp_secret()).instance
partner = user('bench-partner@example.jp')
district = District.objects.order_by('sort_order', 'pk').first()

def registration(programme):
    r = (Registration.objects.filter(user=partner, programme=programme,
        organization__isnull=True).exclude(status='withdrawn').first())
    if r is None:
        r = services.registration_create(registration=Registration(programme=programme,
            kind='individual', user=partner, contact_name='ベンチ 太郎',
            contact_kana='ベンチ タロウ', contact_email=partner.email, district=district,
            agreed_terms_at=now), by=partner)
    if r.status != 'registered':
        services.registration_approve(registration=r, by=staff)
    return r

pika = registration('pika')
for n in range(ActivityReport.objects.filter(registration=pika).count(), 30):
    ActivityReport.objects.create(registration=pika, activity_date=today - dt.timedelta(days=7 * n),
        participants=1 + n % 5, burnable_bags=n % 4, non_burnable_bags=n % 2, created_by=partner)
if not PickupRequest.objects.filter(registration=pika).exists():
    requests.request_create(request=PickupRequest(registration=pika, district=district,
        location='ベンチ公園の入口', burnable_bags=3, non_burnable_bags=1,
        available_from=now), by=partner)
item = SupplyItem.objects.filter(is_active=True).first()
if item and not SupplyRequest.objects.filter(registration=pika).exists():
    requests.request_create(request=SupplyRequest(registration=pika),
        lines=[SupplyRequestLine(item=item, quantity=1)], by=partner)
equipment = Equipment.objects.filter(is_active=True).order_by('pk').last()
if equipment and not EquipmentLoan.objects.filter(registration=pika).exists():
    try:
        requests.request_create(request=EquipmentLoan(registration=pika, equipment=equipment,
            lend_on=today + dt.timedelta(days=300), return_by=today + dt.timedelta(days=301)),
            by=partner)
    except ValidationError as error:
        print('BENCH note: no equipment loan:', error)

# An upcoming shift, on an unpublished opportunity so that public pages and figures are unchanged.
magokoro = registration('magokoro')
opportunity = Opportunity.objects.filter(title='ベンチマーク用の作業').first()
if opportunity is None:
    opportunity = Opportunity.objects.create(programme='magokoro', title='ベンチマーク用の作業',
        department='地域生活課', description='ベンチマーク用', place='市役所',
        signup_deadline=now, is_published=False)
shift = Shift.objects.filter(opportunity=opportunity, ends_at__gte=now + dt.timedelta(days=7)).first()
if shift is None:
    starts = now + dt.timedelta(days=60)
    shift = Shift.objects.create(opportunity=opportunity, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3), slots=5)
if not Signup.objects.filter(shift=shift, registration=magokoro).exclude(status='cancelled').exists():
    Signup.objects.create(shift=shift, registration=magokoro, status='confirmed')

Store = import_module(engine).SessionStore
Store.clear_expired()

def session(u, mfa):
    s = Store()
    s[SESSION_KEY] = u._meta.pk.value_to_string(u)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = u.get_session_auth_hash()
    records = [{'method': 'password', 'at': time.time(), 'email': u.email}]
    if mfa:
        records.append({'method': 'mfa', 'at': time.time(), 'id': totp.pk, 'type': 'totp'})
    s[AUTHENTICATION_METHODS_SESSION_KEY] = records
    s['account_authentication_methods_user'] = str(u.pk)
    s.create()
    return s.session_key

print('BENCH cookie', settings.SESSION_COOKIE_NAME)
print('BENCH session partner', session(partner, mfa=False))
print('BENCH session staff', session(staff, mfa=True))
print('BENCH expect partner', pika.get_absolute_url(), magokoro.get_absolute_url(), shift.opportunity.title)
print('BENCH expect staff', 'id="result_list"', f'/admin/partners/activityreport/')
"""

MAX_DURATION = 120
MAX_CONNECTIONS = 256
MAX_FALLBACK_REQUESTS = 500_000


@dataclass
class Session:
    """A signed-in person's session cookie, and text their page must contain."""

    cookie: str
    expect: list[str]


@dataclass
class Result:
    name: str
    path: str
    rps: float | None = None
    p50: float | None = None
    p90: float | None = None
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
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    BENCH_DIR.mkdir(exist_ok=True)
    if args.fresh and SQLITE_PATH.exists():
        SQLITE_PATH.unlink()
    return f"sqlite:///{SQLITE_PATH}"


def bench_env(*, db_url: str, static_root: str, port: int, workers: int) -> dict[str, str]:
    """Production-like settings from the environment, as a deployment would set them."""
    env = os.environ.copy()
    env.update(
        DATABASE_URL=db_url,
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


def read_sessions(output: str) -> dict[str, Session]:
    """The `BENCH …` lines printed by SIGNED_IN_SETUP → a Session per person."""
    cookie_name, keys, expect = "", {}, {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[0] != "BENCH":
            continue
        if parts[1] == "cookie":
            cookie_name = parts[2]
        elif parts[1] == "session" and len(parts) == 4:
            keys[parts[2]] = parts[3]
        elif parts[1] == "expect":
            expect[parts[2]] = parts[3:]
    sessions = {
        who: Session(f"{cookie_name}={key}", expect.get(who, [])) for who, key in keys.items()
    }
    if not cookie_name or set(sessions) != set(SIGNED_IN.values()):
        raise BenchError(f"the sign-in set-up printed no sessions:\n{output[-3000:]}")
    return sessions


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
    for percent, attr in (("50", "p50"), ("90", "p90"), ("99", "p99")):
        match = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M)
        if match:
            setattr(result, attr, _ms(match.group(1)))
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
        result.p50, result.p90, result.p99 = (percentile(latencies, p) for p in (50, 90, 99))
    return result


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, round(p / 100 * len(sorted_values) + 0.5))
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
            "(see SIGNED_IN_SETUP and accounts/middleware.py)."
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
    baseline = next((r.rps for r in results if r.name == "baseline" and r.rps), None)
    lines = [
        "| page | path | req/s | p50 ms | p90 ms | p99 ms | × baseline | errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        ratio = f"{baseline / r.rps:.1f}" if baseline and r.rps else "–"
        errors = str(r.errors) + (f" {r.note}" if r.note else "")
        lines.append(
            f"| {r.name} | `{r.path}` | {_fmt(r.rps, 0)} | {_fmt(r.p50)} | {_fmt(r.p90)} "
            f"| {_fmt(r.p99)} | {ratio} | {errors} |"
        )
    return "\n".join(lines)


def header(args, tool, db_url) -> str:
    engine = db_url.split(":", 1)[0]  # never the credentials
    # A busy machine gives slow numbers: the load average says whether to trust this run.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (
        f"Benchmark {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — {platform.node()}, "
        f"{os.cpu_count()} CPUs (load average {load} at the end), "
        f"Python {platform.python_version()}\n\n"
        f"database {engine}, --volume {args.volume}, gunicorn {args.workers} sync workers, "
        f"{tool} with {args.connections} connections for {args.duration} s per page, DEBUG off."
    )


# --- main ------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=20, help="requests per page before measuring")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--fresh", action="store_true", help="delete the SQLite bench database first"
    )
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
    names = {name for name, _path in PAGES}
    unknown = set(filter(None, args.only.split(","))) - names
    if unknown:
        parser.error(
            f"unknown page(s) {', '.join(sorted(unknown))}; choose from {', '.join(names)}"
        )
    return args


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    elif tool == "wrk" and not shutil.which("wrk"):
        raise BenchError("wrk is not installed (apt-get install wrk); use --tool python")
    if tool == "python":
        print("wrk not found: using the Python client (install wrk for sharper numbers).")

    BENCH_DIR.mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, _terminate)
    db_url = database_url(args)
    static_root = tempfile.mkdtemp(prefix="muroran-bench-static-")
    port = free_port()
    env = bench_env(db_url=db_url, static_root=static_root, port=port, workers=args.workers)
    server = None
    try:
        with open(BENCH_DIR / "setup.log", "w") as log:
            manage(env, "migrate", "--noinput", log=log)
            print(manage(env, "seed_demo", "--volume", str(args.volume), log=log).strip())
            manage(env, "collectstatic", "--noinput", "-v0", log=log)
            lookup = manage(
                env,
                "shell",
                "-v",
                "0",
                "-c",
                ORGANISATION_LOOKUP,
                log=log,
                label="shell -c (ANALYZE; find an organisation page)",
            )
            organisation = (lookup.strip().splitlines() or [""])[-1].strip()
            pages = [(n, organisation if p == ORGANISATION else p) for n, p in PAGES]
            if args.only:
                wanted = set(args.only.split(","))
                pages = [(n, p) for n, p in pages if n in wanted or n == "baseline"]
            sessions = {}
            if any(n in SIGNED_IN for n, _p in pages):
                sessions = read_sessions(
                    manage(
                        env,
                        "shell",
                        "-v",
                        "0",
                        "-c",
                        SIGNED_IN_SETUP,
                        log=log,
                        label="shell -c (bench partner and staff with TOTP; their sessions)",
                    )
                )

        print(f"starting gunicorn on {HOST}:{port} ({args.workers} workers)", flush=True)
        server = Server(env, port, BENCH_DIR / "gunicorn.log")
        server.wait_until_up()

        results = []
        for name, path in pages:
            if not path:
                results.append(Result(name, "?", note="no verified organisation"))
                continue
            print(f"  {name:<22} {path}", flush=True)
            session = sessions[SIGNED_IN[name]] if name in SIGNED_IN else None
            results.append(measure(port, name, path, args, tool, session))
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
