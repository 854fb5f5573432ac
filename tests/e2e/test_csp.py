"""The browser fixture fails a test on any Content-Security-Policy violation: proved here by
breaking the policy on purpose in a real page, and by the policy holding on the site's own
pages (the map's tiles included)."""

import pytest

from tests.e2e.conftest import watch_csp

# As every browser test: flushed after, then the reference data put back (a plain
# transactional test would leave content types that the next one re-creates).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_violation_on_a_page_is_caught(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    violations: list[str] = []
    watch_csp(context, violations)
    try:
        page = context.new_page()
        page.goto("/")
        assert violations == []
        # What the policy forbids: an inline script and an inline style attribute.
        page.evaluate(
            """() => {
                const s = document.createElement("script");
                s.textContent = "window.ran = true";
                document.body.append(s);
                document.body.setAttribute("style", "color: red");
            }"""
        )
        page.wait_for_timeout(300)
        assert page.evaluate("window.ran === undefined")
        assert any("script-src" in v for v in violations), violations
        assert any("style-src" in v for v in violations), violations
    finally:
        context.close()
