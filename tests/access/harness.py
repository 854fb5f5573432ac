"""The machinery of the access matrix: walking the URL conf, signing each role in, and a
snapshot of the database to prove that a refusal (or a GET) wrote nothing."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories

# Every table of these apps is counted; the rows of STATE_MODELS are compared in full (a status
# change or a moved window writes no new row).
COUNTED_APPS = (
    "accounts",
    "organizations",
    "partners",
    "subsidies",
    "publiccomment",
    "entalk",
    "councils",
    "muroran_kyodo",
    "account",
)
STATE_MODELS = (
    "organizations.Organization",
    "organizations.Membership",
    "organizations.Invitation",
    "partners.Registration",
    "partners.ActivityReport",
    "partners.PickupRequest",
    "partners.Signup",
    "subsidies.Application",
    "subsidies.Attachment",
    "subsidies.ChangeRequest",
    "subsidies.Consultation",
    "entalk.Request",
    "entalk.FollowUp",
    "councils.Council",
    "councils.Session",
    "councils.Signup",
    "councils.Facilitator",
)


def walk(patterns=None, prefix="", namespace=None):
    """(route, name) of every URL pattern, recursively; name is `ns:name`, or None."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


def sign_in(client, role, user):
    """anonymous: nobody; staff_no2fa: password only; the reviewer with the second factor their
    pages demand (subsidies.second_factor); everyone else as tests.factories.sign_in (staff
    with their TOTP second factor)."""
    if user is None:
        return client
    if role == "staff_no2fa":
        client.force_login(user)
    elif role == "reviewer":
        factories.with_second_factor(client, user)
    else:
        factories.sign_in(client, user)
    return client


def _count_sql() -> str:
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.app_label in COUNTED_APPS
            and not model._meta.proxy
            # A refusal writes one audit-log row (accounts.security_events) by design; every
            # other table of our apps must still stay untouched.
            and model._meta.label != "accounts.SecurityEvent"
        }
    )
    quote = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)


def snapshot():
    """Row counts of every table of our apps (one query) and the full rows of the state models."""
    with connection.cursor() as cursor:
        cursor.execute(_count_sql())
        counts = cursor.fetchone()
    rows = {
        label: list(apps.get_model(label)._default_manager.order_by("pk").values_list())
        for label in STATE_MODELS
    }
    return counts, rows
