"""The subsidy's documents to print (subsidies/views/printing.py): the 受付票 of an application,
of a change request and of the completion report, and the 変更承認通知書 — number, dates in
和暦 and 西暦, what was received (documents named and counted) or what changed; 404 for another
group, a reviewer, a draft, a change not approved; staff print them and find them in the admin;
fixed query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from subsidies import services
from subsidies.models import Application, ChangeRequest, ReviewAssignment
from tests import factories
from tests.subsidies import factories as sf
from tests.subsidies.factories import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Application.Status
NOW_TEXT = "令和8年5月15日（2026年5月15日）"


def ja(message):
    with override("ja"):
        return escape(gettext(message))


def _get(client, user, url):
    return factories.sign_in(client, user).get(url)


@pytest.fixture
def submitted(application, member):
    return services.application_submit(application=application, by=member)


@pytest.fixture
def granted(submitted):
    Application.objects.filter(pk=submitted.pk).update(
        status=S.GRANTED,
        decided_amount=100_000,
        conditions="報告会で成果を発表すること",
        decided_at=NOW - dt.timedelta(days=10),
    )
    submitted.refresh_from_db()
    return submitted


def test_the_application_receipt(client, member, submitted):
    url = reverse("subsidies:application_receipt", args=[submitted.pk])
    response = _get(client, member, url)
    assert response.status_code == 200
    html = response.content.decode()
    assert submitted.number.startswith("HS-2026-") and submitted.number in html
    assert f"{NOW_TEXT} 10:00" in html
    assert ja("Subsidy application") in html and submitted.title in html
    assert "輪西まちづくりの会" in html or submitted.organization.name in html
    assert f"{submitted.requested_amount:,}円" in html
    documents = list(submitted.attachments.all())
    assert documents
    for document in documents:
        assert escape(f"{document.type}：{document.original_name}") in html
    assert f"{len(documents)}件" in html


def test_the_application_receipt_is_for_the_group_and_staff(
    client, submitted, other_member, staff, representative
):
    url = reverse("subsidies:application_receipt", args=[submitted.pk])
    assert _get(client, representative, url).status_code == 200
    assert _get(client, other_member, url).status_code == 404
    reviewer = factories.make_user("reviewer@example.jp")
    ReviewAssignment.objects.create(application=submitted, reviewer=reviewer)
    assert _get(client, reviewer, url).status_code == 404
    assert _get(client, staff, url).status_code == 200
    change = reverse("admin:subsidies_application_change", args=[submitted.pk])
    assert f'href="{url}"' in client.get(change).content.decode()


def test_a_draft_has_no_receipt(client, member, application):
    url = reverse("subsidies:application_receipt", args=[application.pk])
    assert _get(client, member, url).status_code == 404
    detail = client.get(reverse("subsidies:application_detail", args=[application.pk]))
    assert url not in detail.content.decode()


def test_the_submitted_and_detail_pages_link_to_the_receipt(client, member, submitted):
    url = reverse("subsidies:application_receipt", args=[submitted.pk])
    factories.sign_in(client, member)
    for page in ("subsidies:application_submitted", "subsidies:application_detail"):
        assert url in client.get(reverse(page, args=[submitted.pk])).content.decode()


def test_the_application_receipt_runs_the_same_queries_with_more_documents(
    client, member, submitted
):
    url = reverse("subsidies:application_receipt", args=[submitted.pk])
    factories.sign_in(client, member)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _n in range(3):
        sf.attach(submitted, "budget", name="追加資料.pdf")
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert len(after) == len(before)
    assert html.count("追加資料.pdf") == 3


def test_the_report_receipt(client, member, granted, other_member):
    url = reverse("subsidies:report_receipt", args=[granted.pk])
    assert _get(client, member, url).status_code == 404  # not filed yet
    sf.attach(granted, "report", name="実績報告書.pdf")
    Application.objects.filter(pk=granted.pk).update(
        status=S.REPORTED, reported_at=NOW, report_summary="花壇を5か所つくりました"
    )
    html = _get(client, member, url).content.decode()
    assert f"{granted.number}-R" in html and f"{NOW_TEXT} 10:00" in html
    assert "花壇を5か所つくりました" in html and "実績報告書.pdf" in html
    # The application's documents are not this report's.
    assert "1件" in html
    assert _get(client, other_member, url).status_code == 404
    page = _get(client, member, reverse("subsidies:report", args=[granted.pk]))
    assert url in page.content.decode()


def _change(granted, member, **fields):
    return ChangeRequest.objects.create(
        application=granted,
        description="会場を市民会館に変更します",
        requested_by=member,
        requested_at=NOW - dt.timedelta(days=3),
        **fields,
    )


def test_the_change_request_receipt(client, member, granted, other_member, staff):
    change = services.change_request_create(
        application=granted, by=member, description="会場を市民会館に変更します", new_amount=80_000
    )
    url = reverse("subsidies:change_receipt", args=[change.pk])
    html = _get(client, member, url).content.decode()
    assert f"CR-2026-{change.pk:05d}" in html and f"{NOW_TEXT} 10:00" in html
    assert "会場を市民会館に変更します" in html and "80,000円" in html
    assert granted.number in html
    assert _get(client, other_member, url).status_code == 404
    assert _get(client, staff, url).status_code == 200
    admin_change = reverse("admin:subsidies_changerequest_change", args=[change.pk])
    assert f'href="{url}"' in client.get(admin_change).content.decode()
    page = _get(client, member, reverse("subsidies:change_request", args=[granted.pk]))
    assert url in page.content.decode()
    # Not approved (yet): no notice.
    notice = reverse("subsidies:change_notice", args=[change.pk])
    assert notice not in page.content.decode()
    assert _get(client, member, notice).status_code == 404


def test_the_change_approval_notice(client, member, granted, staff, other_member):
    change = services.change_request_create(
        application=granted, by=member, description="会場を市民会館に変更します", new_amount=80_000
    )
    services.change_request_approve(change_request=change, by=staff, reason="領収書を保管すること")
    url = reverse("subsidies:change_notice", args=[change.pk])
    response = _get(client, member, url)
    assert response.status_code == 200
    html = response.content.decode()
    assert ja("Notice of approval of the change") in html
    assert f"CR-2026-{change.pk:05d}" in html
    assert NOW_TEXT in html  # the decision date
    assert "会場を市民会館に変更します" in html
    assert "80,000" in html and ja("Grant after the change") in html
    assert "領収書を保管すること" in html and "報告会で成果を発表すること" in html
    assert ja("Mayor of Muroran") in html
    assert _get(client, other_member, url).status_code == 404
    assert _get(client, staff, url).status_code == 200
    admin_change = reverse("admin:subsidies_changerequest_change", args=[change.pk])
    assert f'href="{url}"' in client.get(admin_change).content.decode()
    page = _get(client, member, reverse("subsidies:change_request", args=[granted.pk]))
    assert url in page.content.decode()


def test_an_approved_change_of_amount_keeps_the_grant_before_it_for_the_notice(
    client, member, granted, staff
):
    first = services.change_request_create(
        application=granted, by=member, description="参加者が減りました", new_amount=80_000
    )
    services.change_request_approve(change_request=first, by=staff, reason="")
    second = services.change_request_create(
        application=granted, by=member, description="会場費が増えました", new_amount=95_000
    )
    services.change_request_approve(change_request=second, by=staff, reason="")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.previous_amount, second.previous_amount) == (100_000, 80_000)
    html = _get(client, member, reverse("subsidies:change_notice", args=[first.pk])).content
    html = html.decode()
    # The first change's notice prints the original decision, which the change overwrote.
    assert ja("Grant before the change") in html and "100,000" in html and "80,000" in html


def test_a_refused_change_keeps_no_amount_before(member, granted, staff):
    change = services.change_request_create(
        application=granted, by=member, description="x", new_amount=80_000
    )
    services.change_request_decide(
        change_request=change, by=staff, approve=False, response="予算の範囲を超えます"
    )
    change.refresh_from_db()
    assert change.previous_amount is None
    assert Application.objects.get(pk=granted.pk).decided_amount == 100_000


def test_the_notice_shows_the_amount_before_when_the_records_hold_it(
    client, member, granted, staff
):
    first = _change(
        granted,
        member,
        status=ChangeRequest.Status.APPROVED,
        new_amount=90_000,
        decided_at=NOW - dt.timedelta(days=2),
    )
    second = _change(
        granted,
        member,
        status=ChangeRequest.Status.APPROVED,
        new_amount=70_000,
        decided_at=NOW - dt.timedelta(days=1),
    )
    factories.sign_in(client, member)
    html = client.get(reverse("subsidies:change_notice", args=[second.pk])).content.decode()
    assert ja("Grant before the change") in html and "90,000" in html and "70,000" in html
    # The first change overwrote the original decision: its notice does not guess it.
    html = client.get(reverse("subsidies:change_notice", args=[first.pk])).content.decode()
    assert ja("Grant before the change") not in html and "90,000" in html
    # A change of plan only: the grant stays as decided.
    plan = _change(granted, member, status=ChangeRequest.Status.APPROVED, decided_at=NOW)
    Application.objects.filter(pk=granted.pk).update(decided_amount=70_000)
    html = client.get(reverse("subsidies:change_notice", args=[plan.pk])).content.decode()
    assert "70,000" in html and ja("no change") in html


def test_a_refused_change_has_no_notice(client, member, granted):
    refused = _change(
        granted, member, status=ChangeRequest.Status.REFUSED, decided_at=NOW, response="予算超過"
    )
    url = reverse("subsidies:change_notice", args=[refused.pk])
    assert _get(client, member, url).status_code == 404


def test_the_notice_runs_the_same_queries_for_a_first_and_a_later_change(client, member, granted):
    changes = [
        _change(
            granted,
            member,
            status=ChangeRequest.Status.APPROVED,
            new_amount=amount,
            decided_at=NOW - dt.timedelta(days=days),
        )
        for amount, days in ((95_000, 4), (90_000, 3), (85_000, 2))
    ]
    factories.sign_in(client, member)
    counts = []
    for change in (changes[0], changes[-1]):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("subsidies:change_notice", args=[change.pk])).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]
