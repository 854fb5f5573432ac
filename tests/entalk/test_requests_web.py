"""The group's pages through the client: the request form 入力 → 確認 → 完了 and each refusal
next to its field with everything typed kept, the request list and page, the answer to a
proposed date, the cancellation, the 受付票, and 404 for anyone else's request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from entalk import services
from entalk.models import Block, Request, Slot, Theme
from organizations.models import Membership
from tests import factories
from tests.entalk import factories as ef
from tests.entalk.factories import JST, SLOT_1, SLOT_2
from tests.forms import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NEW = reverse("entalk:request_new")


@pytest.fixture(autouse=True)
def _no_rate_limit_left_over():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rep_client(client, representative):
    client.force_login(representative)
    return client


def _filled(client, **changes):
    """The form as shown (prefilled from the account), filled in as a group would."""
    data = form_data(client.get(NEW).content)
    data.update(
        {
            "organization": "informal",
            "group_name": "輪西町子育てサークル",
            "contact_name": "輪西 花子",
            "email": "hanako@example.jp",
            "phone": "0143-22-1111",
            "themes": [str(Theme.objects.get(name="子育て・教育").pk)],
            "theme": "子育て世代が集まれる場所について",
            "slot_1_date": "2026/07/20",
            "slot_1_time": "14:00",
            "slot_2_date": "2026-07-22",
            "slot_2_time": "18:30",
            "slot_3_date": "",
            "slot_3_time": "",
            "venue_name": "輪西町会館",
            "venue_district": str(factories.district("輪西町").pk),
            "venue_postal_code": "０５０－００８１",
            "venue_address": "室蘭市日の出町1丁目1-1",
            "step_free": "yes",
            "participants_expected": "２０人",
            "public_naming": "on",
            "note": "",
        }
    )
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _confirm(client, **changes):
    data = _filled(client, **changes)
    response = client.post(NEW, data)
    return data, response


def _send(client, **changes):
    data, response = _confirm(client, **changes)
    assert response.status_code == 200
    assert response.context["step"] == "confirm", response.context["form"].errors
    return client.post(NEW, {**data, "_submit": "1"})


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.get(reverse("entalk:request_list")).status_code == 302


def test_form_shows_rules_and_busy_times_without_reasons(rep_client, staff):
    services.block_create(
        starts_at=dt.datetime(2026, 7, 21, 9, 0, tzinfo=JST),
        ends_at=dt.datetime(2026, 7, 21, 12, 0, tzinfo=JST),
        by=staff,
        kind=Block.Kind.TRAVEL,
        note="東京出張（秘密）",
    )
    response = rep_client.get(NEW)
    content = response.content.decode()
    assert response.context["rules"].min_participants == 10
    assert response.context["earliest"] == dt.datetime(2026, 7, 15, 0, 0, tzinfo=JST)
    assert "2026/07/21" in content and "09:00–12:00" in content
    assert "東京出張" not in content
    # Prefilled from the account.
    form = response.context["form"]
    assert form["email"].value() == "rep@example.jp"


def test_it_sends_a_request_through_confirmation(
    rep_client, representative, mailoutbox, django_capture_on_commit_callbacks
):
    data, confirm = _confirm(rep_client)
    assert confirm.context["step"] == "confirm"
    assert "2026/07/20 14:00" in confirm.content.decode()
    assert not Request.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(rep_client)
    item = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("entalk:request_detail", args=[item.pk])
    assert item.number == "EN-2026-00001"
    assert item.user == representative
    assert item.group_name == "輪西町子育てサークル"
    assert item.organization is None
    assert item.venue_postal_code == "050-0081"
    assert item.participants_expected == 20
    assert item.step_free is True
    assert item.public_naming is True
    assert [s.starts_at for s in item.slots.all()] == [SLOT_1, SLOT_2]
    assert list(item.themes.values_list("name", flat=True)) == ["子育て・教育"]
    assert [m.to for m in mailoutbox] == [["hanako@example.jp"]]
    assert item.number in mailoutbox[0].body

    page = rep_client.get(response["Location"])
    assert item.number in page.content.decode()
    assert any(item.number in str(m) for m in page.context["messages"])


def test_back_keeps_everything_typed(rep_client):
    data = _filled(rep_client)
    response = rep_client.post(NEW, {**data, "_back": "1"})
    assert response.context["step"] == "input"
    form = response.context["form"]
    assert form["slot_2_time"].value() == "18:30"
    assert form["group_name"].value() == "輪西町子育てサークル"
    assert not Request.objects.exists()


def test_step_free_unknown_is_stored_as_none(rep_client):
    _send(rep_client, step_free="unknown", public_naming=None)
    item = Request.objects.get()
    assert item.step_free is None
    assert item.public_naming is False


def test_it_requests_for_a_managed_verified_organisation(rep_client, representative):
    organization = factories.make_organization(name="輪西町内会", representative=representative)
    pending = factories.make_organization(
        name="未確認の会",
        status=factories.Organization.Status.PENDING,
        representative=representative,
    )
    member_only = factories.make_organization(name="ただの会員の会")
    factories.add_member(member_only, representative, Membership.Role.MEMBER)
    choices = dict(rep_client.get(NEW).context["form"].fields["organization"].choices)
    assert str(organization.pk) in choices
    assert str(pending.pk) not in choices
    assert str(member_only.pk) not in choices

    _send(rep_client, organization=str(organization.pk), group_name="")
    item = Request.objects.get()
    assert item.organization == organization
    assert item.group_name == "輪西町内会"


def _refused(client, field, **changes):
    """Sent as far as it goes: the form comes back at the input step, the error next to
    `field`, nothing saved and everything typed kept."""
    data = _filled(client, **changes)
    response = client.post(NEW, data)
    if response.context["step"] == "confirm":
        response = client.post(NEW, {**data, "_submit": "1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert response.context["step"] == "input"
    assert form.errors.get(field), form.errors
    assert form["theme"].value() == "子育て世代が集まれる場所について"
    assert form["venue_name"].value() == "輪西町会館"
    assert not Request.objects.exists()
    return form


def test_informal_group_needs_a_name(rep_client):
    _refused(rep_client, "group_name", group_name="")


def test_past_slot_is_refused_next_to_its_date(rep_client):
    form = _refused(rep_client, "slot_2_date", slot_2_date="2026/06/01", slot_2_time="10:00")
    assert form["slot_2_date"].value() == "2026/06/01"


def test_slot_inside_lead_time_is_refused(rep_client):
    with override("en"):
        form = _refused(rep_client, "slot_1_date", slot_1_date="2026/07/01")
    assert "2026/07/15" in form.errors["slot_1_date"][0]


def test_slot_when_the_mayor_is_unavailable_is_refused(rep_client, staff):
    services.block_create(
        starts_at=SLOT_1 - dt.timedelta(hours=1), ends_at=SLOT_1 + dt.timedelta(hours=3), by=staff
    )
    _refused(rep_client, "slot_1_date")


def test_date_without_time_is_refused(rep_client):
    _refused(rep_client, "slot_3_time", slot_3_date="2026/07/30", slot_3_time="")


def test_too_few_participants_are_refused(rep_client):
    form = _refused(rep_client, "participants_expected", participants_expected="5")
    assert form["participants_expected"].value() == "5"


@pytest.mark.parametrize(
    ("postal_code", "address"),
    [("059-0001", "室蘭市日の出町1丁目"), ("050-0081", "登別市中央町1丁目")],
)
def test_venue_outside_the_city_is_refused(rep_client, postal_code, address):
    form = _refused(
        rep_client, "venue_address", venue_postal_code=postal_code, venue_address=address
    )
    assert form["venue_address"].value() == address


def test_second_open_request_is_refused_on_top(rep_client, entalk_request):
    Request.objects.exclude(pk=entalk_request.pk).delete()
    data = _filled(rep_client)
    rep_client.post(NEW, data)
    response = rep_client.post(NEW, {**data, "_submit": "1"})
    form = response.context["form"]
    assert entalk_request.number in " ".join(form.non_field_errors())
    assert Request.objects.count() == 1


def test_rate_limit_is_shown_on_the_form(rep_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "entalk.request": {"user": "0/h"}}
    data = _filled(rep_client)
    response = rep_client.post(NEW, {**data, "_submit": "1"})
    assert response.context["form"].non_field_errors()
    assert not Request.objects.exists()


# --- the group's requests ----------------------------------------------------------------------


def test_list_shows_only_own_requests(rep_client, entalk_request):
    other = ef.make_request(group_name="別の会")
    response = rep_client.get(reverse("entalk:request_list"))
    assert list(response.context["requests"]) == [entalk_request]
    assert other.number not in response.content.decode()


def test_detail_shows_slots_history_and_calendar(rep_client, entalk_request):
    rep_client.post(reverse("entalk:calendar_feed_new"), {"request": entalk_request.pk})
    response = rep_client.get(reverse("entalk:request_detail", args=[entalk_request.pk]))
    content = response.content.decode()
    assert entalk_request.number in content
    assert "2026/07/20 14:00" in content
    assert "/entalk/calendar/" in response.context["calendar_url"]
    assert not response.context["may_answer"]
    assert response.context["may_cancel"]


@pytest.mark.parametrize("name", ["request_detail", "request_cancel", "request_receipt"])
def test_another_users_request_is_404(client, entalk_request, name):
    client.force_login(factories.make_user("outsider@example.jp"))
    assert client.get(reverse(f"entalk:{name}", args=[entalk_request.pk])).status_code == 404


def test_another_user_cannot_answer(client, entalk_request, staff):
    services.request_propose(
        request=entalk_request, starts_at=SLOT_1 + dt.timedelta(days=2), by=staff
    )
    client.force_login(factories.make_user("outsider@example.jp"))
    url = reverse("entalk:request_answer", args=[entalk_request.pk])
    assert client.post(url, {"action": "accept"}).status_code == 404
    entalk_request.refresh_from_db()
    assert entalk_request.status == Request.Status.PROPOSED


def test_organisation_contact_sees_its_request(client, representative):
    organization = factories.make_organization(representative=representative)
    item = ef.make_request(by=representative, organization=organization)
    contact = factories.make_user("contact@example.jp")
    factories.add_member(organization, contact, Membership.Role.CONTACT)
    client.force_login(contact)
    assert client.get(reverse("entalk:request_detail", args=[item.pk])).status_code == 200


def test_staff_may_view_but_not_answer(staff_client, entalk_request):
    url = reverse("entalk:request_detail", args=[entalk_request.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.context["calendar_url"] == ""
    cancel = reverse("entalk:request_cancel", args=[entalk_request.pk])
    assert staff_client.get(cancel).status_code == 404


def test_answer_is_post_only(rep_client, entalk_request):
    url = reverse("entalk:request_answer", args=[entalk_request.pk])
    assert rep_client.get(url).status_code == 405


@pytest.fixture
def proposed(entalk_request, staff):
    return services.request_propose(
        request=entalk_request,
        starts_at=dt.datetime(2026, 7, 28, 15, 0, tzinfo=JST),
        by=staff,
    )


def test_group_accepts_a_proposed_date(
    rep_client, proposed, mailoutbox, django_capture_on_commit_callbacks
):
    page = rep_client.get(reverse("entalk:request_detail", args=[proposed.pk]))
    assert page.context["may_answer"]
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            reverse("entalk:request_answer", args=[proposed.pk]), {"action": "accept"}
        )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Request.Status.CONFIRMED
    assert proposed.starts_at == dt.datetime(2026, 7, 28, 15, 0, tzinfo=JST)
    assert mailoutbox


def test_accepting_a_date_taken_meanwhile_is_shown(rep_client, proposed, staff):
    other = ef.make_request(group_name="別の会", slots=[proposed.starts_at])
    ef.confirm(other, staff=staff)
    response = rep_client.post(
        reverse("entalk:request_answer", args=[proposed.pk]), {"action": "accept"}, follow=True
    )
    proposed.refresh_from_db()
    assert proposed.status == Request.Status.PROPOSED
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_group_declines_a_proposed_date_with_reason(rep_client, proposed):
    response = rep_client.post(
        reverse("entalk:request_answer", args=[proposed.pk]),
        {"action": "decline", "reason": "その日は行事があります"},
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Request.Status.REQUESTED
    assert proposed.starts_at is None
    assert proposed.status_changes.filter(reason="その日は行事があります").exists()


def test_declining_without_reason_is_refused_on_the_page(rep_client, proposed):
    response = rep_client.post(
        reverse("entalk:request_answer", args=[proposed.pk]), {"action": "decline", "reason": ""}
    )
    assert response.status_code == 200
    assert response.context["decline_form"].errors["reason"]
    proposed.refresh_from_db()
    assert proposed.status == Request.Status.PROPOSED


def test_answering_what_is_not_proposed_is_shown_not_500(rep_client, entalk_request):
    response = rep_client.post(
        reverse("entalk:request_answer", args=[entalk_request.pk]),
        {"action": "accept"},
        follow=True,
    )
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    entalk_request.refresh_from_db()
    assert entalk_request.status == Request.Status.REQUESTED


def test_group_cancels_with_a_reason(rep_client, entalk_request):
    url = reverse("entalk:request_cancel", args=[entalk_request.pk])
    assert rep_client.get(url).status_code == 200
    refused = rep_client.post(url, {"reason": ""})
    assert refused.context["form"].errors["reason"]
    response = rep_client.post(url, {"reason": "会員の都合がつかなくなりました"})
    assert response.status_code == 302
    entalk_request.refresh_from_db()
    assert entalk_request.status == Request.Status.CANCELLED
    assert entalk_request.decline_reason == "会員の都合がつかなくなりました"


def test_cancelling_twice_is_refused_on_the_form(rep_client, entalk_request):
    url = reverse("entalk:request_cancel", args=[entalk_request.pk])
    rep_client.post(url, {"reason": "都合"})
    response = rep_client.post(url, {"reason": "もう一度"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_detail_links_the_public_page_once_confirmed(rep_client, entalk_request, staff):
    ef.confirm(entalk_request, staff=staff)
    response = rep_client.get(reverse("entalk:request_detail", args=[entalk_request.pk]))
    assert reverse("entalk:session_detail", args=[entalk_request.pk]) in response.content.decode()
    history = list(response.context["item"].status_changes.all())
    assert [c.new_status for c in history] == ["requested", "confirmed"]


def test_slot_rows_stay_in_order(entalk_request):
    assert list(Slot.objects.filter(request=entalk_request).values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]


def _cancelled_and_new(representative, n):
    """`n` requests of one representative: all but the last cancelled (one open at a time)."""
    made = []
    for i in range(n):
        item = ef.make_request(by=representative, slots=[SLOT_1 + dt.timedelta(days=i)])
        if i < n - 1:
            services.request_cancel(request=item, by=representative, reason="都合")
        made.append(item)
    return made


def test_request_list_and_page_query_counts_are_fixed(rep_client, representative):
    def count(url):
        with CaptureQueriesContext(connection) as context:
            assert rep_client.get(url).status_code == 200
        return len(context.captured_queries)

    first = _cancelled_and_new(representative, 1)[0]
    list_url = reverse("entalk:request_list")
    detail_url = reverse("entalk:request_detail", args=[first.pk])
    one_list, one_detail = count(list_url), count(detail_url)
    services.request_cancel(request=first, by=representative, reason="都合")
    more = _cancelled_and_new(representative, 6)
    assert count(list_url) == one_list
    assert len(rep_client.get(list_url).context["requests"]) == 7
    assert count(reverse("entalk:request_detail", args=[more[-1].pk])) == one_detail


def test_past_slot_is_refused_before_the_confirmation(rep_client):
    data = _filled(rep_client, slot_1_date="2026/06/10")
    response = rep_client.post(NEW, data)
    assert response.context["step"] == "input"
    assert response.context["form"].errors["slot_1_date"]


def test_time_taken_between_confirmation_and_sending_is_refused_next_to_the_slot(rep_client, staff):
    data, confirm = _confirm(rep_client, slot_2_date="", slot_2_time="")
    assert confirm.context["step"] == "confirm"
    services.block_create(starts_at=SLOT_1, ends_at=SLOT_1 + dt.timedelta(hours=2), by=staff)
    response = rep_client.post(NEW, {**data, "_submit": "1"})
    form = response.context["form"]
    assert response.context["step"] == "input"
    assert form.errors["slot_1_date"]
    assert form["slot_1_time"].value() == "14:00"
    assert not Request.objects.exists()


def test_answer_rate_limit_keeps_the_proposal(rep_client, proposed, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "entalk.answer": {"user": "0/h"}}
    response = rep_client.post(
        reverse("entalk:request_answer", args=[proposed.pk]),
        {"action": "decline", "reason": "行事があります"},
    )
    assert response.status_code == 200
    form = response.context["decline_form"]
    assert form.non_field_errors()
    assert form["reason"].value() == "行事があります"
    proposed.refresh_from_db()
    assert proposed.status == Request.Status.PROPOSED
