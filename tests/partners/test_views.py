"""The partner programme's pages through the client: registration 入力 → 確認 → 完了 for each
kind, bad input, the partner's status buttons, the certificate, the public programme pages and
マイページ — with every refusal, and fixed query counts."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override

from muroran_kyodo.lib.jp import current_fiscal_year, fiscal_year_label, wareki_with_western
from organizations.models import District
from partners import services
from partners.models import ActivityKind, ActivityPlace, Registration, RegistrationStatusChange
from tests import factories

pytestmark = pytest.mark.django_db

S = Registration.Status


def _ja(msgid: str) -> str:
    """A string as the Japanese page shows it, translated or not (yet), HTML-escaped."""
    with override("ja"):
        return escape(gettext(msgid))


def register_url(programme="pika"):
    return reverse("partners:register", args=[programme])


def login_redirect(path):
    return f"{reverse('account_login')}?next={path}"


def form_data(**overrides) -> dict:
    """What a resident types for a まち「ピカ」 registration as an individual."""
    wanishi = District.objects.get(name="輪西町").pk
    data = {
        "kind": "individual",
        "organization": "",
        "group_name": "",
        "member_count": "",
        "contact_name": "輪西 花子",
        "contact_kana": "ワニシ ハナコ",
        "contact_phone": "0143-22-1111",
        "contact_email": "resident@example.jp",
        "contact_postal_code": "051-0011",
        "contact_address": "室蘭市輪西町1-2-3",
        "district": wanishi,
        "activity_kinds": [ActivityKind.objects.get(name="清掃").pk],
        "frequency": "monthly",
        "skills": "",
        "list_publicly": "",
        "place1_district": wanishi,
        "place1_kind": "park",
        "place1_description": "輪西町 みなと公園とその周辺の歩道",
        "agree": "on",
    }
    data.update(overrides)
    return data


def submit(client, programme="pika", **overrides):
    """入力 → 確認 → 送信, as the browser does it: the confirmation page's hidden fields go back."""
    data = form_data(**overrides)
    confirm = client.post(register_url(programme), data)
    assert confirm.status_code == 200
    assert confirm.context["step"] == "confirm", confirm.context["form"].errors
    return client.post(register_url(programme), {**data, "_submit": "1"})


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# --- Registration: the happy paths --------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(register_url())
    assert response.status_code == 302
    assert response["Location"] == login_redirect(register_url())


def test_an_unknown_programme_is_404(as_user, resident):
    assert as_user(resident).get("/partners/kirei/register/").status_code == 404
    assert as_user(resident).get("/partners/kirei/").status_code == 404


def test_the_form_is_prefilled_from_the_profile(as_user, resident):
    resident.phone = "0143-22-1111"
    resident.save()

    response = as_user(resident).get(register_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="輪西 花子"' in html
    assert 'value="ワニシ ハナコ"' in html
    assert 'value="0143-22-1111"' in html
    assert 'value="resident@example.jp"' in html
    assert _ja("Why we ask for this (purpose of use)") in html
    assert 'name="place3_description"' in html


def test_a_resident_registers_as_an_individual_pika_partner(
    as_user, resident, django_capture_on_commit_callbacks
):
    client = as_user(resident)

    confirm = client.post(register_url(), form_data())
    assert confirm.context["step"] == "confirm"
    assert "輪西町 みなと公園とその周辺の歩道" in confirm.content.decode()
    assert not Registration.objects.exists()  # nothing saved at the confirmation step

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(), {**form_data(), "_submit": "1"})

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:registered", args=[registration.pk])
    assert registration.number == f"MP-{current_fiscal_year()}-00001"
    assert registration.user == resident
    assert registration.kind == Registration.Kind.INDIVIDUAL
    assert registration.member_count == 1
    assert registration.status == S.APPLIED
    assert registration.agreed_terms_at is not None
    assert registration.channel == "web"
    assert registration.contact_postal_code == "051-0011"
    assert [k.name for k in registration.activity_kinds.all()] == ["清掃"]
    [place] = registration.places.all()
    assert (place.district.name, place.kind, place.description) == (
        "輪西町",
        ActivityPlace.Kind.PARK,
        "輪西町 みなと公園とその周辺の歩道",
    )
    assert registration.status_changes.get().new_status == S.APPLIED

    [email] = mail.outbox
    assert email.to == ["resident@example.jp"]
    assert registration.number in email.subject
    assert registration.number in email.body

    done = client.get(response["Location"])
    html = done.content.decode()
    assert registration.number in html
    assert "resident@example.jp" in html
    assert re.search(r"MP-\d{4}-\d{5}", html)


