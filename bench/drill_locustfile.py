"""The reliability drill's load (locust, headless): started by bench/drill.py's load phase, never
against anything but the drill's gunicorn on 127.0.0.1. People think between clicks (several
to tens of seconds), as residents do.

The mix (weights are people, not requests):

- Reader (most): the public pages every app declares (bench_setup), one after another.
- Opinion: reads the open パブコメ case and sends an opinion through its form (入力 → 確認 →
  送信 → 受付); the opinion's text carries a token of its own, so that the database can be
  searched for each acknowledged opinion.
- Volunteer: a signed-in resident with a まごころ registration (drill_setup) reads マイページ and
  the drill's opportunity and signs up for one of its shifts; acknowledged when the page after
  the redirect says so.
- Newcomer: reads, then creates an account through the sign-up form (acknowledged: the
  redirect to "confirm your address"); looked up by its address.
- Reporter: a まち「ピカ」 partner files an activity report with a photo (multipart); the notes
  carry a token of their own.
- Participant: a signed-in resident signs up for the open まちづくり協議会 workshop (its id,
  from the redirect, is the acknowledgement).
- Applicant: a signed-in resident registers as a まかせて partner through the form (its id,
  from the redirect, is the acknowledgement).
- Group: a group's member saves a subsidy draft for their organisation and attaches a
  document to it (multipart); the title's token and the draft's id are acknowledged.
- Clerk (2, fixed): approves the まかせて registrations the applicants sent, one at a time
  from the admin list (a staff action under load; the registration's id is acknowledged).
- Staff (3, fixed): the admin lists the apps declare, second factor passed.

Acknowledged submissions are written at the end to $DRILL_ACKS_OUT (JSON, kind → keys) for
bench/drill.py to look up in the database. Every simulated person has an address of their own
(X-Forwarded-For, the drill's gunicorn trusts one proxy) and their own cookies."""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlencode

from capacity import hidden_fields  # bench/capacity.py, beside this file
from drill_lib import multipart, png_photo
from locust import between, events, task
from people import CookiePerson  # bench/people.py

SETUP = json.loads(Path(os.environ["DRILL_SETUP_JSON"]).read_text(encoding="utf-8"))
ACKS_OUT = Path(os.environ.get("DRILL_ACKS_OUT", ".drill/acks-load.json"))
THINK = (
    float(os.environ.get("DRILL_THINK_MIN", "5")),
    float(os.environ.get("DRILL_THINK_MAX", "30")),
)
COOKIE_NAME = SETUP["cookie"]
PUBLIC = [p for p in SETUP["pages"] if not p["who"]]
STAFF_PAGES = [p for p in SETUP["pages"] if p["who"] == "staff"]
OPINION = next((p for p in PUBLIC if p.get("form")), None)
SIGNED_UP = "この日程に申し込みました。"  # "You are signed up for this shift."

ACKS: dict[str, list[str]] = {
    "opinion": [],
    "shift_signup": [],
    "account": [],
    "report": [],
    "workshop_signup": [],
    "partner_registration": [],
    "staff_approval": [],
    "subsidy_draft": [],
    "subsidy_attachment": [],
}
APPLIED_LIST = "/admin/partners/registration/?programme__exact=makasete&status__exact=applied"
SELECTED = re.compile(r'name="_selected_action" value="([0-9]+)"')
APPROVED = "1件の登録を変更しました。"  # "1 registration changed."
JST = datetime.timezone(datetime.timedelta(hours=9))
PLACE = re.compile(r'name="place" value="([^"]+)"')
PHOTO = png_photo()
_residents = itertools.count()
_tokens = itertools.count(1)
_reporters = itertools.count(300)  # from the end of the residents, clear of the volunteers
_participants = itertools.count(700)
_applicants = itertools.count(500)
_clerks = itertools.count()
_groups = itertools.count()


