"""Activity reports through the client: filing one (with and without a photo), bad input, the
list, the private photo — with every refusal and fixed query counts."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, override
from PIL import Image

from partners import services
from partners.models import ActivityReport
from tests import factories
from tests.images import (
    html_jpeg_polyglot,
    html_png_polyglot,
    huge_png,
    jpeg_with_gps,
    real_png,
    tiny_jpeg,
    tiny_png,
)

pytestmark = pytest.mark.django_db


def _ja(msgid: str) -> str:
    with override("ja"):
        return escape(gettext(msgid))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def place(db):
    return factories.make_place(description="輪西町 みなと公園とその周辺の歩道")


@pytest.fixture
def registration(resident, place):
    return factories.make_registration(user=resident, places=[place], status="registered")


@pytest.fixture
def other_registration(member):
    return factories.make_registration(
        user=member, places=[factories.make_place()], status="registered"
    )


def make_report(registration, *, photo=None, **fields):
    report = ActivityReport(
        registration=registration,
        activity_date=fields.pop("activity_date", timezone.localdate()),
        participants=fields.pop("participants", 3),
        place_other=fields.pop("place_other", "どこか"),
        **fields,
    )
    if photo is not None:
        report.photo = photo
    return services.report_create(report=report, by=registration.user)


def png(name="みなと公園の写真.png"):
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


def new_url(registration):
    return reverse("partners:report_create", args=[registration.pk])


def list_url(registration):
    return reverse("partners:report_list", args=[registration.pk])


def photo_url(report):
    return reverse("partners:report_photo", args=[report.pk])


def form_data(place, /, **overrides) -> dict:
    data = {
        "activity_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "place": str(place.pk),
        "place_other": "",
        "participants": "4",
        "burnable_bags": "3",
        "non_burnable_bags": "1",
        "notes": "歩道の落ち葉も集めました。",
    }
    data.update(overrides)
    return data


def same_picture(one: bytes, other: bytes) -> bool:
    with Image.open(io.BytesIO(one)) as first, Image.open(io.BytesIO(other)) as second:
        return (first.format, first.size, first.tobytes()) == (
            second.format,
            second.size,
            second.tobytes(),
        )


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


# --- Filing a report ------------------------------------------------------------------------------


def test_the_form_offers_the_partners_places_and_another(client, resident, registration, place):
    client.force_login(resident)
    response = client.get(new_url(registration))
    html = response.content.decode()
    assert response.status_code == 200
    assert "輪西町 みなと公園とその周辺の歩道" in html
    assert 'value="other"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="date"' in html


def test_a_partner_files_a_report_without_a_photo(client, resident, registration, place, _media):
    client.force_login(resident)

    response = client.post(new_url(registration), form_data(place))

    assert response.status_code == 302
    assert response["Location"] == registration.get_absolute_url()
    report = ActivityReport.objects.get()
    assert report.registration == registration
    assert report.place == place and report.place_other == ""
    assert (report.participants, report.burnable_bags, report.non_burnable_bags) == (4, 3, 1)
    assert report.notes == "歩道の落ち葉も集めました。"
    assert report.created_by == resident
    assert report.channel == "web"
    assert not report.photo
    assert stored_files(_media) == []
    page = client.get(response["Location"])
    assert (
        _ja("Thank you. Your report of %(date)s is saved.")
        % {"date": report.activity_date.isoformat()}
        in page.content.decode()
    )


def test_a_partner_files_a_report_with_a_photo(client, resident, registration, place, _media):
    client.force_login(resident)

    response = client.post(new_url(registration), {**form_data(place), "photo": png()})

    assert response.status_code == 302
    report = ActivityReport.objects.get()
    assert re.fullmatch(
        r"private/partners/reports/\d{4}/\d{2}/[0-9a-f]{32}\.png", report.photo.name
    )
    files = stored_files(_media)
    assert len(files) == 1
    # What is stored is the photo re-encoded: the same picture, written anew.
    assert same_picture(files[0].read_bytes(), tiny_png())
    assert "みなと公園" not in str(files[0])


def test_another_place_is_described_in_words(client, resident, registration, place):
    client.force_login(resident)

    client.post(new_url(registration), form_data(place, place="other", place_other="白鳥大橋の下"))

    report = ActivityReport.objects.get()
    assert report.place is None
    assert report.place_other == "白鳥大橋の下"


def test_another_place_needs_words(client, resident, registration, place):
    client.force_login(resident)
    response = client.post(new_url(registration), form_data(place, place="other"))
    assert response.status_code == 200
    assert response.context["form"].errors["place_other"]
    assert not ActivityReport.objects.exists()


def test_a_place_of_another_partner_is_not_offered(
    client, resident, registration, place, other_registration
):
    client.force_login(resident)
    foreign = other_registration.places.get()
    response = client.post(new_url(registration), form_data(place, place=str(foreign.pk)))
    assert response.status_code == 200
    assert response.context["form"].errors["place"]
    assert not ActivityReport.objects.exists()


def test_full_width_numbers_are_accepted(client, resident, registration, place):
    client.force_login(resident)
    client.post(new_url(registration), form_data(place, participants="１２"))
    assert ActivityReport.objects.get().participants == 12


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        # Tomorrow, read inside the frozen clock of the test (not when tests are collected).
        ("activity_date", lambda: (timezone.localdate() + datetime.timedelta(days=1)).isoformat()),
        ("activity_date", "きのう"),
        ("participants", "0"),
        ("participants", "10001"),
        ("participants", ""),
        ("burnable_bags", "-1"),
        ("non_burnable_bags", "-1"),
        ("non_burnable_bags", "10001"),
    ],
)
def test_bad_input_is_refused_and_typed_input_kept(
    client, resident, registration, place, _media, field, value
):
    client.force_login(resident)

    with time_machine.travel(timezone.now(), tick=False):
        value = value() if callable(value) else value
        response = client.post(new_url(registration), form_data(place, **{field: value}))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    html = response.content.decode()
    assert "歩道の落ち葉も集めました。" in html  # what was typed comes back
    assert 'class="error-summary"' in html
    assert not ActivityReport.objects.exists()
    assert stored_files(_media) == []


def test_a_future_date_says_why(client, resident, registration, place):
    client.force_login(resident)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(new_url(registration), form_data(place, activity_date=tomorrow))
    assert _ja("The date of the activity cannot be in the future.") in response.content.decode()


def test_the_service_also_refuses_a_future_date(registration):
    with pytest.raises(ValidationError):
        make_report(registration, activity_date=timezone.localdate() + datetime.timedelta(days=1))
    assert not ActivityReport.objects.exists()


def test_a_text_file_as_photo_is_refused(client, resident, registration, place, _media):
    client.force_login(resident)
    text = SimpleUploadedFile("photo.jpg", b"not a photo at all\n" * 20, content_type="image/jpeg")

    response = client.post(new_url(registration), {**form_data(place), "photo": text})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["photo"]
    assert _ja("The photo must be a JPEG or PNG image.") in response.content.decode()
    assert not ActivityReport.objects.exists()
    assert stored_files(_media) == []


def test_a_png_named_jpg_is_refused(client, resident, registration, place):
    client.force_login(resident)
    response = client.post(new_url(registration), {**form_data(place), "photo": png("a.jpg")})
    assert list(response.context["form"].errors) == ["photo"]
    assert not ActivityReport.objects.exists()


def test_a_too_large_photo_is_refused(client, resident, registration, place, settings, _media):
    settings.UPLOAD_MAX_IMAGE_BYTES = 20
    client.force_login(resident)

    response = client.post(new_url(registration), {**form_data(place), "photo": png()})

    assert response.status_code == 200
    assert (
        _ja("The photo is too large: at most %(size)s MB.") % {"size": "0.000019"}
        in response.content.decode()
    )
    assert list(response.context["form"].errors) == ["photo"]
    assert not ActivityReport.objects.exists()
    assert stored_files(_media) == []


def test_a_good_photo_must_be_chosen_again_when_another_field_is_wrong(
    client, resident, registration, place, _media
):
    client.force_login(resident)

    response = client.post(
        new_url(registration), {**form_data(place, participants="0"), "photo": png()}
    )

    errors = response.context["form"].errors
    assert set(errors) == {"participants", "photo"}
    with translation.override("ja"):
        expected = translation.gettext(
            "Choose the photo again: browsers do not keep a chosen file when the form comes back "
            "with errors."
        )
    assert errors["photo"][0] == expected
    assert stored_files(_media) == []


def test_a_jpeg_photo_is_accepted(client, resident, registration, place):
    client.force_login(resident)
    jpeg = SimpleUploadedFile("IMG_0001.JPG", tiny_jpeg(), content_type="image/jpeg")
    client.post(new_url(registration), {**form_data(place), "photo": jpeg})
    assert ActivityReport.objects.get().photo.name.endswith(".jpg")


def test_a_photo_is_stored_without_its_exif_and_gps_and_turned_upright(
    client, resident, registration, place, _media
):
    client.force_login(resident)
    photo = SimpleUploadedFile("IMG_0002.JPG", jpeg_with_gps((40, 20)), content_type="image/jpeg")

    response = client.post(new_url(registration), {**form_data(place), "photo": photo})

    assert response.status_code == 302
    [stored] = stored_files(_media)
    data = stored.read_bytes()
    assert b"Exif" not in data and b"TestCamera" not in data
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.format == "JPEG"
        assert not kept.getexif()
        assert kept.size == (20, 40)  # orientation 6 applied to the pixels
    served = client.get(photo_url(ActivityReport.objects.get()))
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == data


@pytest.mark.parametrize(
    ("name", "content"),
    [("写真.png", html_png_polyglot()), ("写真.jpg", html_jpeg_polyglot())],
)
def test_an_html_image_polyglot_is_stored_as_a_plain_image(
    client, resident, registration, place, _media, name, content
):
    client.force_login(resident)
    photo = SimpleUploadedFile(name, content, content_type="text/html")

    response = client.post(new_url(registration), {**form_data(place), "photo": photo})

    assert response.status_code == 302
    [stored] = stored_files(_media)
    assert b"<script" not in stored.read_bytes().lower()
    assert b"<html" not in stored.read_bytes().lower()


def test_a_photo_of_50000_by_50000_pixels_is_refused_next_to_the_field(
    client, resident, registration, place, _media
):
    client.force_login(resident)
    photo = SimpleUploadedFile("huge.png", huge_png(50_000, 50_000), content_type="image/png")

    response = client.post(new_url(registration), {**form_data(place), "photo": photo})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["photo"]
    assert "画素数は合計 40,000,000 画素までです" in response.content.decode()
    assert "50000×50000" in response.content.decode()
    assert not ActivityReport.objects.exists()
    assert stored_files(_media) == []


def test_a_cut_off_photo_is_refused_next_to_the_field(
    client, resident, registration, place, _media
):
    client.force_login(resident)
    cut = real_png((64, 64))[:-12]  # its end (IEND) is missing
    photo = SimpleUploadedFile("photo.png", cut, content_type="image/png")

    response = client.post(new_url(registration), {**form_data(place), "photo": photo})

    assert list(response.context["form"].errors) == ["photo"]
    assert "画像が途中で切れています" in response.content.decode()
    assert not ActivityReport.objects.exists()


@pytest.mark.parametrize("status", ["applied", "returned", "withdrawn"])
def test_reports_wait_until_the_registration_is_accepted(client, resident, place, status):
    registration = factories.make_registration(user=resident, places=[place], status=status)
    client.force_login(resident)

    get = client.get(new_url(registration))
    post = client.post(new_url(registration), form_data(place))

    for response in (get, post):
        assert response.status_code == 302
        assert response["Location"] == registration.get_absolute_url()
    messages = [str(m) for m in get_messages(post.wsgi_request)]
    assert gettext("You can file reports once the city has accepted your registration.") in messages
    assert not ActivityReport.objects.exists()


def test_a_suspended_partner_may_still_report(client, resident, place):
    registration = factories.make_registration(user=resident, places=[place], status="suspended")
    client.force_login(resident)
    assert client.post(new_url(registration), form_data(place)).status_code == 302
    assert ActivityReport.objects.count() == 1


# --- Who may see what --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, registration):
    report = make_report(registration, photo=png())
    for url in (new_url(registration), list_url(registration), photo_url(report)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_another_partners_registration_is_404(client, resident, registration, other_registration):
    client.force_login(resident)
    assert client.get(new_url(other_registration)).status_code == 404
    assert client.post(new_url(other_registration), {}).status_code == 404
    assert client.get(list_url(other_registration)).status_code == 404
    assert not ActivityReport.objects.exists()


def test_another_partners_photo_is_404(client, resident, registration, other_registration):
    report = make_report(other_registration, photo=png())
    client.force_login(resident)
    assert client.get(photo_url(report)).status_code == 404


def test_a_report_without_a_photo_or_with_a_lost_file_is_404(client, resident, registration):
    without = make_report(registration)
    lost = make_report(registration, photo=png())
    lost.photo.storage.delete(lost.photo.name)
    client.force_login(resident)
    assert client.get(photo_url(without)).status_code == 404
    assert client.get(photo_url(lost)).status_code == 404


def test_staff_can_open_any_photo(client, staff, other_registration):
    report = make_report(other_registration, photo=png())
    factories.with_second_factor(client, staff)
    response = client.get(photo_url(report))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == tiny_png()


def test_staff_outside_the_department_cannot(client, other_registration):
    report = make_report(other_registration, photo=png())
    client.force_login(factories.make_user(staff=True))
    assert client.get(photo_url(report)).status_code == 404


def test_the_organisations_managers_see_its_photos_and_plain_members_do_not(
    client, organization, representative, member
):
    registration = factories.make_registration(
        user=representative, organization=organization, member_count=5, status="registered"
    )
    report = make_report(registration, photo=png())
    client.force_login(representative)
    assert client.get(photo_url(report)).status_code == 200
    client.force_login(member)
    assert client.get(photo_url(report)).status_code == 404
    assert client.get(list_url(registration)).status_code == 404


def test_the_photo_is_served_with_its_detected_type_and_safe_headers(
    client, resident, registration
):
    report = make_report(registration, photo=png())
    client.force_login(resident)

    response = client.get(photo_url(report))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Disposition"] == f'inline; filename="report-{report.pk}.png"'
    assert b"".join(response.streaming_content) == tiny_png()


def test_the_list_and_photo_are_read_only(client, resident, registration):
    report = make_report(registration, photo=png())
    client.force_login(resident)
    assert client.post(list_url(registration)).status_code == 405
    assert client.post(photo_url(report)).status_code == 405


# --- The list and the registration page ---------------------------------------------------------------


def test_the_list_shows_my_reports_newest_first_20_a_page(
    client, resident, registration, other_registration
):
    today = timezone.localdate()
    for days in range(25):
        make_report(registration, activity_date=today - datetime.timedelta(days=days))
    make_report(other_registration, place_other="よその場所")
    client.force_login(resident)

    first = client.get(list_url(registration))
    second = client.get(list_url(registration), {"page": 2})

    assert [r.activity_date for r in first.context["page"]][0] == today
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 5
    assert "よその場所" not in first.content.decode() + second.content.decode()


def test_the_registration_page_links_to_the_reports(client, resident, registration):
    client.force_login(resident)
    html = client.get(registration.get_absolute_url()).content.decode()
    assert new_url(registration) in html
    assert list_url(registration) in html


@pytest.mark.parametrize("n", [1, 25])
def test_the_report_list_runs_a_fixed_number_of_queries(
    client, resident, registration, django_assert_num_queries, n
):
    for _ in range(n):
        make_report(registration, photo=png(), place=registration.places.get(), place_other="")
    client.force_login(resident)
    # Session, user, registration, count, the page of reports with their places and districts.
    with django_assert_num_queries(5):
        response = client.get(list_url(registration))
    assert response.content.decode().count("みなと公園") == min(n, 20)


def test_empty_bag_counts_mean_no_bags(client, resident, registration, place):
    client.force_login(resident)
    client.post(new_url(registration), form_data(place, burnable_bags="", non_burnable_bags=""))
    report = ActivityReport.objects.get()
    assert (report.burnable_bags, report.non_burnable_bags) == (0, 0)


# --- dates people can't mean ------------------------------------------------------------------

FROZEN = datetime.datetime(
    2026, 12, 7, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9))
)


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_a_date_before_2000_is_refused_next_to_the_field(
    client, resident, registration, place, day
):
    client.force_login(resident)

    with time_machine.travel(FROZEN, tick=False):
        response = client.post(new_url(registration), form_data(place, activity_date=day))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["activity_date"]
    with override("ja"):
        expected = gettext("Enter a date on or after %(day)s.") % {"day": "2000/01/01"}
    assert expected in response.content.decode()
    assert not ActivityReport.objects.exists()


def test_the_service_also_refuses_a_date_before_2000(registration):
    with time_machine.travel(FROZEN, tick=False), pytest.raises(ValidationError) as refused:
        make_report(registration, activity_date=datetime.date(1, 1, 1))
    assert "activity_date" in refused.value.message_dict
    assert not ActivityReport.objects.exists()


def test_the_first_day_of_2000_is_a_date_someone_can_mean(registration):
    with time_machine.travel(FROZEN, tick=False):
        report = make_report(registration, activity_date=datetime.date(2000, 1, 1))
    assert report.pk
