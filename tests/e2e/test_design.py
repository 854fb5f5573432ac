"""One visual language: the site's stylesheet is written on the Digital Agency's design tokens
(static/vendor/digital-go-jp-design-tokens/tokens.css, linked before static/css/site.css),
and follows the design system's patterns for buttons, form errors, focus and tables.

- the token file is served and linked first, and the primary button's colour computes to the
  token's value (if the link broke, the colour would silently vanish: this test fails);
- body text is 16px with the Japanese line height 1.7, in the token's text colour;
- a form with errors: the summary on top, each error in words (「エラー：…」) above its field,
  in the error red, the field with a red edge, the 必須 mark in the label;
- the focus ring: a yellow ring inside a black outline;
- every signed-in and reviewer table becomes labelled cards at 375px, with no sideways
  scrolling, and is still a table on a desktop; axe clean in Japanese and in English.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from subsidies import services as subsidy_services
from subsidies.models import (
    Application,
    ApplicationStatusChange,
    BudgetStage,
    ExpenseLine,
    ResultsMeeting,
)
from tests import factories
from tests.e2e.test_accessibility import PHONE, assert_no_horizontal_scroll, switch_language
from tests.e2e.test_partners_journey import make_opportunity
from tests.e2e.test_tables import DESKTOP, READABLE_CHARACTERS
from tests.subsidies import factories as subsidy_factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOKENS = "/static/vendor/digital-go-jp-design-tokens/tokens.css"
# Values of @digital-go-jp/design-tokens 1.1.9, as the browser computes them.
BLUE_900 = "rgb(0, 23, 193)"  # --color-primitive-blue-900: the primary button
GRAY_800 = "rgb(51, 51, 51)"  # --color-neutral-solid-gray-800: body text
ERROR_1 = "rgb(236, 0, 0)"  # --color-semantic-error-1: an erring field's edge
ERROR_2 = "rgb(206, 0, 0)"  # --color-semantic-error-2: error text
YELLOW_300 = "rgb(255, 212, 61)"  # --color-primitive-yellow-300: the focus ring

COMPUTED = """([selector, property]) => {
  const element = document.querySelector(selector);
  return element ? getComputedStyle(element).getPropertyValue(property).trim() : null;
}"""

# The colour a custom property of the tokens computes to, painted on a probe element.
TOKEN_COLOUR = """(name) => {
  const probe = document.createElement('div');
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}"""


def computed(page, selector, prop):
    return page.evaluate(COMPUTED, [selector, prop])


# --- the tokens ------------------------------------------------------------------------------


def test_the_token_stylesheet_is_served_and_the_primary_button_is_the_tokens_blue(page):
    page.goto("/accounts/signup/")
    stylesheets = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')]"
        ".map(link => new URL(link.href).pathname)"
    )
    assert stylesheets[:2] == [TOKENS, "/static/css/site.css"], stylesheets

    response = page.request.get(TOKENS)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "--color-primitive-blue-900: #0017c1;" in response.text()

    # The custom property reaches the page, and the button is painted with it.
    assert computed(page, ":root", "--color-primitive-blue-900") == "#0017c1"
    button = "main .button--primary"
    assert page.locator(button).count() == 1
    assert computed(page, button, "background-color") == BLUE_900
    assert page.evaluate(TOKEN_COLOUR, "--color-primitive-blue-900") == BLUE_900
    assert computed(page, button, "color") == "rgb(255, 255, 255)"
    assert page.locator(button).bounding_box()["height"] >= 44


def test_body_text_follows_the_type_scale_for_japanese(page):
    page.goto("/guideline/")
    assert computed(page, "body", "font-size") == "16px"
    assert computed(page, "body", "line-height") == "27.2px"  # 16px × 1.7
    assert computed(page, "body", "color") == GRAY_800
    assert page.evaluate(TOKEN_COLOUR, "--color-neutral-solid-gray-800") == GRAY_800
    assert "Noto Sans JP" in computed(page, "body", "font-family")


def test_every_button_of_a_form_is_a_large_enough_target(page):
    page.goto("/accounts/login/")
    heights = page.evaluate(
        "() => [...document.querySelectorAll('main button, main .button')]"
        ".map(b => b.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


def test_the_focus_ring_is_yellow_inside_a_black_outline(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          return [document.activeElement.className, style.outlineStyle, style.outlineWidth,
                  style.outlineColor, style.boxShadow];
        }"""
    )
    assert focused[0] == "skip-link"
    assert focused[1:4] == ["solid", "4px", "rgb(0, 0, 0)"]
    assert YELLOW_300 in focused[4]