def test_a_family_registers_as_a_magokoro_group(as_user, resident):
    response = submit(
        as_user(resident),
        "magokoro",
        kind="group",
        group_name="輪西ファミリー",
        member_count="4",
        list_publicly="on",
        skills="イベントの受付",
        place1_district="",
        place1_kind="",
        place1_description="",
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.number == f"MG-{current_fiscal_year()}-00001"
    assert registration.kind == Registration.Kind.GROUP
    assert registration.group_name == "輪西ファミリー"
    assert registration.member_count == 4
    assert registration.list_publicly is True
    assert registration.skills == "イベントの受付"
    assert registration.places.count() == 0


def test_a_representative_registers_the_organisation_for_makasete(
    as_user, representative, organization
):
    response = submit(
        as_user(representative),
        "makasete",
        kind="organization",
        organization=organization.pk,
        member_count="12",
        skills="花壇の管理",
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.number == f"MK-{current_fiscal_year()}-00001"
    assert registration.organization == organization
    assert registration.user == representative
    assert registration.member_count == 12


def test_back_from_confirmation_keeps_everything_typed(as_user, resident):
    data = form_data(kind="group", group_name="輪西ピカピカ隊", member_count="6")

    response = as_user(resident).post(register_url(), {**data, "_back": "1"})

    html = response.content.decode()
    assert response.context["step"] == "input"
    assert 'value="輪西ピカピカ隊"' in html
    assert 'value="6"' in html
    assert 'value="輪西町 みなと公園とその周辺の歩道"' in html
    assert not Registration.objects.exists()


# --- Registration: bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field, kept",
    [
        ({"agree": ""}, "agree", "輪西 花子"),
        ({"contact_kana": "輪西 花子"}, "contact_kana", 'value="輪西 花子"'),
        ({"contact_postal_code": "05-1234"}, "contact_postal_code", 'value="05-1234"'),
        (
            {"kind": "group", "group_name": "ピカ隊", "member_count": "0"},
            "member_count",
            'value="ピカ隊"',
        ),
        (
            {"kind": "group", "group_name": "ピカ隊", "member_count": "20000"},
            "member_count",
            'value="20000"',
        ),
        (
            {"place1_district": "", "place1_kind": "", "place1_description": ""},
            "place1_description",
            'value="0143-22-1111"',
        ),
    ],
)
def test_bad_input_shows_errors_keeps_what_was_typed_and_saves_nothing(
    as_user, resident, overrides, field, kept
):
    response = as_user(resident).post(register_url(), form_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["step"] == "input"
    assert field in response.context["form"].errors
    assert 'id="error-summary"' in html
    assert kept in html
    assert not Registration.objects.exists()


def test_submitting_bad_input_directly_also_saves_nothing(as_user, resident):
    response = as_user(resident).post(register_url(), {**form_data(agree=""), "_submit": "1"})

    assert response.status_code == 200
    assert _ja("Tick the box to agree to the programme's terms.") in response.content.decode()
    assert not Registration.objects.exists()


def test_acting_for_an_organisation_one_does_not_manage_is_refused(
    as_user, member, organization, django_capture_on_commit_callbacks
):
    data = form_data(kind="organization", organization=organization.pk, member_count="5")

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(member).post(register_url(), {**data, "_submit": "1"})

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        _ja(
            "You can register only for a verified organisation in which you are the "
            "representative or a contact person. Ask the organisation's representative."
        )
        in html
    )
    assert 'value="輪西 花子"' in html
    assert not Registration.objects.exists()
    assert mail.outbox == []


def test_a_second_registration_is_refused_at_the_top_and_keeps_the_input(
    as_user, resident, django_capture_on_commit_callbacks
):
    client = as_user(resident)
    submit(client)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, contact_address="室蘭市輪西町9-9-9")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["step"] == "input"
    assert response.context["form"].non_field_errors() == [
        _ja("You already have a registration for this programme. See My page.")
    ]
    assert 'id="error-summary"' in html
    assert 'value="室蘭市輪西町9-9-9"' in html
    assert Registration.objects.count() == 1
    assert ActivityPlace.objects.count() == 1
    assert mail.outbox == []


