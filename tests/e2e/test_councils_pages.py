"""まちづくり協議会 in the browser, page by page: the public pages (the introduction, the workshop,
training and council lists, a council with its materials, a session open, full with a waiting
list and published with photos), the sign-up pages (the form with a district or an age band
and the needs, a guest's confirmation and own page, マイページ's sign-ups with a pool entry and
a table, one sign-up, leaving the pool) and the admin's (a council, a session with its
inlines, the attendance list, a training's completions, the tables' facilitators, a keyed-in
sign-up): no sideways scrolling at 320 px (a phone, WCAG 1.4.10) and nothing serious or
critical for axe. The sign-up form is also filled in and sent with the keyboard alone, with
and without JavaScript.

The data are made with the ORM in known states; the times are counted from now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from councils.models import Council, Material, Opinion, Photo, Session, Signup
from tests import factories
from tests.councils import factories as cf
from tests.e2e.conftest import format_violations
from tests.e2e.test_accessibility import NARROWEST, assert_no_horizontal_scroll, switch_language
from tests.e2e.test_keyboard import focused, tab_until
from tests.images import tiny_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
RESIDENT = "council.pages@example.jp"
GUEST_NAME = "秘密野ＸＱ花子"
NEEDS_NOTE = "車椅子で参加します"


def at(days: int, hour: int = 13) -> dt.datetime:
    """A time `days` from today (Japan time), on the hour."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def workshop(council, *, days: int, **fields) -> Session:
    starts_at = at(days)
    fields.setdefault("signup_closes_at", starts_at - dt.timedelta(days=2))
    return cf.make_workshop(council, starts_at=starts_at, **fields)


@pytest.fixture
def world(db):
    clerk = cf.council_staff("都市政策課", "toshi.pages@city.muroran.example.jp")
    clerk.groups.add(Group.objects.get(name="企画課"))  # runs the trainings too
    resident = factories.make_user(RESIDENT, family_name="高砂", given_name="花子")

    council = cf.make_council(title="高砂公園リニューアル協議会")
    Material.objects.create(
        council=council,
        title="基本計画（素案）",
        file=SimpleUploadedFile("plan.png", tiny_png()),
        content_type="image/png",
        original_name="plan.png",
    )
    Material.objects.create(
        council=council,
        title="現況平面図",
        file=SimpleUploadedFile("map.png", tiny_png()),
        content_type="image/png",
        original_name="map.png",
        position=2,
    )
    cf.make_council(
        title="道の駅みたら室蘭魅力アップトーク",
        status=Council.Status.REFLECTED,
        department_name="企画課",
    )

    # Open, for residents of two districts, with childcare and sign language.
    districts = workshop(
        council,
        days=20,
        title="公園の使い方を話そう（地区限定）",
        eligibility=Session.Eligibility.DISTRICTS,
        childcare=True,
        sign_language=True,
        accessibility_note="会場は段差がありません。",
        description="高砂町と東町にお住まいの方の意見を聞きます。",
    )
    districts.eligible_districts.set([factories.district("東町"), factories.district("輪西町")])
    # Open, for people from 15 to 29.
    young = workshop(
        council,
        days=22,
        title="若い世代と考える公園",
        eligibility=Session.Eligibility.AGE,
        age_min=15,
        age_max=29,
        captioning=True,
    )
    # Full: one place, taken, and someone waiting.
    full = workshop(council, days=24, title="満員のワークショップ", capacity=1)
    cf.make_signup(full, need_childcare=True, needs_note="子ども2人")
    cf.make_signup(full, status=Signup.Status.WAITING)
    Opinion.objects.create(session=full, table=1, theme="遊具", summary="下書きの意見")
    Photo.objects.create(
        session=full,
        image=SimpleUploadedFile("draft.png", tiny_png()),
        content_type="image/png",
        caption="下書きの写真",
    )
    # Held and published, with photos.
    published = workshop(
        council,
        days=-30,
        title="公園の未来を描く",
        status=Session.Status.PUBLISHED,
        report="遊具と日陰について活発な意見交換がありました。",
    )
    Opinion.objects.create(
        session=published, table=1, theme="遊具", summary="幼児向けの遊具がほしい", notes=14
    )
    Opinion.objects.create(
        session=published,
        table=2,
        theme="日陰と休憩の場所についての長いテーマ名",
        summary="ベンチの上に屋根を。" * 8,
        notes=9,
    )
    for n, caption in enumerate(("テーブルで付箋を貼る参加者", "発表の様子"), start=1):
        Photo.objects.create(
            session=published,
            image=SimpleUploadedFile(f"p{n}.png", tiny_png()),
            content_type="image/png",
            caption=caption,
            position=n,
        )

    # Trainings: one coming, one held (registered and attended, to complete).
    coming_training = cf.make_training(
        starts_at=at(30), signup_closes_at=at(28), title="ファシリテーター養成講座 応用編"
    )
    held_training = cf.make_training(
        starts_at=at(-2), signup_closes_at=at(-5), title="ファシリテーター養成講座 基礎編"
    )
    for n in range(2):
        cf.make_signup(
            held_training,
            user=factories.make_user(f"trainee{n}.pages@example.jp"),
            attended_at=at(-2, 14),
        )

    # The resident: registered at the district workshop (with needs), waiting at the full
    # one's twin, in the pool with a table at the age-band workshop.
    mine = cf.make_signup(
        districts,
        user=resident,
        district=factories.district("東町"),
        need_mobility=True,
        need_interpreting="sign",
        needs_note=NEEDS_NOTE,
    )
    cf.make_signup(full, user=resident, status=Signup.Status.WAITING)
    entry = cf.make_facilitator(resident, training=held_training)
    cf.make_assignment(young, entry, table=2)

    # Guests: one still to confirm, one confirmed onto the waiting list.
    unconfirmed = cf.make_signup(
        districts,
        name=GUEST_NAME,
        status=Signup.Status.UNCONFIRMED,
        token="pages-unconfirmed-token",
        confirm_by=timezone.now() + dt.timedelta(hours=20),
    )
    waiting_guest = cf.make_signup(
        full, name="待機 ゲスト", status=Signup.Status.WAITING, token="pages-waiting-token"
    )
    return {
        "clerk": clerk,
        "resident": resident,
        "council": council,
        "districts": districts,
        "young": young,
        "full": full,
        "published": published,
        "coming_training": coming_training,
        "held_training": held_training,
        "mine": mine,
        "unconfirmed": unconfirmed,
        "waiting_guest": waiting_guest,
    }


