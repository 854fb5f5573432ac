"""The page of a file waiting for the virus check, in the browser at 320 px: it says so in
Japanese, fits without sideways scrolling, and axe finds nothing serious or critical."""

from __future__ import annotations

import pytest

from tests import clamav
from tests.e2e.test_accessibility import NARROWEST, assert_no_horizontal_scroll
from tests.publiccomment import factories as pf
from tests.publiccomment.results import add_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_waiting_page_fits_and_passes_axe(new_context, assert_accessible, settings):
    settings.CLAMD_ADDRESS = clamav.closed_address()  # clamd down: the file waits
    document = add_document(pf.make_case())
    page = new_context(viewport=NARROWEST).new_page()
    response = page.goto(document.get_absolute_url())
    assert response.status == 503
    assert page.get_by_role("heading", name="このファイルはウイルス検査を待っています").is_visible()
    assert page.get_by_text("しばらくしてから、もう一度お試しください。").is_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "the page of a file waiting for the virus check")