class Person(CookiePerson):
    abstract = True
    wait_time = between(*THINK)
    cookie_name = COOKIE_NAME

    def on_start(self) -> None:
        # People arrive over the first think time, not all in the second they are spawned
        # (locust runs a person's first task at once); time.sleep is gevent's here.
        time.sleep(random.uniform(0, THINK[1]))
        self.arrive()

    def take_resident(self, counter) -> None:
        """The signed-in resident `counter` gives next (from the end of drill_setup's list)."""
        n = (len(SETUP["residents"]) - 1 - next(counter)) % len(SETUP["residents"])
        self.session_key = SETUP["residents"][n]
        self.email = SETUP["emails"][str(SETUP["registrations"][n])]
        self.done = False

    def request(self, method, path, name, *, expect=200, data=None, body=None, content_type=""):
        headers = self.headers(form=data is not None)
        if content_type:
            headers["Content-Type"] = content_type
        with self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            data=body if body is not None else None if data is None else urlencode(data),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.keep_cookies(response)
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}, expected {expect}")
                return None
            response.success()
            return response

    def read_public(self) -> None:
        page = random.choice(PUBLIC)
        self.request("GET", page["path"], page["name"])


class Reader(Person):
    weight = 12

    @task
    def read(self) -> None:
        self.read_public()


class Opinion(Person):
    weight = 2

    @task(3)
    def read(self) -> None:
        self.read_public()

    @task(1)
    def send(self) -> None:
        if OPINION is None:
            return
        token = f"{SETUP['marker']}-{os.getpid()}-{next(_tokens)}"
        form = self.request("GET", OPINION["path"], "opinion: form")
        if form is None:
            return
        fields = [(k, f"{v} [{token}]" if k == "opinion1_text" else v) for k, v in OPINION["form"]]
        data = [*hidden_fields(form.text), *fields]
        confirmation = self.request("POST", OPINION["path"], "opinion: confirm", data=data)
        if confirmation is None:
            return
        sent = self.request(
            "POST",
            OPINION["path"],
            "opinion: send",
            data=[*hidden_fields(confirmation.text), ("_submit", "1")],
            expect=302,
        )
        if sent is not None and sent.headers.get("location"):
            ACKS["opinion"].append(token)
            self.request("GET", sent.headers["location"], "opinion: receipt")


class Volunteer(Person):
    weight = 4

    def on_start(self) -> None:
        n = next(_residents) % len(SETUP["residents"])
        self.session_key = SETUP["residents"][n]
        self.registration = SETUP["registrations"][n]
        self.shifts = list(SETUP["load_shifts"])
        random.shuffle(self.shifts)
        super().on_start()

    @task(3)
    def mypage(self) -> None:
        self.request("GET", "/mypage/", "mypage (resident)")

    @task(1)
    def sign_up(self) -> None:
        if not self.shifts:
            self.read_public()
            return
        detail = f"/partners/opportunities/{SETUP['load_opportunity']}/"
        page = self.request("GET", detail, "shift: opportunity page")
        if page is None:
            return
        shift = self.shifts.pop()
        sent = self.request(
            "POST",
            f"/partners/opportunities/shifts/{shift}/signup/",
            "shift: sign up",
            data=[*csrf(page.text), ("registration", str(self.registration))],
            expect=302,
        )
        if sent is None:
            return
        after = self.request("GET", detail, "shift: page after sign-up")
        if after is not None and SIGNED_UP in after.text:
            ACKS["shift_signup"].append(f"{self.registration}:{shift}")


class Newcomer(Person):
    """Reads a little, then creates an account (allauth's sign-up form, the e-mail to confirm
    the address goes to the drill's SMTP sink)."""

    weight = 1

    @task(2)
    def read(self) -> None:
        self.read_public()

    @task(1)
    def sign_up(self) -> None:
        if getattr(self, "signed_up", False):
            self.read_public()
            return
        form = self.request("GET", "/accounts/signup/", "account: sign-up form")
        if form is None:
            return
        email = f"{SETUP['marker']}-{os.getpid()}-{next(_tokens)}@example.jp"
        password = f"Drill-{random.getrandbits(64):x}-pass"
        sent = self.request(
            "POST",
            "/accounts/signup/",
            "account: sign up",
            data=[
                *csrf(form.text),
                ("email", email),
                ("password1", password),
                ("password2", password),
                ("family_name", "試験"),
                ("given_name", "花子"),
                ("family_name_kana", "シケン"),
                ("given_name_kana", "ハナコ"),
                ("display_name", "ドリル"),
            ],
            expect=302,
        )
        if sent is not None:
            self.signed_up = True
            ACKS["account"].append(email)


