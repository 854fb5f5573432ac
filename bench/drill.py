#!/usr/bin/env python3
"""Reliability drill: `make drill` (long: 1,000 people for 10 minutes) and `make drill-short` (CI:
the same mix for 2 minutes), or `.venv/bin/python bench/drill.py [--short] [--phases a,b]`.

Everything runs on this machine over loopback, as production runs (gunicorn with the
production settings path, DEBUG off, PostgreSQL, Redis as the shared cache), on servers the
drill owns so that it may stop them:

- a scratch PostgreSQL cluster (initdb in a temporary directory, as the `postgres` user when
  run as root, on a free port), stopped with `pg_ctl stop -m immediate` for the outage;
- a Redis child process on a free port, without persistence;
- an SMTP sink (bench/drill_lib.py) recording every message;
- MEDIA_ROOT on a small tmpfs when `mount` is allowed (root), to fill it or make it read-only.

Set-up: migrate, `seed_demo --volume N`, collectstatic, `manage.py drill_setup` (residents with
sessions and まごころ registrations, the race's shift, the budget race's programme, clerks with
the second factor). Then the phases, each of which may be run alone (`--phases pg,redis`) and
turns any error of its own into a failed row, never a stopped drill:

- load: locust (bench/drill_locustfile.py), headless, people with think times; error rate,
  throughput, p50/p95/p99 per request kind; each acknowledged submission looked up in the
  database (`manage.py drill_check`): present exactly once, counts equal;
- race: every resident posts a sign-up for the 20-place shift at once; exactly 20 confirmed,
  the others told the shift is full;
- budget: the clerks adopt applications at once whose sum is more than the budget; the sum
  decided stays within it, the others told why;
- clerks: two clerks accept one application at once; one success, one message, one history row;
- pg: PostgreSQL stopped (immediate) for 20 s under light load: errors only during the outage,
  a Japanese 503 page, the first 200 within 5 s of the restart, no worker stuck, every
  acknowledged write present, nothing half-written;
- worker: a gunicorn worker killed (SIGKILL) during requests: replaced, acknowledged writes kept;
- redis: Redis stopped: public pages served, sign-in refused (fails closed), an opinion accepted
  (fails open), /health/ says the cache is down; Redis started again;
- media: MEDIA_ROOT full, then read-only, during a photo upload: a clear message, no record
  pointing at a missing file;
- smtp: the SMTP sink stopped when a sign-up sends mail: the sign-up commits; the sink started,
  `manage.py send_outbox` run twice: the mail arrived exactly once;
- health: `GET /health/` with everything up: 200, "ok", each check named.

The table (one, markdown) is printed and written to `.drill/last.md`; the exit code is 1 when a
row failed. Logs in `.drill/` (gunicorn.log, locust.log, setup.log, postgres.log).
Bounded: at most 2,000 people, 15 minutes of load, 5,000 racing requests."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402 - bench/run.py: gunicorn, the production environment
from capacity import hidden_fields  # noqa: E402
from drill_lib import (
    FAIL,
    PASS,
    SKIPPED,
    Row,
    SmtpSink,
    compare,
    failed,
    multipart,
    png_photo,
    render,
)  # noqa: E402
from drill_lib import to as mail_to  # noqa: E402
from drill_lib import verdict as ok_or_fail  # noqa: E402

ROOT = bench.ROOT
DRILL_DIR = ROOT / ".drill"
HOST = bench.HOST
PHASES = (
    "load", "race", "budget", "clerks", "pg", "worker", "redis", "media", "smtp", "backup",
    "retention", "health",
)  # fmt: skip
PROFILES = {
    "long": {"users": 1000, "seconds": 600, "spawn": 20},
    "short": {"users": 1000, "seconds": 120, "spawn": 50},
}
JST = dt.timezone(dt.timedelta(hours=9))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SIGNED_UP = "この日程に申し込みました。"
FULL = "この日程は定員に達しています。"
BUDGET_SHORT = "この補助金の予算の残額は"
OUTAGE_SECONDS = 20
RECOVERY_LIMIT = 5.0


class DrillError(Exception):
    pass


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- servers the drill owns ------------------------------------------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and the server refuse root: run them as `postgres` when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Postgres:
    """A scratch cluster in a temporary directory, on a port of its own."""

    def __init__(self, port: int):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            raise DrillError("PostgreSQL's initdb not found (/usr/lib/postgresql/*/bin)")
        self.bin = found[-1].parent
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="muroran-drill-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.log = DRILL_DIR / "postgres.log"
        self.url = f"postgres://postgres@{HOST}:{port}/drill"
        subprocess.run(
            _as_postgres(
                [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
                + ["-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.started = False

    def pg_ctl(self, *args: str, timeout: int = 60) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), *args]),
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} -c max_connections=300"
        logfile = self.dir / "server.log"
        self.pg_ctl("-o", options, "-l", str(logfile), "-w", "start")
        self.started = True

    def stop(self, mode: str = "fast") -> None:
        if self.started:
            self.pg_ctl("-m", mode, "-w", "stop")
            self.started = False

    def cleanup(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        with contextlib.suppress(OSError):
            shutil.copy(self.dir / "server.log", self.log)
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://{HOST}:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if not exe:
            raise DrillError("redis-server not found")
        self.process = subprocess.Popen(
            [exe, "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no"]
            + ["--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        bench.wait_for(HOST, self.port, "Redis", seconds=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


class Media:
    """MEDIA_ROOT on a tmpfs of `size` when mount works (root); otherwise a plain directory,
    and the media phase is skipped."""

    def __init__(self, size: str = "32m"):
        self.path = Path(tempfile.mkdtemp(prefix="muroran-drill-media-"))
        self.mounted = False
        self.reason = ""
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(self.path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            self.mounted = True
        else:
            self.reason = (done.stderr or done.stdout).strip() or f"mount exit {done.returncode}"

    def remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.path)], check=True)

    def cleanup(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False)
        shutil.rmtree(self.path, ignore_errors=True)


# --- a browser of our own -------------------------------------------------------------------


class Browser:
    """One person: an address of their own (X-Forwarded-For, trusted as from one proxy), their
    cookies kept by hand (the production cookies are Secure; the drill speaks plain HTTP)."""

    def __init__(self, port: int, address: str, cookies: dict[str, str] | None = None):
        self.port, self.address = port, address
        self.cookies = dict(cookies or {})

    def go(self, method, path, data=None, *, body=None, content_type=None, timeout=30.0):
        headers = {"Accept-Language": "ja", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            body = urlencode(data).encode()
            content_type = "application/x-www-form-urlencoded"
        if content_type:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for line in response.headers.get_all("Set-Cookie") or []:
                name, _, value = line.split(";", 1)[0].partition("=")
                if "Max-Age=0" in line or "expires=Thu, 01 Jan 1970" in line:
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value.strip('"')
            return response.status, text, response.getheader("Location") or ""
        finally:
            connection.close()

    def csrf(self, path: str) -> tuple[int, str, list[tuple[str, str]]]:
        status, text, _ = self.go("GET", path)
        token = [p for p in hidden_fields(text) if p[0] == "csrfmiddlewaretoken"][:1]
        return status, text, token


def _address(n: int, block: int = 20) -> str:
    return f"10.{block}.{n // 256 % 256}.{n % 256}"


# --- the drill -------------------------------------------------------------------------------


class Drill:
    def __init__(self, args):
        self.args = args
        self.profile = dict(PROFILES["short" if args.short else "long"])
        if args.users:
            self.profile["users"] = args.users
        if args.seconds:
            self.profile["seconds"] = args.seconds
        self.rows: list[Row] = []
        self.latencies: list[dict] = []
        self.pg: Postgres | None = None
        self.redis: Redis | None = None
        self.media: Media | None = None
        self.sink = SmtpSink()
        self.server: bench.Server | None = None
        self.static_root = tempfile.mkdtemp(prefix="muroran-drill-static-")
        self.setup: dict = {}
        self.health_seen: dict[str, str] = {}
        self.resident_next = 0

    # rows
    def row(self, section, check, value, verdict, note=""):
        self.rows.append(Row(section, check, str(value), verdict, note))
        log(f"{verdict:<7} {section}: {check} = {value} {note}")

    def phase(self, name, function) -> None:
        log(f"--- phase {name}")
        try:
            function()
        except Exception as error:  # one phase's failure is one row, the drill goes on
            self.row(name, "phase ran", type(error).__name__, FAIL, str(error)[:300])

    # set-up
    def start(self) -> None:
        DRILL_DIR.mkdir(exist_ok=True)
        self.pg = Postgres(bench.free_port())
        self.pg.start()
        self.redis = Redis(bench.free_port())
        self.redis.start()
        self.media = Media()
        self.sink.start()
        import psycopg

        with psycopg.connect(
            self.pg.url.replace("/drill", "/postgres").replace("postgres://", "postgresql://"),
            autocommit=True,
        ) as connection:
            connection.execute("CREATE DATABASE drill")
        self.port = bench.free_port()
        env = bench.bench_env(
            db_url=self.pg.url,
            cache=self.redis.url,
            static_root=self.static_root,
            port=self.port,
            workers=self.args.workers,
        )
        env.update(
            EMAIL_URL=f"smtp://{HOST}:{self.sink.port}",
            MEDIA_ROOT=str(self.media.path),
            TRUSTED_PROXY_COUNT="1",
            # The outbox retries a failed e-mail after this backoff: a second, not a minute, so
            # that send_outbox finds it due right after the SMTP sink is back.
            MAIL_OUTBOX_RETRY_SECONDS="1",
            SECRET_KEY=secrets.token_urlsafe(48),
        )
        env.pop("BENCH_BASELINE", None)
        self.env = env
        with open(DRILL_DIR / "setup.log", "w") as setup_log:
            bench.manage(env, "migrate", "--noinput", log=setup_log)
            bench.manage(env, "seed_demo", "--volume", str(self.args.volume), log=setup_log)
            bench.manage(env, "collectstatic", "--noinput", "-v0", log=setup_log)
            output = bench.manage(
                env,
                "drill_setup",
                "--residents",
                str(self.profile["users"] + self.args.race_users + 200),
                log=setup_log,
            )
        line = next((x for x in output.splitlines() if x.startswith("DRILL ")), "")
        if not line:
            raise DrillError("drill_setup printed nothing")
        (DRILL_DIR / "setup.json").write_text(line[len("DRILL ") :], encoding="utf-8")
        (DRILL_DIR / "setup.json").chmod(0o600)
        self.setup = json.loads(line[len("DRILL ") :])
        self.cookie = self.setup["cookie"]
        log(f"gunicorn on {HOST}:{self.port}, {self.args.workers} workers")
        self.server = bench.Server(env, self.port, DRILL_DIR / "gunicorn.log")
        self.server.wait_until_up()

    def cleanup(self) -> None:
        if self.server is not None:
            with contextlib.suppress(Exception):
                self.server.stop()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                self.redis.stop()
        if self.pg is not None:
            self.pg.cleanup()
        if self.media is not None:
            self.media.cleanup()
        self.sink.stop()
        shutil.rmtree(self.static_root, ignore_errors=True)

    # helpers
    def resident(self, block: int = 30) -> tuple[Browser, int]:
        """The next resident not yet used by a phase: a browser and their registration id.
        The load's people take the first ones; phases take them from the end."""
        self.resident_next += 1
        n = len(self.setup["residents"]) - self.resident_next
        browser = Browser(self.port, _address(n, block), {self.cookie: self.setup["residents"][n]})
        return browser, self.setup["registrations"][n]

    def clerk(self, n: int) -> Browser:
        return Browser(self.port, _address(n, 40), {self.cookie: self.setup["clerks"][n]})

    def check(self, acks: dict) -> dict:
        path = DRILL_DIR / f"acks-{uuid.uuid4().hex[:8]}.json"
        path.write_text(json.dumps(acks), encoding="utf-8")
        with open(DRILL_DIR / "setup.log", "a") as setup_log:
            output = bench.manage(
                self.env, "drill_check", str(DRILL_DIR / "setup.json"), str(path), log=setup_log
            )
        line = next(x for x in output.splitlines() if x.startswith("DRILLCHECK "))
        return json.loads(line[len("DRILLCHECK ") :])

    def sign_up(self, browser: Browser, registration: int, shift: int, detail: str):
        """One sign-up as a person sends it: the page (its CSRF token), the post, the page
        after the redirect with the message. → (acknowledged, message seen, status)."""
        status, _text, token = browser.csrf(detail)
        if status != 200:
            return False, "", status
        status, _text, location = browser.go(
            "POST",
            f"/partners/opportunities/shifts/{shift}/signup/",
            [*token, ("registration", str(registration))],
        )
        if status != 302:
            return False, "", status
        status, text, _ = browser.go("GET", location or detail)
        said = SIGNED_UP if SIGNED_UP in text else FULL if FULL in text else ""
        return said == SIGNED_UP, said, status

    def health(self) -> tuple[int, dict]:
        try:
            status, text, _ = Browser(self.port, _address(1, 50)).go("GET", "/health/", timeout=10)
        except OSError as error:
            return 0, {"error": str(error)}
        try:
            return status, json.loads(text)
        except ValueError:
            return status, {}

    def note_health(self, when: str) -> dict:
        status, body = self.health()
        self.health_seen[when] = f"{status} {body.get('status', 'no JSON')}"
        return body

    # --- phases ---------------------------------------------------------------------------

    def phase_load(self) -> None:
        users, seconds = self.profile["users"], self.profile["seconds"]
        acks_path = DRILL_DIR / "acks-load.json"
        acks_path.unlink(missing_ok=True)
        prefix = DRILL_DIR / "locust"
        env = os.environ.copy()
        env.update(
            DRILL_SETUP_JSON=str(DRILL_DIR / "setup.json"),
            DRILL_ACKS_OUT=str(acks_path),
            DRILL_THINK_MIN=str(self.args.think_min),
            DRILL_THINK_MAX=str(self.args.think_max),
        )
        locust = ROOT / ".venv" / "bin" / "locust"
        command = [
            str(locust if locust.exists() else "locust"),
            "-f",
            str(ROOT / "bench" / "drill_locustfile.py"),
            "--headless",
            "--host",
            f"http://{HOST}:{self.port}",
            "-u",
            str(users),
            "-r",
            str(self.profile["spawn"]),
            "-t",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "30",
            "--exit-code-on-error",
            "0",
        ]
        log(
            f"locust: {users} people, think {self.args.think_min}-{self.args.think_max} s, {seconds} s"
        )
        with open(DRILL_DIR / "locust.log", "w") as locust_log:
            process = subprocess.Popen(
                command,
                cwd=ROOT / "bench",
                env=env,
                stdout=locust_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                process.wait(timeout=seconds + 120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)
            except BaseException:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                raise
        import csv

        with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
            stats = list(csv.DictReader(f))
        total = next(r for r in stats if r["Name"] == "Aggregated")
        requests, failures = int(total["Request Count"]), int(total["Failure Count"])
        rate = failures / requests if requests else 1.0
        # A task that raised (a page without the form it should have, say) is a failure too.
        exceptions_csv = Path(f"{prefix}_exceptions.csv")
        if exceptions_csv.exists():
            with open(exceptions_csv, encoding="utf-8") as f:
                raised = sum(int(r["Count"]) for r in csv.DictReader(f))
        else:
            raised = 0
        self.row(
            "load",
            "people (virtual users), think time",
            f"{users}, {self.args.think_min}–{self.args.think_max} s",
            PASS if requests else FAIL,
        )
        self.row("load", "duration", f"{seconds} s", PASS)
        self.row("load", "requests", requests, ok_or_fail(requests > 0))
        self.row(
            "load",
            "throughput",
            f"{float(total['Requests/s']):.1f} req/s",
            ok_or_fail(requests > 0),
        )
        self.row(
            "load",
            "error rate",
            f"{rate:.2%} ({failures})",
            ok_or_fail(rate <= self.args.max_error_rate),
            f"limit {self.args.max_error_rate:.1%}; see .drill/locust.log and locust_failures.csv",
        )
        self.row(
            "load",
            "tasks that raised",
            raised,
            ok_or_fail(raised == 0),
            "see .drill/locust_exceptions.csv",
        )
        self.row(
            "load",
            "p50 / p95 / p99 (all requests)",
            f"{total['50%']} / {total['95%']} / {total['99%']} ms",
            ok_or_fail(requests > 0 and float(total["95%"]) <= self.args.p95_limit),
            f"p95 limit {self.args.p95_limit:.0f} ms; load average "
            + ", ".join(f"{n:.1f}" for n in os.getloadavg()),
        )
        self.latencies = [
            {
                "name": f"{r['Type']} {r['Name']}",
                "requests": r["Request Count"],
                "failures": r["Failure Count"],
                "p50": r["50%"],
                "p95": r["95%"],
                "p99": r["99%"],
            }
            for r in stats
            if r["Name"] != "Aggregated"
        ]
        acks = json.loads(acks_path.read_text(encoding="utf-8")) if acks_path.exists() else {}
        if not acks:
            self.row(
                "load", "acknowledged submissions", "none written", FAIL, "locust wrote no acks"
            )
            return
        found = self.check(acks)
        for kind, keys in acks.items():
            db = found["kinds"][kind]
            result = compare(kind, keys, db["found"], db["total"])
            self.row(
                "load",
                f"acknowledged {kind} vs database",
                f"{result.acknowledged} acknowledged, {result.present_once} present once",
                ok_or_fail(result.ok and result.acknowledged > 0),
                f"missing {len(result.missing)}, duplicated {len(result.duplicated)}",
            )
            self.row(
                "load",
                f"{kind} committed without acknowledgement",
                result.unacknowledged,
                PASS,
                "reported only: a lost response may have committed",
            )
        self.row(
            "load",
            "nothing half-written",
            json.dumps(found["half_written"]),
            ok_or_fail(not any(found["half_written"].values())),
        )

    def phase_race(self) -> None:
        users = self.args.race_users
        shift, opportunity = self.setup["race_shift"], self.setup["race_opportunity"]
        detail = f"/partners/opportunities/{opportunity}/"
        people = [self.resident(block=60) for _ in range(users)]

        # Each person's page (and CSRF token) first, then every post released together.
        def prepare(person) -> list[tuple[str, str]]:
            for _ in range(3):  # a page that failed under the machine's load: once more
                with contextlib.suppress(OSError):
                    status, _text, token = person[0].csrf(detail)
                    if status == 200 and token and any("csrf" in k for k in person[0].cookies):
                        return token
            return []

        with ThreadPoolExecutor(max_workers=8) as pool:
            tokens = list(pool.map(prepare, people))
        unprepared = sum(1 for token in tokens if not token)
        barrier = threading.Barrier(users)

        def post(i):
            browser, registration = people[i]
            barrier.wait(timeout=120)
            try:
                status, _t, location = browser.go(
                    "POST",
                    f"/partners/opportunities/shifts/{shift}/signup/",
                    [*tokens[i], ("registration", str(registration))],
                    timeout=120,
                )
                if status != 302:
                    return status, ""
                status, text, _ = browser.go("GET", location or detail, timeout=120)
                return status, SIGNED_UP if SIGNED_UP in text else FULL if FULL in text else "?"
            except OSError as error:
                return 0, type(error).__name__

        log(f"race: {users} sign-ups at once for one shift")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=users) as pool:
            results = list(pool.map(post, range(users)))
        seconds = time.monotonic() - started
        won = sum(1 for _s, said in results if said == SIGNED_UP)
        told_full = sum(1 for _s, said in results if said == FULL)
        other = users - won - told_full
        places = 20
        db = self.check({})["race"]
        self.row(
            "race",
            f"{users} simultaneous sign-ups for {places} places",
            f"{seconds:.1f} s",
            ok_or_fail(not unprepared),
            f"{unprepared} people could not load the page with its CSRF token first",
        )
        self.row(
            "race",
            "confirmed in the database",
            db.get("confirmed", 0),
            ok_or_fail(db.get("confirmed", 0) == places),
            f"waiting {db.get('waiting', 0)}, other {sum(v for k, v in db.items() if k not in ('confirmed', 'waiting'))}",
        )
        self.row("race", "told they are signed up", won, ok_or_fail(won == places))
        self.row(
            "race",
            "refused with 「定員に達しています」",
            told_full,
            ok_or_fail(told_full == users - places),
            f"{other} got neither: "
            + ", ".join(
                f"{said or 'no message'} HTTP {status}"
                for status, said in results
                if said not in (SIGNED_UP, FULL)
            )[:200],
        )

    def _admin_action(self, browsers, action, pks_each, extra):
        """Each clerk posts `action` on their application(s) at once from the admin list."""
        url = "/admin/subsidies/application/"
        tokens = []
        for browser in browsers:
            status, _text, token = browser.csrf(url)
            if status != 200:
                raise DrillError(f"admin list answered {status} for a clerk")
            tokens.append(token)
        barrier = threading.Barrier(len(browsers))

        def post(i):
            data = [
                *tokens[i],
                ("action", action),
                ("index", "0"),
                *extra,
                *(("_selected_action", str(pk)) for pk in pks_each[i]),
            ]
            barrier.wait(timeout=60)
            status, _t, location = browsers[i].go("POST", url, data, timeout=60)
            if status != 302:
                return status, ""
            status, text, _ = browsers[i].go("GET", location or url, timeout=60)
            return status, text

        with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
            return list(pool.map(post, range(len(browsers))))

    def phase_budget(self) -> None:
        apps = self.setup["budget_applications"]
        browsers = [self.clerk(i) for i in range(len(apps))]
        results = self._admin_action(
            browsers, "adopt", [[pk] for pk in apps], [("reason", "ドリルの採択")]
        )
        told = sum(1 for _s, text in results if BUDGET_SHORT in text)
        db = self.check({})["budget"]
        fits = db["budget"] // 100_000
        self.row(
            "budget",
            f"{len(apps)} decisions at once, budget for {fits}",
            f"adopted {db['adopted']}, ¥{db['decided_sum']:,} of ¥{db['budget']:,}",
            ok_or_fail(db["programme_used"] <= db["budget"] and db["adopted"] == fits),
        )
        self.row(
            "budget",
            "losers told the budget is short",
            told,
            ok_or_fail(told == len(apps) - db["adopted"]),
        )

    def phase_clerks(self) -> None:
        pk = self.setup["clerks_application"]
        browsers = [
            self.clerk(len(self.setup["clerks"]) - 1),
            self.clerk(len(self.setup["clerks"]) - 2),
        ]
        results = self._admin_action(browsers, "accept", [[pk], [pk]], [("reason", "")])
        done = sum(
            1
            for _s, text in results
            if "件の申請を変更しました" in text or "application changed" in text
        )
        told = sum(
            1
            for _s, text in results
            if "messagelist" in text and ("DRILL-" in text) and "warning" in text
        )
        db = self.check({})["clerks"]
        self.row(
            "clerks",
            "two clerks accept one application at once",
            f"status {db['status']}, history rows {db['history']}",
            ok_or_fail(db["status"] == "accepted" and db["history"] == 1),
        )
        self.row(
            "clerks",
            "one success, one clear message",
            f"{done} success, {told} told",
            ok_or_fail(done == 1 and told == 1),
        )

    def _background(self, stop: threading.Event, writes: list, errors: list, people: int = 24):
        """A few dozen people: public pages, マイページ, and sign-ups (acknowledged writes)."""
        shifts = self.setup["load_shifts"]
        detail = f"/partners/opportunities/{self.setup['load_opportunity']}/"
        pages = [p["path"] for p in self.setup["pages"] if not p["who"]][:8]

        def person(i):
            browser, registration = self.resident(block=70 + i % 10)
            todo = list(shifts)
            while not stop.is_set():
                try:
                    if todo and i % 3 == 0:
                        shift = todo.pop()
                        acked, _said, _status = self.sign_up(browser, registration, shift, detail)
                        if acked:
                            writes.append(f"{registration}:{shift}")
                    else:
                        status, _t, _l = browser.go(
                            "GET", pages[i % len(pages)] if i % 2 else "/mypage/", timeout=15
                        )
                        if status >= 500:
                            errors.append((time.monotonic(), status))
                except OSError:
                    errors.append((time.monotonic(), 0))
                stop.wait(1.0)

        threads = [threading.Thread(target=person, args=(i,), daemon=True) for i in range(people)]
        for t in threads:
            t.start()
        return threads

    def phase_pg(self) -> None:
        stop, writes, errors = threading.Event(), [], []
        samples: list[tuple[float, int, str]] = []
        prober = Browser(
            self.port, _address(2, 50), {self.cookie: self.setup["sessions"]["person"]}
        )

        def probe():
            while not stop.is_set():
                at = time.monotonic()
                try:
                    status, text, _ = prober.go("GET", "/mypage/", timeout=10)
                except OSError:
                    status, text = 0, ""
                # (sent, answered, status, page): a request in flight when PostgreSQL stopped
                # belongs to the outage.
                samples.append((at, time.monotonic(), status, text if status == 503 else ""))
                stop.wait(0.15)

        threads = self._background(stop, writes, errors)
        probe_thread = threading.Thread(target=probe, daemon=True)
        probe_thread.start()
        time.sleep(8)
        log("PostgreSQL: stop -m immediate")
        stop_called = time.monotonic()
        self.pg.stop("immediate")
        down_at = time.monotonic()
        time.sleep(3)
        self.note_health("PostgreSQL down")
        time.sleep(OUTAGE_SECONDS - 3)
        log("PostgreSQL: start")
        restart_at = time.monotonic()
        self.pg.start()
        up_at = time.monotonic()
        time.sleep(10)
        stop.set()
        for t in [*threads, probe_thread]:
            t.join(timeout=30)
        first_ok = next(
            (at for at, _end, status, _ in samples if at >= up_at and status == 200), None
        )
        recovery = None if first_ok is None else max(first_ok - up_at, 0.0)
        before = [s for s in samples if s[1] < stop_called]
        after = [s for s in samples if first_ok is not None and s[0] >= first_ok]
        outside = [s for s in before + after if s[2] != 200]
        bg_outside = [
            e
            for e in errors
            if e[0] < stop_called or (first_ok is not None and e[0] > first_ok + 1)
        ]
        # Sent once PostgreSQL was down, answered before it was started again.
        during = [s for s in samples if s[0] >= down_at and s[1] < restart_at]
        friendly = [s for s in during if s[2] == 503 and JAPANESE.search(s[3])]
        self.row(
            "pg",
            f"PostgreSQL stopped (immediate) {OUTAGE_SECONDS} s under light load",
            f"{len(samples)} probes every 150 ms",
            PASS,
        )
        self.row(
            "pg",
            "errors only during the outage",
            f"{len(outside)} probe + {len(bg_outside)} background errors outside",
            ok_or_fail(not outside and not bg_outside),
        )
        self.row(
            "pg",
            "friendly 503 page in Japanese during the outage",
            f"{len(friendly)} of {len(during)} probes",
            ok_or_fail(bool(during) and len(friendly) == len(during)),
            "statuses seen: " + ", ".join(sorted({str(s[2]) for s in during})),
        )
        self.row(
            "pg",
            "recovery: first 200 after the restart",
            "never" if recovery is None else f"{recovery:.2f} s",
            ok_or_fail(recovery is not None and recovery <= RECOVERY_LIMIT),
            f"limit {RECOVERY_LIMIT:.0f} s, from PostgreSQL accepting connections again; its crash recovery and start took {up_at - restart_at:.1f} s",
        )
        stuck = self._workers_answer()
        self.row("pg", "no worker stuck", stuck or "all answer", ok_or_fail(not stuck))
        found = self.check({"shift_signup": writes})
        db = found["kinds"]["shift_signup"]
        result = compare("shift_signup", writes, db["found"], db["total"])
        self.row(
            "pg",
            "acknowledged writes present",
            f"{result.present_once} of {result.acknowledged}",
            ok_or_fail(result.ok),
        )
        self.row(
            "pg",
            "nothing half-written",
            json.dumps(found["half_written"]),
            ok_or_fail(not any(found["half_written"].values())),
        )

    def _workers_answer(self) -> str:
        """2 × workers requests at once all answer 200 within 10 s; gunicorn logged no timeout."""
        n = 2 * self.args.workers

        def one(i):
            try:
                return Browser(self.port, _address(i, 90)).go("GET", "/", timeout=10)[0]
            except OSError:
                return 0

        with ThreadPoolExecutor(max_workers=n) as pool:
            statuses = list(pool.map(one, range(n)))
        bad = [s for s in statuses if s != 200]
        timeouts = (DRILL_DIR / "gunicorn.log").read_text(errors="replace").count("WORKER TIMEOUT")
        return (
            ""
            if not bad and not timeouts
            else f"{len(bad)} of {n} failed, {timeouts} worker timeouts"
        )

    def workers(self) -> list[int]:
        master = self.server.process.pid
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False
        )
        return [int(x) for x in out.stdout.split()]

    def phase_worker(self) -> None:
        before = self.workers()
        stop, writes, errors = threading.Event(), [], []
        threads = self._background(stop, writes, errors)
        time.sleep(4)
        for _ in range(5):  # a worker may have just been recycled (max_requests): a live one
            victim = self.workers()[0]
            try:
                os.kill(victim, signal.SIGKILL)
                break
            except ProcessLookupError:
                time.sleep(0.2)
        else:
            raise DrillError("no gunicorn worker to kill")
        log(f"SIGKILL worker {victim}")
        killed_at = time.monotonic()
        replaced = None
        while time.monotonic() - killed_at < 30:
            now = self.workers()
            if victim not in now and len(now) >= len(before):
                replaced = time.monotonic() - killed_at
                break
            time.sleep(0.2)
        time.sleep(4)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        self.row(
            "worker",
            "worker killed with SIGKILL mid-load: replaced by the master",
            "no" if replaced is None else f"yes, in {replaced:.1f} s",
            ok_or_fail(replaced is not None),
            f"{len(before)} workers before",
        )
        found = self.check({"shift_signup": writes})
        db = found["kinds"]["shift_signup"]
        result = compare("shift_signup", writes, db["found"], db["total"])
        self.row(
            "worker",
            "acknowledged writes present",
            f"{result.present_once} of {result.acknowledged}",
            ok_or_fail(result.ok),
            f"{len(errors)} errors seen by the background load (the killed request)",
        )

    def _sign_in(self, browser: Browser, email: str, password: str):
        status, _text, token = browser.csrf("/accounts/login/")
        return browser.go(
            "POST", "/accounts/login/", [*token, ("login", email), ("password", password)]
        )

    def _opinion(self, browser: Browser) -> int:
        page = next((p for p in self.setup["pages"] if p.get("form")), None)
        if page is None:
            raise DrillError("no open パブコメ case")
        status, text, _ = browser.go("GET", page["path"])
        data = [*hidden_fields(text), *[tuple(x) for x in page["form"]]]
        status, text, _ = browser.go("POST", page["path"], data)
        status, _text, _ = browser.go(
            "POST", page["path"], [*hidden_fields(text), ("_submit", "1")]
        )
        return status

    def phase_redis(self) -> None:
        email, password = self.setup["signin"]["email"], self.setup["signin"]["password"]
        control = self._sign_in(Browser(self.port, _address(3, 51)), email, password)[0]
        self.redis.stop()
        try:
            time.sleep(1)
            pages = [p["path"] for p in self.setup["pages"] if not p["who"]]
            statuses = []
            for i, path in enumerate(pages):
                try:
                    statuses.append(
                        Browser(self.port, _address(i, 52)).go("GET", path, timeout=15)[0]
                    )
                except OSError:
                    statuses.append(0)
            ok = sum(1 for s in statuses if s == 200)
            self.row(
                "redis",
                "Redis stopped: public pages served",
                f"{ok} of {len(statuses)} answer 200",
                ok_or_fail(ok == len(statuses)),
                ", ".join(f"{p} → {s}" for p, s in zip(pages, statuses, strict=True) if s != 200)[
                    :200
                ],
            )
            status, text, location = self._sign_in(
                Browser(self.port, _address(4, 51)), email, password
            )
            # Refused: the sign-in page again (or 429/503) in Japanese with a message, not the
            # redirect of a signed-in person, not a server error.
            refused = (
                status in (200, 429, 503)
                and bool(JAPANESE.search(text))
                and ("errorlist" in text or "alert" in text or "message" in text)
            )
            self.row(
                "redis",
                "sign-in refused (rate limit fails closed)",
                f"HTTP {status}" + (f" → {location}" if location else ""),
                ok_or_fail(control == 302 and refused and status != 302),
                f"with Redis up the same sign-in answered {control}",
            )
            sent = self._opinion(Browser(self.port, _address(5, 51)))
            self.row(
                "redis",
                "an opinion accepted (fails open for residents' writes)",
                f"HTTP {sent}",
                ok_or_fail(sent == 302),
            )
            body = self.note_health("Redis down")
            cache = body.get("checks", {}).get("cache", {})
            self.row(
                "redis",
                "/health/ says the cache is down",
                f"status {body.get('status')}, cache ok={cache.get('ok')}",
                ok_or_fail(body.get("status") == "degraded" and cache.get("ok") is False),
            )
        finally:
            self.redis.start()
        time.sleep(1)
        status = Browser(self.port, _address(6, 51)).go("GET", "/")[0]
        self.row(
            "redis",
            "Redis started again: pages served",
            f"HTTP {status}",
            ok_or_fail(status == 200),
        )

    def _upload_report(self) -> tuple[int, str, int]:
        """The bench partner files a report with a photo. → status, page, reports before."""
        registration = self.setup["report_registration"]
        browser = Browser(
            self.port, _address(7, 53), {self.cookie: self.setup["sessions"]["person"]}
        )
        path = f"/partners/registrations/{registration}/reports/new/"
        status, text, token = browser.csrf(path)
        if status != 200:
            raise DrillError(f"report form answered {status}")
        place = re.search(r'name="place" value="([^"]+)"', text)
        fields = [
            *token,
            ("activity_date", dt.datetime.now(JST).date().isoformat()),
            ("place", place.group(1) if place else ""),
            ("place_other", "室蘭市役所の周り"),  # the drill's registrations name no place
            ("participants", "3"),
            ("burnable_bags", "1"),
            ("non_burnable_bags", "0"),
        ]
        body, content_type = multipart(fields, [("photo", "drill.png", png_photo(), "image/png")])
        status, text, location = browser.go("POST", path, body=body, content_type=content_type)
        if status != 302:  # what the person saw, for whoever reads the table
            (DRILL_DIR / f"media-{int(time.time())}.html").write_text(text, encoding="utf-8")
        return status, text, 0

    def phase_media(self) -> None:
        if not self.media.mounted:
            self.row(
                "media",
                "MEDIA_ROOT full / read-only",
                "–",
                SKIPPED,
                f"mount failed: {self.media.reason}",
            )
            return
        status, text, _ = self._upload_report()
        self.row(
            "media",
            "control: a photo upload with room on MEDIA_ROOT",
            f"HTTP {status}",
            ok_or_fail(status == 302),
            "" if status == 302 else "the upload itself fails: the rows below prove nothing",
        )
        if status != 302:
            return
        filler = self.media.path / "drill-filler"
        try:
            with open(filler, "wb") as f:
                chunk = b"\0" * (1 << 20)
                with contextlib.suppress(OSError):
                    while True:
                        f.write(chunk)
                        f.flush()
            status, text, _ = self._upload_report()
            self._media_row("full", status, text)
        finally:
            filler.unlink(missing_ok=True)
        self.media.remount("ro")
        try:
            status, text, _ = self._upload_report()
            self._media_row("read-only", status, text)
        finally:
            self.media.remount("rw")
        dangling = self.check({}).get("dangling_files", None)
        self.row(
            "media",
            "no record pointing at a missing file",
            dangling if dangling is not None else "not checked",
            ok_or_fail(dangling == 0),
        )

    def _media_row(self, what, status, text):
        clear = (
            status in (200, 503, 507)
            and JAPANESE.search(text)
            and ("errorlist" in text or "error" in text)
        )
        self.row(
            "media",
            f"MEDIA_ROOT {what} during a photo upload: a clear error",
            f"HTTP {status}",
            ok_or_fail(bool(clear) and status != 302 and status != 500),
        )

    def phase_smtp(self) -> None:
        browser, registration = self.resident(block=80)
        detail = f"/partners/opportunities/{self.setup['load_opportunity']}/"
        email = self.setup["emails"][str(registration)]
        self.sink.stop()
        try:
            acked, said, status = self.sign_up(
                browser, registration, self.setup["load_shifts"][0], detail
            )
        finally:
            self.sink.start()
        db = self.check({"shift_signup": [f"{registration}:{self.setup['load_shifts'][0]}"]})
        present = db["kinds"]["shift_signup"]["found"].get(
            f"{registration}:{self.setup['load_shifts'][0]}", 0
        )
        self.row(
            "smtp",
            "SMTP down during a sign-up: the sign-up still commits",
            f"acknowledged {acked}, in the database {present}",
            ok_or_fail(acked and present == 1),
            f"HTTP {status}",
        )
        before = len(mail_to(self.sink.messages, email))
        time.sleep(3)  # past the outbox's backoff (MAIL_OUTBOX_RETRY_SECONDS=1 here)
        runs = []
        for _ in range(2):
            done = subprocess.run(
                [bench.executable("python"), "manage.py", "send_outbox"],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            runs.append(done.returncode)
        got = len(mail_to(self.sink.messages, email))
        self.row(
            "smtp",
            "send_outbox twice: the mail arrived exactly once",
            f"{got} (before the runs {before})",
            ok_or_fail(got == 1 and all(r == 0 for r in runs)),
            f"send_outbox exit codes {runs}",
        )

    def _manage(self, *args: str, timeout: int = 900) -> tuple[int, str, float]:
        started = time.monotonic()
        done = subprocess.run(
            [bench.executable("python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        with open(DRILL_DIR / "setup.log", "a") as setup_log:
            setup_log.write(f"$ manage.py {' '.join(args)}\n{done.stdout}{done.stderr}\n")
        return done.returncode, done.stdout + done.stderr, time.monotonic() - started

    def phase_backup(self) -> None:
        """make backup of the database the load wrote, then make restore's drill of it: into a
        scratch database of the drill's cluster and a temp dir, counts, checksums and the smoke
        journey (README "Backup and restore")."""
        holder = Path(tempfile.mkdtemp(prefix="muroran-drill-backup-"))
        target = holder / "backup"
        try:
            code, output, seconds = self._manage("backup", "--to", str(target))
            manifest = {}
            with contextlib.suppress(OSError, ValueError):
                manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
            rows = sum(manifest.get("row_counts", {}).values())
            uploads = sum(len(v) for v in manifest.get("uploads", {}).values())
            size = sum(entry.get("size", 0) for entry in manifest.get("files", {}).values())
            self.row(
                "data safety",
                "backup: pg_dump of one snapshot + uploads, manifest with checksums",
                f"{rows:,} rows in {len(manifest.get('row_counts', {}))} tables, {uploads} "
                f"uploaded files, {size / 1e6:.1f} MB, {seconds:.1f} s",
                ok_or_fail(code == 0 and rows > 0),
                ""
                if code == 0
                else output.strip().splitlines()[-1][:200]
                if output.strip()
                else "",
            )
            if code != 0:
                return
            code, output, seconds = self._manage(
                "restore", "--from", str(target), "--scratch", "--drill"
            )
            lines = [x for x in output.splitlines() if re.search(r"\s(ok|FAILED|skipped)\s", x)]
            passed = sum(1 for x in lines if re.search(r"\sok\s", x))
            failed_lines = [x.split("  ")[0] for x in lines if re.search(r"\sFAILED\s", x)]
            self.row(
                "data safety",
                "restore drill into a scratch database: counts, checksums, smoke journey",
                f"{passed} checks ok, {len(failed_lines)} failed, {seconds:.1f} s",
                ok_or_fail(code == 0 and passed > 0 and not failed_lines),
                "; ".join(failed_lines)[:200]
                or ("" if code == 0 else output.strip().splitlines()[-1][:200]),
            )
        finally:
            shutil.rmtree(holder, ignore_errors=True)

    def phase_retention(self) -> None:
        """apply_retention on the loaded database, twice: the second run changes nothing."""
        first = self._manage("apply_retention")
        second = self._manage("apply_retention")

        def total(output: str) -> int | None:
            found = re.search(r"^total: (\d+)", output, re.M)
            return int(found.group(1)) if found else None

        self.row(
            "data safety",
            "retention (apply_retention) run twice: the second changes nothing",
            f"first {total(first[1])}, second {total(second[1])} anonymised",
            ok_or_fail(first[0] == 0 and second[0] == 0 and total(second[1]) == 0),
        )

    def phase_health(self) -> None:
        status, body = self.health()
        checks = body.get("checks", {})
        named = all(name in checks for name in ("database", "cache", "outbox", "scanner"))
        self.health_seen["all up"] = f"{status} {body.get('status', 'no JSON')}"
        self.row(
            "health",
            "GET /health/ with everything up",
            f"HTTP {status}, {body.get('status', 'no JSON')}",
            ok_or_fail(status == 200 and body.get("status") == "ok" and named),
            ("" if os.environ.get("CLAMD_ADDRESS") else "no CLAMD_ADDRESS here (CI has one); ")
            + "checks: "
            + ", ".join(f"{k}={v.get('ok')}" for k, v in checks.items())
            if checks
            else "",
        )

    def run(self, phases) -> int:
        started = time.monotonic()
        try:
            log("setting up: PostgreSQL cluster, Redis, SMTP sink, tmpfs, data")
            self.start()
            for name in PHASES:
                if name in phases:
                    self.phase(name, getattr(self, f"phase_{name}"))
            if self.health_seen:
                self.row(
                    "health",
                    "states seen",
                    "; ".join(f"{k}: {v}" for k, v in self.health_seen.items()),
                    PASS,
                )
        except (DrillError, bench.BenchError, subprocess.SubprocessError, OSError) as error:
            self.row("set-up", "drill set up", "no", FAIL, str(error)[:300])
        finally:
            self.cleanup()
        header = (
            f"Reliability drill {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} — {platform.node()}, "
            f"{os.cpu_count()} CPUs, {'short' if self.args.short else 'long'} "
            f"({self.profile['users']} people, {self.profile['seconds']} s of load), gunicorn "
            f"{self.args.workers} sync workers, PostgreSQL + Redis, DEBUG off; phases "
            f"{','.join(p for p in PHASES if p in phases)}; {time.monotonic() - started:.0f} s in all."
        )
        text = render(self.rows, header=header, latencies=self.latencies)
        (DRILL_DIR / "last.md").write_text(text, encoding="utf-8")
        print()
        print(text)
        print(f"written to {(DRILL_DIR / 'last.md').relative_to(ROOT)}")
        return 1 if failed(self.rows) else 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--short", action="store_true", help="the CI drill: 2 minutes of load")
    parser.add_argument(
        "--phases", default=",".join(PHASES), help="comma-separated: " + ",".join(PHASES)
    )
    parser.add_argument("--users", type=int, default=0, help="people of the load (default 1000)")
    parser.add_argument(
        "--seconds", type=int, default=0, help="length of the load (600, short 120)"
    )
    parser.add_argument("--think-min", type=float, default=5.0)
    parser.add_argument("--think-max", type=float, default=30.0)
    parser.add_argument("--race-users", type=int, default=1000)
    parser.add_argument("--volume", type=int, default=200, help="seed_demo --volume")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--max-error-rate", type=float, default=0.001)
    parser.add_argument(
        "--p95-limit", type=float, default=2000.0, help="ms, every request of the load"
    )
    args = parser.parse_args(argv)
    phases = set(filter(None, args.phases.split(",")))
    if phases - set(PHASES):
        parser.error(f"unknown phase(s) {', '.join(sorted(phases - set(PHASES)))}")
    if not 0 <= args.users <= 2000 or not 0 <= args.seconds <= 900:
        parser.error("at most 2000 people and 900 s of load")
    if not 21 <= args.race_users <= 5000:
        parser.error("--race-users must be between 21 and 5000")
    if not 0.5 <= args.think_min <= args.think_max <= 120:
        parser.error("think times: 0.5 ≤ min ≤ max ≤ 120")
    return args, phases


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args, phases = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    return Drill(args).run(phases)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("drill: interrupted; servers stopped.", file=sys.stderr)
        sys.exit(130)
