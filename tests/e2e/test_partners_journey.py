"""The partner programme from start to finish in a real browser, each person in their own
browser context:

1. a resident registers as a まち「ピカ」 partner (入力 → 確認 → 完了); a clerk of 地域生活課
   signs in with a password and an authenticator code and approves the registration with the
   bulk action of the admin changelist; the partner, now 登録済み, files an activity report with a
   photo that only they (and the city's staff) can open, then asks 環境課 for volunteer bags and
   follows the request on マイページ;
2. a registered まごころ partner signs up for a shift of an open opportunity and finds it on
   マイページ;
3. the pages on the way have no serious or critical axe violations.

Forms are filled by field id; what a person reads is checked in Japanese, and what the
database holds is checked beside it.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import (
    ActivityReport,
    Opportunity,
    Registration,
    RegistrationStatusChange,
    RequestStatus,
    Shift,
    Signup,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from tests import factories
from tests.e2e import test_signup_journey
from tests.e2e.test_partners import fill_pika_registration
from tests.e2e.test_signup_journey import staff_signs_in
from tests.images import tiny_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STEP = '.steps [aria-current="step"]'
PARTNER_EMAIL = "pika.partner@example.jp"
PLACE = "輪西町 みなと公園とその周辺の歩道"  # what fill_pika_registration types
BURNABLE_BAGS = "ボランティア袋（可燃）"  # a supply item of migration 0004
DELIVERY = "輪西町会館"
OPPORTUNITY = "みなと祭り 会場案内"

# A clerk of 地域生活課 with a real TOTP authenticator (the fixture of the sign-up journey).
staff_with_totp = test_signup_journey.staff_with_totp


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded photos go to a temporary folder (the live server runs in this process)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_resident(email, **fields):
    fields.setdefault("family_name", "輪西")
    fields.setdefault("given_name", "花子")
    fields.setdefault("family_name_kana", "ワニシ")
    fields.setdefault("given_name_kana", "ハナコ")
    return factories.make_user(email, **fields)


def message_text(page) -> str:
    return page.locator(".messages").inner_text()


# --- 1. まち「ピカ」: register, approval, report with a photo, supply request ----------------------


def resident_registers_as_pika_partner(page, expect, resident) -> Registration:
    page.goto("/partners/pika/register/")
    expect(page.locator(STEP)).to_contain_text("入力")
    fill_pika_registration(page)
    page.locator("main form button[type=submit]").click()

    # 確認: nothing saved yet, what was typed is repeated.
    page.wait_for_selector("button[name=_submit]")
    expect(page.locator(STEP)).to_contain_text("確認")
    assert PLACE in page.locator("main").inner_text()
    assert not Registration.objects.filter(user=resident).exists()
    page.locator("button[name=_submit]").click()

    # 完了
    page.wait_for_url(re.compile(r"/partners/registrations/\d+/done/$"))
    expect(page.locator(STEP)).to_contain_text("完了")
    main = page.locator("main").inner_text()
    assert "登録を受け付けました" in main
    registration = Registration.objects.get(user=resident)
    assert registration.number in main
    assert re.fullmatch(r"MP-\d{4}-\d{5}", registration.number)
    assert registration.programme == "pika"
    assert registration.status == Registration.Status.APPLIED
    assert [str(p.description) for p in registration.places.all()] == [PLACE]

    # マイページ shows it as 申請中; no report can be filed yet.
    page.goto("/mypage/")
    section = page.locator("section", has=page.get_by_role("heading", name="行政パートナーの登録"))
    expect(section).to_contain_text(registration.number)
    expect(section.locator(".status")).to_have_text("状態：申請中")
    # Registered (申請中 counts): the programme says so instead of offering to register again.
    expect(
        section.get_by_role("link", name="まち「ピカ」パートナー（清掃・美化）に登録する")
    ).to_have_count(0)
    expect(section).to_contain_text("まち「ピカ」パートナー（清掃・美化）：登録済み")
    page.goto(f"/partners/registrations/{registration.pk}/reports/new/")
    page.wait_for_url(f"**{registration.get_absolute_url()}")
    assert "活動報告は、市があなたの登録を承認してから提出できます。" in message_text(page)
    assert ActivityReport.objects.count() == 0
    return registration


def clerk_approves(page, expect, registration):
    page.goto("/admin/partners/registration/?status__exact=applied")
    row = page.locator("#result_list tbody tr", has_text=registration.number)
    expect(row).to_have_count(1)
    row.locator('input[name="_selected_action"]').check()
    page.select_option('select[name="action"]', "approve")
    page.locator('button[name="index"]').click()
    expect(page.locator(".messagelist .success")).to_have_text("1件の登録を変更しました。")
    expect(page.locator(".messagelist .warning")).to_have_count(0)


def partner_files_a_report_with_a_photo(page, expect, registration) -> ActivityReport:
    page.goto(registration.get_absolute_url())
    expect(page.locator("main .status").first).to_have_text("登録済み")
    page.get_by_role("link", name="活動を報告する").click()
    page.wait_for_url(f"**/partners/registrations/{registration.pk}/reports/new/")
    assert page.locator("h1").inner_text() == "活動を報告する"

    # Sent empty first: the errors are summarised on top and next to the fields.
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    summary = page.locator(".error-summary").inner_text()
    assert "活動日を入力してください。" in summary
    assert "参加人数: " in summary  # the field is named; its wording is Django's "required"
    expect(page.locator("#id_participants")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_activity_date")).to_have_attribute("aria-invalid", "true")
    assert ActivityReport.objects.count() == 0

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.fill("#id_activity_date", yesterday.isoformat())
    # The partner's place is offered (and chosen) first; "another place" last.
    first_place = page.locator("input[name=place]").first
    assert PLACE in page.locator(f'label[for="{first_place.get_attribute("id")}"]').inner_text()
    first_place.check()
    page.locator("#id_participants").press_sequentially("５")  # full width, as an IME types
    page.fill("#id_burnable_bags", "3")
    page.fill("#id_non_burnable_bags", "1")
    page.fill("#id_notes", "海岸沿いの歩道を清掃しました。")
    page.set_input_files(
        "#id_photo", {"name": "IMG_0001.png", "mimeType": "image/png", "buffer": tiny_png()}
    )
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(f"**{registration.get_absolute_url()}")
    assert (
        f"ありがとうございます。{yesterday.isoformat()}の活動報告を保存しました。"
        in message_text(page)
    )
    report = ActivityReport.objects.get(registration=registration)
    assert report.activity_date == yesterday
    assert report.place.description == PLACE
    assert (report.participants, report.burnable_bags, report.non_burnable_bags) == (5, 3, 1)
    assert report.channel == "web"
    assert report.created_by == registration.user
    assert report.photo.name.startswith("private/partners/reports/")
    assert "IMG_0001" not in report.photo.name, "the uploader's file name must not be kept"
    # What is stored is the photo re-encoded (pixels only, no metadata): the same picture.
    with report.photo.open("rb") as handle:
        stored = handle.read()
    assert _pixels(stored) == _pixels(tiny_png())

    # The list shows it, with a link to the photo.
    page.get_by_role("link", name="活動報告の一覧").click()
    page.wait_for_url(f"**/partners/registrations/{registration.pk}/reports/")
    row = page.locator("main table tbody tr")
    expect(row).to_have_count(1)
    cells = row.locator("th, td").all_inner_texts()
    assert cells[:5] == [yesterday.isoformat(), str(report.place), "5", "3", "1"], cells
    assert PLACE in cells[1]
    photo_link = row.get_by_role("link", name="写真")
    assert photo_link.get_attribute("href") == f"/partners/reports/{report.pk}/photo/"
    return report


def _pixels(data: bytes):
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size, image.convert("RGBA").tobytes()


def photo_is_private(page, other_context, clerk_context, anonymous_context, report):
    url = f"/partners/reports/{report.pk}/photo/"

    # The partner opens it: the stored (re-encoded) picture, with the type read from the content.
    with report.photo.open("rb") as handle:
        stored = handle.read()
    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in response.headers["cache-control"]
    assert response.body() == stored

    # Another signed-in resident gets a 404 (the id reveals nothing), not the photo.
    response = other_context.request.get(url)
    assert response.status == 404
    assert response.body() != stored

    # Not signed in: sent to sign in.
    response = anonymous_context.request.get(url, max_redirects=0)
    assert response.status == 302
    assert "/accounts/login/" in response.headers["location"]

    # The programme's staff may open it.
    response = clerk_context.request.get(url)
    assert response.status == 200
    assert response.body() == stored


def partner_asks_for_volunteer_bags(page, expect, registration) -> SupplyRequest:
    bags = SupplyItem.objects.get(name=BURNABLE_BAGS)

    page.goto("/mypage/")
    requests_section = page.locator("section", has=page.get_by_role("heading", name="市への依頼"))
    expect(requests_section).to_contain_text("依頼はまだありません。")
    requests_section.get_by_role(
        "link",
        name=f"市への依頼（ごみ回収・用品・用具の貸出し）：まち「ピカ」パートナー（清掃・美化） {registration.number}",
    ).click()
    page.wait_for_url(f"**/partners/registrations/{registration.pk}/requests/")
    page.get_by_role("link", name="用品を依頼する").click()
    page.wait_for_url("**/requests/supplies/new/")
    assert page.locator("h1").inner_text() == "用品を依頼する"
    expect(page.locator(f'label[for="id_item_{bags.pk}"]')).to_contain_text(BURNABLE_BAGS)

    # No quantity at all: refused with the reason.
    page.fill("#id_delivery_note", DELIVERY)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert (
        "1つ以上の品目について数量を入力してください。"
        in page.locator(".error-summary").inner_text()
    )
    assert SupplyRequest.objects.count() == 0

    page.fill(f"#id_item_{bags.pk}", "20")
    page.fill("#id_notes", "清掃会で使います。")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/partners/registrations/{registration.pk}/requests/")
    assert "市に依頼を送信しました。" in message_text(page)
    row = page.locator("main ul.requests li")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("用品の依頼")
    expect(row).to_contain_text(DELIVERY)
    expect(row.locator(".status")).to_have_text("状態：依頼中")

    supply_request = SupplyRequest.objects.get(registration=registration)
    assert supply_request.status == RequestStatus.REQUESTED
    assert supply_request.delivery_note == DELIVERY
    assert supply_request.created_by == registration.user
    assert list(
        SupplyRequestLine.objects.filter(request=supply_request).values_list("item", "quantity")
    ) == [(bags.pk, 20)]

    # マイページ shows the request and its state.
    page.goto("/mypage/")
    row = requests_section.locator("ul.requests li")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("用品の依頼")
    expect(row).to_contain_text(registration.number)
    expect(row).to_contain_text(DELIVERY)
    expect(row.locator(".status")).to_have_text("状態：依頼中")
    expect(row.get_by_role("button", name="依頼を取り消す")).to_be_visible()
    return supply_request


def test_pika_partner_registers_is_approved_reports_with_a_photo_and_asks_for_bags(
    new_context, login_as, expect, staff_with_totp, media
):
    resident = make_resident(PARTNER_EMAIL)
    partner_context = new_context()
    login_as(partner_context, resident)
    partner = partner_context.new_page()

    registration = resident_registers_as_pika_partner(partner, expect, resident)
    assert any(PARTNER_EMAIL in m.to for m in mail.outbox), "no acknowledgement to the partner"

    # 地域生活課 approves it in the admin (password + authenticator code).
    staff, secret = staff_with_totp
    clerk_context = new_context()
    clerk = clerk_context.new_page()
    staff_signs_in(clerk, staff, secret)
    mail.outbox.clear()
    clerk_approves(clerk, expect, registration)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert registration.registered_on == timezone.localdate()
    change = RegistrationStatusChange.objects.get(
        registration=registration, new_status=Registration.Status.REGISTERED
    )
    assert (change.old_status, change.by) == (Registration.Status.APPLIED, staff)
    to_partner = [m for m in mail.outbox if PARTNER_EMAIL in m.to]
    assert len(to_partner) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert to_partner[0].subject.endswith(f"パートナー登録 {registration.number}：登録済み")
    assert "「申請中」から「登録済み」に変わりました" in to_partner[0].body, to_partner[0].body

    # The partner sees the new state on マイページ.
    partner.goto("/mypage/")
    section = partner.locator(
        "section", has=partner.get_by_role("heading", name="行政パートナーの登録")
    )
    expect(section.locator(".status")).to_have_text("状態：登録済み")

    report = partner_files_a_report_with_a_photo(partner, expect, registration)

    other_context = new_context()
    login_as(other_context, make_resident("other.resident@example.jp", given_name="次郎"))
    photo_is_private(partner, other_context, clerk_context, new_context(), report)

    partner_asks_for_volunteer_bags(partner, expect, registration)


# --- 2. まごころ: a shift sign-up ---------------------------------------------------------------


def make_opportunity(*, slots=3) -> Opportunity:
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        programme="magokoro",
        title=OPPORTUNITY,
        department="観光課",
        description="会場でご案内をお願いします。",
        place="室蘭港 中央ふ頭",
        signup_deadline=now + dt.timedelta(days=7),
        is_published=True,
    )
    starts = timezone.localtime(now + dt.timedelta(days=10)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    Shift.objects.create(
        opportunity=opportunity,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        slots=slots,
    )
    return opportunity


def test_magokoro_partner_signs_up_for_a_shift(page, context, login_as, expect):
    resident = make_resident("magokoro@example.jp")
    registration = factories.make_registration(
        programme="magokoro", user=resident, status=Registration.Status.REGISTERED
    )
    opportunity = make_opportunity(slots=3)
    shift = opportunity.shifts.get()
    when = timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")
    login_as(context, resident)

    page.goto("/partners/opportunities/")
    page.get_by_role("link", name=OPPORTUNITY).click()
    page.wait_for_url(f"**/partners/opportunities/{opportunity.pk}/")
    assert page.locator("h1").inner_text() == OPPORTUNITY
    row = page.locator("main table tbody tr", has_text=when)
    expect(row.locator("td.number").nth(1)).to_have_text("3")  # free places
    row.get_by_role("button", name="この日程に申し込む").click()

    page.wait_for_url(f"**/partners/opportunities/{opportunity.pk}/")
    assert "この日程に申し込みました。" in message_text(page)
    row = page.locator("main table tbody tr", has_text=when)
    expect(row.locator(".status")).to_have_text("確定")
    expect(row).to_contain_text(registration.number)
    expect(row.locator("td.number").nth(1)).to_have_text("2")
    expect(row.get_by_role("button", name="申込みを取り消す")).to_be_visible()

    signup = Signup.objects.get()
    assert (signup.shift, signup.registration, signup.status) == (
        shift,
        registration,
        Signup.Status.CONFIRMED,
    )

    page.goto("/mypage/")
    section = page.locator("section", has=page.get_by_role("heading", name="参加予定の活動"))
    expect(section.get_by_role("link", name=OPPORTUNITY)).to_have_attribute(
        "href", f"/partners/opportunities/{opportunity.pk}/"
    )
    expect(section).to_contain_text(when)
    expect(section.locator(".status")).to_have_text("状態：確定")
    assert Signup.objects.count() == 1


def test_a_shift_i_am_on_offers_no_second_sign_up(page, context, login_as, expect):
    resident = make_resident("magokoro.once@example.jp")
    factories.make_registration(
        programme="magokoro", user=resident, status=Registration.Status.REGISTERED
    )
    opportunity = make_opportunity(slots=3)
    login_as(context, resident)

    page.goto(f"/partners/opportunities/{opportunity.pk}/")
    page.get_by_role("button", name="この日程に申し込む").click()
    page.wait_for_selector(".messages")
    assert "この日程に申し込みました。" in message_text(page)
    assert Signup.objects.count() == 1

    row = page.locator("main table tbody tr")
    expect(row.locator(".status")).to_have_text("確定")
    expect(row.get_by_role("button", name="この日程に申し込む")).to_have_count(0, timeout=1000)


# --- 3. accessibility -------------------------------------------------------------------------


def test_partner_pages_have_no_serious_axe_violations(page, context, login_as, assert_accessible):
    """The report form (empty and with errors), the supply request form, the opportunity page
    before and after a sign-up, and マイページ with a registration, a report, a request and a
    shift. Every page is checked, and all the violations are reported together."""
    from partners import services
    from partners.services import request_create

    resident = make_resident("a11y@example.jp")
    place = factories.make_place(description=PLACE)
    pika = factories.make_registration(
        user=resident, status=Registration.Status.REGISTERED, places=[place]
    )
    magokoro = factories.make_registration(
        programme="magokoro", user=resident, status=Registration.Status.REGISTERED
    )
    services.report_create(
        report=ActivityReport(
            registration=pika,
            activity_date=timezone.localdate(),
            place=place,
            participants=4,
            burnable_bags=2,
        ),
        by=resident,
    )
    request_create(
        request=SupplyRequest(registration=pika, delivery_note=DELIVERY),
        lines=[SupplyRequestLine(item=SupplyItem.objects.get(name=BURNABLE_BAGS), quantity=10)],
        by=resident,
    )
    opportunity = make_opportunity(slots=2)
    login_as(context, resident)

    failures = []

    def check(what):
        try:
            assert_accessible(page, what)
        except AssertionError as error:
            failures.append(str(error))

    page.goto(f"/partners/registrations/{pika.pk}/reports/new/")
    check("report form")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    check("report form with errors")

    page.goto(f"/partners/registrations/{pika.pk}/reports/")
    check("report list")

    page.goto(f"/partners/registrations/{pika.pk}/requests/supplies/new/")
    check("supply request form")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    check("supply request form with errors")

    page.goto(f"/partners/registrations/{pika.pk}/requests/")
    check("request list")

    page.goto(f"/partners/opportunities/{opportunity.pk}/")
    check("opportunity page")
    page.get_by_role("button", name="この日程に申し込む").click()
    page.wait_for_selector(".messages")
    assert "この日程に申し込みました。" in message_text(page)
    check("opportunity page after the sign-up")

    assert Signup.objects.get().registration == magokoro

    page.goto("/mypage/")
    main = page.locator("main").inner_text()
    for text in (
        pika.number,
        magokoro.number,
        "市への依頼",
        DELIVERY,
        "参加予定の活動",
        OPPORTUNITY,
    ):
        assert text in main, text
    check("マイページ with registrations, a request and a shift")

    assert not failures, "\n\n".join(failures)
