"""Staff at 1280 px: every changelist of partners, subsidies, publiccomment, entalk and councils fits
the window, with the demo data in it, and its status column is on screen (no sideways scrolling to
find 状況 or 申請額).

Staff sign in with a password and a TOTP code (the journeys test that); here the browser gets
the session of a client that has both (tests.factories.with_second_factor).
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 800}
APPS = ("partners", "subsidies", "publiccomment", "entalk", "councils")
# The column that says where a record stands, on the changelists that have one.
STATUS_COLUMNS = {
    "partners.signup": "column-status",
    "partners.registration": "column-status",
    "partners.pickuprequest": "column-state",
    "partners.supplyrequest": "column-state",
    "partners.equipmentloan": "column-state",
    "subsidies.application": "column-status",
    "subsidies.changerequest": "column-status",
    "publiccomment.case": "column-phase_label",
    "publiccomment.issue": "column-disposition",
    "entalk.request": "column-status",
    "entalk.followup": "column-status",
    "councils.council": "column-status",
    "councils.session": "column-status",
    "councils.signup": "column-status",
}

# The table sits in the admin's scrolling box (.results): it must fit that box, and the page
# the window, so that nothing of the list needs scrolling sideways.
MEASURE = """() => {
  const table = document.querySelector('#result_list');
  const box = table && table.closest('.results');
  return {
    viewport: document.documentElement.clientWidth,
    pageWidth: document.documentElement.scrollWidth,
    table: table ? Math.ceil(table.getBoundingClientRect().width) : null,
    container: box ? box.clientWidth : null,
    containerRight: box ? box.getBoundingClientRect().right : null,
    rows: document.querySelectorAll('#result_list tbody tr').length,
  };
}"""

STATUS_BOX = """(cls) => {
  const th = document.querySelector('#result_list thead th.' + cls);
  if (!th) return null;
  const box = th.getBoundingClientRect();
  return {left: box.left, right: box.right, width: box.width};
}"""


def changelists() -> list[tuple[str, str]]:
    return sorted(
        (f"{model._meta.app_label}.{model._meta.model_name}", _changelist_url(model))
        for model in admin.site._registry
        if model._meta.app_label in APPS
    )


def _changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def staff_page(new_context, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    superuser = factories.make_user("kanri@city.muroran.example.jp", superuser=True)
    client = factories.with_second_factor(Client(), superuser)
    context = new_context(viewport=DESKTOP)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_every_changelist_fits_1280_px_with_its_status_on_screen(staff_page):
    page = staff_page
    too_wide, status_off_screen, empty = [], [], []
    for label, url in changelists():
        page.goto(url)
        assert page.locator("#changelist").count() == 1, f"{label}: {url} is no changelist"
        measured = page.evaluate(MEASURE)
        if measured["table"] is None:
            empty.append(label)
            continue
        if (
            measured["pageWidth"] > measured["viewport"]
            or measured["table"] > measured["container"]
        ):
            too_wide.append(f"{label}: {measured}")
        column = STATUS_COLUMNS.get(label)
        if column:
            box = page.evaluate(STATUS_BOX, column)
            right = min(measured["viewport"], measured["containerRight"])
            if box is None or box["width"] == 0 or box["right"] > right:
                status_off_screen.append(f"{label}: {box}, visible to {right}")
    assert not too_wide, "changelists wider than 1280 px:\n" + "\n".join(too_wide)
    assert not status_off_screen, "status column off screen:\n" + "\n".join(status_off_screen)
    # The demo has rows in the lists staff work from, so their widths were measured with data.
    for label in (
        "partners.registration",
        "subsidies.application",
        "publiccomment.case",
        "entalk.request",
        "entalk.followup",
        "councils.council",
        "councils.session",
        "councils.signup",
        "councils.facilitator",
    ):
        assert label not in empty, f"{label} has no rows in the demo"