class Reporter(Person):
    """A まち「ピカ」 partner filing an activity report with a photo (multipart), now and then."""

    weight = 1

    def on_start(self) -> None:
        n = (len(SETUP["residents"]) - 1 - next(_reporters)) % len(SETUP["residents"])
        self.session_key = SETUP["residents"][n]
        self.registration = SETUP["pika_registrations"][n]
        super().on_start()

    @task(2)
    def mypage(self) -> None:
        self.request("GET", "/mypage/", "mypage (resident)")

    @task(1)
    def report(self) -> None:
        path = f"/partners/registrations/{self.registration}/reports/new/"
        form = self.request("GET", path, "report: form")
        if form is None:
            return
        token = f"{SETUP['marker']}-{os.getpid()}-{next(_tokens)}"
        place = PLACE.search(form.text)
        fields = [
            *csrf(form.text),
            ("activity_date", datetime.datetime.now(JST).date().isoformat()),
            ("place", place.group(1) if place else ""),
            ("place_other", "室蘭市役所の周り"),  # the drill's registrations name no place
            ("participants", "4"),
            ("burnable_bags", "2"),
            ("non_burnable_bags", "1"),
            ("notes", f"ドリルの報告です。 [{token}]"),
        ]
        body, content_type = multipart(fields, [("photo", "drill.png", PHOTO, "image/png")])
        sent = self.request(
            "POST",
            path,
            "report: send with a photo",
            body=body,
            content_type=content_type,
            expect=302,
        )
        if sent is not None:
            ACKS["report"].append(token)


class Participant(Person):
    """A signed-in resident signs up for the open まちづくり協議会 workshop (the form, then the
    redirect to their sign-up's page: its id is what was acknowledged)."""

    weight = 1

    def on_start(self) -> None:
        self.take_resident(_participants)
        super().on_start()

    @task(2)
    def read(self) -> None:
        self.read_public()

    @task(1)
    def sign_up(self) -> None:
        session = SETUP.get("workshop_session")
        if self.done or session is None:
            self.read_public()
            return
        path = f"/councils/sessions/{session}/signup/"
        form = self.request("GET", path, "workshop: sign-up form")
        if form is None:
            return
        sent = self.request(
            "POST",
            path,
            "workshop: sign up",
            data=[
                *csrf(form.text),
                ("name", "ベンチ 住民"),
                ("email", self.email),
                ("district", str(SETUP["workshop_district"])),
                ("age", "42"),
                ("need_interpreting", ""),
            ],
            expect=302,
        )
        self.done = True
        location = sent.headers.get("location", "") if sent is not None else ""
        found = re.search(r"/councils/my/([0-9]+)/", location)
        if found:
            ACKS["workshop_signup"].append(found.group(1))


class Applicant(Person):
    """A signed-in resident registers as a まかせて partner (入力 → 確認 → 送信): the redirect to
    the registration's "done" page names it, which is the acknowledgement."""

    weight = 1

    def on_start(self) -> None:
        self.take_resident(_applicants)
        super().on_start()

    @task(2)
    def read(self) -> None:
        self.read_public()

    @task(1)
    def register(self) -> None:
        if self.done:
            self.read_public()
            return
        self.done = True
        path = "/partners/makasete/register/"
        form = self.request("GET", path, "partner registration: form")
        if form is None:
            return
        confirmation = self.request(
            "POST",
            path,
            "partner registration: confirm",
            data=[
                *hidden_fields(form.text),
                ("kind", "individual"),
                ("contact_name", "ベンチ 住民"),
                ("contact_kana", "ベンチ ジュウミン"),
                ("contact_phone", "0143-22-1111"),
                ("contact_email", self.email),
                ("contact_postal_code", "051-8511"),
                ("contact_address", "室蘭市幸町1番2号"),
                ("district", str(SETUP["workshop_district"])),
                ("frequency", "monthly"),
                ("skills", "庭の手入れと買い物の手伝いができます。"),
                ("agree", "on"),
            ],
        )
        if confirmation is None:
            return
        sent = self.request(
            "POST",
            path,
            "partner registration: send",
            data=[*hidden_fields(confirmation.text), ("_submit", "1")],
            expect=302,
        )
        location = sent.headers.get("location", "") if sent is not None else ""
        found = re.search(r"/partners/registrations/([0-9]+)/done/", location)
        if found:
            ACKS["partner_registration"].append(found.group(1))


