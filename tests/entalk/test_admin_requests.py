"""enとーく requests in the admin, as 秘書広報課's clerk uses them: a request that came by
phone is keyed in through the service (refusals next to the fields, nothing lost); the change
page runs each transition from its own button (refusals shown with what was typed kept); the
record is written and published; follow-ups are opened; photos are checked by content; the
list keeps a fixed number of queries."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from entalk import services
from entalk.models import (
    Block,
    Channel,
    FollowUp,
    ParticipantCount,
    Photo,
    Request,
    RequestStatusChange,
    Theme,
)
from organizations.models import ActorType
from tests import factories
from tests.entalk import factories as ef
from tests.entalk.factories import JST, NOW, SLOT_1, SLOT_2
from tests.images import html_png_polyglot, huge_png, jpeg_with_gps, tiny_png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = Request.Status
PNG = tiny_png()


def _url(view="changelist", *args, model="request"):
    return reverse(f"admin:entalk_{model}_{view}", args=args)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _management(response):
    """The inlines' management forms and their rows as the page has them."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        data[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.initial_forms)
        for form in formset.initial_forms:
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False):
                    data[form.add_prefix(name)] = value
    return data


def _later(frozen, client, staff, when):
    """The clock at `when`, the clerk signed in again then (the admin's session is short)."""
    frozen.move_to(when)
    factories.with_second_factor(client, staff)


def _step(client, obj, name, **fields):
    data = {"transition": name, **{f"{name}-{key}": value for key, value in fields.items()}}
    return client.post(_url("transition", obj.pk), data, follow=True)


def _key_in(**overrides):
    data = {
        "channel": Channel.FAX,
        "received_at_0": "2026-06-14",
        "received_at_1": "15:30",
        "organization": "",
        "group_name": "母恋町老人クラブ",
        "contact_name": "母恋 一郎",
        "email": "",
        "phone": "0143-22-2222",
        "themes": [Theme.objects.get(name="福祉・健康").pk],
        "theme": "高齢者の買い物について",
        "slot_1_0": "2026-07-20",
        "slot_1_1": "14:00",
        "slot_2_0": "2026-07-22",
        "slot_2_1": "18:30",
        "slot_3_0": "",
        "slot_3_1": "",
        "venue_name": "母恋会館",
        "venue_district": factories.district("輪西町").pk,
        "venue_postal_code": "050-0072",
        "venue_address": "室蘭市母恋北町1丁目1-1",
        "step_free": "true",
        "participants_expected": "15",
        "public_naming": "on",
        "note": "FAXで受付",
    }
    data.update(overrides)
    return data


# --- who reaches it ----------------------------------------------------------------------------


def test_the_lists_and_forms_open_for_hisho_staff(staff_client, entalk_request):
    for model in ("request", "block", "followup", "theme", "department"):
        assert staff_client.get(_url(model=model)).status_code == 200, model
    assert staff_client.get(_url("add")).status_code == 200
    page = staff_client.get(_url("change", entalk_request.pk)).content.decode()
    assert entalk_request.number in page and "輪西 花子" in page
    # The printable receipt and the steps open to staff.
    assert reverse("entalk:request_receipt", args=[entalk_request.pk]) in page
    assert 'name="transition" value="accept_1"' in page
    assert 'name="transition" value="decline"' in page


def test_staff_without_the_second_factor_and_other_staff_are_kept_out(client, staff):
    client.force_login(staff)  # password only
    assert client.get(_url()).status_code == 302
    clerk = ef.department_staff()
    other = factories.with_second_factor(client.__class__(), clerk)
    assert other.get(_url()).status_code == 403


# --- the list ----------------------------------------------------------------------------------


