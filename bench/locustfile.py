"""The capacity run's visitors (locust): started by `make capacity` (bench/run.py --capacity,
bench/capacity.py), never against anything but the bench's gunicorn on 127.0.0.1.

What they do comes from `manage.py bench_setup` (the pages every app declares in its
bench.py), read from $BENCH_SETUP_JSON:

- Visitor (most): anonymous reading of the public pages, and now and then an opinion on the
  パブコメ case open now, as a person sends it: the form page (its CSRF token and form key
  from the hidden fields), the confirmation page, "send", the receipt.
- Resident: a signed-in resident of their own (bench_setup --residents) on マイページ and
  the public pages.
- Partner: the bench resident with the partner programme's data on the signed-in pages
  declared for them (マイページ with registrations, reports, a shift...).
- Staff: the bench superuser, second factor passed, on the admin lists declared by the apps
  (three people at their desks, however many come from outside).

Every simulated person has an address of their own, sent as X-Forwarded-For (the capacity
run's gunicorn trusts one proxy, as production behind its proxy): the per-address rate
limits count each person, not the crowd. Cookies are kept per person by hand: the production
settings mark them Secure (__Host-), and the bench speaks plain HTTP over loopback.

The load rises by steps (StepShape): BENCH_STEP_USERS more people every BENCH_STEP_SECONDS,
until a step's p95 passes BENCH_P95_LIMIT ms, a step has errors, or BENCH_MAX_USERS is
reached. Each step is measured over its last part (after the new people have started) and
written to $BENCH_STEPS_OUT (JSON) for bench/capacity.py.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from urllib.parse import urlencode

from capacity import hidden_fields, percentile  # bench/capacity.py, beside this file
from locust import LoadTestShape, between, task
from people import CookiePerson  # bench/people.py

SETUP = json.loads(Path(os.environ["BENCH_SETUP_JSON"]).read_text(encoding="utf-8"))
COOKIE_NAME = SETUP["cookie"]
PAGES = SETUP["pages"]
PUBLIC = [p for p in PAGES if not p["who"]]
PARTNER = [p for p in PAGES if p["who"] == "person"]
STAFF = [p for p in PAGES if p["who"] == "staff"]
OPINION = next((p for p in PUBLIC if p.get("form")), None)
RESIDENTS = SETUP.get("residents") or []
MYPAGE = "/mypage/"

STEP_USERS = int(os.environ.get("BENCH_STEP_USERS", "20"))
STEP_SECONDS = int(os.environ.get("BENCH_STEP_SECONDS", "20"))
MAX_USERS = int(os.environ.get("BENCH_MAX_USERS", "600"))
P95_LIMIT = float(os.environ.get("BENCH_P95_LIMIT", "200"))
STEPS_OUT = Path(os.environ.get("BENCH_STEPS_OUT", ".bench/capacity-steps.json"))
# Each step is measured after its new people have all started and settled.
SETTLE_SECONDS = min(5, STEP_SECONDS // 3)


class Person(CookiePerson):
    """One person: an address of their own and their own cookies (bench/people.py)."""

    abstract = True
    wait_time = between(0.5, 1.5)
    cookie_name = COOKIE_NAME

    def on_start(self) -> None:
        self.arrive()

    def request(self, method: str, path: str, name: str, *, expect: int = 200, data=None):
        """One request, not following redirects: a redirect where a page was expected (to the
        sign-in or second-factor page) is an error, as is any other status."""
        with self.client.request(
            method,
            path,
            name=name,
            headers=self.headers(form=data is not None),
            data=None if data is None else urlencode(data),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.keep_cookies(response)
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}, expected {expect}")
                return None
            response.success()
            return response

    def read(self, pages: list[dict]) -> None:
        page = random.choice(pages)
        self.request("GET", page["path"], page["name"])


class Visitor(Person):
    weight = 16

    @task(24)
    def read_public(self) -> None:
        self.read(PUBLIC)

    @task(1)
    def send_opinion(self) -> None:
        if OPINION is not None:
            send_form(self, OPINION)


class Resident(Person):
    weight = 3

    def on_start(self) -> None:
        self.session_key = RESIDENTS[next(_residents) % len(RESIDENTS)] if RESIDENTS else None
        super().on_start()

    @task(1)
    def mypage(self) -> None:
        if self.session_key:
            self.request("GET", MYPAGE, "mypage (resident)")

    @task(2)
    def read_public(self) -> None:
        self.read(PUBLIC)


class Partner(Person):
    weight = 1
    wait_time = between(2, 6)  # reads what the page says before the next click
    session_key = SETUP["sessions"]["person"]

    @task
    def partner_pages(self) -> None:
        if PARTNER:
            self.read(PARTNER)


class Staff(Person):
    # A few staff members at their desks, whatever the crowd outside.
    fixed_count = 3
    wait_time = between(3, 10)  # a list, then the work it shows
    session_key = SETUP["sessions"]["staff"]

    @task
    def admin_lists(self) -> None:
        if STAFF:
            self.read(STAFF)


_residents = itertools.count()


def send_form(person: Person, page: dict) -> None:
    """The form page, its fields filled in, the confirmation, "send", the receipt."""
    label = page["name"]
    form = person.request("GET", page["path"], f"{label}: form")
    if form is None:
        return
    data = [*hidden_fields(form.text), *[tuple(pair) for pair in page["form"]]]
    if page.get("confirm"):
        confirmation = person.request("POST", page["path"], f"{label}: confirm", data=data)
        if confirmation is None:
            return
        data = [*hidden_fields(confirmation.text), ("_submit", "1")]
    sent = person.request("POST", page["path"], f"{label}: send", data=data, expect=302)
    if sent is not None and sent.headers.get("location"):
        person.request("GET", sent.headers["location"], f"{label}: receipt")


def _histogram_delta(now: dict, before: dict) -> dict[int, int]:
    return {k: v - before.get(k, 0) for k, v in now.items() if v - before.get(k, 0) > 0}


class StepShape(LoadTestShape):
    """People added by steps; each step measured over its settled part; stop past the limit."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[dict] = []
        self.snapshot: tuple | None = None
        self.step = -1
        self.stopping = False

    def _take(self):
        total = self.runner.stats.total
        # A task that raised (a page without its form, say) is an error too.
        raised = sum(error["count"] for error in self.runner.exceptions.values())
        return (
            time.monotonic(),
            total.num_requests,
            total.num_failures + raised,
            dict(total.response_times),
        )

    def _close_step(self, users: int) -> None:
        if self.snapshot is None:
            return
        start, requests, failures, histogram = self.snapshot
        end, requests2, failures2, histogram2 = self._take()
        delta = _histogram_delta(histogram2, histogram)
        seconds = max(end - start, 0.001)
        step = {
            "users": users,
            "seconds": round(seconds, 1),
            "requests": requests2 - requests,
            "rps": (requests2 - requests) / seconds,
            "failures": failures2 - failures,
            **{f"p{p}": percentile(delta, p) for p in (50, 95, 99)},
        }
        self.steps.append(step)
        STEPS_OUT.write_text(json.dumps(self.steps, indent=1), encoding="utf-8")
        self.snapshot = None
        p95 = step["p95"] or 0
        if p95 > P95_LIMIT or step["failures"] or users + STEP_USERS > MAX_USERS:
            self.stopping = True

    def tick(self):
        run_time = self.get_run_time()
        step = int(run_time // STEP_SECONDS)
        users = STEP_USERS * (step + 1)
        if step != self.step:  # a new step: close the one before
            self._close_step(STEP_USERS * (self.step + 1))
            self.step = step
        if self.stopping:
            return None
        if self.snapshot is None and run_time - step * STEP_SECONDS >= SETTLE_SECONDS:
            self.snapshot = self._take()
        return users, max(STEP_USERS, 1)
