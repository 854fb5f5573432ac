"""The public pages of the councils through the client: the index, the workshop and training
lists, the councils by 年度 and a council's page, a session's page with its outputs, the
materials and photos (served only once public), 404 for drafts, and fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from councils.models import Assignment, Council, Material, Opinion, Photo, Session, Signup
from tests import factories
from tests.councils import factories as cf
from tests.councils.factories import JST, STARTS
from tests.images import tiny_png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

PAST = dt.datetime(2026, 5, 16, 13, 30, tzinfo=JST)


def _published(council=None, **fields) -> Session:
    """A workshop held in May with its outputs published: two tables, a photo."""
    session = cf.make_workshop(
        council,
        starts_at=PAST,
        status=Session.Status.PUBLISHED,
        report="遊具と日陰について活発な意見交換がありました。",
        **fields,
    )
    Opinion.objects.create(
        session=session, table=1, theme="遊具", summary="幼児向けの遊具がほしい", notes=14
    )
    Opinion.objects.create(
        session=session, table=2, theme="日陰", summary="ベンチの上に屋根を", notes=9
    )
    Photo.objects.create(
        session=session,
        image=SimpleUploadedFile("p.png", tiny_png()),
        content_type="image/png",
        caption="テーブルで付箋を貼る参加者",
    )
    return session


def _material(council) -> Material:
    return Material.objects.create(
        council=council,
        title="基本計画（素案）",
        file=SimpleUploadedFile("plan.png", tiny_png()),
        content_type="image/png",
        original_name="plan.png",
    )


# --- index and lists -------------------------------------------------------------------------


def test_index_lists_open_workshops_trainings_and_reflections(client):
    council = cf.make_council(status=Council.Status.REFLECTED, title="道の駅みたら魅力アップ")
    open_one = cf.make_workshop(council, title="道の駅の使い方")
    cf.make_workshop(council, title="準備中の回", status=Session.Status.DRAFT)
    training = cf.make_training()
    response = client.get(reverse("councils:index"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["workshops"]] == [open_one.pk]
    assert [s.pk for s in response.context["trainings"]] == [training.pk]
    assert [c.pk for c in response.context["reflected"]] == [council.pk]
    content = response.content.decode()
    assert "道の駅の使い方" in content and "準備中の回" not in content
    assert reverse("councils:session_detail", args=[open_one.pk]) in content
    assert reverse("councils:council_detail", args=[council.pk]) in content
    assert reverse("councils:calendar_ics") in content


def test_session_list_shows_coming_workshops_with_places_and_past_outputs(client):
    full = cf.make_workshop(capacity=2, title="満員の回")
    cf.make_signup(full)
    cf.make_signup(full)
    cf.make_signup(full, status=Signup.Status.WAITING)
    roomy = cf.make_workshop(
        capacity=30, title="空きのある回", starts_at=STARTS + dt.timedelta(days=7)
    )
    cf.make_signup(roomy)
    cf.make_workshop(title="準備中の回", status=Session.Status.DRAFT)
    past = _published()
    cf.make_workshop(starts_at=PAST + dt.timedelta(days=1), title="成果未公表の回")
    response = client.get(reverse("councils:session_list"))
    assert response.status_code == 200
    coming = {s.pk: s for s in response.context["upcoming"]}
    assert list(coming) == [full.pk, roomy.pk]
    assert (coming[full.pk].places_left, coming[full.pk].waiting_count) == (0, 1)
    assert coming[roomy.pk].places_left == 29
    assert [s.pk for s in response.context["past"]] == [past.pk]
    content = response.content.decode()
    assert "準備中の回" not in content and "成果未公表の回" not in content
    assert 'data-label="' in content


def _more_workshops(n: int) -> None:
    for i in range(n):
        council = cf.make_council(title=f"協議会{i}")
        session = cf.make_workshop(council, starts_at=STARTS + dt.timedelta(days=i + 1))
        cf.make_signup(session)
        _published(council, title=f"過去{i}")


@pytest.mark.parametrize("n", [1, 25])
def test_session_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    _more_workshops(n)
    # the coming workshops and their count, the past ones and their count
    with django_assert_num_queries(4):
        response = client.get(reverse("councils:session_list"))
    assert len(response.context["upcoming"]) == min(n, 20)
    assert len(response.context["past"]) == min(n, 20)


def test_both_lists_of_the_session_list_turn_pages_each_keeping_the_other(client):
    _more_workshops(25)
    url = reverse("councils:session_list")

    first = client.get(url).content.decode()
    assert 'href="?coming=2"' in first and 'href="?page=2"' in first

    response = client.get(url, {"coming": "2", "page": "2"})
    html = response.content.decode()
    assert [s.title for s in response.context["upcoming"]] == ["公園の使い方を話そう"] * 5
    starts = [s.starts_at for s in response.context["upcoming"]]
    assert starts == sorted(starts) and starts[0] == STARTS + dt.timedelta(days=21)
    assert len(response.context["past"]) == 5
    # each list's links keep the other list where it is
    assert 'href="?page=2&amp;coming=1"' in html
    assert 'href="?coming=2&amp;page=1"' in html
    # two navigations, each named
    assert html.count('<nav class="pagination"') == 2


def test_training_list_shows_coming_and_past_trainings(client):
    coming = cf.make_training(title="基礎編")
    past = cf.make_training(title="応用編", starts_at=PAST, status=Session.Status.COMPLETED)
    cf.make_training(title="準備中の講座", status=Session.Status.DRAFT)
    response = client.get(reverse("councils:training_list"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["upcoming"]] == [coming.pk]
    assert [s.pk for s in response.context["past"]] == [past.pk]
    assert "準備中の講座" not in response.content.decode()


def test_council_list_groups_public_councils_by_fiscal_year(client):
    old = cf.make_council(title="高砂公園リニューアル", fiscal_year=2025)
    new = cf.make_council(title="複合公共施設", fiscal_year=2026, is_trial=True)
    cf.make_council(title="準備中の協議会", status=Council.Status.DRAFT)
    response = client.get(reverse("councils:council_list"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["councils"]] == [new.pk, old.pk]
    content = response.content.decode()
    assert "準備中の協議会" not in content
    assert content.index("複合公共施設") < content.index("高砂公園リニューアル")


# --- a council ----------------------------------------------------------------------------------


def test_council_page_shows_materials_sessions_and_not_the_draft_ones(client):
    council = cf.make_council()
    material = _material(council)
    session = cf.make_workshop(council)
    cf.make_workshop(council, title="準備中の回", status=Session.Status.DRAFT)
    response = client.get(reverse("councils:council_detail", args=[council.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert council.title in content and council.description in content
    assert reverse("councils:material", args=[material.pk]) in content
    assert [s.pk for s in response.context["sessions"]] == [session.pk]
    assert "準備中の回" not in content
    # The reflection is written before the transition: never shown while ACTIVE.
    assert response.context["reflected"] is False


def test_council_page_shows_the_dated_reflection_once_reflected(client):
    council = cf.make_council(status=Council.Status.REFLECTED)
    content = client.get(reverse("councils:council_detail", args=[council.pk])).content.decode()
    assert council.summary in content
    assert council.reflection in content
    assert "2026" in content


def test_draft_council_and_its_material_are_404(client):
    council = cf.make_council(status=Council.Status.DRAFT)
    material = _material(council)
    assert client.get(reverse("councils:council_detail", args=[council.pk])).status_code == 404
    assert client.get(reverse("councils:material", args=[material.pk])).status_code == 404


def test_material_of_a_public_council_is_served(client):
    material = _material(cf.make_council())
    response = client.get(reverse("councils:material", args=[material.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == tiny_png()


@pytest.mark.parametrize("n", [1, 10])
def test_council_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    council = cf.make_council()
    for i in range(n):
        session = cf.make_workshop(council, starts_at=STARTS + dt.timedelta(days=i))
        cf.make_signup(session)
        _material(council)
    with django_assert_num_queries(3):
        response = client.get(reverse("councils:council_detail", args=[council.pk]))
    assert len(response.context["sessions"]) == n
    assert len(response.context["materials"]) == n


# --- a session ----------------------------------------------------------------------------------


def test_session_page_shows_what_a_resident_needs_to_decide(client):
    workshop = cf.make_workshop(
        capacity=20,
        childcare=True,
        sign_language=True,
        accessibility_note="車いす用駐車場あり",
        description="高砂公園の遊具について話します。",
        eligibility=Session.Eligibility.DISTRICTS,
    )
    workshop.eligible_districts.set([factories.district("東町"), factories.district("中島町")])
    cf.make_signup(workshop)
    response = client.get(reverse("councils:session_detail", args=[workshop.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        workshop.title,
        workshop.council.title,
        "室蘭市生涯学習センター きらん",
        "東町",
        "室蘭市東町2丁目1-7",
        "中島町",
        "令和8年7月4日",
        "車いす用駐車場あり",
        "高砂公園の遊具について話します。",
        "13:30",
    ):
        assert text in content, text
    assert response.context["session"].places_left == 19
    assert response.context["is_open"] is True
    assert reverse("councils:signup", args=[workshop.pk]) in content
    assert reverse("councils:session_ics", args=[workshop.pk]) in content


def test_session_page_of_a_full_session_speaks_of_the_waiting_list(client, settings):
    workshop = cf.make_workshop(capacity=1)
    cf.make_signup(workshop)
    cf.make_signup(workshop, status=Signup.Status.WAITING)
    cf.make_signup(workshop, status=Signup.Status.WAITING)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("councils:session_detail", args=[workshop.pk]))
    session = response.context["session"]
    assert (session.places_left, session.waiting_count) == (0, 2)
    assert "(2 waiting)" in response.content.decode()


def test_session_page_after_the_deadline_has_no_signup_button(client, frozen):
    workshop = cf.make_workshop()
    frozen.move_to(dt.datetime(2026, 7, 2, 9, 0, tzinfo=JST))
    response = client.get(reverse("councils:session_detail", args=[workshop.pk]))
    assert response.context["is_open"] is False
    assert reverse("councils:signup", args=[workshop.pk]) not in response.content.decode()


def test_published_session_shows_report_opinions_by_table_and_photos(client, resident):
    session = _published()
    facilitator = cf.make_facilitator(
        factories.make_user("fac@example.jp", family_name="進行", given_name="役子")
    )
    Assignment.objects.create(session=session, table=1, facilitator=facilitator)
    response = client.get(reverse("councils:session_detail", args=[session.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert session.report in content
    assert [table for table, _ in response.context["tables"]] == [1, 2]
    assert "幼児向けの遊具がほしい" in content and ">14<" in content
    photo = session.photos.get()
    assert f'src="{reverse("councils:photo", args=[photo.pk])}"' in content
    assert 'alt="テーブルで付箋を貼る参加者"' in content
    # The facilitators are never named publicly.
    assert "進行" not in content and "役子" not in content and "fac@example.jp" not in content


def test_session_not_yet_published_shows_no_outputs(client):
    session = cf.make_workshop(starts_at=PAST, report="下書きの報告")
    Opinion.objects.create(session=session, table=1, theme="遊具", summary="未公表の意見")
    response = client.get(reverse("councils:session_detail", args=[session.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "下書きの報告" not in content and "未公表の意見" not in content


def test_draft_session_pages_are_404(client):
    draft = cf.make_workshop(status=Session.Status.DRAFT)
    for name in ("session_detail", "session_ics", "signup", "signup_sent"):
        assert client.get(reverse(f"councils:{name}", args=[draft.pk])).status_code == 404, name


def test_session_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    session = _published()
    with django_assert_num_queries(4):
        assert client.get(reverse("councils:session_detail", args=[session.pk])).status_code == 200


# --- photos -----------------------------------------------------------------------------------


def test_photo_is_served_once_the_outputs_are_published(client):
    photo = _published().photos.get()
    response = client.get(reverse("councils:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_photo_before_publishing_is_404_for_the_public_and_served_to_the_staff(
    client, staff_client, resident
):
    session = cf.make_workshop(starts_at=PAST)
    photo = Photo.objects.create(
        session=session,
        image=SimpleUploadedFile("p.png", tiny_png()),
        content_type="image/png",
        caption="準備中",
    )
    url = reverse("councils:photo", args=[photo.pk])
    assert staff_client.get(url).status_code == 200
    staff_client.logout()
    assert staff_client.get(url).status_code == 404
    staff_client.force_login(resident)
    assert staff_client.get(url).status_code == 404


def test_photo_of_another_departments_session_is_404_for_staff(client):
    other = cf.council_staff("土木課")
    client = factories.with_second_factor(client, other)
    session = cf.make_workshop(starts_at=PAST)
    photo = Photo.objects.create(
        session=session,
        image=SimpleUploadedFile("p.png", tiny_png()),
        content_type="image/png",
        caption="準備中",
    )
    assert client.get(reverse("councils:photo", args=[photo.pk])).status_code == 404


def test_public_pages_refuse_post(client):
    workshop = cf.make_workshop()
    for url in (
        reverse("councils:index"),
        reverse("councils:session_list"),
        reverse("councils:session_detail", args=[workshop.pk]),
        reverse("councils:calendar_ics"),
    ):
        assert client.post(url).status_code == 405, url
