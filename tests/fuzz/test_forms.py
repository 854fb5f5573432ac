"""Every form of the portal answers a missing, duplicated or extra field, a huge value, control
characters, a non-number, a choice not offered or a date that cannot be with a form error (or a
refusal): never a server error, never a partial record. Property-based (hypothesis): see
tests/fuzz/strategies.py for the inputs, tests/fuzz/registry.py for the forms.

One world per module and xdist worker (tests/fuzz/world.py), inside the subsidies' frozen clock;
each test signs its role in and opens the form's page; each generated input runs in a savepoint
rolled back after it, with the cache (the rate limits) cleared first.
"""

from __future__ import annotations

import pytest
import time_machine
from django.contrib import admin
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from tests.fuzz import harness, report
from tests.fuzz import world as fuzz_world
from tests.fuzz.html import post_forms
from tests.fuzz.registry import (
    EXCLUDED,
    SAVES_WHAT_IS_VALID,
    SITE_FORMS,
    admin_targets,
    post_handling_urls,
    site_action,
    url_patterns,
)
from tests.subsidies.factories import NOW

pytestmark = pytest.mark.fuzz


def _reference_data_back() -> None:
    """As tests/access/test_access_matrix.py: a transactional test that ran before on this
    worker leaves the tables flushed; put the migrations' reference data back."""
    from django.contrib.auth.models import Group
    from django.db import connection

    serialized = getattr(connection, "_test_serialized_contents", None)
    if serialized and not Group.objects.exists():
        connection.creation.deserialize_db_from_string(serialized)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("fuzz-media")
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        _reference_data_back()
        world = fuzz_world.build()
        world.media = media
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_media(_test_settings, settings, world):
    settings.MEDIA_ROOT = world.media


def _open(world, role: str, url: str) -> tuple[Client, object]:
    client = fuzz_world.sign_in(Client(), world, role)
    return client, client.get(url, follow=True)


def _final_path(response) -> str:
    return response.request["PATH_INFO"]


# --- site forms -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SITE_FORMS))
def test_site_form(world, db, key):
    spec = SITE_FORMS[key]
    client, page = _open(world, spec.role, fuzz_world.url(world, spec.page))
    assert page.status_code == 200, f"{key}: {spec.page} as {spec.role} is {page.status_code}"
    page_url = _final_path(page)
    wanted = site_action(key)
    forms = [
        form
        for form in post_forms(page.content)
        if harness.view_name(harness.action_url(form, page_url)) == wanted
    ]
    assert forms, f"{key}: no <form method=post> to {wanted} on {page_url} as {spec.role}"
    form = forms[0]
    may_write = frozenset(SAVES_WHAT_IS_VALID.get(key, (set(), ""))[0])
    harness.fuzz_form(
        f"site {key}", client, harness.action_url(form, page_url), form, may_write=may_write
    )


def test_every_form_handling_view_is_fuzzed_or_excluded_with_its_reason():
    """The guard: a view that takes a POST and is in neither list fails here, and so does an
    entry whose URL is gone."""
    handled = post_handling_urls()
    listed = {site_action(key) for key in SITE_FORMS} | set(EXCLUDED)
    assert not sorted(handled - listed), (
        f"views that take a POST with no entry in tests/fuzz/registry.py: {sorted(handled - listed)}"
    )
    every_url = {name for name, _callback in url_patterns()}
    gone = sorted({site_action(key) for key in SITE_FORMS} - every_url)
    assert not gone, f"entries whose URL no longer exists: {gone}"


# --- the admin --------------------------------------------------------------------------------

ADMIN_ROLE = "superuser"
# The admin has some 300 forms (add, change, each action, each page of its own): half the
# profile's inputs each keeps the CI run short; `make fuzz` gives them 250.
ADMIN_SHARE = 0.5
OBJECTS_PER_MODEL = 6  # change pages opened per model to find the transition forms of each state


def _admin_names(model):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}"


def _objects(model, limit=OBJECTS_PER_MODEL):
    """Up to `limit` objects, one per status (and kind, where the model has kinds: a training's
    pages are not a workshop's) where the model has one, so that each state's buttons show."""
    manager = model._default_manager
    field_names = {f.name for f in model._meta.get_fields()}
    if "status" in field_names:
        chosen, seen = [], set()
        for obj in manager.order_by("pk"):
            key = (obj.status, getattr(obj, "kind", None) if "kind" in field_names else None)
            if key not in seen:
                seen.add(key)
                chosen.append(obj)
        return chosen[:limit]
    return list(manager.order_by("pk")[:1])


