"""まごころ・まかせて: sign-ups, the waiting list, cancellation, attendance, the honorarium, the
pages for partners and staff — with every refusal, fixed query counts, and the race for the
last places on PostgreSQL."""

import contextlib
import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from partners.admin.opportunities import honorarium_rows
from partners.models import Opportunity, Shift, Signup, SignupStatusChange
from partners.services import attendance_record, signup_cancel, signup_create
from tests import factories

pytestmark = pytest.mark.django_db

SS = Signup.Status
JST = dt.timezone(dt.timedelta(hours=9))


@contextlib.contextmanager
def refused(code):
    """A ValidationError with this code: the message itself is translated."""
    with pytest.raises(ValidationError) as excinfo:
        yield
    assert excinfo.value.code == code, excinfo.value


def _ja(msgid: str) -> str:
    with override("ja"):
        return escape(gettext(msgid))


def make_opportunity(
    *, programme="magokoro", published=True, deadline=None, slots=2, shifts=1, **extra
):
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        programme=programme,
        title=extra.pop("title", "みなと祭り 会場案内"),
        department=extra.pop("department", "観光課"),
        description="会場でご案内をお願いします。",
        place="室蘭港 中央ふ頭",
        signup_deadline=deadline or now + dt.timedelta(days=7),
        hourly_honorarium=extra.pop("hourly_honorarium", 1000 if programme == "makasete" else None),
        is_published=published,
    )
    starts = extra.pop("starts", now + dt.timedelta(days=10))
    for i in range(shifts):
        Shift.objects.create(
            opportunity=opportunity,
            starts_at=starts + dt.timedelta(days=i),
            ends_at=starts + dt.timedelta(days=i, hours=3),
            slots=slots,
        )
    return opportunity


def partner(programme="magokoro", status="registered", user=None):
    user = user or factories.make_user()
    return factories.make_registration(programme=programme, user=user, status=status)


@pytest.fixture
def magokoro(resident):
    """The resident, registered and accepted as a まごころ partner."""
    return partner(user=resident)


@pytest.fixture
def shift():
    return make_opportunity(slots=1).shifts.get()


# --- sign-up rules ---------------------------------------------------------------------------


def test_it_confirms_a_sign_up_when_a_place_is_free(magokoro, resident, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)

    signup.refresh_from_db()
    assert signup.status == SS.CONFIRMED
    assert signup.status_changed_at is not None


def test_a_full_shift_is_refused_without_waiting(magokoro, resident, shift):
    other = partner()
    signup_create(shift=shift, registration=other, by=other.user)

    with refused("full"):
        signup_create(shift=shift, registration=magokoro, by=resident)

    assert not Signup.objects.filter(registration=magokoro).exists()


def test_a_full_shift_offers_the_waiting_list(magokoro, resident, shift):
    other = partner()
    signup_create(shift=shift, registration=other, by=other.user)

    signup = signup_create(shift=shift, registration=magokoro, by=resident, wait=True)

    assert Signup.objects.get(pk=signup.pk).status == SS.WAITING


def test_wait_with_a_free_place_confirms(magokoro, resident, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident, wait=True)
    assert signup.status == SS.CONFIRMED


def test_sign_up_after_the_deadline_is_refused(magokoro, resident):
    shift = make_opportunity(deadline=timezone.now() - dt.timedelta(seconds=1)).shifts.get()

    with refused("closed"):
        signup_create(shift=shift, registration=magokoro, by=resident)

    assert not Signup.objects.exists()


def test_sign_up_to_an_unpublished_opportunity_is_refused(magokoro, resident):
    shift = make_opportunity(published=False).shifts.get()
    with refused("closed"):
        signup_create(shift=shift, registration=magokoro, by=resident)


@pytest.mark.parametrize("status", ["applied", "returned", "suspended", "withdrawn"])
def test_a_partner_not_registered_is_refused(resident, shift, status):
    registration = partner(user=resident, status=status)
    with refused("not_registered"):
        signup_create(shift=shift, registration=registration, by=resident)
    assert not Signup.objects.exists()


def test_a_partner_of_another_programme_is_refused(resident, shift):
    pika = partner(programme="pika", user=resident)
    makasete = partner(programme="makasete", user=resident)
    for registration in (pika, makasete):
        with refused("wrong_programme"):
            signup_create(shift=shift, registration=registration, by=resident)
    assert not Signup.objects.exists()