def test_one_may_register_again_in_another_programme(as_user, resident):
    client = as_user(resident)
    submit(client)
    submit(client, "magokoro", skills="受付")

    assert sorted(Registration.objects.values_list("programme", flat=True)) == [
        "magokoro",
        "pika",
    ]


# --- The partner's registration page and its buttons -----------------------------------------------


@pytest.fixture
def applied(resident):
    place = factories.make_place(description="輪西町 みなと公園")
    return factories.make_registration(user=resident, places=[place])


def status_url(registration):
    return reverse("partners:registration_status", args=[registration.pk])


def test_detail_requires_sign_in_and_is_404_for_someone_else(client, applied, member):
    url = applied.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == login_redirect(url)

    client.force_login(member)
    assert client.get(url).status_code == 404
    assert client.get(reverse("partners:registered", args=[applied.pk])).status_code == 404


def test_an_applied_registration_offers_only_withdrawal(as_user, resident, applied):
    html = as_user(resident).get(applied.get_absolute_url()).content.decode()

    assert applied.number in html
    assert _ja("Withdraw from the programme") in html
    assert f'action="{status_url(applied)}"' in html
    assert 'name="action" value="withdraw"' in html
    assert 'value="suspend"' not in html
    assert 'value="approve"' not in html
    assert 'name="status"' not in html  # a button names its transition, never a status
    assert reverse("partners:certificate", args=[applied.pk]) not in html


def test_a_registered_partner_pauses_and_resumes(
    as_user, resident, staff, applied, django_capture_on_commit_callbacks
):
    services.registration_approve(registration=applied, by=staff)
    client = as_user(resident)
    html = client.get(applied.get_absolute_url()).content.decode()
    assert _ja("Pause the activity (suspend)") in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url(applied), {"action": "suspend", "reason": "冬の間"})

    assert response.status_code == 302
    assert response["Location"] == applied.get_absolute_url()
    applied.refresh_from_db()
    assert applied.status == S.SUSPENDED
    change = applied.status_changes.first()
    assert (change.old_status, change.new_status, change.by, change.reason) == (
        S.REGISTERED,
        S.SUSPENDED,
        resident,
        "冬の間",
    )
    assert len(mail.outbox) == 1
    html = client.get(applied.get_absolute_url()).content.decode()
    assert _ja("Resume the activity") in html

    client.post(status_url(applied), {"action": "resume"})
    applied.refresh_from_db()
    assert applied.status == S.REGISTERED


def test_a_returned_registration_can_be_submitted_again(as_user, resident, staff, applied):
    services.registration_return(registration=applied, by=staff, reason="場所を詳しく")
    client = as_user(resident)
    html = client.get(applied.get_absolute_url()).content.decode()
    assert _ja("Submit again") in html
    assert "場所を詳しく" in html

    client.post(status_url(applied), {"action": "resubmit"})

    applied.refresh_from_db()
    assert applied.status == S.APPLIED


def test_a_partner_cannot_approve_their_own_registration(as_user, resident, applied):
    client = as_user(resident)

    response = client.post(status_url(applied), {"action": "approve"}, follow=True)

    applied.refresh_from_db()
    assert applied.status == S.APPLIED
    assert RegistrationStatusChange.objects.filter(registration=applied).count() == 1
    assert response.status_code == 200
    assert 'class="message message--error"' in response.content.decode()


@pytest.mark.parametrize("data", [{"action": "delete"}, {"status": "withdrawn"}, {}])
def test_a_button_that_does_not_exist_is_refused_with_a_message(as_user, resident, applied, data):
    response = as_user(resident).post(status_url(applied), data, follow=True)

    applied.refresh_from_db()
    assert applied.status == S.APPLIED
    assert _ja("Choose one of the buttons on this page.") in response.content.decode()


def test_the_status_action_refuses_get_anonymous_and_others(client, applied, member):
    url = status_url(applied)
    assert client.post(url, {"action": "withdraw"}).status_code == 302  # to sign in

    client.force_login(member)
    assert client.get(url).status_code == 405
    assert client.post(url, {"action": "withdraw"}).status_code == 404
    applied.refresh_from_db()
    assert applied.status == S.APPLIED