def test_the_list_filters_by_status_and_record_due(staff_client, staff, frozen, entalk_request):
    confirmed = ef.confirm(ef.make_request())
    page = staff_client.get(_url(), {"status__exact": "requested"})
    assert [r.pk for r in page.context["cl"].result_list] == [entalk_request.pk]
    assert staff_client.get(_url(), {"record": "due"}).context["cl"].result_count == 0
    _later(frozen, staff_client, staff, SLOT_1 + dt.timedelta(hours=3))
    due = staff_client.get(_url(), {"record": "due"})
    assert [r.pk for r in due.context["cl"].result_list] == [confirmed.pk]
    for params in ({"fiscal_year": "2026"}, {"channel": "web"}, {"q": "輪西"}):
        assert staff_client.get(_url(), params).status_code == 200
    themed = staff_client.get(
        _url(), {"themes__id__exact": Theme.objects.get(name="子育て・教育").pk}
    )
    assert themed.context["cl"].result_count == 2


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_takes_as_many_queries_for_ten_rows_as_for_one(staff_client, entalk_request):
    one = _count(staff_client, _url())
    for _ in range(9):
        ef.make_request()
    assert Request.objects.count() == 10
    ten = _count(staff_client, _url())
    assert one == ten
    print(f"request changelist: {ten} queries")


# --- keying in a request -----------------------------------------------------------------------


def test_staff_key_in_a_request_that_came_by_phone(staff_client, staff):
    response = staff_client.post(_url("add"), _key_in(), follow=True)
    assert response.status_code == 200
    request = Request.objects.get()
    assert request.group_name == "母恋町老人クラブ"
    assert request.channel != Channel.WEB and request.created_by == staff
    assert request.user is None
    assert request.received_at == dt.datetime(2026, 6, 14, 15, 30, tzinfo=JST)
    assert request.number.startswith("EN-2026-")
    assert [s.starts_at for s in request.slots.all()] == [SLOT_1, SLOT_2]
    assert list(request.themes.values_list("name", flat=True)) == ["福祉・健康"]
    assert request.status_changes.get().new_status == S.REQUESTED
    assert response.redirect_chain[-1][0] == _url()


def test_the_web_channel_is_not_offered_to_staff(staff_client):
    form = staff_client.get(_url("add")).context["adminform"].form
    assert "web" not in [value for value, _label in form.fields["channel"].choices]


