"""Subsidy reviewers (審査委員) give the second factor before any page of the applications they
review: without an authenticator they are sent to set one up, with one but a password-only
session to give the code; nothing is shown and no score is saved until then. A group's 代表者
with an application is recommended one on マイページ and the application pages (not required)."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import SecurityEvent
from organizations.models import Membership
from subsidies import services
from subsidies.models import Application, Score
from tests import factories
from tests.subsidies import factories as sf

S = Application.Status
NOTICE = "second-factor-notice"


@pytest.fixture
def reviewer(db):
    return factories.make_user("reviewer@example.jp")


@pytest.fixture
def application(programme, organization, member):
    return sf.make_application(
        programme=programme, organization=organization, applicant=member, status=S.UNDER_REVIEW
    )


@pytest.fixture
def assignment(application, reviewer, staff):
    return services.assign_reviewer(application=application, reviewer=reviewer, by=staff)


def _sheet(programme):
    return {f"score_{c.pk}": "4" for c in programme.criteria.all()} | {
        f"comment_{c.pk}": "" for c in programme.criteria.all()
    }


def _pages(assignment):
    application = assignment.application
    attachment = application.attachments.first()
    return [
        reverse("subsidies:review_list"),
        reverse("subsidies:review_detail", args=[assignment.pk]),
        reverse("subsidies:application_detail", args=[application.pk]),
        reverse("subsidies:attachment", args=[attachment.pk]),
    ]


def test_a_reviewer_without_a_second_factor_is_sent_to_set_one_up(
    client, reviewer, assignment, programme
):
    client.force_login(reviewer)
    for page in _pages(assignment):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url == reverse("mfa_index"), page
    response = client.post(
        reverse("subsidies:review_detail", args=[assignment.pk]), _sheet(programme), follow=True
    )
    assert response.redirect_chain[0][0] == reverse("mfa_index")
    assert "二段階認証" in response.content.decode()
    assert not Score.objects.exists()
    assert SecurityEvent.objects.filter(
        event="review_refused", user=reviewer, detail={"reason": "no_second_factor_set_up"}
    ).exists()


@pytest.mark.parametrize("kind", [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
def test_a_reviewer_with_one_but_a_password_only_session_is_asked_for_it(
    client, reviewer, assignment, programme, kind
):
    Authenticator.objects.create(user=reviewer, type=kind, data={})
    client.force_login(reviewer)
    for page in _pages(assignment):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url == f"{reverse('mfa_reauthenticate')}?{urlencode({'next': page})}"
    url = reverse("subsidies:review_detail", args=[assignment.pk])
    assert client.post(url, _sheet(programme)).status_code == 302
    assert not Score.objects.exists()


def test_after_the_second_factor_the_reviewer_reads_and_scores(
    client, reviewer, assignment, programme
):
    factories.with_second_factor(client, reviewer)
    for page in _pages(assignment):
        assert client.get(page).status_code == 200, page
    url = reverse("subsidies:review_detail", args=[assignment.pk])
    assert client.post(url, _sheet(programme)).status_code == 302
    assert Score.objects.filter(assignment=assignment).count() == programme.criteria.count()


def test_the_score_service_refuses_a_reviewer_marked_without_it(reviewer, assignment, programme):
    """Behind the pages: the permission itself reads the request's mark."""
    from subsidies.permissions import can_score, is_assigned_reviewer

    reviewer.second_factor_passed = False
    assert not can_score(reviewer, assignment)
    assert not is_assigned_reviewer(reviewer, assignment.application)
    reviewer.second_factor_passed = True
    assert can_score(reviewer, assignment)


def test_the_group_members_pages_do_not_ask_for_it(client, member, application):
    client.force_login(member)
    url = reverse("subsidies:application_detail", args=[application.pk])
    assert client.get(url).status_code == 200


# --- the representative's notice ------------------------------------------------------------


def test_a_representative_with_an_application_is_recommended_one(
    client, representative, application
):
    client.force_login(representative)
    mypage = client.get(reverse("mypage")).content.decode()
    assert NOTICE not in mypage  # マイページ shows it as a task
    assert "補助金" in mypage and reverse("mfa_index") in mypage
    assert "二段階認証" in mypage
    for url in (
        reverse("subsidies:application_detail", args=[application.pk]),
        reverse("subsidies:application_list"),
    ):
        html = client.get(url).content.decode()
        assert NOTICE in html, url
        assert reverse("mfa_index") in html


def test_no_notice_for_members_other_groups_or_a_representative_with_one(
    client, representative, member, application, organization
):
    application_page = reverse("subsidies:application_detail", args=[application.pk])
    client.force_login(member)
    assert NOTICE not in client.get(application_page).content.decode()
    assert reverse("mfa_index") + '" aria' not in client.get(reverse("mypage")).content.decode()
    Authenticator.objects.create(user=representative, type=Authenticator.Type.TOTP, data={})
    client.force_login(representative)
    assert NOTICE not in client.get(application_page).content.decode()
    assert "二段階認証を設定" not in _tasks(client.get(reverse("mypage")).content.decode())


def test_no_notice_for_a_representative_whose_group_has_not_applied(client, db):
    rep = factories.make_user("rep2@example.jp")
    factories.make_organization(name="別の会", representative=rep)
    assert Membership.objects.filter(user=rep, role="representative").exists()
    client.force_login(rep)
    assert "二段階認証を設定" not in _tasks(client.get(reverse("mypage")).content.decode())
    assert NOTICE not in client.get(reverse("subsidies:application_list")).content.decode()


def _tasks(html: str) -> str:
    start = html.index('id="mypage-tasks"')
    return html[start : html.index("</section>", start)]


# --- passkeys -------------------------------------------------------------------------------


def test_a_resident_can_open_the_passkey_set_up_page(client, resident):
    signed_in = client.post(
        reverse("account_login"), {"login": resident.email, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 302
    index = client.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_add_webauthn") in index
    # Adding a passkey asks for the password again first (allauth re-authentication).
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    response = client.get(reverse("mfa_add_webauthn"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "セキュリティキー" in html  # allauth's Japanese name for a passkey
    assert "<script>" not in html and "style=" not in html
