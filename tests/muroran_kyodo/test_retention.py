"""Retention (`manage.py apply_retention`): the personal data of closed records is anonymised
once their period ran out, never before and never for open records; a second run and a dry run
change nothing. Clocks are frozen with time-machine at the factories' fixed dates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from councils import services as council_services
from councils.models import Session
from councils.models import Signup as CouncilSignup
from muroran_kyodo.lib.retention import ANONYMISED
from publiccomment import services as comment_services
from publiccomment.models import Case, Opinion, Submission
from subsidies import services as subsidy_services
from subsidies.models import Application, Attachment
from tests import factories
from tests.councils import factories as cf
from tests.publiccomment import factories as pf
from tests.publiccomment.results import RESULT_AT, group_all, publish
from tests.subsidies import factories as sf

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


# ---- パブリックコメント ----------------------------------------------------------------------


def _case_with_opinions():
    """A case with a personal submission (one opinion redacted, one withheld) and a second
    submitter, taken in the window; not yet published."""
    with time_machine.travel(pf.NOW, tick=False):
        case = pf.make_case(title="保存期間の計画（案）")
        person = pf.submit(
            case,
            "公園を増やしてほしい。輪西の山田です、0143-11-2222。",
            "ベンチを直してほしい。",
            "悪口です。",
            name="保存野ＸＱ太郎",
            email="keep-xq@example.jp",
            phone="0143-11-2222",
            address="室蘭市保存町1番地",
        )
        other = pf.submit(case, "街灯を増やしてほしい。", name="別野ＸＱ次郎")
    first, _second, third = person.opinions.order_by("position")
    Opinion.objects.filter(pk=first.pk).update(
        public_text="公園を増やしてほしい。", redaction_reason="個人情報"
    )
    Opinion.objects.filter(pk=third.pk).update(withheld=True, redaction_reason="誹謗中傷")
    return case, person, other


@pytest.fixture
def result_case():
    case, person, other = _case_with_opinions()
    with time_machine.travel(pf.NOW, tick=False):
        group_all(case)
    publish(case)
    return case, person, other


def test_submissions_of_a_result_past_the_period_are_anonymised(settings, result_case):
    case, person, other = result_case
    days = settings.RETENTION["OPINION_DAYS"]

    changed = comment_services.submissions_anonymise(now=RESULT_AT + (days + 1) * DAY)

    assert changed == 2
    person.refresh_from_db()
    assert person.name == ANONYMISED
    assert (person.email, person.phone, person.address, person.user) == ("", "", "", None)
    assert person.anonymised_at == RESULT_AT + (days + 1) * DAY
    texts = list(person.opinions.order_by("position").values_list("text", flat=True))
    # As published: the redacted text, the untouched one, the withheld one gone.
    assert texts == ["公園を増やしてほしい。", "ベンチを直してほしい。", ANONYMISED]
    assert Submission.objects.get(pk=other.pk).name == ANONYMISED


def test_submissions_before_the_period_are_kept(settings, result_case):
    _case, person, _other = result_case
    days = settings.RETENTION["OPINION_DAYS"]

    assert comment_services.submissions_anonymise(now=RESULT_AT + (days - 1) * DAY) == 0

    person.refresh_from_db()
    assert person.name == "保存野ＸＱ太郎" and person.email == "keep-xq@example.jp"
    assert person.anonymised_at is None
    assert person.opinions.filter(text__contains="0143-11-2222").exists()


def test_submissions_of_a_case_without_a_result_are_never_anonymised():
    _case, person, _other = _case_with_opinions()  # announced, being considered

    assert comment_services.submissions_anonymise(now=RESULT_AT + 3650 * DAY) == 0

    person.refresh_from_db()
    assert person.name == "保存野ＸＱ太郎" and person.anonymised_at is None


def test_an_abandoned_case_counts_from_its_abandonment(settings):
    case, person, _other = _case_with_opinions()
    abandoned_at = pf.NOW + 30 * DAY
    Case.objects.filter(pk=case.pk).update(status=Case.Status.ABANDONED, abandoned_at=abandoned_at)
    days = settings.RETENTION["OPINION_DAYS"]

    assert comment_services.submissions_anonymise(now=abandoned_at + (days - 1) * DAY) == 0
    assert comment_services.submissions_anonymise(now=abandoned_at + (days + 1) * DAY) == 2
    person.refresh_from_db()
    assert person.name == ANONYMISED


def test_an_organisation_that_agreed_keeps_its_published_name(settings):
    with time_machine.travel(pf.NOW, tick=False):
        case = pf.make_case()
        agreed = pf.submit(
            case,
            "賛成します。",
            kind="organization",
            name="代表ＸＱ",
            organization_name="公表可ＸＱ町内会",
            organization_name_public=True,
        )
        private = pf.submit(
            case,
            "反対します。",
            kind="organization",
            name="代表ＸＲ",
            organization_name="非公開ＸＲ研究会",
            organization_name_public=False,
        )
    publish(case)

    comment_services.submissions_anonymise(now=RESULT_AT + 400 * DAY)

    agreed.refresh_from_db()
    private.refresh_from_db()
    assert (agreed.name, agreed.organization_name) == (ANONYMISED, "公表可ＸＱ町内会")
    assert (private.name, private.organization_name) == (ANONYMISED, "")


def test_the_result_page_still_shows_after_anonymisation_without_the_name(client, result_case):
    case, _person, _other = result_case
    with time_machine.travel(RESULT_AT + 400 * DAY, tick=False):
        assert "public comment submissions: 2 anonymised" in _run()
        result = client.get(reverse("publiccomment:case_result", args=[case.pk]))
        opinions = client.get(reverse("publiccomment:case_opinions", args=[case.pk]))

    assert result.status_code == 200 and opinions.status_code == 200
    body = result.content.decode() + opinions.content.decode()
    assert case.title in body
    assert "公園を増やしてほしい。" in body and "街灯を増やしてほしい。" in body
    assert "保存野ＸＱ太郎" not in body and "0143-11-2222" not in body
    assert ANONYMISED not in opinions.content.decode()  # the withheld opinion stays unpublished


# ---- まちづくり協議会 -------------------------------------------------------------------------


@pytest.fixture
def ended_session():
    session = cf.make_workshop(status=Session.Status.PUBLISHED)
    guest = cf.make_signup(
        session,
        name="来訪ＸＱ花子",
        email="guest-xq@example.jp",
        phone="0143-33-4444",
        age=34,
        need_childcare=True,
    )
    member = factories.make_user("account-xq@example.jp")
    account = cf.make_signup(session, user=member)
    return session, guest, account


def test_guest_signups_after_the_period_are_anonymised(settings, ended_session):
    session, guest, account = ended_session
    days = settings.RETENTION["GUEST_SIGNUP_DAYS"]

    assert council_services.guest_signups_anonymise(now=session.ends_at + (days - 1) * DAY) == 0
    guest.refresh_from_db()
    assert guest.name == "来訪ＸＱ花子" and guest.anonymised_at is None

    assert council_services.guest_signups_anonymise(now=session.ends_at + (days + 1) * DAY) == 1
    guest.refresh_from_db()
    assert (guest.name, guest.email, guest.phone) == (ANONYMISED, "", "")
    assert not guest.has_needs
    assert guest.age == 34 and guest.status == CouncilSignup.Status.REGISTERED  # the figures
    account.refresh_from_db()
    assert account.anonymised_at is None and account.email == "account-xq@example.jp"


def test_a_guests_cancellation_reason_goes_with_the_name(settings, ended_session):
    """What the guest typed when cancelling is theirs too; the history's states stay."""
    session, guest, _account = ended_session
    council_services.signup_cancel(
        signup=guest, by=None, reason="来訪ＸＱ花子、子の発熱のため", now=session.starts_at - DAY
    )
    days = settings.RETENTION["GUEST_SIGNUP_DAYS"]

    assert council_services.guest_signups_anonymise(now=session.ends_at + (days + 1) * DAY) == 1

    history = list(guest.status_changes.values_list("new_status", "reason"))
    assert (CouncilSignup.Status.CANCELLED, "") in history
    assert all(reason == "" for _status, reason in history)