class Clerk(Person):
    """Two clerks at their desks approving the まかせて registrations the applicants sent, one
    at a time from the admin list (the action bar's "approve"); acknowledged when the list
    after the redirect says one registration changed. Both may pick the same row: the second
    is told it is already registered, and nothing is acknowledged for them."""

    fixed_count = 2
    wait_time = between(5, 15)

    def on_start(self) -> None:
        n = next(_clerks) % len(SETUP["clerks"])
        self.session_key = SETUP["clerks"][n]
        super().on_start()

    @task
    def approve(self) -> None:
        listing = self.request("GET", APPLIED_LIST, "staff: registrations to approve")
        if listing is None:
            return
        rows = SELECTED.findall(listing.text)
        if not rows:
            return
        pk = random.choice(rows[:5])
        sent = self.request(
            "POST",
            APPLIED_LIST,
            "staff: approve a registration",
            data=[
                *csrf(listing.text),
                ("action", "approve"),
                ("index", "0"),
                ("reason", ""),
                ("_selected_action", pk),
            ],
            expect=302,
        )
        if sent is None:
            return
        after = self.request("GET", APPLIED_LIST, "staff: the list after approving")
        if after is not None and APPROVED in after.text:
            ACKS["staff_approval"].append(pk)


class Group(Person):
    """A group's member starts a subsidy draft for their organisation (organisation, category,
    title: the draft is saved and its plan opens) and attaches a document to it (multipart).
    Acknowledged: the draft's title token, and the draft's id for the attachment."""

    weight = 1

    def on_start(self) -> None:
        groups = SETUP.get("groups") or []
        self.team = groups[next(_groups) % len(groups)] if groups else None
        if self.team is not None:
            self.session_key = SETUP["residents"][self.team["resident"]]
        self.done = False
        super().on_start()

    @task(2)
    def read(self) -> None:
        self.read_public()

    @task(1)
    def draft(self) -> None:
        if self.done or self.team is None:
            self.read_public()
            return
        self.done = True
        group = self.team
        start = f"/subsidies/programmes/{group['programme']}/apply/"
        form = self.request("GET", start, "subsidy draft: start form")
        if form is None:
            return
        token = f"{SETUP['marker']}-{os.getpid()}-{next(_tokens)}"
        sent = self.request(
            "POST",
            start,
            "subsidy draft: save",
            data=[
                *csrf(form.text),
                ("organization", str(group["organization"])),
                ("category", str(group["category"])),
                ("title", f"ドリルの事業 [{token}]"),
            ],
            expect=302,
        )
        found = re.search(
            r"/subsidies/applications/([0-9]+)/edit/",
            sent.headers.get("location", "") if sent is not None else "",
        )
        if not found:
            return
        ACKS["subsidy_draft"].append(token)
        documents = f"/subsidies/applications/{found.group(1)}/documents/"
        page = self.request("GET", documents, "subsidy draft: documents page")
        if page is None:
            return
        body, content_type = multipart(
            [*csrf(page.text), ("type", str(group["document"]))],
            [("file", "plan.png", PHOTO, "image/png")],
        )
        attached = self.request(
            "POST",
            documents,
            "subsidy draft: attach a document",
            body=body,
            content_type=content_type,
            expect=302,
        )
        if attached is not None:
            ACKS["subsidy_attachment"].append(found.group(1))


class Staff(Person):
    fixed_count = 3
    wait_time = between(3, 10)

    def on_start(self) -> None:
        self.session_key = SETUP["sessions"]["staff"]
        super().on_start()

    @task
    def lists(self) -> None:
        if STAFF_PAGES:
            page = random.choice(STAFF_PAGES)
            self.request("GET", page["path"], page["name"])


def csrf(page: str) -> list[tuple[str, str]]:
    """Only the CSRF token: the page holds a form per shift, some with a hidden wait=1."""
    return [pair for pair in hidden_fields(page) if pair[0] == "csrfmiddlewaretoken"][:1]


@events.quitting.add_listener
def _write_acks(**_kwargs) -> None:
    ACKS_OUT.write_text(json.dumps(ACKS), encoding="utf-8")