def signed_in_context(new_context, live_server, user, **options):
    """A browser context with `user` signed in; staff as after their second factor."""
    client = factories.sign_in(Client(), user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = new_context(**options)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def check(page, axe_violations, what):
    assert_no_horizontal_scroll(page)
    found = list(axe_violations(page))
    assert not found, (
        f"axe found serious/critical WCAG A/AA violations on {what} ({page.url}):\n"
        + format_violations(found)
    )


VIEWS = [
    pytest.param(NARROWEST, "ja", id="320px-ja"),
    pytest.param(NARROWEST, "en", id="320px-en"),
    pytest.param(DESKTOP, "ja", id="1280px-ja"),
]


# --- the public pages -------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "language"), VIEWS)
def test_public_pages_fit_and_pass_axe(
    new_context, expect, axe_violations, world, viewport, language
):
    mobile = viewport is NARROWEST
    page = new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile).new_page()
    switch_language(page, language)
    where = f"at {viewport['width']}px in {language}"
    council, full, published = world["council"], world["full"], world["published"]
    pages = [
        ("/councils/", world["districts"].title),
        ("/councils/workshops/", published.title),
        ("/councils/trainings/", world["coming_training"].title),
        ("/councils/list/", council.title),
        (f"/councils/{council.pk}/", "基本計画（素案）"),
        (f"/councils/sessions/{world['districts'].pk}/", "会場は段差がありません。"),
        (f"/councils/sessions/{full.pk}/", full.title),
        (f"/councils/sessions/{published.pk}/", "幼児向けの遊具がほしい"),
        (f"/councils/sessions/{world['districts'].pk}/signup/", world["districts"].title),
        (f"/councils/sessions/{world['young'].pk}/signup/", world["young"].title),
        (f"/councils/sessions/{full.pk}/signup/", full.title),
        ("/councils/confirm/pages-unconfirmed-token/", world["districts"].title),
        ("/councils/s/pages-waiting-token/", full.title),
    ]
    for url, shown in pages:
        page.goto(url)
        expect(page.locator("main")).to_contain_text(shown)
        check(page, axe_violations, f"{url} {where}")
    # The materials are linked from the council's page; the photos are shown.
    page.goto(f"/councils/{council.pk}/")
    expect(page.locator('main a[href^="/councils/materials/"]')).to_have_count(2)
    page.goto(f"/councils/sessions/{published.pk}/")
    expect(page.locator('main img[src^="/councils/photos/"]')).to_have_count(2)
    # The sign-up forms ask what the session needs, and the needs.
    page.goto(f"/councils/sessions/{world['districts'].pk}/signup/")
    expect(page.locator('main select[name="district"]')).to_have_count(1)
    expect(page.locator('main input[name="age"]')).to_have_count(0)
    for name in ("need_childcare", "need_mobility", "need_interpreting", "needs_note"):
        expect(page.locator(f'main fieldset [name="{name}"]').first).to_be_attached()
    page.goto(f"/councils/sessions/{world['young'].pk}/signup/")
    expect(page.locator('main input[name="age"]')).to_have_count(1)
    expect(page.locator('main select[name="district"]')).to_have_count(0)
    # Nobody's name is public.
    page.goto(f"/councils/sessions/{full.pk}/")
    assert GUEST_NAME not in page.content()