def test_guest_signups_of_a_session_not_yet_ended_are_never_anonymised():
    session = cf.make_workshop()
    guest = cf.make_signup(session, name="予定ＸＱ")

    assert council_services.guest_signups_anonymise(now=session.starts_at - DAY) == 0
    guest.refresh_from_db()
    assert guest.name == "予定ＸＱ"


# ---- 補助金 --------------------------------------------------------------------------------


@pytest.fixture
def decided_applications(organization, member):
    programme = sf.make_programme()
    decided_at = sf.NOW
    rejected = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=Application.Status.REJECTED,
    )
    withdrawn = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=Application.Status.WITHDRAWN,
    )
    granted = sf.make_application(
        programme=programme,
        organization=organization,
        applicant=member,
        status=Application.Status.GRANTED,
    )
    Application.objects.update(status_changed_at=decided_at)
    return decided_at, rejected, withdrawn, granted


def test_rejected_applications_lose_their_attachments_after_the_period(
    settings, decided_applications, django_capture_on_commit_callbacks
):
    decided_at, rejected, withdrawn, granted = decided_applications
    days = settings.RETENTION["REJECTED_APPLICATION_DAYS"]
    files = list(Attachment.objects.filter(application=rejected))
    assert files
    storage, name = files[0].file.storage, files[0].file.name
    assert storage.exists(name)

    assert subsidy_services.rejected_applications_anonymise(now=decided_at + (days - 1) * DAY) == 0
    assert Attachment.objects.filter(application=rejected).exists()

    with django_capture_on_commit_callbacks(execute=True):
        changed = subsidy_services.rejected_applications_anonymise(
            now=decided_at + (days + 1) * DAY
        )

    assert changed == 2
    assert not Attachment.objects.filter(application__in=[rejected, withdrawn]).exists()
    assert not storage.exists(name)
    rejected.refresh_from_db()
    assert rejected.anonymised_at is not None and rejected.title  # the plan stays
    # A granted application is never touched.
    granted.refresh_from_db()
    assert granted.anonymised_at is None
    assert Attachment.objects.filter(application=granted).exists()


