"""`manage.py drill_setup` and `manage.py drill_check`: the records the reliability drill acts
on are what its phases assume (residents able to sign up and report, a shift of 20 places, a
budget that holds fewer applications than are under review), and the check finds each
acknowledged submission exactly once, or says it is missing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from partners.models import Registration, Shift, Signup
from partners.services import signup_create
from subsidies.models import Application

pytestmark = pytest.mark.django_db


def _drill_setup(**options) -> dict:
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("drill_setup", stdout=out, **options)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("DRILL "))
    return json.loads(line[len("DRILL ") :])


def _check(tmp_path, setup: dict, acks: dict) -> dict:
    (tmp_path / "setup.json").write_text(json.dumps(setup), encoding="utf-8")
    (tmp_path / "acks.json").write_text(json.dumps(acks), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "drill_check", str(tmp_path / "setup.json"), str(tmp_path / "acks.json"), stdout=out
    )
    line = next(x for x in out.getvalue().splitlines() if x.startswith("DRILLCHECK "))
    return json.loads(line[len("DRILLCHECK ") :])


def test_it_prepares_residents_a_race_shift_and_a_budget_too_small(tmp_path):
    setup = _drill_setup(residents=30, race_places=20, clerks=4, budget_applications=4, groups=10)
    assert len(setup["residents"]) == len(setup["registrations"]) == 30
    registrations = Registration.objects.filter(pk__in=setup["registrations"])
    assert {r.status for r in registrations} == {Registration.Status.REGISTERED}
    assert len(setup["pika_registrations"]) == 30
    assert Shift.objects.get(pk=setup["race_shift"]).slots == 20
    assert len(setup["clerks"]) == 4
    applications = Application.objects.filter(pk__in=setup["budget_applications"])
    assert {a.status for a in applications} == {Application.Status.UNDER_REVIEW}
    assert sum(a.requested_amount for a in applications) > setup["budget_total"]
    assert setup["workshop_session"] is not None  # the demo's open まちづくり協議会 workshop
    # Each group's member may start a subsidy draft for their organisation.
    assert len(setup["groups"]) == 10
    group = setup["groups"][0]
    client = Client()
    client.cookies[setup["cookie"]] = setup["residents"][group["resident"]]
    start = client.get(f"/subsidies/programmes/{group['programme']}/apply/")
    assert start.status_code == 200
    assert f'value="{group["organization"]}"' in start.content.decode()

    # A resident's session opens the drill's opportunity page signed in, with the sign-up form.
    client = Client()
    client.cookies[setup["cookie"]] = setup["residents"][0]
    page = client.get(f"/partners/opportunities/{setup['race_opportunity']}/")
    assert page.status_code == 200
    assert f"/partners/opportunities/shifts/{setup['race_shift']}/signup/" in page.content.decode()


def test_it_refuses_a_race_with_more_places_than_people():
    call_command("seed_demo", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("drill_setup", residents=10, race_places=10, stdout=io.StringIO())


def test_check_finds_an_acknowledged_sign_up_once_and_reports_a_missing_one(tmp_path):
    setup = _drill_setup(residents=25, clerks=2, budget_applications=2, budget_fits=1)
    shift = Shift.objects.get(pk=setup["load_shifts"][0])
    registration = Registration.objects.get(pk=setup["registrations"][0])
    signup_create(shift=shift, registration=registration, by=registration.user)
    present = f"{registration.pk}:{shift.pk}"
    absent = f"{setup['registrations'][1]}:{shift.pk}"

    found = _check(tmp_path, setup, {"shift_signup": [present, absent]})

    assert found["kinds"]["shift_signup"] == {"found": {present: 1, absent: 0}, "total": 1}
    assert found["kinds"]["workshop_signup"] == {"found": {}, "total": 0}
    assert found["race"] == {}
    assert found["budget"]["adopted"] == 0
    assert found["clerks"] == {"status": "submitted", "history": 0}
    assert found["half_written"]["signups_without_history"] == 0
    assert found["dangling_files"] == 0


def test_check_counts_a_drill_sign_up_without_its_history_as_half_written(tmp_path):
    setup = _drill_setup(residents=25, clerks=2, budget_applications=2, budget_fits=1)
    Signup.objects.create(
        shift_id=setup["load_shifts"][1],
        registration_id=setup["registrations"][2],
        status=Signup.Status.CONFIRMED,
    )
    found = _check(tmp_path, setup, {})
    assert found["half_written"]["signups_without_history"] == 1
