"""個人情報の開示・訂正 (`muroran_kyodo.personal_data`, /admin/personal-data/): staff with the
permission find one person's records across the portal, download them as JSON and correct the
contacts given on them, each logged; everyone else is refused."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import SecurityEvent
from councils.models import Signup as CouncilSignup
from entalk.models import Request as EntalkRequest
from partners.models import Registration
from publiccomment.models import Submission
from tests import factories
from tests.councils import factories as cf
from tests.entalk import factories as ef
from tests.publiccomment import factories as pf
from tests.subsidies import factories as sf

pytestmark = pytest.mark.django_db

URL = "/admin/personal-data/"
PERSON = "person-xq@example.jp"
OTHER = "other-xq@example.jp"


@pytest.fixture
def officer(db):
    """A clerk who answers requests for disclosure (the permission, and a second factor)."""
    user = factories.make_user("kojin@city.muroran.example.jp", staff=True)
    user.user_permissions.add(Permission.objects.get(codename="disclose_personal_data"))
    return user


@pytest.fixture
def officer_client(client, officer):
    return factories.with_second_factor(client, officer)


@pytest.fixture
def records(organization):
    """The person (an account, a member of a group) and another person, each with a
    submission, a council guest sign-up, a partner registration and an enとーく request."""
    person = factories.make_user(PERSON, family_name="開示", given_name="花子")
    factories.add_member(organization, person)
    other = factories.make_user(OTHER, family_name="別人", given_name="次郎")
    with time_machine.travel(pf.NOW, tick=False):
        case = pf.make_case()
        pf.submit(
            case, "公園を増やしてほしい。", name="開示 花子", email=PERSON, phone="0143-10-0001"
        )
        pf.submit(case, "別の意見です。", name="別人 次郎", email=OTHER, phone="0143-10-0002")
    session = cf.make_workshop()
    cf.make_signup(session, name="開示 花子", email=PERSON, phone="0143-10-0001")
    cf.make_signup(session, name="別人 次郎", email=OTHER, phone="0143-10-0002")
    factories.make_registration(user=person, contact_name="開示 花子", contact_phone="0143-10-0001")
    factories.make_registration(user=other, contact_name="別人 次郎")
    with time_machine.travel(ef.NOW, tick=False):
        ef.make_request(by=person, contact_name="開示 花子", email=PERSON, phone="0143-10-0001")
        ef.make_request(by=other, contact_name="別人 次郎", email=OTHER)
    sf.make_application(programme=sf.make_programme(), organization=organization, applicant=person)
    return person, other


def test_the_page_lists_the_persons_records_in_every_app(officer_client, records):
    response = officer_client.get(URL, {"email": PERSON.upper()})

    assert response.status_code == 200
    kinds = [row["record"].kind for row in response.context["found"]]
    for kind in (
        "アカウント",
        "団体の構成員",
        "パートナー登録",
        "補助金の交付申請",
        "パブリックコメントの提出",
        "enとーくの申込み",
        "まちづくり協議会の参加申込み",
    ):
        assert kind in kinds
    body = response.content.decode()
    assert "0143-10-0001" in body and OTHER not in body and "別人 次郎" not in body
    assert reverse("admin:accounts_user_change", args=[records[0].pk]) in body


def test_the_export_holds_the_persons_records_only_and_is_logged(officer_client, officer, records):
    response = officer_client.post(URL, {"action": "export", "email": PERSON})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    data = json.loads(b"".join(response.streaming_content))
    text = json.dumps(data, ensure_ascii=False)
    assert data["searched_for"] == {"email": PERSON, "name": ""}
    assert len(data["records"]) == 7
    assert "公園を増やしてほしい。" in text and "0143-10-0001" in text
    assert OTHER not in text and "別人" not in text and "別の意見です。" not in text
    event = SecurityEvent.objects.get(event="personal_data_exported")
    assert event.user == officer
    assert event.detail["subject_email"] == PERSON and event.detail["records"] == 7


def test_a_search_by_name_finds_records_given_without_the_e_mail(officer_client, records):
    with time_machine.travel(pf.NOW, tick=False):
        pf.submit(
            pf.make_case(), "紙の意見です。", name="開示 花子", channel="post", received_at=pf.NOW
        )

    response = officer_client.get(URL, {"name": "開示 花子"})

    # Only the paper form: the records holding an e-mail address are found by that address.
    found = response.context["found"]
    assert [row["record"].kind for row in found] == ["パブリックコメントの提出"]
    assert found[0]["record"].data["channel"] == "郵送"


def test_the_correction_changes_the_persons_records_and_is_logged(officer_client, officer, records):
    response = officer_client.post(
        URL,
        {
            "action": "correct",
            "email": PERSON,
            "name": "",
            "new_name": "",
            "new_email": "new-xq@example.jp",
            "new_phone": "０１４３－９９－８８７７",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?email=new-xq%40example.jp"
    assert Submission.objects.get(email="new-xq@example.jp").phone == "0143-99-8877"
    assert CouncilSignup.objects.get(email="new-xq@example.jp").name == "開示 花子"
    assert EntalkRequest.objects.get(email="new-xq@example.jp").phone == "0143-99-8877"
    assert (
        Registration.objects.get(contact_email="new-xq@example.jp").contact_phone == "0143-99-8877"
    )
    # The other person's records are untouched.
    assert Submission.objects.get(email=OTHER).phone == "0143-10-0002"
    assert CouncilSignup.objects.get(email=OTHER).phone == "0143-10-0002"
    event = SecurityEvent.objects.get(event="personal_data_corrected")
    assert event.user == officer
    assert event.detail["fields"] == ["new_email", "new_phone"]
    assert sum(event.detail["changed"].values()) == 4


def test_a_correction_with_nothing_to_correct_is_refused_on_the_form(officer_client, records):
    response = officer_client.post(URL, {"action": "correct", "email": PERSON})

    assert response.status_code == 200
    assert "訂正する値を1つ以上入力してください。" in response.content.decode()
    assert not SecurityEvent.objects.filter(event="personal_data_corrected").exists()
    assert Submission.objects.get(email=PERSON).phone == "0143-10-0001"


def test_an_empty_search_asks_for_an_e_mail_or_a_name(officer_client):
    response = officer_client.get(URL, {"email": "", "name": ""})

    assert response.status_code == 200
    assert "メールアドレスまたは氏名を入力してください。" in response.content.decode()
    bad = officer_client.get(URL, {"email": "not-an-address"})
    assert bad.status_code == 200 and bad.context["found"] is None


def test_staff_without_the_permission_are_refused(client, records):
    clerk = factories.make_user("clerk@city.muroran.example.jp", staff=True)
    staff_client = factories.with_second_factor(client, clerk)

    assert staff_client.get(URL, {"email": PERSON}).status_code == 403
    assert staff_client.post(URL, {"action": "export", "email": PERSON}).status_code == 403
    refused = staff_client.post(
        URL, {"action": "correct", "email": PERSON, "new_phone": "0143-00-0000"}
    )
    assert refused.status_code == 403
    assert Submission.objects.get(email=PERSON).phone == "0143-10-0001"
    assert not SecurityEvent.objects.filter(event__startswith="personal_data").exists()


def test_a_resident_and_an_anonymous_visitor_never_reach_the_page(client, records):
    assert client.get(URL).status_code == 302  # to the admin's sign-in
    factories.sign_in(client, records[0])
    response = client.get(URL, {"email": PERSON})
    assert response.status_code in (302, 403)
    assert PERSON not in response.content.decode()


def test_the_admin_index_links_the_page_for_the_officer_only(officer_client, client):
    assert URL in officer_client.get(reverse("admin:index")).content.decode()
    clerk = factories.make_user("clerk2@city.muroran.example.jp", staff=True)
    other = factories.with_second_factor(client, clerk)
    assert URL not in other.get(reverse("admin:index")).content.decode()


def test_a_put_is_not_allowed(officer_client):
    assert officer_client.put(URL).status_code == 405


def test_the_page_runs_as_many_queries_for_many_records_as_for_few(officer_client, records):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert officer_client.get(URL, {"email": PERSON}).status_code == 200
        return len(queries)

    few = count()
    with time_machine.travel(pf.NOW, tick=False):
        case = pf.make_case()
        for n in range(4):
            pf.submit(case, f"追加の意見{n}。", "二つ目。", name="開示 花子", email=PERSON)
    session = cf.make_workshop()
    for _n in range(3):
        cf.make_signup(
            session, name="開示 花子", email=PERSON, status=CouncilSignup.Status.CANCELLED
        )

    assert count() == few


# ---- review (rel-review): a name never reaches another person's records ------------------


def test_a_name_never_finds_records_that_hold_another_e_mail_or_an_account(officer_client, records):
    """Two residents may share a name: searching by the name of one must not disclose the
    records and account of the other, who gave an e-mail address of their own."""
    with time_machine.travel(pf.NOW, tick=False):
        pf.submit(
            pf.make_case(), "紙の意見です。", name="別人 次郎", channel="post", received_at=pf.NOW
        )

    response = officer_client.get(URL, {"name": "別人 次郎"})

    assert response.status_code == 200
    found = response.context["found"]
    assert [row["record"].kind for row in found] == ["パブリックコメントの提出"]
    assert OTHER not in response.content.decode()
    export = officer_client.post(URL, {"action": "export", "name": "別人 次郎"})
    text = b"".join(export.streaming_content).decode()
    assert OTHER not in text and "0143-10-0002" not in text and "別の意見です。" not in text


def test_a_correction_by_name_leaves_a_namesake_with_an_e_mail_alone(officer_client, records):
    with time_machine.travel(pf.NOW, tick=False):
        paper = pf.submit(
            pf.make_case(), "紙の意見です。", name="別人 次郎", channel="post", received_at=pf.NOW
        )

    response = officer_client.post(
        URL, {"action": "correct", "name": "別人 次郎", "new_phone": "0143-55-6666"}
    )

    assert response.status_code == 302
    assert Submission.objects.get(pk=paper.pk).phone == "0143-55-6666"
    assert Submission.objects.get(email=OTHER).phone == "0143-10-0002"
    assert CouncilSignup.objects.get(email=OTHER).phone == "0143-10-0002"
    assert EntalkRequest.objects.get(email=OTHER).phone != "0143-55-6666"
    assert Registration.objects.get(user=records[1]).contact_phone != "0143-55-6666"


def test_a_correct_e_mail_longer_than_the_column_is_refused_on_the_form(officer_client, records):
    long_address = "a" * 60 + "@" + ".".join(["b" * 60] * 3) + ".jp"  # 247 + 13 > 254
    long_address = "x" * 10 + long_address
    assert len(long_address) > 254

    response = officer_client.post(
        URL, {"action": "correct", "email": PERSON, "new_email": long_address}
    )

    assert response.status_code == 200
    assert "254" in response.content.decode()
    assert Submission.objects.get(email=PERSON).phone == "0143-10-0001"
    assert not SecurityEvent.objects.filter(event="personal_data_corrected").exists()


def test_a_search_that_shows_records_is_logged(officer_client, officer, records):
    officer_client.get(URL, {"email": PERSON})

    event = SecurityEvent.objects.get(event="personal_data_viewed")
    assert event.user == officer
    assert event.detail["subject_email"] == PERSON and event.detail["records"] == 7
    officer_client.get(URL, {"email": "not-an-address"})
    assert SecurityEvent.objects.filter(event="personal_data_viewed").count() == 1


def test_an_invitation_to_the_persons_address_is_disclosed_without_an_account(
    officer_client, organization
):
    """An invitation holds the e-mail address of someone who may have no account yet."""
    from organizations.models import Invitation

    invited = "invited-xq@example.jp"
    Invitation.objects.create(organization=organization, email=invited)
    Invitation.objects.create(organization=organization, email=OTHER)

    response = officer_client.get(URL, {"email": invited.upper()})

    found = response.context["found"]
    assert [row["record"].kind for row in found] == ["団体への招待"]
    assert found[0]["record"].data["email"] == invited
    assert OTHER not in response.content.decode()
    export = officer_client.post(URL, {"action": "export", "email": invited})
    assert invited in b"".join(export.streaming_content).decode()


def test_the_export_holds_what_the_person_wrote_when_cancelling_a_sign_up(officer_client, records):
    import datetime as dt

    from councils import services as council_services

    signup = CouncilSignup.objects.get(email=PERSON)
    before_it_starts = signup.session.starts_at - dt.timedelta(days=1)
    council_services.signup_cancel(
        signup=signup, by=None, reason="子の発熱のため", now=before_it_starts
    )

    export = officer_client.post(URL, {"action": "export", "email": PERSON})

    data = json.loads(b"".join(export.streaming_content))
    (council,) = [r for r in data["records"] if r["kind"] == "まちづくり協議会の参加申込み"]
    assert "子の発熱のため" in [change["reason"] for change in council["data"]["history"]]