@pytest.mark.parametrize(("viewport", "language"), VIEWS)
def test_signup_form_with_errors_fits_and_passes_axe(
    new_context, expect, axe_violations, world, viewport, language
):
    mobile = viewport is NARROWEST
    page = new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile).new_page()
    switch_language(page, language)
    session = world["young"]
    page.goto(f"/councils/sessions/{session.pk}/signup/")
    page.fill('input[name="age"]', "45")  # outside the band
    page.fill('input[name="email"]', "not-an-address")
    page.locator(f'main form[action="/councils/sessions/{session.pk}/signup/"] button').click()
    expect(page.locator(".error-summary")).to_be_visible()
    for name in ("name", "email"):
        expect(page.locator(f'input[name="{name}"]')).to_have_attribute("aria-invalid", "true")
    expect(page.locator('input[name="email"]')).to_have_value("not-an-address")
    check(page, axe_violations, f"the sign-up form with errors at {viewport['width']}px")
    # Everything right but the age: the service refuses it next to the field.
    page.fill('input[name="name"]', "年齢 違子")
    page.fill('input[name="email"]', "age.pages@example.jp")
    page.locator(f'main form[action="/councils/sessions/{session.pk}/signup/"] button').click()
    expect(page.locator('input[name="age"]')).to_have_attribute("aria-invalid", "true")
    expect(page.locator('input[name="age"]')).to_have_value("45")
    assert not Signup.objects.filter(email="age.pages@example.jp").exists()
    check(page, axe_violations, f"the sign-up form refused at {viewport['width']}px")


@pytest.mark.parametrize(("viewport", "language"), VIEWS)
def test_resident_pages_fit_and_pass_axe(
    new_context, live_server, expect, axe_violations, world, viewport, language
):
    mobile = viewport is NARROWEST
    context = signed_in_context(
        new_context,
        live_server,
        world["resident"],
        viewport=viewport,
        is_mobile=mobile,
        has_touch=mobile,
    )
    page = context.new_page()
    switch_language(page, language)
    where = f"at {viewport['width']}px in {language}"
    mine = world["mine"]
    page.goto("/councils/my/")
    main = page.locator("main")
    for shown in (world["districts"].title, world["full"].title, world["young"].title, mine.code):
        expect(main).to_contain_text(shown)
    expect(page.locator('main a[href="/councils/my/pool/leave/"]')).to_have_count(1)
    check(page, axe_violations, f"my sign-ups {where}")
    page.goto(f"/councils/my/{mine.pk}/")
    expect(page.locator("main .attendance-code")).to_have_text(mine.code)
    expect(main).to_contain_text(NEEDS_NOTE)  # the person sees their own needs
    check(page, axe_violations, f"a sign-up {where}")
    page.goto("/councils/my/pool/leave/")
    expect(main).to_contain_text(world["young"].title)  # the table that would be removed
    check(page, axe_violations, f"leaving the pool {where}")
    page.goto(f"/councils/sessions/{world['coming_training'].pk}/signup/")
    expect(page.locator('main input[name="email"]')).to_have_value(RESIDENT)
    check(page, axe_violations, f"the training's sign-up form {where}")


