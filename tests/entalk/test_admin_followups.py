"""Follow-ups in the admin: a department's clerk sees only the department's follow-ups, gets
not-found for another's, and changes the status and public answer through the service (each
change dated with the answer); 秘書広報課's clerk sees them all read-only; nobody adds or
deletes one here; the overdue filter; fixed query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from entalk import services
from entalk.models import FollowUp, FollowUpChange
from tests import factories
from tests.entalk import factories as ef
from tests.entalk.factories import SLOT_1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

F = FollowUp.Status
AFTER = SLOT_1 + dt.timedelta(hours=3)


def _url(view="changelist", *args):
    return reverse(f"admin:entalk_followup_{view}", args=args)


def _post(client, follow_up, **data):
    """The change form as the page posts it: with the history inline's management form."""
    page = client.get(_url("change", follow_up.pk))
    fields = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        fields[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        fields[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.initial_forms)
    fields.update(data)
    return client.post(_url("change", follow_up.pk), fields, follow=True)


@pytest.fixture
def session(frozen, staff, entalk_request):
    ef.confirm(entalk_request, staff=staff)
    frozen.move_to(AFTER)
    return ef.held(entalk_request, topics=2, publish=True, staff=staff)


@pytest.fixture
def follow_ups(session, staff):
    topic = session.topics.first()
    doboku = services.follow_up_open(
        request=session,
        department=ef.department("土木課"),
        matter="遊具の更新",
        by=staff,
        topic=topic,
    )
    kankyo = services.follow_up_open(
        request=session, department=ef.department("環境課"), matter="ごみ置き場", by=staff
    )
    return doboku, kankyo


@pytest.fixture
def doboku_client(client, session):
    """土木課's clerk, signed in after the session (the admin's sign-in is short)."""
    return factories.with_second_factor(client, ef.department_staff("土木課"))


@pytest.fixture
def hisho_client(staff, session):
    from django.test import Client

    return factories.with_second_factor(Client(), staff)


def test_a_department_clerk_sees_only_the_departments_follow_ups(doboku_client, follow_ups):
    doboku, kankyo = follow_ups
    response = doboku_client.get(_url())
    assert [f.pk for f in response.context["cl"].result_list] == [doboku.pk]
    assert doboku_client.get(_url("change", doboku.pk)).status_code == 200
    # Another department's: the admin's not-found, never the page.
    other = doboku_client.get(_url("change", kankyo.pk))
    assert other.status_code in (302, 404)
    if other.status_code == 302:
        assert other.url == reverse("admin:index")
    assert (
        "ごみ置き場"
        not in doboku_client.get(_url("change", kankyo.pk), follow=True).content.decode()
    )
    # No add, no delete.
    assert doboku_client.get(_url("add")).status_code == 403
    assert doboku_client.post(_url("delete", doboku.pk), {"post": "yes"}).status_code == 403
    assert FollowUp.objects.count() == 2
    # Nor the requests.
    assert doboku_client.get(reverse("admin:entalk_request_changelist")).status_code == 403


def test_a_department_clerk_changes_status_and_answer(doboku_client, follow_ups):
    doboku, _kankyo = follow_ups
    page = doboku_client.get(_url("change", doboku.pk))
    assert set(page.context["adminform"].form.fields) == {"status", "answer"}
    response = _post(
        doboku_client, doboku, status=F.DONE, answer="遊具を更新しました。", matter="書き換え"
    )
    assert response.status_code == 200
    doboku.refresh_from_db()
    assert (doboku.status, doboku.answer, doboku.matter) == (
        F.DONE,
        "遊具を更新しました。",
        "遊具の更新",
    )
    assert doboku.status_changed_at is not None
    change = FollowUpChange.objects.filter(follow_up=doboku).order_by("at", "pk").last()
    assert (change.old_status, change.new_status, change.answer) == (
        F.CONSIDERING,
        F.DONE,
        "遊具を更新しました。",
    )
    # The history is listed on the page.
    assert "遊具を更新しました。" in doboku_client.get(_url("change", doboku.pk)).content.decode()


def test_a_refused_change_is_shown_on_the_form(doboku_client, follow_ups):
    doboku, _kankyo = follow_ups
    response = _post(doboku_client, doboku, status=F.DONE, answer="")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["answer"]
    response = _post(doboku_client, doboku, status=F.CONSIDERING, answer="")
    assert response.context["adminform"].form.errors
    doboku.refresh_from_db()
    assert doboku.status == F.CONSIDERING
    assert FollowUpChange.objects.filter(follow_up=doboku).count() == 1


def test_hisho_staff_see_every_follow_up_but_cannot_change_it(hisho_client, follow_ups):
    doboku, kankyo = follow_ups
    response = hisho_client.get(_url())
    assert {f.pk for f in response.context["cl"].result_list} == {doboku.pk, kankyo.pk}
    page = hisho_client.get(_url("change", kankyo.pk))
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # read-only
    assert reverse("admin:entalk_request_change", args=[kankyo.request_id]) in page.content.decode()
    _post(hisho_client, kankyo, status=F.DONE, answer="勝手に")
    kankyo.refresh_from_db()
    assert (kankyo.status, kankyo.answer) == (F.CONSIDERING, "")
    assert hisho_client.get(_url("add")).status_code == 403


def test_a_clerk_without_the_second_factor_cannot_reach_the_admin(client, follow_ups):
    client.force_login(ef.department_staff("土木課"))  # password only
    response = client.get(_url())
    assert response.status_code == 302
    assert not response.url.startswith(_url())


def test_the_overdue_filter(frozen, doboku_client, follow_ups):
    doboku, _kankyo = follow_ups
    assert doboku_client.get(_url(), {"overdue": "yes"}).context["cl"].result_count == 0
    clerk = ef.department_staff("土木課")
    frozen.move_to(AFTER + dt.timedelta(days=61))
    factories.with_second_factor(doboku_client, clerk)
    response = doboku_client.get(_url(), {"overdue": "yes"})
    assert [f.pk for f in response.context["cl"].result_list] == [doboku.pk]
    with translation.override("en"):
        assert "icon-yes" in doboku_client.get(_url()).content.decode()
    services.follow_up_change(follow_up=doboku, status=F.DONE, answer="済", by=clerk)
    assert doboku_client.get(_url(), {"overdue": "yes"}).context["cl"].result_count == 0
    for params in ({"status__exact": F.DONE}, {"department__id__exact": doboku.department_id}):
        assert doboku_client.get(_url(), params).context["cl"].result_count == 1


def _count(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url()).status_code == 200
    return len(captured)


def test_the_list_takes_as_many_queries_for_ten_rows_as_for_one(hisho_client, staff, session):
    services.follow_up_open(request=session, department=ef.department(), matter="一件目", by=staff)
    one = _count(hisho_client)
    for n in range(9):
        services.follow_up_open(
            request=session, department=ef.department("環境課"), matter=f"件{n}", by=staff
        )
    ten = _count(hisho_client)
    assert one == ten
    print(f"follow-up changelist: {ten} queries")
