"""The admin's navigation sidebar, rendered once per distinct sidebar (issue 14).

Django renders `admin/app_list.html` for the sidebar of every admin page: some sixty models,
a third of a changelist's time. What it shows depends only on the apps and models the user
may see (their names, links and whether they are view-only), on which of their links the
page's path contains (the current app and model), and on the language; the rendered sidebar is
kept for those inputs in a small per-process store, and the same inputs give the same HTML.

    {% load admin_nav %}
    {% nav_app_list %}
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django import template
from django.template.defaultfilters import urlencode
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Distinct sidebars kept: one per (permissions, language, current model) in use; a few kB each.
KEPT = 256

_rendered: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def sidebar_key(app_list: list[dict[str, Any]], path: str) -> tuple:
    """Everything `admin/app_list.html` reads when the sidebar renders it (a template of ours
    overriding it to show more must add that here)."""
    here = urlencode(path)
    apps = []
    for app in app_list:
        models = tuple(
            (
                model["object_name"],
                str(model["name"]),
                model.get("admin_url"),
                model.get("add_url"),
                bool(model.get("view_only")),
                bool(model.get("admin_url")) and model["admin_url"] in here,
            )
            for model in app["models"]
        )
        apps.append(
            (app["app_label"], str(app["name"]), app["app_url"], app["app_url"] in here, models)
        )
    return (get_language(), tuple(apps))


@register.simple_tag(takes_context=True)
def nav_app_list(context: template.Context) -> SafeString:
    """`admin/app_list.html` for `available_apps`, as the sidebar includes it."""
    request = context["request"]
    app_list = context.get("available_apps") or []
    key = sidebar_key(app_list, request.path)
    with _lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
    if html is None:
        html = get_template("admin/app_list.html").render(
            {"app_list": app_list, "show_changelinks": False, "request": request}
        )
        with _lock:
            _rendered[key] = html
            while len(_rendered) > KEPT:
                _rendered.popitem(last=False)
    return mark_safe(html)  # noqa: S308 - rendered by the autoescaping template above