def test_a_manager_of_the_organisation_sees_and_changes_its_registration(
    as_user, representative, organization, staff
):
    contact = factories.make_user("contact@example.jp")
    factories.add_member(organization, contact, "contact")
    registration = factories.make_registration(
        user=representative, organization=organization, member_count=8
    )
    services.registration_approve(registration=registration, by=staff)

    client = as_user(contact)
    assert client.get(registration.get_absolute_url()).status_code == 200
    client.post(status_url(registration), {"action": "withdraw"})

    registration.refresh_from_db()
    assert registration.status == S.WITHDRAWN


# --- Certificate ------------------------------------------------------------------------------


def test_the_certificate_exists_only_once_the_city_has_approved(as_user, resident, staff, applied):
    client = as_user(resident)
    url = reverse("partners:certificate", args=[applied.pk])
    assert client.get(url).status_code == 404

    services.registration_approve(registration=applied, by=staff)

    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert applied.number in html
    assert "輪西 花子" in html
    assert "輪西町 みなと公園" in html
    assert fiscal_year_label(current_fiscal_year()) in html
    assert _ja("Muroran City") in html
    # The printable document pattern: print.css hides the menu when printed; dated in 和暦.
    assert "css/print.css" in html
    assert wareki_with_western(timezone.localdate()) in html
    assert url in client.get(applied.get_absolute_url()).content.decode()


def test_the_certificate_is_404_for_someone_else(client, resident, staff, applied, member):
    services.registration_approve(registration=applied, by=staff)
    url = reverse("partners:certificate", args=[applied.pk])
    client.force_login(member)
    assert client.get(url).status_code == 404


# --- Public programme pages -------------------------------------------------------------------


@pytest.fixture
def partners_of_pika(resident, representative, organization):
    """Registered: one individual (1) and a listed group of 5 and an unlisted organisation of 10;
    applied, not counted: a group of 100."""
    factories.make_registration(user=resident, status="registered")
    factories.make_registration(
        user=factories.make_user(),
        kind="group",
        group_name="輪西ピカピカ隊",
        member_count=5,
        list_publicly=True,
        status="registered",
    )
    factories.make_registration(
        user=representative, organization=organization, member_count=10, status="registered"
    )
    factories.make_registration(
        user=factories.make_user(),
        kind="group",
        group_name="申請中の会",
        member_count=100,
        list_publicly=True,
    )


