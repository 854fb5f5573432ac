"""Workshops and trainings in the admin, as a department's clerk uses them: the list holds only
the clerk's department's sessions (another's id is not found, its pages too); a session is
created through the service; each button runs its transition and writes the history; the
outputs published without a report are refused on the page with nothing changed; attendance
by ticking and by code; a training's completions put people in the pool; facilitators at the
tables, a double booking refused on the page; a capacity raised moves the waiting list up; the
work-queue filters count the right rows; the list keeps a fixed number of queries."""

import datetime as dt

import pytest
from django import forms
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from councils.models import (
    Assignment,
    Facilitator,
    Opinion,
    Session,
    SessionStatusChange,
    Signup,
)
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import ENDS, STARTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Session.Status
AFTER = ENDS + dt.timedelta(hours=2)


def _url(view="changelist", *args, model="session"):
    return reverse(f"admin:councils_{model}_{view}", args=args)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _later(frozen, client, staff, when):
    """The clock at `when`, the clerk signed in again then (the admin's session is short)."""
    frozen.move_to(when)
    factories.with_second_factor(client, staff)


def _step(client, session, name, **fields):
    data = {"transition": name, **{f"{name}-{key}": value for key, value in fields.items()}}
    return client.post(_url("transition", session.pk), data, follow=True)