def test_a_keyed_in_request_with_problems_is_refused_next_to_the_fields(staff_client):
    data = _key_in(
        slot_1_0="2026-06-20",  # inside the lead time
        participants_expected="3",
        venue_postal_code="060-0001",
        venue_address="札幌市中央区北1条西2丁目",
    )
    response = staff_client.post(_url("add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert {"slot_1", "participants_expected", "venue_address"} <= set(form.errors)
    assert not Request.objects.exists()
    # Nothing typed is lost.
    page = response.content.decode()
    assert "母恋町老人クラブ" in page and "高齢者の買い物について" in page


def test_a_keyed_in_slot_over_a_block_is_refused(staff_client, staff):
    services.block_create(starts_at=SLOT_1, ends_at=SLOT_1 + dt.timedelta(hours=2), by=staff)
    response = staff_client.post(_url("add"), _key_in())
    assert "slot_1" in response.context["adminform"].form.errors
    assert not Request.objects.exists()


def test_a_second_open_request_of_an_organisation_is_refused(staff_client):
    organization = factories.make_organization(name="室蘭市民活動ネット")
    staff_client.post(_url("add"), _key_in(organization=organization.pk, group_name=""))
    assert Request.objects.get().group_name == "室蘭市民活動ネット"
    response = staff_client.post(_url("add"), _key_in(organization=organization.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Request.objects.count() == 1


# --- the transition buttons --------------------------------------------------------------------


def test_accept_a_preferred_date(staff_client, entalk_request):
    response = _step(staff_client, entalk_request, "accept_2")
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.CONFIRMED
    assert entalk_request.starts_at == SLOT_2
    assert any(m for m in _messages(response))
    history = entalk_request.status_changes.order_by("at", "pk").last()
    assert (history.new_status, history.starts_at) == (S.CONFIRMED, SLOT_2)


def test_accepting_a_date_over_a_block_is_refused_with_a_message(
    staff_client, staff, entalk_request
):
    Block.objects.create(starts_at=SLOT_1, ends_at=SLOT_1 + dt.timedelta(hours=1), created_by=staff)
    response = _step(staff_client, entalk_request, "accept_1")
    assert response.status_code == 200
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.REQUESTED
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_propose_another_date_and_propose_again(staff_client, entalk_request):
    _step(staff_client, entalk_request, "propose", date="2026-08-03", time="13:00", reason="")
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.PROPOSED
    assert entalk_request.starts_at == dt.datetime(2026, 8, 3, 13, 0, tzinfo=JST)
    _step(staff_client, entalk_request, "propose", date="2026-08-04", time="13:00", reason="都合")
    entalk_request.refresh_from_db()
    assert entalk_request.starts_at == dt.datetime(2026, 8, 4, 13, 0, tzinfo=JST)
    assert entalk_request.status_changes.filter(new_status=S.PROPOSED).count() == 2


def test_a_proposal_in_the_past_is_refused_and_the_typed_note_kept(staff_client, entalk_request):
    response = _step(
        staff_client, entalk_request, "propose", date="2026-06-01", time="13:00", reason="メモ"
    )
    assert response.status_code == 200
    form = response.context["transition_forms"]["propose"]
    assert "starts_at" not in form.fields and form.errors
    assert "メモ" in response.content.decode()
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.REQUESTED


def test_decline_needs_a_reason(staff_client, entalk_request):
    response = _step(staff_client, entalk_request, "decline", reason="")
    assert response.context["transition_forms"]["decline"].errors["reason"]
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.REQUESTED
    _step(staff_client, entalk_request, "decline", reason="日程の都合がつきません")
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.DECLINED
    assert entalk_request.decline_reason == "日程の都合がつきません"


def test_cancel_a_proposed_request(staff_client, staff, entalk_request):
    services.request_propose(
        request=entalk_request, starts_at=dt.datetime(2026, 8, 3, 13, tzinfo=JST), by=staff
    )
    page = staff_client.get(_url("change", entalk_request.pk)).content.decode()
    assert 'value="accept_1"' not in page and 'value="cancel"' in page
    _step(staff_client, entalk_request, "cancel", reason="団体の都合")
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.CANCELLED


def test_move_a_confirmed_session_needs_a_reason(staff_client, entalk_request):
    ef.confirm(entalk_request)
    response = _step(
        staff_client, entalk_request, "move", date="2026-08-03", time="13:00", reason=""
    )
    assert response.context["transition_forms"]["move"].errors["reason"]
    _step(staff_client, entalk_request, "move", date="2026-08-03", time="13:00", reason="公務")
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.PROPOSED


def test_a_step_not_open_in_the_state_is_refused(staff_client, entalk_request):
    response = _step(staff_client, entalk_request, "publish")
    assert response.status_code == 200
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.REQUESTED
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_publishing_before_the_session_or_without_topics_is_refused(
    staff_client, staff, frozen, entalk_request
):
    ef.confirm(entalk_request)
    with translation.override("en"):
        response = _step(staff_client, entalk_request, "publish")
    text = " ".join(_messages(response))
    assert "開催が終わってから公表" in text and "話題を1件以上" in text
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.CONFIRMED
    _later(frozen, staff_client, staff, SLOT_1 + dt.timedelta(hours=3))
    ef.held(entalk_request, topics=0)
    response = _step(staff_client, entalk_request, "publish")
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.CONFIRMED
    ef.held(entalk_request, topics=1)
    _step(staff_client, entalk_request, "publish")
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.PUBLISHED and entalk_request.published_at is not None


def test_open_a_follow_up_from_the_request(staff_client, staff, frozen, entalk_request):
    ef.confirm(entalk_request)
    _later(frozen, staff_client, staff, SLOT_1 + dt.timedelta(hours=3))
    ef.held(entalk_request)
    topic = entalk_request.topics.get()
    response = _step(
        staff_client,
        entalk_request,
        "follow_up",
        department=ef.department().pk,
        topic=topic.pk,
        matter="",
    )
    assert response.context["transition_forms"]["follow_up"].errors["matter"]
    _step(
        staff_client,
        entalk_request,
        "follow_up",
        department=ef.department().pk,
        topic=topic.pk,
        matter="公園の遊具の点検",
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.department.name, follow_up.topic, follow_up.matter) == (
        "土木課",
        topic,
        "公園の遊具の点検",
    )
    page = staff_client.get(_url("change", entalk_request.pk)).content.decode()
    assert _url("change", follow_up.pk, model="followup") in page


# --- the record --------------------------------------------------------------------------------


@pytest.fixture
def session_held(frozen, staff_client, staff, entalk_request):
    ef.confirm(entalk_request)
    _later(frozen, staff_client, staff, SLOT_1 + dt.timedelta(hours=3))
    return entalk_request


def _record_post(client, request, **extra):
    page = client.get(_url("change", request.pk))
    data = _management(page)
    data.update({"participants": "28", "summary": "和やかに意見交換"})
    data.update(extra)
    return client.post(_url("change", request.pk), data, follow=True)


def test_staff_write_the_record_and_the_state_is_kept(staff_client, session_held):
    actor = ActorType.objects.first()
    response = _record_post(
        staff_client,
        session_held,
        **{
            "participant_counts-TOTAL_FORMS": 1,
            "participant_counts-0-actor_type": actor.pk,
            "participant_counts-0-count": 12,
            "topics-TOTAL_FORMS": 1,
            "topics-0-position": 1,
            "topics-0-title": "通学路の安全",
            "topics-0-summary": "歩道が狭い",
            "topics-0-response": "検討します",
        },
    )
    assert response.status_code == 200
    session_held.refresh_from_db()
    assert (session_held.participants, session_held.summary) == (28, "和やかに意見交換")
    assert session_held.status == S.CONFIRMED
    assert ParticipantCount.objects.get().count == 12
    assert session_held.topics.get().title == "通学路の安全"


def test_a_photo_that_is_not_an_image_is_refused(staff_client, session_held):
    fake = SimpleUploadedFile("photo.jpg", b"just some text", content_type="image/jpeg")
    response = _record_post(
        staff_client,
        session_held,
        **{
            "photos-TOTAL_FORMS": 1,
            "photos-0-image": fake,
            "photos-0-caption": "会場の様子",
            "photos-0-position": 1,
        },
    )
    assert response.status_code == 200
    assert not Photo.objects.exists()
    formset = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "photos"]
    assert formset[0].formset.errors[0]["image"]


def test_a_png_photo_is_stored_with_its_type_and_linked(
    staff_client, session_held, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    png = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    _record_post(
        staff_client,
        session_held,
        **{
            "photos-TOTAL_FORMS": 1,
            "photos-0-image": png,
            "photos-0-caption": "会場の様子",
            "photos-0-position": 1,
        },
    )
    photo = Photo.objects.get()
    assert photo.content_type == "image/png"
    page = staff_client.get(_url("change", session_held.pk)).content.decode()
    assert reverse("entalk:photo", args=[photo.pk]) in page


def _photo_post(client, request, upload):
    return _record_post(
        client,
        request,
        **{
            "photos-TOTAL_FORMS": 1,
            "photos-0-image": upload,
            "photos-0-caption": "会場の様子",
            "photos-0-position": 1,
        },
    )


def test_a_photo_is_stored_re_encoded_without_gps_or_html(
    staff_client, session_held, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _record_post(
        staff_client,
        session_held,
        **{
            "photos-TOTAL_FORMS": 2,
            "photos-0-image": SimpleUploadedFile("会場.png", html_png_polyglot()),
            "photos-0-caption": "会場の様子",
            "photos-0-position": 1,
            "photos-1-image": SimpleUploadedFile("会場.jpg", jpeg_with_gps()),
            "photos-1-caption": "意見交換",
            "photos-1-position": 2,
        },
    )
    png, jpeg = Photo.objects.order_by("pk")
    assert (png.content_type, jpeg.content_type) == ("image/png", "image/jpeg")
    with png.image.open("rb") as stored:
        assert b"<script" not in stored.read().lower()
    with jpeg.image.open("rb") as stored:
        data = stored.read()
    assert b"Exif" not in data
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.size == (20, 40)  # turned upright as its EXIF said


def test_a_photo_too_large_in_pixels_is_refused_with_the_limit(
    staff_client, session_held, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = _photo_post(
        staff_client, session_held, SimpleUploadedFile("会場.png", huge_png(50_000, 50_000))
    )
    assert response.status_code == 200
    assert not Photo.objects.exists()
    formset = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "photos"]
    assert "40,000,000 画素まで" in str(formset[0].formset.errors[0]["image"])
    assert not list(tmp_path.rglob("*.png"))


def test_the_requests_own_data_are_read_only(staff_client, entalk_request):
    page = staff_client.get(_url("change", entalk_request.pk))
    # Nothing editable before the session is confirmed; afterwards only the record.
    assert set(page.context["adminform"].form.fields) == set()
    ef.confirm(entalk_request)
    page = staff_client.get(_url("change", entalk_request.pk))
    assert set(page.context["adminform"].form.fields) == {"participants", "summary"}
    # A post that tries to change the group's data or the state changes nothing.
    data = _management(page)
    data.update({"participants": "30", "group_name": "別の名前", "status": "published"})
    staff_client.post(_url("change", entalk_request.pk), data)
    entalk_request.refresh_from_db()
    assert entalk_request.received_at == NOW
    assert (entalk_request.group_name, entalk_request.status) == (
        "輪西町子育てサークル",
        S.CONFIRMED,
    )
    assert entalk_request.participants == 30
    assert RequestStatusChange.objects.filter(request=entalk_request).count() == 2


def test_staff_record_the_answer_of_a_group_that_answered_by_phone(staff_client, staff, frozen):
    """A phone request of a group without an account: nobody but staff can give its answer."""
    request = ef.make_request(
        by=staff, channel=Channel.PHONE, received_at=ef.NOW, email="", user=None
    )
    other_time = dt.datetime(2026, 8, 3, 15, 0, tzinfo=ef.JST)
    services.request_propose(request=request, starts_at=other_time, by=staff)
    response = _step(staff_client, request, "group_declined")
    request.refresh_from_db()
    assert request.status == S.PROPOSED
    assert response.context["transition_forms"]["group_declined"].errors["reason"]
    _step(staff_client, request, "group_declined", reason="平日の昼は都合が悪いと電話あり")
    request.refresh_from_db()
    assert request.status == S.REQUESTED and request.starts_at is None
    assert request.status_changes.first().reason == "平日の昼は都合が悪いと電話あり"
    services.request_propose(request=request, starts_at=other_time, by=staff)
    _step(staff_client, request, "group_accepted")
    request.refresh_from_db()
    assert request.status == S.CONFIRMED and request.starts_at == other_time
    assert request.status_changes.first().by == staff


@pytest.mark.parametrize(
    "fields",
    [
        {"date": "9999-12-31", "time": "23:00"},
        {"date": "2029-01-01", "time": "10:00"},
    ],
)
def test_a_date_beyond_the_planning_horizon_is_refused_not_a_crash(
    staff_client, entalk_request, fields
):
    response = _step(staff_client, entalk_request, "propose", **fields)
    assert response.status_code == 200
    entalk_request.refresh_from_db()
    assert entalk_request.status == S.REQUESTED
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_a_key_in_with_a_far_slot_or_a_future_receipt_date_is_refused_on_the_form(
    staff_client,
):
    for overrides, field in (
        ({"slot_1_0": "9999-12-31", "slot_1_1": "23:59"}, "slot_1"),
        ({"received_at_0": "9999-12-31"}, "received_at"),
        ({"received_at_0": "2026-06-16"}, "received_at"),
    ):
        response = staff_client.post(_url("add"), _key_in(**overrides))
        assert response.status_code == 200, overrides
        assert response.context["adminform"].form.errors[field], overrides
    assert not Request.objects.exists()
