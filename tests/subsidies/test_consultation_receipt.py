"""受付票 of a prior consultation (subsidies/receipts.py consultation_receipt): number CN-…, when
it was received in 和暦, the programme, date and topic, never whether it was held; the group's
members and the subsidy staff print it, anyone else (reviewers too) gets 404; linked from the
list of the group's consultations, the application page and the admin; fixed query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from subsidies import services
from subsidies.models import Consultation, ReviewAssignment
from tests import factories
from tests.subsidies import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NOW_TEXT = "令和8年5月15日（2026年5月15日）"


def ja(message):
    with override("ja"):
        return escape(gettext(message))


def _url(consultation):
    return reverse("subsidies:consultation_receipt", args=[consultation.pk])


def _get(client, user, url):
    return factories.sign_in(client, user).get(url)


@pytest.fixture
def booked(organization, programme, member):
    return services.consultation_book(
        organization=organization,
        programme=programme,
        held_on=dt.date(2026, 5, 20),
        topic="花壇づくりの計画について",
        by=member,
    )


def test_a_member_books_and_prints_the_receipt(client, member, organization, programme):
    factories.sign_in(client, member)
    data = {"organization": organization.pk, "held_on": "2026/5/20", "topic": "計画の相談"}
    client.post(reverse("subsidies:consultation_book", args=[programme.pk]), data)
    done = client.post(
        reverse("subsidies:consultation_book", args=[programme.pk]),
        {**data, "_submit": "1"},
        follow=True,
    )
    consultation = Consultation.objects.get()
    # The page the booking lands on links to the slip of what was just booked.
    assert _url(consultation) in done.content.decode()
    html = client.get(_url(consultation)).content.decode()
    assert f"CN-2026-{consultation.pk:05d}" in html
    assert f"{NOW_TEXT} 10:00" in html
    assert programme.title in html and "2026-05-20" in html and "計画の相談" in html
    assert organization.name in html
    assert member.get_full_name() in html


def _sheet(response):
    html = response.content.decode()
    return html[html.index('<article class="print-sheet"') : html.index("</article>")]


def test_the_receipt_says_what_arrived_not_whether_it_was_held(client, member, booked):
    factories.sign_in(client, member)
    before = _sheet(client.get(_url(booked)))
    assert ja("Prior consultation") in before
    # It has no channel of its own.
    assert f"{ja('Received by')}</th><td>—</td>" in before
    Consultation.objects.filter(pk=booked.pk).update(held=True, staff_note="内部のメモ")
    after = _sheet(client.get(_url(booked)))
    assert after == before  # nor the staff's note


def test_a_consultation_recorded_by_staff_names_who_held_it(client, member, staff, organization):
    consultation = services.consultation_record(
        organization=organization,
        programme=sf.make_programme(),
        held_on=dt.date(2026, 5, 14),
        topic="予算の組み方",
        consulted_with="地域生活課 佐藤",
        by=staff,
    )
    html = _get(client, member, _url(consultation)).content.decode()
    assert "予算の組み方" in html and "地域生活課 佐藤" in html
    assert "2026-05-14" in html


def test_another_user_a_reviewer_and_anonymous_get_no_receipt(
    client, booked, other_member, other_organization, resident, application
):
    url = _url(booked)
    assert client.get(url).status_code == 302  # to the sign-in page
    assert _get(client, other_member, url).status_code == 404
    client.logout()
    assert _get(client, resident, url).status_code == 404
    client.logout()
    reviewer = factories.make_user("reviewer@example.jp")
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    assert _get(client, reviewer, url).status_code == 404


def test_every_member_and_the_staff_print_it(client, booked, representative, staff):
    assert _get(client, representative, _url(booked)).status_code == 200
    client.logout()
    response = _get(client, staff, _url(booked))
    assert response.status_code == 200
    # Staff go back to the consultation in the admin, members to their list.
    assert reverse("admin:subsidies_consultation_change", args=[booked.pk]) in (
        response.content.decode()
    )


def test_a_post_is_refused(client, member, booked):
    assert factories.sign_in(client, member).post(_url(booked)).status_code == 405


def test_the_application_page_links_the_group_and_staff_to_the_receipts(
    client, member, staff, booked, application
):
    page = reverse("subsidies:application_detail", args=[application.pk])
    assert _url(booked) in _get(client, member, page).content.decode()
    client.logout()
    assert _url(booked) in _get(client, staff, page).content.decode()
    client.logout()
    reviewer = factories.make_user("reviewer@example.jp")
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    response = factories.with_second_factor(client, reviewer).get(page)
    assert response.status_code == 200 and _url(booked) not in response.content.decode()


def test_the_admin_change_form_links_to_the_receipt(staff_client, booked):
    page = staff_client.get(reverse("admin:subsidies_consultation_change", args=[booked.pk]))
    assert page.status_code == 200
    assert _url(booked) in page.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _more_consultations(organization, programme, member, n):
    return [
        services.consultation_book(
            organization=organization,
            programme=programme,
            held_on=dt.date(2026, 6, 1) + dt.timedelta(days=i),
            topic=f"追加の相談{i}",
            by=member,
        )
        for i in range(n)
    ]


def test_the_lists_and_the_receipt_run_the_same_queries_for_1_and_12_consultations(
    client, member, organization, programme, booked, application
):
    factories.sign_in(client, member)
    urls = [
        reverse("subsidies:application_list"),
        reverse("subsidies:application_detail", args=[application.pk]),
        _url(booked),
    ]
    before = [_queries(client, url)[0] for url in urls]
    more = _more_consultations(organization, programme, member, 11)
    after = [_queries(client, url) for url in urls]
    assert [count for count, _html in after] == before
    list_html, detail_html = after[0][1], after[1][1]
    for consultation in [booked, *more]:
        assert _url(consultation) in list_html and _url(consultation) in detail_html