# ---- the command -----------------------------------------------------------------------------


@pytest.fixture
def everything_due(result_case, ended_session, decided_applications):
    return result_case, ended_session, decided_applications


def _far_enough(settings, decided_at) -> dt.datetime:
    return decided_at + (settings.RETENTION["REJECTED_APPLICATION_DAYS"] + 1) * DAY


def test_the_command_counts_each_kind_and_a_second_run_changes_nothing(settings, everything_due):
    *_, (decided_at, _rejected, _withdrawn, _granted) = everything_due
    with time_machine.travel(_far_enough(settings, decided_at), tick=False):
        first = _run()
        second = _run()

    assert "public comment submissions: 2 anonymised" in first
    assert "council guest sign-ups: 1 anonymised" in first
    assert "subsidy applications not adopted or withdrawn: 2 anonymised" in first
    assert "total: 0 anonymised" in second
    assert Submission.objects.filter(anonymised_at__isnull=True).count() == 0


def test_a_dry_run_counts_and_changes_nothing(settings, everything_due):
    (_case, person, _other), (_session, guest, _account), (decided_at, rejected, *_r) = (
        everything_due
    )
    with time_machine.travel(_far_enough(settings, decided_at), tick=False):
        out = _run("--dry-run")

    assert "public comment submissions: 2 would be anonymised" in out
    assert "council guest sign-ups: 1 would be anonymised" in out
    assert "council sign-up needs: 1 would be anonymised" in out
    assert "nothing changed" in out
    person.refresh_from_db()
    guest.refresh_from_db()
    assert person.name == "保存野ＸＱ太郎" and guest.name == "来訪ＸＱ花子" and guest.has_needs
    assert Attachment.objects.filter(application=rejected).exists()
    assert not Application.objects.filter(anonymised_at__isnull=False).exists()


def test_the_admin_shows_when_a_record_was_anonymised(client, settings, everything_due):
    (_case, person, _other), (_session, guest, _account), (decided_at, rejected, *_r) = (
        everything_due
    )
    with time_machine.travel(_far_enough(settings, decided_at), tick=False):
        _run()
    admin_client = factories.with_second_factor(client, factories.make_user(superuser=True))

    for url in (
        reverse("admin:publiccomment_submission_change", args=[person.pk]),
        reverse("admin:councils_signup_change", args=[guest.pk]),
        reverse("admin:subsidies_application_change", args=[rejected.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "匿名化日時" in response.content.decode(), url
    assert (
        ANONYMISED
        in admin_client.get(
            reverse("admin:publiccomment_submission_change", args=[person.pk])
        ).content.decode()
    )
