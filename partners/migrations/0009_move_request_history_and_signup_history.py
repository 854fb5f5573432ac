"""Every request's history moves from the one RequestStatusChange table (kind + request_id, no
foreign key, reason cut to 200 characters) to the history table of its kind; every sign-up gets
the row of its current state.

A RequestStatusChange row whose request no longer exists cannot be kept in a table with a foreign
key. Requests are never deleted by the site (no delete in the admin, the partner PROTECTs them),
so there should be none; if there are, the migration stops and names them instead of dropping
them: export them, then delete them by hand and migrate again. Nothing is lost silently.

Backwards, the rows go back to RequestStatusChange (a reason longer than 200 characters is cut,
as that table always did) and the sign-up history is dropped with its table."""

from django.db import migrations

KINDS = {
    "pickuprequest": ("PickupRequest", "PickupRequestStatusChange"),
    "supplyrequest": ("SupplyRequest", "SupplyRequestStatusChange"),
    "equipmentloan": ("EquipmentLoan", "EquipmentLoanStatusChange"),
}
BATCH = 2000


def move_request_history(apps, schema_editor):
    RequestStatusChange = apps.get_model("partners", "RequestStatusChange")
    orphans = []
    for kind, (request_name, history_name) in KINDS.items():
        Request = apps.get_model("partners", request_name)
        History = apps.get_model("partners", history_name)
        rows = RequestStatusChange.objects.filter(kind=kind)
        existing = set(Request.objects.filter(pk__in=rows.values("request_id")).values_list("pk", flat=True))
        orphans += [
            f"{kind} {request_id}"
            for request_id in rows.exclude(request_id__in=existing)
            .values_list("request_id", flat=True)
            .distinct()
        ]
        History.objects.bulk_create(
            (
                History(
                    request_id=row.request_id,
                    old_status=row.old_status,
                    new_status=row.new_status,
                    by_id=row.by_id,
                    at=row.at,
                    reason=row.reason,
                )
                for row in rows.filter(request_id__in=existing).order_by("pk").iterator(BATCH)
            ),
            batch_size=BATCH,
        )
    unknown = RequestStatusChange.objects.exclude(kind__in=KINDS).values_list("kind", flat=True)
    orphans += [f"unknown kind {kind}" for kind in unknown.distinct()]
    if orphans:
        raise RuntimeError(
            "partners.RequestStatusChange has rows of requests that no longer exist: "
            + ", ".join(sorted(orphans)[:50])
            + ". Export them, delete them, and migrate again (see this migration's docstring)."
        )


def move_request_history_back(apps, schema_editor):
    RequestStatusChange = apps.get_model("partners", "RequestStatusChange")
    for kind, (_request_name, history_name) in KINDS.items():
        History = apps.get_model("partners", history_name)
        RequestStatusChange.objects.bulk_create(
            (
                RequestStatusChange(
                    kind=kind,
                    request_id=row.request_id,
                    old_status=row.old_status,
                    new_status=row.new_status,
                    by_id=row.by_id,
                    at=row.at,
                    reason=row.reason[:200],
                )
                for row in History.objects.order_by("pk").iterator(BATCH)
            ),
            batch_size=BATCH,
        )
        History.objects.all().delete()


def write_signup_history(apps, schema_editor):
    """One row per sign-up, from its current state: who keyed it in, when it last changed."""
    Signup = apps.get_model("partners", "Signup")
    SignupStatusChange = apps.get_model("partners", "SignupStatusChange")
    SignupStatusChange.objects.bulk_create(
        (
            SignupStatusChange(
                signup_id=signup.pk,
                old_status="",
                new_status=signup.status,
                by_id=signup.created_by_id,
                at=signup.status_changed_at or signup.created_at,
            )
            for signup in Signup.objects.filter(status_changes__isnull=True)
            .order_by("pk")
            .iterator(BATCH)
        ),
        batch_size=BATCH,
    )


def drop_signup_history(apps, schema_editor):
    apps.get_model("partners", "SignupStatusChange").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0008_status_change_histories")]

    operations = [
        migrations.RunPython(move_request_history, move_request_history_back),
        migrations.RunPython(write_signup_history, drop_signup_history),
    ]
