"""The admin's navigation sidebar (templatetags.admin_nav): the HTML Django's own template
gives, for the apps and models the user may see, with the page's model marked, kept per
distinct sidebar (issue 14)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.template.loader import get_template
from django.urls import reverse

from muroran_kyodo.templatetags import admin_nav
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_store():
    admin_nav._rendered.clear()
    yield
    admin_nav._rendered.clear()


def _sidebar(html: str) -> str:
    return re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', html, re.S).group(0)


def _django_sidebar(response) -> str:
    """Django's admin/nav_sidebar.html's app list for the same page: the include it makes."""
    return get_template("admin/app_list.html").render(
        {
            "app_list": response.context["available_apps"],
            "show_changelinks": False,
            "request": response.wsgi_request,
        }
    )


@pytest.mark.django_db
def test_the_sidebar_is_djangos_and_marks_the_page_model(client):
    superuser = factories.make_user("admin@city.muroran.example.jp", superuser=True)
    factories.with_second_factor(client, superuser)
    reports = client.get(reverse("admin:partners_activityreport_changelist"))
    sidebar = _sidebar(reports.content.decode())
    assert _django_sidebar(reports).strip() in sidebar
    assert 'class="model-activityreport current-model"' in sidebar
    assert 'href="/admin/partners/activityreport/" aria-current="page"' in sidebar

    opinions = client.get(reverse("admin:publiccomment_opinion_changelist"))
    sidebar = _sidebar(opinions.content.decode())
    assert _django_sidebar(opinions).strip() in sidebar
    assert 'class="model-opinion current-model"' in sidebar
    assert "model-activityreport current-model" not in sidebar

    # The same page again is served from the store, unchanged.
    stored = len(admin_nav._rendered)
    again = client.get(reverse("admin:publiccomment_opinion_changelist"))
    assert _sidebar(again.content.decode()) == sidebar
    assert len(admin_nav._rendered) == stored


@pytest.mark.django_db
def test_each_user_sees_the_models_they_may_see(client):
    superuser = factories.make_user("admin@city.muroran.example.jp", superuser=True)
    factories.with_second_factor(client, superuser)
    everything = _sidebar(
        client.get(reverse("admin:publiccomment_opinion_changelist")).content.decode()
    )
    clerk = factories.make_user("kikaku@city.muroran.example.jp", staff=True)
    clerk.groups.add(Group.objects.get(name="企画課"))
    clerk_client = factories.with_second_factor(client.__class__(), clerk)
    response = clerk_client.get(reverse("admin:publiccomment_opinion_changelist"))
    sidebar = _sidebar(response.content.decode())
    assert _django_sidebar(response).strip() in sidebar
    assert "/admin/publiccomment/opinion/" in sidebar
    assert "/admin/partners/activityreport/" in everything
    assert "/admin/partners/activityreport/" not in sidebar


def test_the_store_keeps_a_bounded_number_of_sidebars(rf, monkeypatch):
    monkeypatch.setattr(admin_nav, "KEPT", 3)
    apps = [
        {
            "app_label": "partners",
            "name": "Partners",
            "app_url": "/admin/partners/",
            "models": [
                {
                    "object_name": "ActivityReport",
                    "name": "Reports",
                    "admin_url": "/admin/partners/activityreport/",
                    "add_url": None,
                    "view_only": True,
                }
            ],
        }
    ]
    for n in range(5):
        request = rf.get(f"/admin/x{n}/")
        html = admin_nav.nav_app_list({"request": request, "available_apps": apps})
        assert 'href="/admin/partners/activityreport/"' in html
    # Pages outside the app share one sidebar.
    assert len(admin_nav._rendered) == 1
    for model in ["activityreport", "registration", "signup", "place"]:
        apps[0]["models"][0]["admin_url"] = f"/admin/partners/{model}/"
        admin_nav.nav_app_list({"request": rf.get("/admin/"), "available_apps": apps})
    assert len(admin_nav._rendered) == 3