def _change_data(page, **changes):
    """The change form and its inlines as the page has them, with `changes`."""
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        data[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.initial_forms)
        for row in formset.initial_forms:
            for name in row.fields:
                value = row[name].value()
                if value not in (None, False):
                    data[row.add_prefix(name)] = value
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value in (None, False):
            continue
        if isinstance(field.widget, forms.MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = str(part)
        else:
            data[name] = value
    data.update(changes)
    return data


# --- who reaches it ----------------------------------------------------------------------------


def test_the_list_and_pages_hold_only_the_clerks_department(staff_client, workshop):
    other = cf.make_workshop(cf.make_council(department_name="土木課", title="道の駅"))
    response = staff_client.get(_url())
    assert [s.pk for s in response.context["cl"].result_list] == [workshop.pk]
    assert staff_client.get(_url("change", workshop.pk)).status_code == 200
    outside = staff_client.get(_url("change", other.pk))
    assert outside.status_code in (302, 404)
    if outside.status_code == 302:
        assert outside.url == reverse("admin:index")
    for name in ("attendance", "assign", "transition"):
        assert staff_client.get(_url(name, other.pk)).status_code == 404, name
    assert staff_client.post(_url("attendance", other.pk), {"code": "AAAAAA"}).status_code == 404
    # The pages of its own workshop open, linked from its page.
    page = staff_client.get(_url("change", workshop.pk)).content.decode()
    assert _url("attendance", workshop.pk) in page
    assert _url("assign", workshop.pk) in page
    for name in ("attendance", "assign"):
        assert staff_client.get(_url(name, workshop.pk)).status_code == 200, name
    assert staff_client.get(_url("complete", workshop.pk)).status_code == 404


def test_a_workshop_is_created_through_the_service(staff_client, staff):
    council = cf.make_council()
    cf.make_council(department_name="土木課", title="他課の協議会")
    page = staff_client.get(_url("add"))
    assert list(page.context["adminform"].form.fields["council"].queryset) == [council]
    data = {
        "kind": Session.Kind.WORKSHOP,
        "council": council.pk,
        "title": "遊具を選ぼう",
        "starts_at_0": "2026-07-11",
        "starts_at_1": "13:30",
        "ends_at_0": "2026-07-11",
        "ends_at_1": "16:00",
        "signup_closes_at_0": "2026-07-08",
        "signup_closes_at_1": "23:59",
        "venue_name": "高砂町会館",
        "capacity": "24",
        "tables": "4",
        "eligibility": Session.Eligibility.DISTRICTS,
        "eligible_districts": [factories.district("東町").pk],
    }
    response = staff_client.post(_url("add"), data, follow=True)
    assert response.status_code == 200
    created = Session.objects.get(title="遊具を選ぼう")
    assert (created.status, created.department, created.fiscal_year) == (
        S.DRAFT,
        council.department,
        2026,
    )
    assert list(created.eligible_districts.all()) == [factories.district("東町")]
    assert SessionStatusChange.objects.filter(session=created, by=staff).exists()
    # The end before the start: on the field, nothing saved.
    data.update(title="逆転", ends_at_1="12:00")
    refused = staff_client.post(_url("add"), data)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["ends_at"]
    assert not Session.objects.filter(title="逆転").exists()


# --- the buttons -------------------------------------------------------------------------------


def test_announce_and_cancel_from_the_buttons(staff_client, staff):
    draft = cf.make_workshop(status=S.DRAFT)
    page = staff_client.get(_url("change", draft.pk)).content.decode()
    assert 'name="transition" value="announce"' in page
    _step(staff_client, draft, "announce")
    draft.refresh_from_db()
    assert draft.status == S.SCHEDULED
    assert SessionStatusChange.objects.filter(
        session=draft, old_status=S.DRAFT, new_status=S.SCHEDULED, by=staff
    ).exists()

    signup = cf.make_signup(draft)
    refused = _step(staff_client, draft, "cancel", reason="")
    assert refused.context["transition_forms"]["cancel"].errors["reason"]
    draft.refresh_from_db()
    assert draft.status == S.SCHEDULED
    _step(staff_client, draft, "cancel", reason="台風の接近のため")
    draft.refresh_from_db()
    signup.refresh_from_db()
    assert (draft.status, signup.status) == (S.CANCELLED, Signup.Status.CANCELLED)
    last = SessionStatusChange.objects.filter(session=draft).order_by("at", "pk").last()
    assert (last.new_status, last.reason) == (S.CANCELLED, "台風の接近のため")


def test_publishing_without_a_report_is_refused_on_the_page(staff_client, staff, frozen, workshop):
    Opinion.objects.create(session=workshop, table=1, theme="遊具", summary="木陰がほしい")
    _later(frozen, staff_client, staff, AFTER)
    history = SessionStatusChange.objects.count()
    response = _step(staff_client, workshop, "publish")
    assert response.status_code == 200
    form = response.context["transition_forms"]["publish"]
    # the admin speaks Japanese: the refusal on the form and in the message
    assert "ワークショップの実施報告を入力してください。" in str(form.errors)
    assert any("実施報告" in m for m in _messages(response))
    workshop.refresh_from_db()
    assert workshop.status == S.SCHEDULED
    assert SessionStatusChange.objects.count() == history

    # The report written (the state kept), then published, then withdrawn with a reason.
    page = staff_client.get(_url("change", workshop.pk))
    saved = staff_client.post(
        _url("change", workshop.pk),
        _change_data(page, report="4テーブルで意見を出し合いました。"),
        follow=True,
    )
    assert saved.status_code == 200
    assert "adminform" not in saved.context or not saved.context["adminform"].form.errors
    workshop.refresh_from_db()
    assert (workshop.report, workshop.status) == ("4テーブルで意見を出し合いました。", S.SCHEDULED)
    _step(staff_client, workshop, "publish")
    workshop.refresh_from_db()
    assert workshop.status == S.PUBLISHED
    _step(staff_client, workshop, "withdraw", reason="写真の差し替え")
    workshop.refresh_from_db()
    assert workshop.status == S.SCHEDULED
    assert SessionStatusChange.objects.filter(
        session=workshop, new_status=S.SCHEDULED, reason="写真の差し替え"
    ).exists()


def test_a_capacity_raised_moves_the_waiting_list_up(
    staff_client, mailoutbox, django_capture_on_commit_callbacks
):
    workshop = cf.make_workshop(capacity=1)
    cf.make_signup(workshop)
    waiting = cf.make_signup(workshop, status=Signup.Status.WAITING)
    page = staff_client.get(_url("change", workshop.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            _url("change", workshop.pk), _change_data(page, capacity="2"), follow=True
        )
    assert response.status_code == 200
    workshop.refresh_from_db()
    waiting.refresh_from_db()
    assert (workshop.capacity, workshop.status) == (2, S.SCHEDULED)
    assert waiting.status == Signup.Status.REGISTERED
    assert [m.to for m in mailoutbox] == [[waiting.email]]


def test_a_capacity_below_the_people_registered_is_refused_on_the_field(staff_client):
    workshop = cf.make_workshop(capacity=3)
    cf.make_signup(workshop)
    cf.make_signup(workshop)
    page = staff_client.get(_url("change", workshop.pk))
    response = staff_client.post(
        _url("change", workshop.pk), _change_data(page, capacity="1", title="定員を減らした")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["capacity"]
    assert form["capacity"].value() == "1"  # what was typed, shown again
    workshop.refresh_from_db()
    assert (workshop.capacity, workshop.title) == (3, "公園の使い方を話そう")  # nothing saved
    # Down to the two registered is allowed.
    saved = staff_client.post(
        _url("change", workshop.pk), _change_data(page, capacity="2"), follow=True
    )
    assert saved.status_code == 200
    workshop.refresh_from_db()
    assert workshop.capacity == 2


def test_new_times_that_put_a_facilitator_at_two_workshops_are_refused(staff_client, workshop):
    facilitator = cf.make_facilitator()
    cf.make_assignment(workshop, facilitator, table=1)
    next_day = STARTS + dt.timedelta(days=1)
    other = cf.make_workshop(cf.make_council(title="翌日の協議会"), starts_at=next_day)
    cf.make_assignment(other, facilitator, table=2)
    page = staff_client.get(_url("change", workshop.pk))
    moved = {
        "starts_at_0": "2026-07-05",
        "starts_at_1": "14:00",
        "ends_at_0": "2026-07-05",
        "ends_at_1": "15:00",
    }
    response = staff_client.post(_url("change", workshop.pk), _change_data(page, **moved))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"]
    workshop.refresh_from_db()
    assert (workshop.starts_at, workshop.ends_at) == (STARTS, ENDS)
    # Another hour of the same day clashes with nothing: saved, 年度 kept.
    later = {**moved, "starts_at_0": "2026-07-04", "ends_at_0": "2026-07-04"}
    saved = staff_client.post(_url("change", workshop.pk), _change_data(page, **later))
    assert saved.status_code == 302
    workshop.refresh_from_db()
    assert workshop.starts_at == STARTS.replace(hour=14, minute=0)
    assert workshop.fiscal_year == 2026


def test_the_cancel_button_is_not_offered_once_the_session_has_started(
    staff_client, staff, frozen, workshop
):
    page = staff_client.get(_url("change", workshop.pk)).content.decode()
    assert 'name="transition" value="cancel"' in page
    _later(frozen, staff_client, staff, STARTS + dt.timedelta(minutes=1))
    page = staff_client.get(_url("change", workshop.pk))
    assert "cancel" not in page.context["transition_forms"]
    assert 'name="transition" value="cancel"' not in page.content.decode()
    response = _step(staff_client, workshop, "cancel", reason="遅すぎた中止")
    assert response.status_code == 200
    workshop.refresh_from_db()
    assert workshop.status == S.SCHEDULED


# --- attendance --------------------------------------------------------------------------------


def test_ticking_changes_only_the_rows_the_list_showed(staff_client, staff, frozen, workshop):
    one = cf.make_signup(workshop)
    two = cf.make_signup(workshop)
    _later(frozen, staff_client, staff, STARTS + dt.timedelta(minutes=5))
    page = staff_client.get(_url("attendance", workshop.pk)).content.decode()
    assert f'name="shown" value="{one.pk}"' in page
    assert f'name="shown" value="{two.pk}"' in page
    # Marked by code at the door after the list was opened, and one registered since.
    Signup.objects.filter(pk=two.pk).update(attended_at=STARTS)
    late = cf.make_signup(workshop, attended_at=STARTS)
    response = staff_client.post(
        _url("attendance", workshop.pk), {"shown": [one.pk], "present": [one.pk]}
    )
    assert response.status_code == 302
    for signup in (one, two, late):
        signup.refresh_from_db()
        assert signup.attended_at is not None, signup.name


@pytest.mark.parametrize("garbage", ["²", "9" * 25, "-1", "abc", ""])
def test_a_value_that_is_no_id_never_breaks_the_attendance_list(
    staff_client, staff, frozen, workshop, garbage
):
    one = cf.make_signup(workshop)
    two = cf.make_signup(workshop, attended_at=STARTS)
    _later(frozen, staff_client, staff, STARTS + dt.timedelta(minutes=5))
    response = staff_client.post(
        _url("attendance", workshop.pk),
        {"shown": [one.pk, garbage], "present": [garbage, one.pk]},
        follow=True,
    )
    assert response.status_code == 200
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.attended_at is not None
    assert two.attended_at == STARTS  # not shown (only a garbage value was): unchanged
    response = staff_client.post(
        _url("attendance", workshop.pk), {"shown": [garbage], "present": [garbage]}, follow=True
    )
    assert response.status_code == 200
    assert Signup.objects.filter(session=workshop, attended_at__isnull=False).count() == 2


def test_the_attendance_list_takes_as_many_queries_for_eight_people_as_for_one(
    staff_client, workshop
):
    cf.make_signup(workshop, district=factories.district("東町"))
    url = _url("attendance", workshop.pk)
    one = _count(staff_client, url)
    for name in ["輪西町", "中島町", "本輪西町", "東町", "港北町", "白鳥台", "母恋北町"]:
        cf.make_signup(workshop, district=factories.district(name))
    page = staff_client.get(url)
    assert len(page.context["signups"]) == 8
    assert factories.district("輪西町").name in page.content.decode()
    assert _count(staff_client, url) == one


def test_the_attendance_list_can_be_printed(staff_client, workshop):
    cf.make_signup(workshop)
    page = staff_client.get(_url("attendance", workshop.pk)).content.decode()
    # A print button that print.js shows (hidden without JavaScript), loaded from a file.
    assert 'js/print.js" defer></script>' in page
    assert "data-print hidden" in page
    assert "<script>" not in page.replace(" ", "")
    with translation.override("ja"):
        page = staff_client.get(_url("attendance", workshop.pk)).content.decode()
    assert "ブラウザの印刷機能で印刷できます" in page
    css = (settings.BASE_DIR / "static" / "css" / "admin.css").read_text()
    printed = css[css.index("@media print") :]
    for chrome in ("#header", "#nav-sidebar", ".breadcrumbs", ".councils-code-entry"):
        assert chrome in printed, chrome


def test_attendance_by_ticking_and_by_code(staff_client, staff, frozen, workshop):
    one = cf.make_signup(workshop, need_childcare=True, needs_note="車椅子で参加します")
    two = cf.make_signup(workshop)
    waiting = cf.make_signup(workshop, status=Signup.Status.WAITING)
    page = staff_client.get(_url("attendance", workshop.pk))
    content = page.content.decode()
    assert one.code in content and two.code in content and waiting.name not in content
    assert "車椅子で参加します" in content  # the department's staff see the needs

    _later(frozen, staff_client, staff, STARTS + dt.timedelta(minutes=5))
    response = staff_client.post(
        _url("attendance", workshop.pk), {"shown": [one.pk, two.pk], "present": [one.pk]}
    )
    assert response.status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.attended_at is not None and two.attended_at is None

    # By the code, typed in lower case and full width.
    code = two.code.lower().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    response = staff_client.post(_url("attendance", workshop.pk), {"code": code})
    assert response.status_code == 302
    two.refresh_from_db()
    assert two.attended_at is not None

    # An unknown code: next to the box, nothing changed.
    refused = staff_client.post(_url("attendance", workshop.pk), {"code": "ZZZZZZ"})
    assert refused.status_code == 200
    assert refused.context["code_form"].errors["code"]
    assert Signup.objects.filter(session=workshop, attended_at__isnull=False).count() == 2


def test_a_superuser_sees_the_list_with_the_needs(client, workshop):
    admin = factories.make_user("root@city.muroran.example.jp", staff=True, superuser=True)
    signup = cf.make_signup(workshop, needs_note="手話通訳を希望")
    page = factories.with_second_factor(client, admin).get(_url("attendance", workshop.pk))
    assert page.status_code == 200
    assert page.context["show_needs"] is True
    assert signup.code in page.content.decode()


# --- trainings ---------------------------------------------------------------------------------


def test_training_completion_puts_people_in_the_pool(staff_client, frozen, db):
    keeper = cf.pool_keeper()
    client = factories.with_second_factor(staff_client.__class__(), keeper)
    training = cf.make_training()
    people = [factories.make_user(f"trainee{n}@example.jp") for n in range(3)]
    signups = [cf.make_signup(training, user=person) for person in people]
    # Not 都市政策課's: not found for the clerk.
    assert staff_client.get(_url("complete", training.pk)).status_code == 404

    _later(frozen, client, keeper, AFTER)
    Signup.objects.filter(pk__in=[s.pk for s in signups[:2]]).update(attended_at=STARTS)
    page = client.get(_url("complete", training.pk))
    assert page.status_code == 200
    response = client.post(
        _url("complete", training.pk),
        {"completed": [signups[0].pk, signups[1].pk], "completed_on": "2026-07-04"},
    )
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.status == S.COMPLETED
    pool = Facilitator.objects.in_pool().filter(training=training)
    assert sorted(f.user_id for f in pool) == sorted(p.pk for p in people[:2])
    assert {f.completed_on for f in pool} == {dt.date(2026, 7, 4)}
    # Nothing more to record: the page lists who completed.
    done = client.get(_url("complete", training.pk))
    assert done.status_code == 200 and not done.context["is_open"]


@pytest.mark.parametrize("value", ["9999999999999999999999999", "²", "abc"])
def test_a_completion_id_that_is_no_id_is_refused_on_the_field(client, frozen, db, value):
    keeper = cf.pool_keeper()
    keeper_client = factories.with_second_factor(client, keeper)
    training = cf.make_training()
    signup = cf.make_signup(training, user=factories.make_user("trainee@example.jp"))
    _later(frozen, keeper_client, keeper, AFTER)
    response = keeper_client.post(
        _url("complete", training.pk),
        {"completed": [signup.pk, value], "completed_on": "2026-07-04"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["completed"]
    training.refresh_from_db()
    assert training.status == S.SCHEDULED
    assert not Facilitator.objects.exists()


def test_the_completion_due_filter_and_outputs_due_filter(staff_client, staff, frozen, workshop):
    cf.make_workshop(workshop.council, starts_at=STARTS + dt.timedelta(days=14))  # to come
    cf.make_workshop(workshop.council, status=S.PUBLISHED, starts_at=STARTS - dt.timedelta(days=1))
    cf.make_workshop(
        cf.make_council(department_name="土木課", title="他課"),
        starts_at=STARTS - dt.timedelta(days=1),
    )
    cf.make_training()  # 企画課's
    _later(frozen, staff_client, staff, AFTER)
    due = staff_client.get(_url(), {"outputs": "due"})
    assert [s.pk for s in due.context["cl"].result_list] == [workshop.pk]

    keeper = cf.pool_keeper()
    client = factories.with_second_factor(staff_client.__class__(), keeper)
    training = Session.objects.get(kind=Session.Kind.TRAINING)
    cf.make_training(starts_at=STARTS + dt.timedelta(days=30))
    cf.make_training(status=S.COMPLETED, starts_at=STARTS - dt.timedelta(days=2))
    completion = client.get(_url(), {"completion": "due"})
    assert [s.pk for s in completion.context["cl"].result_list] == [training.pk]
    assert client.get(_url(), {"outputs": "due"}).context["cl"].result_count == 0


# --- facilitators ------------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["1" * 5000, "9" * 20])
def test_a_table_number_of_thousands_of_digits_is_no_table_not_a_server_error(
    staff_client, workshop, table
):
    """Found by tests/fuzz: int() refuses 4,300 digits and more with a ValueError."""
    facilitator = cf.make_facilitator()

    response = staff_client.post(
        _url("assign", workshop.pk), {"table": table, "table2-facilitator": facilitator.pk}
    )

    assert response.status_code in (200, 302)
    assert not Assignment.objects.exists()


def test_assign_and_unassign_facilitators(staff_client, staff, workshop):
    facilitator = cf.make_facilitator()
    response = staff_client.post(
        _url("assign", workshop.pk), {"table": 2, "table2-facilitator": facilitator.pk}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.session, assignment.table, assignment.facilitator) == (
        workshop,
        2,
        facilitator,
    )
    page = staff_client.get(_url("assign", workshop.pk))
    assert str(facilitator) in page.content.decode()
    response = staff_client.post(_url("assign", workshop.pk), {"unassign": assignment.pk})
    assert response.status_code == 302
    assert not Assignment.objects.exists()


def test_a_double_booking_is_refused_with_the_message_on_the_page(staff_client, workshop):
    facilitator = cf.make_facilitator()
    elsewhere = cf.make_workshop(cf.make_council(title="同じ時間の別協議会"))
    Assignment.objects.create(session=elsewhere, table=1, facilitator=facilitator)
    with translation.override("en"):
        response = staff_client.post(
            _url("assign", workshop.pk), {"table": 1, "table1-facilitator": facilitator.pk}
        )
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["table"] == 1)
    assert row["form"].errors
    assert (
        str(row["form"].errors) in response.content.decode()
        or row["form"].errors.get("facilitator")[0] in response.content.decode()
    )
    assert Assignment.objects.filter(session=workshop).count() == 0
    # The facilitator's name is in the select, still chosen.
    assert row["form"]["facilitator"].value() == str(facilitator.pk)


@pytest.mark.parametrize("table", ["abc", "0", "99", "²", "9" * 25, None])
def test_a_table_that_is_not_the_workshops_is_said_on_the_page(staff_client, workshop, table):
    facilitator = cf.make_facilitator()
    data = {"table1-facilitator": facilitator.pk, f"table{table}-facilitator": facilitator.pk}
    if table is not None:
        data["table"] = table
    response = staff_client.post(_url("assign", workshop.pk), data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(_url("assign", workshop.pk), 302)]
    assert len(_messages(response)) == 1
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Assignment.objects.exists()


def test_a_table_taken_meanwhile_is_said_on_the_page(staff_client, workshop):
    cf.make_assignment(workshop, table=1)
    facilitator = cf.make_facilitator()
    response = staff_client.post(
        _url("assign", workshop.pk), {"table": 1, "table1-facilitator": facilitator.pk}
    )
    assert response.status_code == 200
    assert len(_messages(response)) == 1
    assert not Assignment.objects.filter(facilitator=facilitator).exists()


def test_the_pool_keeper_adds_a_pre_portal_trainee_and_takes_one_out(client, db):
    keeper = cf.pool_keeper()
    keeper_client = factories.with_second_factor(client, keeper)
    person = factories.make_user("senpai@example.jp")
    url = reverse("admin:councils_facilitator_add")
    response = keeper_client.post(
        url,
        {"user": "SENPAI@example.jp", "course": "養成講座 2013", "completed_on": "2014-02-01"},
        follow=True,
    )
    assert response.status_code == 200
    entry = Facilitator.objects.get(user=person)
    assert (entry.course, entry.completed_on, entry.in_pool) == (
        "養成講座 2013",
        dt.date(2014, 2, 1),
        True,
    )
    unknown = keeper_client.post(
        url, {"user": "nobody@example.jp", "course": "x", "completed_on": "2014-02-01"}
    )
    assert unknown.context["adminform"].form.errors["user"]
    response = keeper_client.post(
        reverse("admin:councils_facilitator_changelist"),
        {"action": "leave_pool", "_selected_action": [entry.pk], "reason": "転居"},
        follow=True,
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.in_pool, entry.left_reason) == (False, "転居")


def test_a_department_clerk_cannot_change_the_pool(staff_client):
    entry = cf.make_facilitator()
    assert staff_client.get(reverse("admin:councils_facilitator_add")).status_code == 403
    staff_client.post(
        reverse("admin:councils_facilitator_changelist"),
        {"action": "leave_pool", "_selected_action": [entry.pk], "reason": "x"},
    )
    entry.refresh_from_db()
    assert entry.in_pool


# --- the list ----------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_takes_as_many_queries_for_ten_rows_as_for_one(staff_client, workshop):
    cf.make_signup(workshop)
    one = _count(staff_client, _url())
    for n in range(9):
        other = cf.make_workshop(workshop.council, starts_at=STARTS + dt.timedelta(days=n + 1))
        cf.make_signup(other)
    assert Session.objects.count() == 10
    ten = _count(staff_client, _url())
    assert one == ten
    page = staff_client.get(_url())
    assert [s.registered_count for s in page.context["cl"].result_list] == [1] * 10
    print(f"session changelist: {ten} queries")