def test_the_programme_page_counts_registered_people_and_names_listed_groups_only(
    client, partners_of_pika
):
    response = client.get(reverse("partners:programme_detail", args=["pika"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["people"] == 16
    assert [(row["district__name"], row["people"]) for row in response.context["by_district"]] == [
        ("輪西町", 16)
    ]
    assert "7,300" in html
    assert "輪西ピカピカ隊" in html
    assert "輪西まちづくりの会" not in html  # did not agree to be listed
    assert "輪西 花子" not in html  # a person is never named
    assert "申請中の会" not in html
    assert reverse("partners:register", args=["pika"]) in html


def test_an_organisation_that_agreed_is_listed_by_name(client, representative, organization):
    factories.make_registration(
        user=representative,
        organization=organization,
        member_count=10,
        list_publicly=True,
        status="registered",
    )

    html = client.get(reverse("partners:programme_detail", args=["pika"])).content.decode()

    assert "輪西まちづくりの会" in html
    assert "輪西 花子" not in html


def test_the_programme_list_counts_each_programme(client, partners_of_pika, member):
    factories.make_registration(
        user=member,
        programme="makasete",
        kind="group",
        group_name="まかせ隊",
        member_count=3,
        status="registered",
    )

    response = client.get(reverse("partners:programme_list"))

    counts = {p["code"]: p["people"] for p in response.context["programmes"]}
    assert counts == {"pika": 16, "magokoro": 0, "makasete": 3}
    html = response.content.decode()
    for programme in ("pika", "magokoro", "makasete"):
        assert reverse("partners:register", args=[programme]) in html


def test_the_home_page_links_to_the_programmes(client, db):
    assert reverse("partners:programme_list") in client.get("/").content.decode()


@pytest.mark.parametrize("n", [1, 30])
def test_the_programme_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    for i in range(n):
        factories.make_registration(
            user=factories.make_user(),
            kind="group",
            group_name=f"ピカ隊{i}",
            member_count=2,
            list_publicly=True,
            status="registered",
        )
    url = reverse("partners:programme_detail", args=["pika"])
    # People by programme, people by district, count of listed names, the page of names, this
    # year's activity totals, the places of the map and lists (no opportunities query for
    # まち「ピカ」).
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.context["people"] == 2 * n
    # The programme list: people by programme. The page above cached it; cold, one query.
    with django_assert_num_queries(0):
        client.get(reverse("partners:programme_list"))
    cache.clear()
    with django_assert_num_queries(1):
        client.get(reverse("partners:programme_list"))


# --- マイページ ---------------------------------------------------------------------------------


def test_my_page_lists_my_registrations_and_not_others(as_user, resident, staff, member, applied):
    services.registration_approve(registration=applied, by=staff)
    other = factories.make_registration(user=member, programme="magokoro")

    html = as_user(resident).get(reverse("mypage")).content.decode()

    assert (
        f'<a href="{applied.get_absolute_url()}">{_ja("Machi Pika partner (clean-up)")} {applied.number}</a>'
        in html
    )
    assert reverse("partners:certificate", args=[applied.pk]) in html
    assert other.number not in html
    assert _ja("My partner registrations") in html


def test_my_page_offers_to_register_when_there_is_nothing_yet(as_user, resident):
    html = as_user(resident).get(reverse("mypage")).content.decode()

    assert _ja("You are not registered as a partner yet.") in html
    assert reverse("partners:register", args=["pika"]) in html


@pytest.mark.parametrize("n", [1, 30])
def test_my_page_runs_a_fixed_number_of_queries_with_registrations(
    client, representative, django_assert_num_queries, n
):
    for i in range(n):
        organization = factories.make_organization(name=f"団体{i}", representative=representative)
        factories.make_registration(user=representative, organization=organization, member_count=3)
    client.force_login(representative)
    # Session, user, memberships, open invitations, my partner registrations, my upcoming
    # shifts, my equipment out on loan, my groups' applications that ask for something (those
    # three for 次にすること), my requests (one UNION of the three kinds), my groups' subsidy
    # applications, my public comment submissions, my enとーく requests and those that ask for
    # something (次にすること), my まちづくり協議会 sign-ups and my place in the facilitator pool.
    # And whether I am a 代表者 without a second factor (subsidies).
    with django_assert_num_queries(16):
        response = client.get(reverse("mypage"))
    assert response.content.decode().count("/partners/registrations/") == n


# --- Query counts of the partner's own pages ---------------------------------------------------------


@pytest.mark.parametrize("n", [1, 30])
def test_the_registration_page_and_certificate_run_a_fixed_number_of_queries(
    client, resident, staff, django_assert_num_queries, n
):
    places = [factories.make_place() for _ in range(n)]
    registration = factories.make_registration(user=resident, places=places)
    services.registration_approve(registration=registration, by=staff)
    for _ in range(n):  # a long history
        services.registration_suspend(registration=registration, by=resident)
        services.registration_resume(registration=registration, by=resident)
    client.force_login(resident)
    # Session, user, registration, places, activities, history.
    with django_assert_num_queries(6):
        response = client.get(registration.get_absolute_url())
    assert response.content.decode().count("公園") == n
    # Session, user, registration, places.
    with django_assert_num_queries(4):
        response = client.get(reverse("partners:certificate", args=[registration.pk]))
    assert response.status_code == 200


def test_my_page_lists_my_upcoming_shifts_but_not_cancelled_ones(client, resident):
    import datetime as dt

    from django.utils import timezone

    from partners.models import Opportunity, Shift, Signup

    registration = factories.make_registration(
        user=resident, programme="magokoro", status="registered"
    )
    opportunity = Opportunity.objects.create(
        programme="magokoro",
        title="港まつり 会場案内",
        department="観光課",
        description="案内",
        place="入江臨海公園",
        signup_deadline=timezone.now() + dt.timedelta(days=3),
        is_published=True,
    )
    start = timezone.now() + dt.timedelta(days=5)
    kept, dropped = (
        Shift.objects.create(
            opportunity=opportunity,
            starts_at=start + dt.timedelta(hours=h),
            ends_at=start + dt.timedelta(hours=h + 2),
            slots=3,
        )
        for h in (0, 4)
    )
    Signup.objects.create(shift=kept, registration=registration, status="confirmed")
    Signup.objects.create(shift=dropped, registration=registration, status="cancelled")
    client.force_login(resident)

    html = client.get(reverse("mypage")).content.decode()

    shifts = html.split(f">{_ja('My shifts')}</h2>")[1].split("</section>")[0]
    assert shifts.count("港まつり 会場案内") == 1
    assert timezone.localtime(kept.starts_at).strftime("%Y-%m-%d %H:%M") in html
    assert timezone.localtime(dropped.starts_at).strftime("%Y-%m-%d %H:%M") not in html


def test_the_programme_page_shows_this_years_activity_and_open_opportunities(client):
    import datetime as dt

    from django.utils import timezone

    from partners.models import ActivityReport, Opportunity

    registration = factories.make_registration(
        user=factories.make_user(), programme="magokoro", status="registered"
    )
    ActivityReport.objects.create(
        registration=registration,
        activity_date=timezone.localdate(),
        participants=7,
        burnable_bags=3,
    )
    Opportunity.objects.create(
        programme="magokoro",
        title="市民美術館 受付補助",
        department="生涯学習課",
        description="受付",
        place="市民美術館",
        signup_deadline=timezone.now() + dt.timedelta(days=2),
        is_published=True,
    )
    Opportunity.objects.create(
        programme="magokoro",
        title="締切済みの募集",
        department="生涯学習課",
        description="受付",
        place="市民美術館",
        signup_deadline=timezone.now() - dt.timedelta(days=1),
        is_published=True,
    )

    response = client.get(reverse("partners:programme_detail", args=["magokoro"]))

    assert response.context["totals"]["participants"] == 7
    assert response.context["totals"]["burnable"] == 3
    html = response.content.decode()
    assert "市民美術館 受付補助" in html
    assert "締切済みの募集" not in html


def test_who_registered_an_organisation_loses_sight_of_it_on_leaving(
    client, representative, organization
):
    registration = factories.make_registration(
        user=representative, organization=organization, status="registered"
    )
    client.force_login(representative)
    urls = [
        registration.get_absolute_url(),
        reverse("partners:report_list", args=[registration.pk]),
        reverse("partners:request_list", args=[registration.pk]),
        reverse("partners:certificate", args=[registration.pk]),
    ]
    assert all(client.get(url).status_code == 200 for url in urls)

    organization.memberships.filter(user=representative).delete()

    for url in urls:
        assert client.get(url).status_code == 404, url
    assert registration.number not in client.get(reverse("mypage")).content.decode()


# --- whose registrations a person sees ----------------------------------------------------------


def test_my_page_and_the_registration_pages_show_my_own_and_my_managed_groups_registrations_only(
    client, resident, representative, member
):
    """Registration.objects.of_user: one's own registrations as a person, and those of the
    groups one manages now (代表者・担当者); not those of a group one is a plain member of,
    even one registered by oneself, nor anybody else's."""
    from organizations.models import Membership

    mine = factories.make_registration(user=resident, status="registered")
    contact_of = factories.make_organization(representative=representative)
    factories.add_member(contact_of, resident, Membership.Role.CONTACT)
    as_contact = factories.make_registration(user=representative, organization=contact_of)
    member_of = factories.make_organization(representative=representative)
    factories.add_member(member_of, resident, Membership.Role.MEMBER)
    as_member = factories.make_registration(user=representative, organization=member_of)
    no_longer_managed = factories.make_organization(representative=representative)
    was_contact = factories.add_member(no_longer_managed, resident, Membership.Role.CONTACT)
    registered_by_me = factories.make_registration(
        user=resident, organization=no_longer_managed, programme="magokoro"
    )
    was_contact.role = Membership.Role.MEMBER
    was_contact.save(update_fields=["role"])
    someone_elses = factories.make_registration(user=member, programme="makasete")

    assert set(Registration.objects.of_user(resident)) == {mine, as_contact}
    assert list(Registration.objects.of_user(resident).order_by("pk")) == sorted(
        [mine, as_contact], key=lambda r: r.pk
    )  # each once
    assert set(Registration.objects.of_user(representative)) == {
        as_contact,
        as_member,
        registered_by_me,
    }
    assert set(Registration.objects.of_user(member)) == {someone_elses}

    client.force_login(resident)
    page = client.get(reverse("mypage")).content.decode()
    assert mine.number in page
    assert as_contact.number in page
    for hidden in (as_member, registered_by_me, someone_elses):
        assert hidden.number not in page
    assert client.get(as_contact.get_absolute_url()).status_code == 200
    for hidden in (as_member, registered_by_me, someone_elses):
        assert client.get(hidden.get_absolute_url()).status_code == 404
