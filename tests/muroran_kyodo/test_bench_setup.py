"""`manage.py bench_setup`: every page the apps declare for `make bench` answers 200 with what
the person should see, so the benchmark never measures an error page or a redirect."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from muroran_kyodo import registry

pytestmark = pytest.mark.django_db


def _setup(*args) -> dict:
    out = io.StringIO()
    call_command("bench_setup", *args, stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("BENCH "))
    return json.loads(line[len("BENCH ") :])


def test_every_declared_page_answers_for_its_person():
    call_command("seed_demo", stdout=io.StringIO())
    data = _setup()
    pages = data["pages"]
    # Every app's declaration contributed, and names are unique (--only picks by name).
    assert len(registry.BENCH_PAGES) == 7
    assert len({p["name"] for p in pages}) == len(pages)
    assert {
        "home",
        "directory",
        "partners programme",
        "adopted projects",
        "public comment cases",
        "en-talk sessions",
        "en-talk session record",
        "councils workshops",
        "councils council page",
    } <= {p["name"] for p in pages}
    for page in pages:
        client = Client()
        if page["who"]:
            client.cookies[data["cookie"]] = data["sessions"][page["who"]]
        response = client.get(page["path"])
        assert response.status_code == 200, (page["name"], response.status_code)
        text = response.content.decode()
        for token in page["expect"]:
            assert token in text, (page["name"], token)


def test_running_it_twice_adds_no_bench_data():
    from partners.models import ActivityReport, Registration, Signup

    call_command("seed_demo", stdout=io.StringIO())
    _setup()
    counts = [m.objects.count() for m in (ActivityReport, Registration, Signup)]
    _setup()
    assert [m.objects.count() for m in (ActivityReport, Registration, Signup)] == counts


def test_capacity_residents_are_people_of_their_own_each_signed_in_once_created():
    call_command("seed_demo", stdout=io.StringIO())
    data = _setup("--residents", "3")
    keys = data["residents"]
    assert len(set(keys)) == 3
    seen = set()
    for key in keys:
        client = Client()
        client.cookies[data["cookie"]] = key
        response = client.get("/mypage/")
        assert response.status_code == 200
        user = response.context["user"]
        assert user.email.startswith("bench-resident-") and not user.has_usable_password()
        assert user.emailaddress_set.get().verified
        seen.add(user.pk)
    assert len(seen) == 3

    residents = get_user_model().objects.filter(email__startswith="bench-resident-")
    again = _setup("--residents", "5")
    assert residents.count() == 5  # the three again, and two more
    assert len(set(again["residents"]) - set(keys)) == 5  # new sessions, as new sign-ins
    assert _setup()["residents"] == []


def test_residents_are_bounded():
    with pytest.raises(CommandError):
        _setup("--residents", "-1")


def _hidden(page: str) -> list[tuple[str, str]]:
    """The hidden inputs, as bench/capacity.py's hidden_fields reads them."""
    found = []
    for tag in re.findall(r"<input\b[^>]*\btype=\"hidden\"[^>]*>", page):
        attributes = dict(re.findall(r'\b(name|value)="([^"]*)"', tag))
        if "name" in attributes:
            found.append((attributes["name"], html.unescape(attributes.get("value", ""))))
    return found


def test_the_declared_opinion_form_sends_an_opinion_as_the_capacity_run_does():
    """What bench/locustfile.py does: the form page's hidden fields (CSRF token, form key) with
    the declared fields, the confirmation's hidden fields with _submit; then the receipt."""
    from publiccomment.models import Submission

    call_command("seed_demo", stdout=io.StringIO())
    page = next(p for p in _setup()["pages"] if p["form"])
    assert page["name"] == "public comment opinion form" and page["confirm"] and not page["who"]
    client = Client(enforce_csrf_checks=True)
    form = client.get(page["path"])
    assert form.status_code == 200
    data = [*_hidden(form.content.decode()), *[tuple(pair) for pair in page["form"]]]
    assert "csrfmiddlewaretoken" in dict(data)
    confirmation = client.post(page["path"], dict(data))
    assert confirmation.status_code == 200
    before = Submission.objects.count()
    sent = client.post(
        page["path"], {**dict(_hidden(confirmation.content.decode())), "_submit": "1"}
    )
    assert sent.status_code == 302
    assert Submission.objects.count() == before + 1
    submission = Submission.objects.latest("pk")
    assert submission.name == "ベンチ 花子"
    assert client.get(sent["Location"]).status_code == 200