def test_a_second_sign_up_for_the_same_shift_is_refused(magokoro, resident):
    shift = make_opportunity(slots=3).shifts.get()
    signup_create(shift=shift, registration=magokoro, by=resident)

    with refused("duplicate"):
        signup_create(shift=shift, registration=magokoro, by=resident)

    assert Signup.objects.filter(registration=magokoro).count() == 1


def test_after_cancelling_one_can_sign_up_again(magokoro, resident, shift):
    first = signup_create(shift=shift, registration=magokoro, by=resident)
    signup_cancel(signup=first, by=resident)

    again = signup_create(shift=shift, registration=magokoro, by=resident)

    assert again.status == SS.CONFIRMED


def test_nobody_signs_up_for_someone_elses_registration(magokoro, other_member, shift):
    with pytest.raises(PermissionDenied):
        signup_create(shift=shift, registration=magokoro, by=other_member)


def test_an_organisation_manager_signs_up_for_the_organisation(representative, organization):
    registration = factories.make_registration(
        programme="magokoro", organization=organization, user=representative, status="registered"
    )
    shift = make_opportunity().shifts.get()

    assert signup_create(shift=shift, registration=registration, by=representative).pk


# --- cancellation and the waiting list -----------------------------------------------------------


def test_cancelling_a_confirmed_place_promotes_the_oldest_waiting_one(
    magokoro, resident, shift, django_capture_on_commit_callbacks
):
    waiting_first, waiting_second = partner(), partner()
    mine = signup_create(shift=shift, registration=magokoro, by=resident)
    first = signup_create(shift=shift, registration=waiting_first, by=waiting_first.user, wait=True)
    second = signup_create(
        shift=shift, registration=waiting_second, by=waiting_second.user, wait=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(signup=mine, by=resident)

    statuses = dict(Signup.objects.values_list("pk", "status"))
    assert statuses == {mine.pk: SS.CANCELLED, first.pk: SS.CONFIRMED, second.pk: SS.WAITING}
    # The canceller is told it is cancelled, the first on the waiting list that a place is free.
    assert [message.to for message in mail.outbox] == [[resident.email], [waiting_first.user.email]]
    assert "みなと祭り 会場案内" in mail.outbox[1].subject
    assert "繰り上がりました" in mail.outbox[1].subject


def test_every_sign_up_change_leaves_a_history_row(magokoro, resident, staff, shift):
    waiting = partner()
    mine = signup_create(shift=shift, registration=magokoro, by=resident)
    queued = signup_create(shift=shift, registration=waiting, by=staff, wait=True, channel="paper")

    signup_cancel(signup=mine, by=resident)

    def history(signup):
        return list(
            SignupStatusChange.objects.filter(signup=signup)
            .order_by("pk")
            .values_list("old_status", "new_status", "by")
        )

    assert history(mine) == [
        ("", SS.CONFIRMED, resident.pk),
        (SS.CONFIRMED, SS.CANCELLED, resident.pk),
    ]
    # Promoted by the cancellation that freed the place.
    assert history(queued) == [("", SS.WAITING, staff.pk), (SS.WAITING, SS.CONFIRMED, resident.pk)]
    assert Signup.objects.get(pk=queued.pk).status == SS.CONFIRMED


def test_cancelling_a_waiting_place_promotes_nobody(magokoro, resident, shift):
    other, third = partner(), partner()
    signup_create(shift=shift, registration=other, by=other.user)
    mine = signup_create(shift=shift, registration=magokoro, by=resident, wait=True)
    later = signup_create(shift=shift, registration=third, by=third.user, wait=True)

    signup_cancel(signup=mine, by=resident)

    assert Signup.objects.get(pk=later.pk).status == SS.WAITING
    assert Signup.objects.filter(shift=shift, status=SS.CONFIRMED).count() == 1


def test_a_cancelled_sign_up_cannot_be_cancelled_again(magokoro, resident, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    signup_cancel(signup=signup, by=resident)
    with refused("cancelled"):
        signup_cancel(signup=signup, by=resident)


def test_partners_cannot_cancel_after_the_deadline_but_staff_can(magokoro, resident, staff, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    Opportunity.objects.filter(pk=shift.opportunity_id).update(
        signup_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    signup = Signup.objects.select_related("shift__opportunity", "registration").get(pk=signup.pk)

    with refused("deadline_passed"):
        signup_cancel(signup=signup, by=resident)
    assert Signup.objects.get(pk=signup.pk).status == SS.CONFIRMED

    signup_cancel(signup=signup, by=staff)
    assert Signup.objects.get(pk=signup.pk).status == SS.CANCELLED


def test_a_stranger_cannot_cancel(magokoro, resident, other_member, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    with pytest.raises(PermissionDenied):
        signup_cancel(signup=signup, by=other_member)


# --- attendance ------------------------------------------------------------------------------


def test_staff_record_attendance_and_hours(magokoro, resident, staff, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)

    attendance_record(signup=signup, attended=True, hours=Decimal("2.5"), by=staff)

    signup.refresh_from_db()
    assert (signup.attended, signup.hours, signup.status) == (True, Decimal("2.5"), SS.CONFIRMED)


def test_a_partner_cannot_record_attendance(magokoro, resident, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    with pytest.raises(PermissionDenied):
        attendance_record(signup=signup, attended=True, hours=3, by=resident)
    signup.refresh_from_db()
    assert signup.attended is None


def test_attendance_needs_a_confirmed_sign_up_and_sane_hours(magokoro, resident, staff, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    with pytest.raises(ValidationError):
        attendance_record(signup=signup, attended=True, hours=25, by=staff)
    signup_cancel(signup=signup, by=resident)
    with refused("not_confirmed"):
        attendance_record(signup=signup, attended=True, hours=2, by=staff)


# --- honorarium ------------------------------------------------------------------------------


def _worked(registration, opportunity, starts, hours, staff):
    shift = Shift.objects.create(
        opportunity=opportunity,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=8),
        slots=5,
    )
    signup = Signup.objects.create(shift=shift, registration=registration, status=SS.CONFIRMED)
    attendance_record(signup=signup, attended=True, hours=hours, by=staff)
    return signup


@pytest.fixture
def honorarium_data(staff):
    """Two まかせて partners in FY2026, one shift of FY2025, one absent, one まごころ shift."""
    a, b = partner("makasete"), partner("makasete")
    job = make_opportunity(programme="makasete", hourly_honorarium=1000, shifts=0)
    dear = make_opportunity(programme="makasete", hourly_honorarium=1250, shifts=0)
    _worked(a, job, dt.datetime(2026, 5, 10, 9, tzinfo=JST), Decimal("2.5"), staff)
    _worked(a, dear, dt.datetime(2026, 5, 20, 9, tzinfo=JST), Decimal("1.5"), staff)  # 1875
    _worked(a, job, dt.datetime(2026, 6, 1, 0, 30, tzinfo=JST), Decimal("3"), staff)
    _worked(b, dear, dt.datetime(2027, 3, 31, 9, tzinfo=JST), Decimal("0.3"), staff)  # 375
    _worked(b, job, dt.datetime(2026, 3, 31, 9, tzinfo=JST), Decimal("8"), staff)  # FY2025
    absent = _worked(b, job, dt.datetime(2026, 7, 1, 9, tzinfo=JST), Decimal("5"), staff)
    attendance_record(signup=absent, attended=False, hours=None, by=staff)
    magokoro = partner("magokoro")
    _worked(magokoro, make_opportunity(shifts=0), dt.datetime(2026, 5, 1, tzinfo=JST), 4, staff)
    return a, b


def test_honorarium_is_hours_times_rate_per_partner_per_month_and_year(
    honorarium_data, django_assert_num_queries
):
    a, b = honorarium_data

    with django_assert_num_queries(2):
        monthly, yearly = honorarium_rows(2026)

    assert [
        (r["registration__number"], f"{r['month']:%Y-%m}", r["total_hours"], r["amount"])
        for r in monthly
    ] == [
        (a.number, "2026-05", Decimal("4.00"), 4375),
        (a.number, "2026-06", Decimal("3.00"), 3000),
        (b.number, "2027-03", Decimal("0.30"), 375),
    ]
    assert [(r["registration__number"], r["amount"]) for r in yearly] == [
        (a.number, 7375),
        (b.number, 375),
    ]
    assert honorarium_rows(2025)[1][0]["amount"] == 8000


def test_honorarium_page_and_csv_for_staff(staff_client, honorarium_data):
    a, _b = honorarium_data
    url = reverse("admin:partners_signup_honorarium")

    page = staff_client.get(url + "?year=2026")
    assert page.status_code == 200
    assert "7375" in page.content.decode()

    response = staff_client.get(url + "?year=2026&format=csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["fiscal_year", "month", "number", "name", "hours", "amount_yen"]
    assert ["2026", "total", a.number, "輪西 花子", "7.00", "7375"] in rows
    assert len(rows) == 1 + 3 + 2


def test_honorarium_page_is_not_for_residents(client, resident):
    client.force_login(resident)
    response = client.get(reverse("admin:partners_signup_honorarium"))
    assert response.status_code in (302, 403)  # the admin's login, or the MFA gate


# --- admin -----------------------------------------------------------------------------------


def test_staff_record_attendance_in_the_admin_without_touching_the_status(
    staff_client, magokoro, resident, shift
):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    url = reverse("admin:partners_signup_change", args=[signup.pk])

    response = staff_client.post(url, {"attended": "true", "hours": "2.75", "status": "cancelled"})

    assert response.status_code == 302
    signup.refresh_from_db()
    assert (signup.attended, signup.hours, signup.status) == (True, Decimal("2.75"), SS.CONFIRMED)


def test_admin_changelists_of_opportunities_and_sign_ups_open(
    staff_client, magokoro, resident, shift
):
    signup_create(shift=shift, registration=magokoro, by=resident)
    assert staff_client.get(reverse("admin:partners_opportunity_changelist")).status_code == 200
    response = staff_client.get(reverse("admin:partners_signup_changelist"))
    assert response.status_code == 200
    assert magokoro.number in response.content.decode()


ADD_SIGNUP = "admin:partners_signup_add"


def test_staff_key_in_a_paper_sign_up_through_the_service(staff_client, staff, magokoro, shift):
    form = staff_client.get(reverse(ADD_SIGNUP)).context["adminform"].form
    assert "web" not in [value for value, _label in form.fields["channel"].choices]
    assert shift in form.fields["shift"].queryset

    response = staff_client.post(
        reverse(ADD_SIGNUP),
        {"shift": shift.pk, "registration": magokoro.pk, "channel": "paper"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    signup = Signup.objects.get()
    assert (signup.status, signup.channel, signup.created_by) == (SS.CONFIRMED, "paper", staff)


def test_a_paper_sign_up_to_a_full_shift_is_refused_or_waits(staff_client, magokoro, shift):
    other = partner()
    signup_create(shift=shift, registration=other, by=other.user)  # the only place

    response = staff_client.post(
        reverse(ADD_SIGNUP),
        {"shift": shift.pk, "registration": magokoro.pk, "channel": "fax"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        _ja("This shift is full. You can join the waiting list instead.")
    ]
    assert Signup.objects.count() == 1

    response = staff_client.post(
        reverse(ADD_SIGNUP),
        {"shift": shift.pk, "registration": magokoro.pk, "channel": "fax", "wait": "on"},
        follow=True,
    )
    assert Signup.objects.get(registration=magokoro).status == SS.WAITING
    assert _ja("The shift is full: the partner is on the waiting list.") in (
        response.content.decode()
    )


def test_staff_may_key_in_after_the_deadline_until_the_shift_starts(
    staff_client, resident, magokoro
):
    now = timezone.now()
    late = make_opportunity(deadline=now - dt.timedelta(hours=1)).shifts.get()
    with refused("closed"):
        signup_create(shift=late, registration=magokoro, by=resident)

    response = staff_client.post(
        reverse(ADD_SIGNUP), {"shift": late.pk, "registration": magokoro.pk, "channel": "phone"}
    )
    assert response.status_code == 200  # phone is not a channel: the form says so
    response = staff_client.post(
        reverse(ADD_SIGNUP), {"shift": late.pk, "registration": magokoro.pk, "channel": "paper"}
    )
    assert response.status_code == 302
    assert Signup.objects.get().shift == late


def test_a_paper_sign_up_of_a_partner_in_another_programme_is_refused(staff_client, shift):
    pika = partner(programme="pika")

    response = staff_client.post(
        reverse(ADD_SIGNUP), {"shift": shift.pk, "registration": pika.pk, "channel": "paper"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Signup.objects.exists()


def test_admin_action_cancels_and_promotes(staff_client, magokoro, resident, shift):
    mine = signup_create(shift=shift, registration=magokoro, by=resident)
    other = partner()
    waiting = signup_create(shift=shift, registration=other, by=other.user, wait=True)

    staff_client.post(
        reverse("admin:partners_signup_changelist"),
        {"action": "cancel_signups", "_selected_action": [mine.pk]},
    )

    assert Signup.objects.get(pk=mine.pk).status == SS.CANCELLED
    assert Signup.objects.get(pk=waiting.pk).status == SS.CONFIRMED


# --- pages for partners ----------------------------------------------------------------------


def test_list_shows_open_opportunities_only(client, db):
    make_opportunity(title="公開中の募集")
    make_opportunity(title="下書きの募集", published=False)
    make_opportunity(title="締切済みの募集", deadline=timezone.now() - dt.timedelta(hours=1))

    html = client.get(reverse("partners:opportunity_list")).content.decode()

    assert "公開中の募集" in html
    assert "下書きの募集" not in html
    assert "締切済みの募集" not in html


def test_unpublished_opportunity_is_a_404(client, db):
    opportunity = make_opportunity(published=False)
    response = client.get(reverse("partners:opportunity_detail", args=[opportunity.pk]))
    assert response.status_code == 404


def test_anonymous_sees_places_and_an_invitation_to_sign_in(client, db):
    opportunity = make_opportunity(slots=4)
    html = client.get(
        reverse("partners:opportunity_detail", args=[opportunity.pk])
    ).content.decode()
    assert _ja("Sign up for this shift") not in html
    assert "/accounts/login/?next=" in html


def test_a_resident_not_registered_is_told_to_register(client, resident):
    opportunity = make_opportunity()
    client.force_login(resident)
    html = client.get(
        reverse("partners:opportunity_detail", args=[opportunity.pk])
    ).content.decode()
    assert _ja("Sign up for this shift") not in html
    assert reverse("partners:programme_detail", args=["magokoro"]) in html


def test_a_partner_signs_up_and_cancels_through_the_pages(client, magokoro, resident, shift):
    client.force_login(resident)
    detail = reverse("partners:opportunity_detail", args=[shift.opportunity_id])
    assert _ja("Sign up for this shift") in client.get(detail).content.decode()

    response = client.post(
        reverse("partners:opportunity_signup", args=[shift.pk]),
        {"registration": magokoro.pk},
        follow=True,
    )

    assert response.redirect_chain == [(detail, 302)]
    html = response.content.decode()
    assert _ja("You are signed up for this shift.") in html
    assert _ja("Cancel my sign-up") in html
    signup = Signup.objects.get(registration=magokoro)
    assert signup.status == SS.CONFIRMED

    response = client.post(
        reverse("partners:opportunity_signup_cancel", args=[signup.pk]), follow=True
    )
    assert _ja("Your sign-up is cancelled.") in response.content.decode()
    assert Signup.objects.get(pk=signup.pk).status == SS.CANCELLED


def test_a_full_shift_offers_the_waiting_list_on_the_page(client, magokoro, resident, shift):
    other = partner()
    signup_create(shift=shift, registration=other, by=other.user)
    client.force_login(resident)
    detail = reverse("partners:opportunity_detail", args=[shift.opportunity_id])

    html = client.get(detail).content.decode()
    assert _ja("Join the waiting list") in html

    response = client.post(
        reverse("partners:opportunity_signup", args=[shift.pk]),
        {"registration": magokoro.pk, "wait": "1"},
        follow=True,
    )
    assert _ja("You are on the waiting list. We will e-mail you if a place becomes free.") in (
        response.content.decode()
    )
    assert Signup.objects.get(registration=magokoro).status == SS.WAITING


def test_a_refusal_is_shown_as_a_message_and_nothing_is_saved(client, resident, shift):
    registration = partner(user=resident, status="applied")
    client.force_login(resident)
    response = client.post(
        reverse("partners:opportunity_signup", args=[shift.pk]),
        {"registration": registration.pk},
        follow=True,
    )
    assert _ja("You can sign up once your partner registration is accepted and active.") in (
        response.content.decode()
    )
    assert not Signup.objects.exists()


def test_signing_up_with_someone_elses_registration_is_a_404(client, magokoro, other_member, shift):
    client.force_login(other_member)
    response = client.post(
        reverse("partners:opportunity_signup", args=[shift.pk]), {"registration": magokoro.pk}
    )
    assert response.status_code == 404
    assert not Signup.objects.exists()


def test_cancelling_someone_elses_sign_up_is_a_404(client, magokoro, resident, other_member, shift):
    signup = signup_create(shift=shift, registration=magokoro, by=resident)
    client.force_login(other_member)
    response = client.post(reverse("partners:opportunity_signup_cancel", args=[signup.pk]))
    assert response.status_code == 404
    assert Signup.objects.get(pk=signup.pk).status == SS.CONFIRMED


def test_actions_need_post_and_sign_in(client, magokoro, resident, shift):
    signup_url = reverse("partners:opportunity_signup", args=[shift.pk])
    response = client.post(signup_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(resident)
    assert client.get(signup_url).status_code == 405


# --- query counts and the home page ------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 20])
def test_list_runs_a_fixed_number_of_queries(client, db, django_assert_num_queries, n):
    for _ in range(n):
        make_opportunity(shifts=2)
    with django_assert_num_queries(2):  # count, page
        response = client.get(reverse("partners:opportunity_list"))
    assert response.content.decode().count('class="card"') == n


@pytest.mark.parametrize("n", [1, 20])
def test_detail_runs_a_fixed_number_of_queries(
    client, magokoro, resident, django_assert_num_queries, n
):
    opportunity = make_opportunity(shifts=n, slots=3)
    for shift in opportunity.shifts.all():
        signup_create(shift=shift, registration=magokoro, by=resident)
        other = partner()
        signup_create(shift=shift, registration=other, by=other.user)
    client.force_login(resident)
    url = reverse("partners:opportunity_detail", args=[opportunity.pk])
    # Session, user, opportunity, shifts, my registrations, my sign-ups.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count(_ja("Cancel my sign-up")) == n


def test_a_shift_i_am_on_offers_no_second_sign_up_but_the_others_do(client, magokoro, resident):
    opportunity = make_opportunity(shifts=2, slots=3)
    first, second = opportunity.shifts.order_by("starts_at")
    signup_create(shift=first, registration=magokoro, by=resident)
    client.force_login(resident)

    html = client.get(reverse("partners:opportunity_detail", args=[opportunity.pk])).content
    html = html.decode()

    assert reverse("partners:opportunity_signup", args=[first.pk]) not in html
    assert reverse("partners:opportunity_signup", args=[second.pk]) in html
    assert html.count(_ja("Cancel my sign-up")) == 1


@pytest.mark.parametrize("n", [1, 20])
def test_home_lists_open_opportunities_with_a_fixed_number_of_queries(
    client, db, django_assert_num_queries, n
):
    for i in range(n):
        make_opportunity(title=f"募集{i:02d}")
    make_opportunity(title="下書き", published=False)
    # New organisations, open opportunities, open subsidy intake windows, open public comment
    # cases, enとーく sessions to come, まちづくり協議会 workshops open for sign-up.
    with django_assert_num_queries(6):
        html = client.get("/").content.decode()
    assert _ja("Help the city as a partner") in html
    assert "募集00" in html
    assert "下書き" not in html


# --- the race for the last places (PostgreSQL) -----------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="select_for_update is a no-op on SQLite, which serialises writers; the race needs PostgreSQL",
)
def test_eight_partners_racing_for_three_places_get_exactly_three():
    threads_count = 8
    shift = make_opportunity(slots=3).shifts.get()
    registrations = [partner() for _ in range(threads_count)]
    barrier = threading.Barrier(threads_count)
    confirmed, refused, errors = [], [], []
    lock = threading.Lock()

    def sign_up(registration):
        try:
            barrier.wait(timeout=10)
            signup_create(shift=shift, registration=registration, by=registration.user)
            with lock:
                confirmed.append(registration.pk)
        except ValidationError:
            with lock:
                refused.append(registration.pk)
        except Exception as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(r,)) for r in registrations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(confirmed) == 3
    assert len(refused) == 5
    assert Signup.objects.filter(shift=shift, status=SS.CONFIRMED).count() == 3
    assert Signup.objects.filter(shift=shift).count() == 3
