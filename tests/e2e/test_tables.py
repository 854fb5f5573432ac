"""Every public data table (class responsive-table) on a phone: each row becomes a card whose
cells show their column heading (data-label), no cell is squeezed below a readable width and
the page never scrolls sideways. On a desktop the same tables are still tables."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import services as partner_services
from partners.models import ActivityReport
from tests import factories
from tests.e2e.test_accessibility import PHONE, assert_no_horizontal_scroll, switch_language
from tests.subsidies import factories as subsidy_factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
READABLE_CHARACTERS = 8  # a cell narrower than 8 characters of its own text is a squeeze

# For each cell of every responsive table: its width in characters of its font size, whether
# it has a label, the label painted before it, and how the table and the cell are displayed.
MEASURE_CELLS = """() => [...document.querySelectorAll('table.responsive-table tbody tr > *')]
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


@pytest.fixture
def world(db):
    """Content for every page with a public table: a project, a registered partner with
    activity reports, and a subsidy programme with its categories and intake windows."""
    organization = factories.make_organization(name="輪西まちづくりの会")
    factories.make_project(organizations=[organization], title="ビオトープ・イタンキ管理協定")
    resident = factories.make_user("tables@example.jp")
    place = factories.make_place(description="輪西町 みなと公園とその周辺の歩道")
    registration = factories.make_registration(user=resident, places=[place], status="registered")
    for participants in (3, 12):
        partner_services.report_create(
            report=ActivityReport(
                registration=registration,
                activity_date=timezone.localdate(),
                participants=participants,
                place_other="港の見える丘公園から中央町の商店街まで",
            ),
            by=resident,
        )
    programme = subsidy_factories.make_programme(title="市民提案型協働事業")
    return {
        "resident": resident,
        "urls": [
            "/guideline/",
            "/figures/",
            "/projects/",
            "/partners/pika/",
            reverse("partners:report_list", args=[registration.pk]),
            f"/subsidies/programmes/{programme.pk}/",
        ],
    }


def visit_every_table_page(page, urls):
    for url in urls:
        page.goto(url)
        cells = page.evaluate(MEASURE_CELLS)
        assert cells, f"{url} shows no responsive table"
        yield url, cells


@pytest.mark.parametrize("language", ["ja", "en"])
def test_tables_become_labelled_cards_on_a_phone(
    new_context, login_as, assert_accessible, world, language
):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    login_as(context, world["resident"])
    page = context.new_page()
    switch_language(page, language)
    for url, cells in visit_every_table_page(page, world["urls"]):
        assert_no_horizontal_scroll(page)
        squeezed = [c for c in cells if c["characters"] < READABLE_CHARACTERS]
        assert not squeezed, (
            f"{url}: cells narrower than {READABLE_CHARACTERS} characters: {squeezed[:3]}"
        )
        unlabelled = [c for c in cells if not c["label"] or c["shown"] != c["label"]]
        assert not unlabelled, f"{url}: cells without their column heading shown: {unlabelled[:3]}"
        assert {c["display"] for c in cells} == {"block"}, url
        assert not any(c["headingShown"] for c in cells), url
        assert_accessible(page, f"{url} at 375px")


def test_tables_stay_tables_on_a_desktop(new_context, login_as, assert_accessible, world):
    context = new_context(viewport=DESKTOP)
    login_as(context, world["resident"])
    page = context.new_page()
    for url, cells in visit_every_table_page(page, world["urls"]):
        assert {c["table"] for c in cells} == {"table"}, url
        assert {c["display"] for c in cells} == {"table-cell"}, url
        assert all(c["headingShown"] for c in cells), url
        assert not any(c["shown"] for c in cells), f"{url}: labels repeated in a wide table"
        assert_accessible(page, f"{url} at 1280px")
