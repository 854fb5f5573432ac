"""The history migrations (0008-0010): every RequestStatusChange row moves to the history of its
request's kind with who, when and why intact; a row whose request is gone stops the migration
instead of being dropped; every sign-up gets the row of its current state; and backwards the
rows come back. Run on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("partners", "0008_status_change_histories")]
AFTER = [("partners", "0010_drop_request_status_change")]
AT = dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.UTC)
LONG_REASON = "長い理由。" * 60  # 300 characters: the old table cut reasons to 200


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def before():
    apps = _migrate(BEFORE)
    yield apps
    # Whatever the test did, the database ends at the latest migration for the next tests.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _partner(apps):
    User = apps.get_model("accounts", "User")
    District = apps.get_model("organizations", "District")
    Registration = apps.get_model("partners", "Registration")
    user = User.objects.create(email="migration@example.jp", family_name="輪西")
    registration = Registration.objects.create(
        number="MP-2026-90001",
        programme="pika",
        kind="individual",
        user=user,
        contact_name="輪西 花子",
        contact_kana="ワニシ ハナコ",
        district=District.objects.first(),
        status="registered",
    )
    return user, registration


def _requests(apps, registration):
    PickupRequest = apps.get_model("partners", "PickupRequest")
    SupplyRequest = apps.get_model("partners", "SupplyRequest")
    EquipmentLoan = apps.get_model("partners", "EquipmentLoan")
    Equipment = apps.get_model("partners", "Equipment")
    pickup = PickupRequest.objects.create(
        registration=registration,
        district=registration.district,
        location="みなと公園",
        burnable_bags=2,
        available_from=AT,
        status="done",
    )
    supply = SupplyRequest.objects.create(
        registration=registration, delivery_note="会館", status="cancelled"
    )
    loan = EquipmentLoan.objects.create(
        registration=registration,
        equipment=Equipment.objects.first(),
        lend_on=AT.date(),
        return_by=AT.date() + dt.timedelta(days=2),
        status="lent",
    )
    return pickup, supply, loan


def _old_row(apps, kind, request_id, old, new, *, by, reason="", at=AT):
    RequestStatusChange = apps.get_model("partners", "RequestStatusChange")
    return RequestStatusChange.objects.create(
        kind=kind,
        request_id=request_id,
        old_status=old,
        new_status=new,
        by=by,
        at=at,
        reason=reason,
    )


def _rows(model):
    return list(
        model.objects.order_by("pk").values_list(
            "request_id", "old_status", "new_status", "by_id", "at", "reason"
        )
    )


def test_every_request_history_row_moves_to_its_kind_with_who_when_and_why(before):
    user, registration = _partner(before)
    pickup, supply, loan = _requests(before, registration)
    _old_row(before, "pickuprequest", pickup.pk, "requested", "done", by=user, reason="午前に回収")
    _old_row(before, "supplyrequest", supply.pk, "requested", "cancelled", by=None)
    later = AT + dt.timedelta(days=1)
    _old_row(before, "equipmentloan", loan.pk, "requested", "lent", by=user, at=later)

    after = _migrate(AFTER)

    assert _rows(after.get_model("partners", "PickupRequestStatusChange")) == [
        (pickup.pk, "requested", "done", user.pk, AT, "午前に回収")
    ]
    assert _rows(after.get_model("partners", "SupplyRequestStatusChange")) == [
        (supply.pk, "requested", "cancelled", None, AT, "")
    ]
    assert _rows(after.get_model("partners", "EquipmentLoanStatusChange")) == [
        (loan.pk, "requested", "lent", user.pk, later, "")
    ]
    with pytest.raises(LookupError):
        after.get_model("partners", "RequestStatusChange")


def test_a_row_whose_request_is_gone_stops_the_migration_and_is_kept(before):
    user, registration = _partner(before)
    pickup, _supply, _loan = _requests(before, registration)
    _old_row(before, "pickuprequest", pickup.pk, "requested", "done", by=user)
    orphan = _old_row(before, "pickuprequest", 999_999, "requested", "cancelled", by=user)

    with pytest.raises(RuntimeError, match="pickuprequest 999999"):
        _migrate(AFTER)

    # Nothing moved, nothing lost: the old table still holds both rows.
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    RequestStatusChange = apps.get_model("partners", "RequestStatusChange")
    assert RequestStatusChange.objects.count() == 2
    assert apps.get_model("partners", "PickupRequestStatusChange").objects.count() == 0
    RequestStatusChange.objects.filter(pk=orphan.pk).delete()  # what the operator does
    after = _migrate(AFTER)
    assert after.get_model("partners", "PickupRequestStatusChange").objects.count() == 1


def test_every_sign_up_gets_the_row_of_its_current_state(before):
    user, registration = _partner(before)
    Registration = before.get_model("partners", "Registration")
    Registration.objects.filter(pk=registration.pk).update(programme="magokoro")
    Opportunity = before.get_model("partners", "Opportunity")
    Shift = before.get_model("partners", "Shift")
    Signup = before.get_model("partners", "Signup")
    opportunity = Opportunity.objects.create(
        programme="magokoro",
        title="花壇の手入れ",
        department="地域生活課",
        description="説明",
        place="市役所",
        signup_deadline=AT,
    )
    shift = Shift.objects.create(
        opportunity=opportunity, starts_at=AT, ends_at=AT + dt.timedelta(hours=2), slots=1
    )
    confirmed = Signup.objects.create(
        shift=shift,
        registration=registration,
        status="confirmed",
        created_by=user,
        created_at=AT - dt.timedelta(days=3),
        status_changed_at=AT - dt.timedelta(days=2),
    )
    cancelled = Signup.objects.create(
        shift=shift,
        registration=registration,
        status="cancelled",
        created_by=None,
        created_at=AT - dt.timedelta(days=5),
        status_changed_at=AT - dt.timedelta(days=4),
    )

    after = _migrate(AFTER)

    SignupStatusChange = after.get_model("partners", "SignupStatusChange")
    assert list(
        SignupStatusChange.objects.order_by("signup_id").values_list(
            "signup_id", "old_status", "new_status", "by_id", "at"
        )
    ) == [
        (confirmed.pk, "", "confirmed", user.pk, AT - dt.timedelta(days=2)),
        (cancelled.pk, "", "cancelled", None, AT - dt.timedelta(days=4)),
    ]


def test_backwards_the_rows_return_to_the_one_table(before):
    user, registration = _partner(before)
    pickup, supply, _loan = _requests(before, registration)
    _old_row(before, "pickuprequest", pickup.pk, "requested", "done", by=user, reason="回収済み")
    _migrate(AFTER)
    apps = MigrationExecutor(connection).loader.project_state(AFTER).apps
    apps.get_model("partners", "SupplyRequestStatusChange").objects.create(
        request_id=supply.pk,
        old_status="requested",
        new_status="cancelled",
        at=AT,
        reason=LONG_REASON,
    )

    back = _migrate(BEFORE)

    RequestStatusChange = back.get_model("partners", "RequestStatusChange")
    assert sorted(
        RequestStatusChange.objects.values_list("kind", "request_id", "by_id", "at", "reason")
    ) == [
        ("pickuprequest", pickup.pk, user.pk, AT, "回収済み"),
        ("supplyrequest", supply.pk, None, AT, LONG_REASON[:200]),
    ]