# --- the admin --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "viewport", [pytest.param(DESKTOP, id="1280px"), pytest.param(NARROWEST, id="320px")]
)
def test_admin_pages_fit_and_pass_axe(
    new_context, live_server, expect, axe_violations, world, viewport
):
    clerk = signed_in_context(new_context, live_server, world["clerk"], viewport=viewport)
    page = clerk.new_page()
    switch_language(page, "ja")
    where = f"at {viewport['width']}px"
    council, full = world["council"], world["full"]
    held, young = world["held_training"], world["young"]

    page.goto(f"/admin/councils/council/{council.pk}/change/")
    expect(page.locator('input[name="title"]')).to_have_value(council.title)
    expect(page.locator('button[name="_step"][value="reflect"]')).to_have_count(1)
    check(page, axe_violations, f"the council's change form {where}")

    page.goto(f"/admin/councils/session/{full.pk}/change/")
    expect(page.locator("#opinions-group")).to_be_attached()
    expect(page.locator("#photos-group")).to_be_attached()
    expect(page.locator('input[name="opinions-0-theme"]')).to_have_value("遊具")
    expect(page.locator('input[name="photos-0-caption"]')).to_have_value("下書きの写真")
    expect(page.locator('button[name="_step"][value="cancel"]')).to_have_count(1)
    check(page, axe_violations, f"the session's change form {where}")

    page.goto(f"/admin/councils/session/{full.pk}/attendance/")
    registered = full.signups.get(status=Signup.Status.REGISTERED)
    expect(page.locator("#councils-attendance-list")).to_contain_text(registered.code)
    expect(page.locator(f'input[name="present"][value="{registered.pk}"]')).to_have_count(1)
    check(page, axe_violations, f"the attendance list {where}")

    page.goto(f"/admin/councils/session/{held.pk}/complete/")
    expect(page.locator('input[name="completed"]')).to_have_count(2)
    check(page, axe_violations, f"a training's completions {where}")

    page.goto(f"/admin/councils/session/{young.pk}/assign/")
    expect(page.locator("#councils-assignments")).to_contain_text(world["resident"].get_full_name())
    expect(page.locator('select[name="table1-facilitator"]')).to_have_count(1)
    check(page, axe_violations, f"the tables' facilitators {where}")

    page.goto("/admin/councils/signup/add/")
    expect(page.locator('select[name="session"]')).to_have_count(1)
    check(page, axe_violations, f"the keyed-in sign-up form {where}")
    # Sent empty: the errors come back on the page, which still passes.
    page.locator('input[name="_save"]').click()
    expect(page.locator(".errornote")).to_be_visible()
    check(page, axe_violations, f"the keyed-in sign-up form with errors {where}")


# --- the keyboard -----------------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_signup_form_works_with_the_keyboard_alone(
    new_context, live_server, expect, world, javascript
):
    """Tab to each field in order, choose with the arrow keys and Space, send with Enter."""
    user = factories.make_user("keyboard.council@example.jp", family_name="鍵盤", given_name="太郎")
    session = world["districts"]
    context = signed_in_context(new_context, live_server, user, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"/councils/sessions/{session.pk}/signup/")
    tab_until(page, lambda info: info is not None and info["name"] == "name", limit=80)
    district = str(factories.district("東町").pk)  # one of the session's districts
    reached: list[str] = ["name"]
    wanted = ["name", "email", "phone", "district", "need_childcare", "need_mobility"]
    for _ in range(80):
        page.keyboard.press("Tab")
        info = focused(page)
        assert info is not None, "Tab left the form"
        name = info["name"]
        if name in reached:
            continue
        if name == "phone":
            page.keyboard.type("0143-22-1111")
        elif name == "district":
            for _step in range(100):  # down the list to 東町
                page.keyboard.press("ArrowDown")
                if page.locator('select[name="district"]').input_value() == district:
                    break
        elif name in ("need_childcare", "need_mobility"):
            page.keyboard.press("Space")
        elif name == "need_interpreting":
            page.keyboard.press("ArrowDown")  # from "not needed" to sign language
        elif name == "needs_note":
            page.keyboard.type(NEEDS_NOTE)
        elif info["tag"] == "button" and name not in ("language",):
            break
        if name:
            reached.append(name)
    else:
        raise AssertionError(f"never reached the button; Tab stops: {reached}")
    assert page.locator('select[name="district"]').input_value() == district
    assert [n for n in reached if n in wanted] == wanted, reached
    assert "need_interpreting" in reached and "needs_note" in reached, reached
    page.keyboard.press("Enter")  # the focused submit button
    page.wait_for_url("**/councils/my/*/")
    signup = Signup.objects.get(session=session, user=user)
    assert signup.status == Signup.Status.REGISTERED
    assert signup.phone and signup.district is not None
    assert signup.need_childcare and signup.need_mobility
    assert (signup.need_interpreting, signup.needs_note) == ("sign", NEEDS_NOTE)
    expect(page.locator("main .attendance-code")).to_have_text(signup.code)
    expect(page.locator(".messages .message--success")).to_contain_text(signup.code)