@pytest.mark.parametrize("target", admin_targets(), ids=lambda t: t.id)
def test_admin_form(world, db, target):
    from django.apps import apps

    model = apps.get_model(target.label)
    model_admin = admin.site._registry[model]
    base = _admin_names(model)
    client = fuzz_world.sign_in(Client(), world, ADMIN_ROLE)
    name = target.id

    if target.kind == "add":
        page = client.get(reverse(f"{base}_add"))
        if page.status_code == 403:
            report.skipped(name, "no add permission")
            pytest.skip("the superuser may not add: no add form")
        assert page.status_code == 200
        forms = [f for f in post_forms(page.content) if not f.action]
        assert forms, f"{name}: no add form"
        harness.fuzz_form(name, client, reverse(f"{base}_add"), forms[0], share=ADMIN_SHARE)
        return

    objects = _objects(model)
    if target.kind == "change":
        if not objects:
            report.skipped(name, "no object in the world")
            pytest.skip(f"no {target.label} in the world")
        url = reverse(f"{base}_change", args=[objects[0].pk])
        page = client.get(url)
        assert page.status_code == 200, f"{name}: {page.status_code}"
        forms = [f for f in post_forms(page.content) if not f.action or f.action == url]
        assert forms, f"{name}: no change form"
        harness.fuzz_form(name, client, url, forms[0], share=ADMIN_SHARE)
        return

    if target.kind == "action":
        if not objects:
            report.skipped(name, "no object in the world")
            pytest.skip(f"no {target.label} in the world")
        url = reverse(f"{base}_changelist")
        page = client.get(url)
        assert page.status_code == 200
        forms = [f for f in post_forms(page.content) if "action" in f.controls]
        request = page.wsgi_request
        if target.name not in model_admin.get_actions(request):
            if target.name == "delete_selected":
                # The apps withdraw bulk deletion where records carry history or money.
                report.skipped(name, "bulk deletion withdrawn from this list")
                pytest.skip("bulk deletion withdrawn from this list")
            report.skipped(name, "not offered to the superuser")
            pytest.skip("action not offered")
        assert forms, f"{name}: no action form on the list"
        form = forms[0]
        form.controls["action"].values = [target.name]
        selected = form.controls.get("_selected_action")
        if selected is not None:
            wanted = [str(obj.pk) for obj in objects]
            selected.values = [v for v in selected.options if v in wanted][:2] or selected.options[
                :1
            ]
        harness.fuzz_form(name, client, url, form, share=ADMIN_SHARE)
        return

    # a page of the ModelAdmin's own: opened (for each object where it takes one) for its
    # forms, and the forms on the change pages that post to it (the transition buttons)
    try:
        pages = [(reverse(f"admin:{target.name}"), None)]
    except NoReverseMatch:
        pages = [(reverse(f"admin:{target.name}", args=[obj.pk]), obj) for obj in objects]
    fuzzed = set()
    read_only = False  # the page itself opened, and nothing on it posts
    for own, obj in pages:
        sources = [own] + ([reverse(f"{base}_change", args=[obj.pk])] if obj else [])
        for source in sources:
            page = client.get(source)
            if page.status_code != 200:
                continue
            if source == own and not post_forms(page.content):
                read_only = True
            for form in post_forms(page.content):
                action = harness.action_url(form, source)
                if harness.view_name(action) != f"admin:{target.name}":
                    continue
                key = (form.signature(), source == own)
                if key in fuzzed:
                    continue
                fuzzed.add(key)
                where = f"{obj._meta.model_name} {obj.pk}" if obj else "page"
                harness.fuzz_form(
                    f"{name} ({where}, form {form.index})", client, action, form, share=ADMIN_SHARE
                )
    if not fuzzed and read_only:
        report.skipped(name, "a page to read: no form on it posts")
        pytest.skip(f"{target.name} is a page to read: no form on it posts")
    if not fuzzed:
        report.skipped(name, "no form posts to it in the world")
        pytest.skip(f"no form posts to {target.name} in the world")
