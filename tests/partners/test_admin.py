"""The partner programme in the admin: lists load with a fixed number of queries, the workflow
actions call the services, paper registrations are keyed in through the service, CSV exports,
the insurance roster, and the history stays read-only."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext, override

from muroran_kyodo.lib.jp import current_fiscal_year
from partners.models import (
    ActivityKind,
    ActivityReport,
    InsuranceEnrollment,
    Registration,
    RegistrationStatusChange,
)
from tests import factories

pytestmark = pytest.mark.django_db

S = Registration.Status
JST = ZoneInfo("Asia/Tokyo")
CHANGELIST = reverse("admin:partners_registration_changelist")
ADD = reverse("admin:partners_registration_add")


def _history(registration):
    return list(
        RegistrationStatusChange.objects.filter(registration=registration)
        .order_by("pk")
        .values_list("old_status", "new_status", "by", "reason")
    )


def _status(registration):
    return Registration.objects.get(pk=registration.pk).status


def _action(client, action, rows, reason="", follow=True, url=CHANGELIST):
    return client.post(
        url,
        {
            "action": action,
            "_selected_action": [r.pk for r in rows],
            "select_across": "0",
            "index": "0",
            "reason": reason,
        },
        follow=follow,
    )


def _message_levels(response):
    return [m.level_tag for m in response.context["messages"]]


def _csv(response):
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


@pytest.fixture
def applied(resident):
    return factories.make_registration(user=resident, contact_email="hanako@example.jp")


@pytest.fixture
def registered(other_member):
    return factories.make_registration(
        user=other_member,
        kind="group",
        group_name="白鳥台ファミリー",
        member_count=4,
        status=S.REGISTERED,
        district_name="白鳥台",
        contact_phone="0143-22-1111",
        contact_name="白鳥 次郎",
        contact_kana="ハクチョウ ジロウ",
    )


# --- lists load -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["registration", "activityplace", "activitykind", "insuranceenrollment", "activityreport"],
)
def test_changelists_load_for_the_department_clerk(staff_client, applied, registered, model):
    response = staff_client.get(reverse(f"admin:partners_{model}_changelist"))

    assert response.status_code == 200


def test_registration_changelist_shows_names_people_and_searches_by_kana(
    staff_client, applied, registered
):
    listed = staff_client.get(CHANGELIST)
    found = staff_client.get(CHANGELIST, {"q": "ワニシ"})
    by_number = staff_client.get(CHANGELIST, {"q": registered.number})

    assert {r.number for r in listed.context["cl"].result_list} == {
        applied.number,
        registered.number,
    }
    assert "白鳥台ファミリー" in listed.content.decode()
    assert [r.pk for r in found.context["cl"].result_list] == [applied.pk]
    assert [r.pk for r in by_number.context["cl"].result_list] == [registered.pk]


def test_registration_changelist_filters_by_status_and_fiscal_year(
    staff_client, applied, registered
):
    this_year = current_fiscal_year()

    by_status = staff_client.get(CHANGELIST, {"status__exact": S.REGISTERED})
    this = staff_client.get(CHANGELIST, {"fiscal_year": str(this_year)})
    last = staff_client.get(CHANGELIST, {"fiscal_year": str(this_year - 1)})

    assert [r.pk for r in by_status.context["cl"].result_list] == [registered.pk]
    assert len(this.context["cl"].result_list) == 2
    assert list(last.context["cl"].result_list) == []


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    print(f"{url}: {len(queries)} queries")  # the number for the closing note (pytest -s)
    return len(queries)


@pytest.mark.parametrize(
    "model", ["registration", "activityplace", "insuranceenrollment", "activityreport"]
)
def test_changelist_queries_do_not_grow_with_rows(
    staff_client, staff, django_assert_num_queries, model
):
    url = reverse(f"admin:partners_{model}_changelist")

    def add(n):
        for _ in range(n):
            place = factories.make_place()
            registration = factories.make_registration(
                user=factories.make_user(), status=S.REGISTERED, places=[place]
            )
            InsuranceEnrollment.objects.create(
                registration=registration,
                fiscal_year=current_fiscal_year(),
                insured_people=1,
                confirmed_by=staff,
            )
            ActivityReport.objects.create(
                registration=registration,
                activity_date=dt.date(2026, 5, 1),
                participants=2,
                place=place,
            )

    add(1)
    one = _count_queries(staff_client, url)
    add(29)
    with django_assert_num_queries(one):
        response = staff_client.get(url)

    assert len(response.context["cl"].result_list) == 30


# --- workflow actions -------------------------------------------------------------------------


def test_approve_action_registers_through_the_service(
    staff_client, staff, applied, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(staff_client, "approve", [applied])

    assert _status(applied) == S.REGISTERED
    assert _history(applied)[-1] == (S.APPLIED, S.REGISTERED, staff.pk, "")
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    assert _message_levels(response) == ["success"]


def test_return_action_records_the_reason(staff_client, staff, applied):
    response = _action(staff_client, "return_for_changes", [applied], reason="活動場所を詳しく")

    assert _status(applied) == S.RETURNED
    assert _history(applied)[-1] == (S.APPLIED, S.RETURNED, staff.pk, "活動場所を詳しく")
    assert _message_levels(response) == ["success"]


def test_return_without_reason_changes_nothing_and_warns(staff_client, applied):
    response = _action(staff_client, "return_for_changes", [applied], reason=" ")

    assert _status(applied) == S.APPLIED
    assert len(_history(applied)) == 1
    assert _message_levels(response) == ["warning"]


def test_suspend_and_withdraw_actions(staff_client, staff, registered, applied):
    suspended = _action(staff_client, "suspend", [registered, applied])
    withdrawn = _action(staff_client, "withdraw", [registered])

    assert _status(registered) == S.WITHDRAWN
    assert [row[1] for row in _history(registered)][-2:] == [S.SUSPENDED, S.WITHDRAWN]
    # The application cannot be suspended: a warning for that row, the other row goes on.
    assert _status(applied) == S.APPLIED
    assert sorted(_message_levels(suspended)) == ["success", "warning"]
    assert _message_levels(withdrawn) == ["success"]


def test_view_only_staff_cannot_run_the_actions(staff_client, staff, applied):
    staff.groups.clear()
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="partners", codename__startswith="view_")
    )

    assert staff_client.get(CHANGELIST).status_code == 200
    _action(staff_client, "approve", [applied])
    _action(staff_client, "confirm_insurance", [applied])

    assert _status(applied) == S.APPLIED
    assert len(_history(applied)) == 1
    assert not InsuranceEnrollment.objects.exists()


def test_status_is_not_editable_and_registrations_are_not_deleted(staff_client, applied):
    response = staff_client.get(reverse("admin:partners_registration_change", args=[applied.pk]))

    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "number" not in form.fields
    assert response.context["has_delete_permission"] is False


def test_history_inline_is_read_only(staff_client, staff, applied):
    response = staff_client.get(reverse("admin:partners_registration_change", args=[applied.pk]))

    inline = next(
        f
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is RegistrationStatusChange
    )
    assert inline.has_add_permission is False
    assert inline.formset.can_delete is False
    assert [c.new_status for c in inline.formset.queryset] == [S.APPLIED]


# --- paper key-in -----------------------------------------------------------------------------


def _paper_data(**overrides):
    place = factories.make_place(description="輪西町 ○○公園とその周辺の歩道")
    data = {
        "programme": "pika",
        "kind": "individual",
        "channel": "paper",
        "user": "",
        "organization": "",
        "group_name": "",
        "member_count": "1",
        "contact_name": "室蘭 一郎",
        "contact_kana": "ﾑﾛﾗﾝ ｲﾁﾛｳ",
        "contact_phone": "０１４３−２２−１１１１",
        "contact_email": "",
        "contact_postal_code": "0510000",
        "contact_address": "室蘭市輪西町1-1",
        "district": factories.district().pk,
        "places": [place.pk],
        "activity_kinds": [ActivityKind.objects.get(name="清掃").pk],
        "frequency": "monthly",
        "skills": "",
        "agreed_terms_at_0": "2026-05-01",
        "agreed_terms_at_1": "10:00:00",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_paper_registration_is_keyed_in_through_the_service(staff_client, staff):
    data = _paper_data()
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=JST), tick=False):
        response = staff_client.post(ADD, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    registration = Registration.objects.get()
    assert registration.number == "MP-2026-00001"
    assert (registration.channel, registration.status) == ("paper", S.APPLIED)
    assert registration.created_by == staff
    assert registration.contact_kana == "ムロラン　イチロウ"  # normalised as on the web
    assert registration.contact_postal_code == "051-0000"
    assert [p.pk for p in registration.places.all()] == data["places"]
    assert [k.name for k in registration.activity_kinds.all()] == ["清掃"]
    ((old, new, by, reason),) = _history(registration)
    assert (old, new, by) == ("", S.APPLIED, staff.pk)
    assert registration.get_channel_display() in reason


def test_paper_key_in_does_not_offer_the_web_channel(staff_client):
    form = staff_client.get(ADD).context["adminform"].form

    assert "web" not in [value for value, _label in form.fields["channel"].choices]
    assert "status" not in form.fields
    assert "number" not in form.fields


def test_paper_key_in_refuses_web_as_channel(staff_client):
    response = staff_client.post(ADD, _paper_data(channel="web"))

    assert response.status_code == 200
    assert "channel" in response.context["adminform"].form.errors
    assert not Registration.objects.exists()


def test_paper_key_in_refuses_a_second_live_registration(staff_client, applied, resident):
    response = staff_client.post(ADD, _paper_data(user=resident.pk))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Registration.objects.count() == 1


def test_a_duplicate_that_slips_past_the_form_is_shown_as_an_error_not_a_crash(
    staff_client, applied, resident, monkeypatch
):
    """Two clerks key in the same paper form at the same moment: the form's check passed for
    both (simulated by switching it off), the database refuses the second; the clerk sees the
    form again, with what they typed and the reason, and nothing of it is saved — not even a
    registration number."""
    from partners.admin.registrations import RegistrationAdminForm

    monkeypatch.setattr(
        RegistrationAdminForm, "_refuse_a_second_live_registration", lambda self, cleaned: None
    )

    response = staff_client.post(ADD, _paper_data(user=resident.pk, contact_name="室蘭 一郎"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    with override("ja"):
        expected = gettext("You already have a registration for this programme. See My page.")
    assert form.non_field_errors() == [expected]
    assert 'value="室蘭 一郎"' in response.content.decode()
    assert Registration.objects.count() == 1
    assert RegistrationStatusChange.objects.count() == 1
    # The number that was drawn for the refused one was rolled back with it.
    next_one = factories.make_registration(user=factories.make_user(), by=applied.user)
    assert next_one.number.endswith("00002")


# --- CSV --------------------------------------------------------------------------------------


def test_csv_export_has_bom_and_contact_columns_for_staff_who_may_change(
    staff_client, applied, registered
):
    response = _action(staff_client, "export_csv", [registered, applied], follow=False)

    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:9] == [
        "number",
        "programme",
        "kind",
        "name",
        "people",
        "district",
        "status",
        "channel",
        "registered_on",
    ]
    assert "contact_phone" in rows[0]
    by_number = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_number) == {applied.number, registered.number}
    assert by_number[registered.number]["name"] == "白鳥台ファミリー"
    assert by_number[registered.number]["people"] == "4"
    assert by_number[registered.number]["contact_phone"] == "0143-22-1111"


def test_csv_export_for_view_only_staff_has_no_contact_data(staff_client, staff, registered):
    staff.groups.clear()
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="partners", codename__startswith="view_")
    )

    response = _action(staff_client, "export_csv", [registered], follow=False)

    rows = _csv(response)
    assert len(rows) == 2
    assert not any(column.startswith("contact_") for column in rows[0])
    assert "0143-22-1111" not in str(rows)


# --- insurance ------------------------------------------------------------------------------------


def test_confirm_insurance_covers_registered_partners_once(
    staff_client, staff, registered, applied
):
    first = _action(staff_client, "confirm_insurance", [registered, applied])
    _action(staff_client, "confirm_insurance", [registered])

    (enrollment,) = InsuranceEnrollment.objects.all()
    assert (enrollment.registration, enrollment.fiscal_year) == (registered, current_fiscal_year())
    assert (enrollment.insured_people, enrollment.confirmed_by) == (4, staff)
    assert sorted(_message_levels(first)) == ["success", "warning"]  # the application is skipped


def test_insurance_filter_shows_who_has_not_renewed(staff_client, staff, registered, resident):
    covered = factories.make_registration(user=resident, status=S.REGISTERED)
    InsuranceEnrollment.objects.create(
        registration=covered, fiscal_year=current_fiscal_year(), insured_people=1
    )
    InsuranceEnrollment.objects.create(
        registration=registered, fiscal_year=current_fiscal_year() - 1, insured_people=4
    )

    covered_list = staff_client.get(CHANGELIST, {"insurance": "covered"})
    lapsed_list = staff_client.get(CHANGELIST, {"insurance": "not_renewed"})

    assert [r.pk for r in covered_list.context["cl"].result_list] == [covered.pk]
    assert [r.pk for r in lapsed_list.context["cl"].result_list] == [registered.pk]


def test_insurance_roster_csv(staff_client, staff, registered):
    enrollment = InsuranceEnrollment.objects.create(
        registration=registered, fiscal_year=2026, insured_people=4, confirmed_by=staff
    )

    response = _action(
        staff_client,
        "export_roster",
        [enrollment],
        follow=False,
        url=reverse("admin:partners_insuranceenrollment_changelist"),
    )

    rows = _csv(response)
    assert rows[0][:4] == ["fiscal_year", "number", "programme", "name"]
    assert rows[1][0:2] == ["2026", registered.number]
    assert rows[1][3] == "白鳥台ファミリー"
    assert rows[1][5] == "4"


# --- places and reports -------------------------------------------------------------------------


def test_place_list_counts_live_partners_and_partners_in_the_same_district_and_kind(
    staff_client, resident, other_member
):
    park = factories.make_place(kind="park")
    other_park = factories.make_place(kind="park")
    road = factories.make_place(kind="road")
    factories.make_registration(user=resident, status=S.REGISTERED, places=[park])
    factories.make_registration(user=other_member, status=S.REGISTERED, places=[other_park, park])
    factories.make_registration(user=factories.make_user(), status=S.APPLIED, places=[road])

    response = staff_client.get(reverse("admin:partners_activityplace_changelist"))
    shared = staff_client.get(
        reverse("admin:partners_activityplace_changelist"), {"overlap": "shared"}
    )

    rows = {p.pk: (p.live, p.partners_nearby) for p in response.context["cl"].result_list}
    assert rows == {park.pk: (2, 2), other_park.pk: (1, 2), road.pk: (0, 0)}
    assert {p.pk for p in shared.context["cl"].result_list} == {park.pk, other_park.pk}


def test_report_admin_never_links_the_photo(staff_client, registered, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    report = ActivityReport(
        registration=registered, activity_date=dt.date(2026, 5, 1), participants=2
    )
    report.photo.save("hanako-family.jpg", ContentFile(b"\xff\xd8\xff fake"), save=True)

    response = staff_client.get(reverse("admin:partners_activityreport_change", args=[report.pk]))
    listed = staff_client.get(reverse("admin:partners_activityreport_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "photo" not in response.context["adminform"].form.fields
    assert "Photo attached" in page
    assert report.photo.name.rsplit("/", 1)[-1] not in page
    assert "private/partners" not in page + listed.content.decode()


def test_report_admin_searches_by_registration_number_and_filters_by_fiscal_year(
    staff_client, registered
):
    ActivityReport.objects.create(
        registration=registered, activity_date=dt.date(2026, 5, 1), participants=2
    )
    ActivityReport.objects.create(
        registration=registered, activity_date=dt.date(2026, 3, 31), participants=2
    )
    url = reverse("admin:partners_activityreport_changelist")

    found = staff_client.get(url, {"q": registered.number})
    fy2026 = staff_client.get(url, {"fiscal_year": "2026"})

    assert len(found.context["cl"].result_list) == 2
    assert [r.activity_date for r in fy2026.context["cl"].result_list] == [dt.date(2026, 5, 1)]


def test_report_key_in_refuses_a_future_date(staff_client, registered):
    with time_machine.travel(dt.datetime(2026, 5, 10, 9, 0, tzinfo=JST), tick=False):
        response = staff_client.post(
            reverse("admin:partners_activityreport_add"),
            {
                "registration": registered.pk,
                "activity_date": "2026-05-11",
                "participants": "3",
                "burnable_bags": "0",
                "non_burnable_bags": "0",
                "channel": "paper",
            },
        )

    assert response.status_code == 200
    assert "activity_date" in response.context["adminform"].form.errors
    assert not ActivityReport.objects.exists()


def test_report_key_in_by_staff_goes_through_the_service(staff_client, staff, registered):
    with time_machine.travel(dt.datetime(2026, 5, 10, 9, 0, tzinfo=JST), tick=False):
        response = staff_client.post(
            reverse("admin:partners_activityreport_add"),
            {
                "registration": registered.pk,
                "activity_date": "2026-05-10",
                "participants": "3",
                "burnable_bags": "2",
                "non_burnable_bags": "1",
                "channel": "fax",
            },
        )

    assert response.status_code == 302
    report = ActivityReport.objects.get()
    assert (report.created_by, report.channel, report.burnable_bags) == (staff, "fax", 2)


def test_paper_key_in_of_an_organisation_kind_needs_the_organisation(staff_client):
    response = staff_client.post(ADD, _paper_data(kind="organization", member_count="12"))

    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Registration.objects.exists()


def test_paper_key_in_for_an_organisation(staff_client, organization):
    response = staff_client.post(
        ADD, _paper_data(kind="organization", organization=organization.pk, member_count="12")
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.display_name, registration.people) == ("輪西まちづくりの会", 12)


def test_individual_keyed_in_with_several_people_counts_one(staff_client):
    response = staff_client.post(ADD, _paper_data(member_count="5"))

    assert response.status_code == 302
    assert Registration.objects.get().people == 1


def test_editing_a_registration_keeps_its_status_number_and_places(staff_client, registered):
    place = factories.make_place()
    registered.places.set([place])
    data = _paper_data(
        kind="group",
        group_name="白鳥台ファミリー",
        member_count="5",
        contact_phone="0143-22-2222",
        places=[place.pk],
        status="applied",  # not a field of the form: ignored
        number="MP-1999-00001",
    )
    data.pop("programme")
    data.pop("channel")

    response = staff_client.post(
        reverse("admin:partners_registration_change", args=[registered.pk]), data
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Registration.objects.get(pk=registered.pk)
    assert (stored.status, stored.number) == (S.REGISTERED, registered.number)
    assert (stored.contact_phone, stored.member_count) == ("0143-22-2222", 5)
    assert list(stored.places.all()) == [place]


def test_place_autocomplete_for_the_registration_form(staff_client):
    place = factories.make_place(description="輪西町 ○○公園とその周辺の歩道")
    factories.make_place(district_name="白鳥台", description="白鳥台 緑地")

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "○○公園",
            "app_label": "partners",
            "model_name": "registration",
            "field_name": "places",
        },
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(place.pk)]


def test_fiscal_year_filter_cuts_at_midnight_of_31_march_in_tokyo(staff_client):
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 30, tzinfo=JST), tick=False):
        march = factories.make_registration(user=factories.make_user())
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 10, tzinfo=JST), tick=False):
        april = factories.make_registration(user=factories.make_user())

    fy2025 = staff_client.get(CHANGELIST, {"fiscal_year": "2025"})
    fy2026 = staff_client.get(CHANGELIST, {"fiscal_year": "2026"})

    assert [r.pk for r in fy2025.context["cl"].result_list] == [march.pk]
    assert [r.pk for r in fy2026.context["cl"].result_list] == [april.pk]
    assert (march.number, april.number) == ("MP-2025-00001", "MP-2026-00001")