# --- form errors ---------------------------------------------------------------------------


def test_a_form_error_is_said_in_words_above_the_field_in_red(page):
    page.goto("/accounts/signup/")
    email = page.locator("#id_email")
    label = page.locator('label[for="id_email"]')
    assert "必須" in label.inner_text()
    assert computed(page, 'label[for="id_email"] .required', "color") == ERROR_2
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")

    # The summary on top links to the field.
    summary = page.locator(".error-summary")
    assert summary.locator('a[href="#id_email"]').count() == 1
    # The field's own message: in words, in the error red, above the field, named by it.
    error = page.locator("#id_email_error")
    assert error.inner_text().startswith("エラー：")
    assert computed(page, "#id_email_error", "color") == ERROR_2
    assert error.bounding_box()["y"] < email.bounding_box()["y"]
    assert "id_email_error" in email.get_attribute("aria-describedby")
    assert email.get_attribute("aria-invalid") == "true"
    assert computed(page, "#id_email", "border-top-color") == ERROR_1
    assert page.evaluate(TOKEN_COLOUR, "--color-semantic-error-1") == ERROR_1


def test_form_errors_are_in_english_too(page):
    switch_language(page, "en")
    page.goto("/accounts/signup/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert page.locator("#id_email_error").inner_text().startswith("Error: ")


# --- signed-in and reviewer tables -----------------------------------------------------------

# Each visible cell of every responsive table, with the label painted before it.
MEASURE_CELLS = """() => [...document.querySelectorAll(
    'table.responsive-table tbody tr > *, table.responsive-table tfoot tr > td')]
  .filter(cell => cell.getBoundingClientRect().height > 0)
  .map(cell => {
    const style = getComputedStyle(cell);
    const before = getComputedStyle(cell, '::before').content;
    return {
      text: cell.textContent.trim().slice(0, 30),
      characters: cell.getBoundingClientRect().width / parseFloat(style.fontSize),
      label: cell.dataset.label || '',
      shown: before && before !== 'none' && before !== 'normal' ? before.replace(/^"|"$/g, '') : '',
      display: style.display,
      table: getComputedStyle(cell.closest('table')).display,
      headingShown: cell.closest('table').querySelector('thead').getBoundingClientRect().height > 2,
    };
  })"""

LONG_REASON = (
    "予算書の収入欄と支出欄の合計が一致していません。見積書の金額に合わせて直してください。"
)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded documents go to a temporary folder (the live server runs in this process)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def signed_in_world(db, media):
    """A group's representative with a reported (決算 filed) and a submitted application,
    their history, a member, a reviewer with an assignment, the year's results meeting, and a
    まごころ partner with an opportunity's shifts to sign up for."""
    programme = subsidy_factories.make_programme(title="市民提案型協働事業")
    representative = factories.make_user("design.rep@example.jp")
    organization = factories.make_organization(
        name="輪西まちづくりの会", representative=representative
    )
    factories.add_member(organization, factories.make_user("design.member@example.jp"))
    reported = subsidy_factories.make_application(
        programme=programme,
        organization=organization,
        applicant=representative,
        title="輪西地区合同防災訓練と防災マップづくり",
        status=Application.Status.REPORTED,
        decided_amount=100_000,
        report_summary="防災訓練を2回行い、防災マップを800部配りました。",
        report_participants=120,
    )
    subsidy_factories.add_budget(
        reported,
        stage=BudgetStage.ACTUAL,
        expenses=(
            (ExpenseLine.Item.CONSUMABLES, 150_000, True),
            (ExpenseLine.Item.PRINTING, 50_000, True),
        ),
    )
    when = timezone.now() - dt.timedelta(days=30)
    for step, (old, new, reason) in enumerate(
        [
            ("", Application.Status.DRAFT, ""),
            (Application.Status.DRAFT, Application.Status.SUBMITTED, ""),
            (Application.Status.SUBMITTED, Application.Status.RETURNED, LONG_REASON),
            (Application.Status.RETURNED, Application.Status.SUBMITTED, ""),
        ]
    ):
        ApplicationStatusChange.objects.create(
            application=reported,
            old_status=old,
            new_status=new,
            reason=reason,
            by=representative,
            at=when + dt.timedelta(days=step),
        )
    submitted = subsidy_factories.make_application(
        programme=programme,
        organization=organization,
        applicant=representative,
        title="港のまち花いっぱい運動",
        status=Application.Status.UNDER_REVIEW,
    )
    reviewer = factories.make_user("design.reviewer@example.jp")
    staff = factories.make_user("design.staff@city.muroran.example.jp", superuser=True)
    assignment = subsidy_services.assign_reviewer(
        application=submitted, reviewer=reviewer, by=staff
    )
    ResultsMeeting.objects.create(
        fiscal_year=programme.fiscal_year,
        held_at=timezone.now(),
        place="市民会館",
        is_published=True,
    )
    partner = factories.make_user("design.partner@example.jp")
    factories.make_registration(programme="magokoro", user=partner, status="registered")
    opportunity = make_opportunity(slots=3)
    return {
        "partner": (partner, [f"/partners/opportunities/{opportunity.pk}/"]),
        "representative": (
            representative,
            [
                "/subsidies/applications/",
                f"/subsidies/applications/{reported.pk}/",
                f"/subsidies/applications/{reported.pk}/report/",
                f"/organizations/{organization.pk}/manage/",
                f"/subsidies/meetings/{programme.fiscal_year}/",
            ],
        ),
        "reviewer": (
            reviewer,
            ["/subsidies/review/", f"/subsidies/review/{assignment.pk}/"],
        ),
    }


def visit(page, urls):
    for url in urls:
        page.goto(url)
        cells = page.evaluate(MEASURE_CELLS)
        assert cells, f"{url} shows no responsive table"
        yield url, cells


@pytest.mark.parametrize("who", ["representative", "reviewer", "partner"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_signed_in_tables_become_labelled_cards_on_a_phone(
    new_context, login_as, assert_accessible, signed_in_world, who, language
):
    user, urls = signed_in_world[who]
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, user, second_factor=who == "reviewer")
    page = context.new_page()
    switch_language(page, language)
    for url, cells in visit(page, urls):
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
        assert_no_horizontal_scroll(page)
        squeezed = [c for c in cells if c["characters"] < READABLE_CHARACTERS]
        assert not squeezed, f"{url}: cells narrower than {READABLE_CHARACTERS}: {squeezed[:3]}"
        unlabelled = [c for c in cells if not c["label"] or c["shown"] != c["label"]]
        assert not unlabelled, f"{url}: cells without their column heading: {unlabelled[:3]}"
        assert {c["display"] for c in cells} == {"block"}, url
        assert not any(c["headingShown"] for c in cells), url
        assert_accessible(page, f"{url} at 375px ({language})")


@pytest.mark.parametrize("who", ["representative", "reviewer", "partner"])
def test_signed_in_tables_stay_tables_on_a_desktop(
    new_context, login_as, assert_accessible, signed_in_world, who
):
    user, urls = signed_in_world[who]
    context = new_context(viewport=DESKTOP)
    login_as(context, user, second_factor=who == "reviewer")
    page = context.new_page()
    for url, cells in visit(page, urls):
        assert {c["table"] for c in cells} == {"table"}, url
        assert {c["display"] for c in cells} == {"table-cell"}, url
        assert all(c["headingShown"] for c in cells), url
        assert not any(c["shown"] for c in cells), f"{url}: labels repeated in a wide table"
        assert_accessible(page, f"{url} at 1280px")
