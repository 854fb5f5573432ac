"""`manage.py bench_setup`: every page the apps declare for `make bench` answers 200 with what
the person should see, so the benchmark never measures an error page or a redirect."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from muroran_kyodo import registry

pytestmark = pytest.mark.django_db


def _setup() -> dict:
    out = io.StringIO()
    call_command("bench_setup", stdout=out)
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
