"""enとーく in the browser, page by page: the public pages (the introduction, the records with
their filter, a session's page), the group's pages (the request form with its errors, the
confirmation step, a request with a proposed date, the cancellation, the receipt) and the
admin's (a request's page with its step buttons, the month view, a follow-up for a
department's clerk), in Japanese and English, at 320 px (a phone, WCAG 1.4.10) and 1280 px:
no sideways scrolling and nothing serious or critical for axe. The request form is also sent
with the keyboard alone, and the receipt prints without the site's header.

The data are made with the services (as the form and the admin make them); the dates are
counted from now, beyond the lead time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from entalk import services
from entalk.models import FollowUp, ParticipantCount, Request, Theme
from tests import factories
from tests.e2e.conftest import format_violations
from tests.e2e.test_accessibility import NARROWEST, assert_no_horizontal_scroll, switch_language
from tests.e2e.test_keyboard import describe, focused, tab_until
from tests.entalk import factories as ef

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = [NARROWEST, DESKTOP]
VIEWPORT_IDS = ["320px", "1280px"]
LANGUAGES = ["ja", "en"]
MATTER = "輪西町公園の遊具の点検と更新の検討"
ANSWER = "遊具の点検を終え、滑り台の更新を来年度予算に要求しています。"
CONTACT = "秘密野ＸＱ花子"


def first_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=settings.ENTALK["LEAD_DAYS"] + 10)


def at(days: int, hour: int = 14) -> dt.datetime:
    day = first_day() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def data(db):
    staff = ef.entalk_staff("hisho.pages@city.muroran.example.jp")
    # A session that took place, with its record published and a follow-up answered.
    held = ef.make_request(slots=[at(0), at(2), at(4)], contact_name=CONTACT)
    ef.confirm(held, staff=staff)
    starts_at = timezone.now() - dt.timedelta(days=3)
    Request.objects.filter(pk=held.pk).update(
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=90)
    )
    held = ef.held(held, topics=2, publish=True, staff=staff)
    for code, count in (("neighbourhood", 15), ("individual", 10)):
        ParticipantCount.objects.create(
            request=held, actor_type=factories.actor_type(code), count=count
        )
    doboku = ef.department_staff("土木課", "doboku.pages@city.muroran.example.jp")
    follow_up = services.follow_up_open(
        request=held,
        department=ef.department("土木課"),
        topic=held.topics.first(),
        matter=MATTER,
        by=staff,
    )
    services.follow_up_change(
        follow_up=follow_up, status=FollowUp.Status.IN_PROGRESS, answer=ANSWER, by=doboku
    )
    # A group's request to which the city proposed another date.
    representative = factories.make_user("rep.pages@example.jp")
    proposed = ef.make_request(by=representative, slots=[at(20), at(22), at(24)])
    services.request_propose(
        request=proposed, starts_at=at(27, 15), by=staff, reason="市長の公務のため。"
    )
    return {
        "staff": staff,
        "doboku": doboku,
        "representative": representative,
        "held": held,
        "follow_up": follow_up,
        "proposed": proposed,
        "theme": Theme.objects.get(name="子育て・教育"),
    }


def signed_in_context(new_context, live_server, user, **options):
    """A browser context with `user` signed in; staff as after their second factor."""
    client = factories.sign_in(Client(), user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = new_context(**options)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def check(page, assert_accessible, what):
    assert_no_horizontal_scroll(page)
    assert_accessible(page, what)


def check_admin(page, axe_violations, what):
    assert_no_horizontal_scroll(page)
    found = list(axe_violations(page))
    assert not found, (
        f"axe found serious/critical WCAG A/AA violations on {what} ({page.url}):\n"
        + format_violations(found)
    )


# --- the public pages -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_public_pages_fit_and_pass_axe(new_context, assert_accessible, data, language, viewport):
    page = new_context(viewport=viewport).new_page()
    switch_language(page, language)
    held = data["held"]
    year = Request.objects.get(pk=held.pk).held_fiscal_year
    filtered = (
        f"/entalk/sessions/?theme={data['theme'].pk}&district={held.venue_district_id}&year={year}"
    )
    for url in ("/entalk/", "/entalk/sessions/", filtered, f"/entalk/sessions/{held.pk}/"):
        page.goto(url)
        check(page, assert_accessible, f"{url} at {viewport['width']}px in {language}")
        assert CONTACT not in page.content()
    # The filter found the session; the session page shows the record and the follow-up.
    page.goto(filtered)
    assert page.locator(f'main a[href="/entalk/sessions/{held.pk}/"]').count() >= 1
    page.goto(f"/entalk/sessions/{held.pk}/")
    main = page.locator("main").inner_text()
    assert MATTER in main and ANSWER in main, main
    assert ("対応中" if language == "ja" else "In progress") in main


# --- the group's pages ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_group_pages_fit_and_pass_axe(
    new_context, live_server, assert_accessible, expect, data, language, viewport
):
    context = signed_in_context(
        new_context, live_server, factories.make_user("new.group@example.jp"), viewport=viewport
    )
    page = context.new_page()
    switch_language(page, language)
    width = f"{viewport['width']}px in {language}"

    page.goto("/entalk/request/")
    check(page, assert_accessible, f"the request form at {width}")
    # Sent empty but for a bad postal code and a date inside the lead time: the errors are
    # next to their fields, listed in the summary, and what was typed stays.
    page.fill("#id_venue_postal_code", "abc")
    page.fill("#id_slot_1_date", timezone.localdate().isoformat())
    page.select_option("#id_slot_1_time", "10:00")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    for field in ("group_name", "theme", "venue_name", "venue_postal_code", "slot_1_date"):
        expect(page.locator(f"#id_{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_venue_postal_code")).to_have_value("abc")
    expect(page.locator("#id_slot_1_time")).to_have_value("10:00")
    check(page, assert_accessible, f"the request form with errors at {width}")

    # Filled in properly: the confirmation step.
    fill_request_form(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator('button[name="_submit"]')).to_be_visible()
    check(page, assert_accessible, f"the confirmation step at {width}")
    page.locator('button[name="_submit"]').click()
    page.wait_for_url("**/entalk/requests/*/")
    sent = Request.objects.get(user__email="new.group@example.jp")

    page.goto(f"/entalk/requests/{sent.pk}/receipt/")
    expect(page.locator(".print-number")).to_have_text(sent.number)
    check(page, assert_accessible, f"the receipt at {width}")
    page.goto("/entalk/requests/")
    check(page, assert_accessible, f"the group's requests at {width}")
    page.goto(f"/entalk/requests/{sent.pk}/cancel/")
    check(page, assert_accessible, f"the cancel page at {width}")
    page.locator("main form button[type=submit]").click()  # no reason: refused
    expect(page.locator("#id_reason")).to_have_attribute("aria-invalid", "true")
    check(page, assert_accessible, f"the cancel page with its error at {width}")


def fill_request_form(page):
    page.fill("#id_group_name", "白鳥台ＥＴ読書会")
    page.fill("#id_contact_name", "白鳥 太郎")
    page.fill("#id_theme", "図書館の開館時間について")
    page.fill("#id_slot_1_date", first_day().isoformat())
    page.select_option("#id_slot_1_time", "14:00")
    page.fill("#id_venue_name", "白鳥台会館")
    page.select_option("#id_venue_district", index=1)
    page.fill("#id_venue_postal_code", "050-0000")
    page.fill("#id_venue_address", "室蘭市白鳥台1丁目1-1")
    page.fill("#id_participants_expected", "15")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_request_with_a_proposal_fits_and_passes_axe(
    new_context, live_server, assert_accessible, expect, data, language, viewport
):
    context = signed_in_context(new_context, live_server, data["representative"], viewport=viewport)
    page = context.new_page()
    switch_language(page, language)
    proposed = data["proposed"]
    page.goto(f"/entalk/requests/{proposed.pk}/")
    answer = page.locator("section", has=page.locator("#answer"))
    expect(answer.locator("form")).to_have_count(2)
    expect(answer.locator("form button[type=submit]")).to_have_count(2)
    check(page, assert_accessible, f"the request with a proposal at {viewport['width']}px")
    # Declining without a reason: the error next to the field, the page passes axe still.
    answer.locator("form").nth(1).locator("button[type=submit]").click()
    expect(page.locator("#decline_reason")).to_have_attribute("aria-invalid", "true")
    check(page, assert_accessible, f"the decline form with its error at {viewport['width']}px")


def test_receipt_prints_without_the_site(new_context, live_server, expect, data):
    context = signed_in_context(new_context, live_server, data["representative"])
    page = context.new_page()
    proposed = data["proposed"]
    page.goto(f"/entalk/requests/{proposed.pk}/receipt/")
    expect(page.locator(".print-number")).to_have_text(proposed.number)
    expect(page.locator(".site-header").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header").first).to_be_hidden()
    expect(page.locator(".print-tools")).to_be_hidden()
    expect(page.locator(".print-sheet")).to_be_visible()
    expect(page.locator(".print-number")).to_be_visible()


# --- the keyboard -----------------------------------------------------------------------------


def test_request_form_works_with_the_keyboard_alone(new_context, live_server, data):
    """Tab to each field in order, type, choose with the arrow keys, send with Enter."""
    user = factories.make_user("keyboard.group@example.jp")
    page = signed_in_context(new_context, live_server, user).new_page()
    page.goto("/entalk/request/")
    tab_until(page, lambda info: info is not None and info["id"] == "id_organization_0")
    # The informal group is chosen already; on to the name of the group.
    typed = {
        "id_group_name": "八丁平ＫＢ子ども会",
        "id_contact_name": "八丁 次郎",
        "id_phone": "0143-44-5555",
        "id_theme": "通学路の安全について",
        "id_slot_1_date": None,
        "id_slot_1_time": None,
        "id_venue_name": "八丁平会館",
        "id_venue_district": None,
        "id_venue_postal_code": "050-0071",
        "id_venue_address": "室蘭市八丁平1丁目1-1",
        "id_participants_expected": "12",
    }
    order: list[str] = []
    done: set[str] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        info = focused(page)
        assert info is not None, "Tab left the form"
        field = info["id"]
        order.append(field)
        if field not in typed or field in done:
            continue  # another field, or the next part of the date picker
        done.add(field)
        if field == "id_slot_1_date":
            # The date picker's parts, in the order of the browser's own language (Chromium
            # here: month, day, year), each moving on to the next as it is filled.
            page.keyboard.type(f"{first_day():%m%d%Y}")
            assert page.locator("#id_slot_1_date").input_value() == first_day().isoformat()
        elif field in ("id_slot_1_time", "id_venue_district"):
            page.keyboard.press("ArrowDown")  # the first choice
        else:
            if field in ("id_contact_name", "id_phone"):
                page.keyboard.press("Control+A")  # replace what the profile gave
            page.keyboard.type(typed[field])
            if field == "id_participants_expected":
                break
    else:
        raise AssertionError(f"never reached the last field; Tab stops: {order}")
    stops = [f for n, f in enumerate(order) if f in typed and f not in order[:n]]
    assert stops == list(typed), f"Tab order: {order}"
    page.keyboard.press("Enter")  # from a text field: submits the form
    page.wait_for_selector('button[name="_submit"], .error-summary')
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()
    page.locator('button[name="_submit"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/entalk/requests/*/")
    sent = Request.objects.get(user=user)
    assert (sent.group_name, sent.venue_postal_code, sent.participants_expected) == (
        "八丁平ＫＢ子ども会",
        "050-0071",
        12,
    )
    assert timezone.localtime(sent.slots.get(position=1).starts_at).date() == first_day()


def test_request_form_errors_are_reached_from_the_summary_by_keyboard(
    new_context, live_server, data
):
    user = factories.make_user("keyboard.errors@example.jp")
    page = signed_in_context(new_context, live_server, user).new_page()
    page.goto("/entalk/request/")
    tab_until(page, lambda info: info is not None and info["id"] == "id_group_name")
    page.keyboard.type("八丁平ＫＢ子ども会")
    page.keyboard.press("Enter")  # everything else is missing
    page.wait_for_selector(".error-summary")
    tab_until(
        page,
        lambda info: (
            info is not None
            and info["tag"] == "a"
            and "#id_" in (page.evaluate("document.activeElement.getAttribute('href')") or "")
        ),
    )
    target = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    info = focused(page)
    assert "#" + info["id"] == target, describe(info)
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    assert page.locator("#id_group_name").input_value() == "八丁平ＫＢ子ども会"


# --- the admin -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_admin_pages_fit_and_pass_axe(
    new_context, live_server, axe_violations, expect, data, language, viewport
):
    width = f"{viewport['width']}px in {language}"
    clerk = signed_in_context(new_context, live_server, data["staff"], viewport=viewport).new_page()
    switch_language(clerk, language)
    for request in (data["proposed"], data["held"]):
        clerk.goto(f"/admin/entalk/request/{request.pk}/change/")
        expect(clerk.locator(".entalk-steps form")).not_to_have_count(0)
        check_admin(
            clerk, axe_violations, f"the admin page of a {request.status} request at {width}"
        )
    # A step sent with an error comes back with it.
    clerk.goto(f"/admin/entalk/request/{data['proposed'].pk}/change/")
    clerk.locator('button[name="_step"][value="decline"]').click()
    expect(clerk.locator(".messagelist .error")).not_to_have_count(0)
    check_admin(clerk, axe_violations, f"the admin page with a refused step at {width}")
    clerk.goto("/admin/entalk/request/month/")
    check_admin(clerk, axe_violations, f"the month view at {width}")

    department = signed_in_context(
        new_context, live_server, data["doboku"], viewport=viewport
    ).new_page()
    switch_language(department, language)
    department.goto(f"/admin/entalk/followup/{data['follow_up'].pk}/change/")
    expect(department.locator("#id_answer")).to_have_value(ANSWER)
    check_admin(department, axe_violations, f"the follow-up for 土木課 at {width}")
