"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live_server, with axe-core for the automated accessibility checks.

Requirements, checked once at collection:
  - Chromium at /usr/bin/chromium (or $CHROMIUM_PATH): `apt-get install chromium chromium-driver`
  - the `playwright` Python package (in the dev extras)
  - node_modules/axe-core/axe.min.js: `npm ci`

When one is missing every test marked `browser` is skipped and ONE loud line says so on the
terminal. With REQUIRE_BROWSER=1 (CI) the same situation fails every browser test instead.

Each pytest-xdist worker has its own live_server (its own port and test database) and its
own Chromium, so the suite runs with `-n 2` as well as without xdist.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_FIX = "apt-get install chromium chromium-driver, and npm ci for axe-core"
DEFAULT_TIMEOUT_MS = 15_000

_ANNOUNCEMENT = pytest.StashKey[str]()
_REQUIRED_BUT_MISSING = pytest.StashKey[str]()


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def missing_requirements() -> list[str]:
    missing = []
    chromium = Path(CHROMIUM_PATH)
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        missing.append(f"{CHROMIUM_PATH} not found")
    if importlib.util.find_spec("playwright") is None:
        missing.append("Python package playwright not installed")
    if not AXE_PATH.is_file():
        missing.append(f"{AXE_PATH.relative_to(ROOT)} not found")
    return missing


def _problem_line(missing: list[str]) -> str:
    verb = "FAILED (REQUIRE_BROWSER=1)" if _truthy("REQUIRE_BROWSER") else "SKIPPED"
    return f"BROWSER TESTS {verb}: {'; '.join(missing)} — {HOW_TO_FIX}"


# --- collection: mark, skip or fail --------------------------------------------------------


def _is_e2e(item) -> bool:
    try:
        return Path(str(item.path)).resolve().is_relative_to(E2E_DIR)
    except (OSError, ValueError):
        return False


def _xdist_worker_id(config) -> str | None:
    worker = getattr(config, "workerinput", None)
    return None if worker is None else worker.get("workerid", "gw0")


def pytest_collection_modifyitems(config, items):
    browser_items = []
    for item in items:
        if _is_e2e(item) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser") is not None:
            browser_items.append(item)
    if not browser_items:
        return
    missing = missing_requirements()
    if not missing:
        return
    line = _problem_line(missing)
    # Printed once at the end of the run: by pytest_terminal_summary without xdist; under
    # xdist the controller never loads this conftest (it does not collect), so worker gw0
    # writes it to the terminal (its stderr is the controller's) at its session end.
    config.stash[_ANNOUNCEMENT] = line
    if _truthy("REQUIRE_BROWSER"):
        # Fail, do not skip: each browser test reports the reason (works under xdist too).
        for item in browser_items:
            item.stash[_REQUIRED_BUT_MISSING] = line
        return
    skip = pytest.mark.skip(reason=line)
    for item in browser_items:
        item.add_marker(skip)


def pytest_runtest_setup(item):
    line = item.stash.get(_REQUIRED_BUT_MISSING, None)
    if line:
        pytest.fail(line, pytrace=False)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    line = config.stash.get(_ANNOUNCEMENT, None)
    if line and _xdist_worker_id(config) is None:
        terminalreporter.write_line(line, red=True, bold=True)


def pytest_sessionfinish(session, exitstatus):
    _CHROMIUM.stop()
    config = session.config
    line = config.stash.get(_ANNOUNCEMENT, None)
    if not line or _xdist_worker_id(config) != "gw0":
        return
    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        sys.stderr.write(f"\n{line}\n")
        return
    with capture.global_and_fixture_disabled():
        sys.stderr.write(f"\n{line}\n")
        sys.stderr.flush()


# --- Playwright, one Chromium per worker ----------------------------------------------------


class _Chromium:
    """Playwright and one Chromium for this process (each xdist worker has its own), started
    by the first browser test and stopped after the last one of a run of browser tests.

    Playwright's sync API keeps its asyncio loop marked as running in the main thread between
    calls. While it is alive:
    - Django refuses ORM calls from this thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the
      variable is set only for that time, so that the tests after them (and the subprocesses
      they start, such as `manage.py check --deploy`) see the normal environment;
    - asgiref keeps Django's connections in a context variable instead of the thread-local,
      so the test would get new connection objects, without the serialized database
      (serialized_rollback) and apart from the one the live server shares. The connection
      objects of the thread are put there too, so the test code keeps using them.
    """

    ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

    def __init__(self):
        self.playwright = None
        self.browser = None
        self._saved_env = None

    @property
    def running(self) -> bool:
        return self.playwright is not None

    def start(self):
        if self.browser is not None:
            return self.browser
        from django.db import connections
        from playwright.sync_api import sync_playwright

        thread_connections = {alias: connections[alias] for alias in connections}
        self._saved_env = os.environ.get(self.ASYNC_UNSAFE)
        os.environ[self.ASYNC_UNSAFE] = "true"
        try:
            self.playwright = sync_playwright().start()
            for alias, connection in thread_connections.items():
                connections[alias] = connection
            self.browser = self.playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            self.stop()
            raise
        return self.browser

    def stop(self):
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            if self.playwright is not None:
                self.playwright.stop()
            self.browser = self.playwright = None
            if self._saved_env is None:
                os.environ.pop(self.ASYNC_UNSAFE, None)
            else:
                os.environ[self.ASYNC_UNSAFE] = self._saved_env


_CHROMIUM = _Chromium()


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last of a run of browser tests (fixtures already finalised), stop Chromium
    so that what runs next does not find an event loop in the thread."""
    result = yield
    if _CHROMIUM.running and (nextitem is None or nextitem.get_closest_marker("browser") is None):
        _CHROMIUM.stop()
    return result


@pytest.fixture
def browser():
    return _CHROMIUM.start()


# Every page a browser test opens is watched for Content-Security-Policy violations: the
# browser's "securitypolicyviolation" events (collected by an init script, which Playwright
# injects outside the page's policy) and its console's "Refused to …" lines. Any one fails the
# test at its end, with what was blocked on which page.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(JSON.stringify({
    page: event.documentURI,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  }));
}, true);
"""
CSP_CONSOLE_MARKERS = ("Content Security Policy", "Refused to")


def watch_csp(context, violations: list[str]) -> None:
    """Collect the CSP violations of every page of `context` into `violations`."""

    def report(text: str) -> None:
        violations.append(text)

    context.expose_function("__cspViolation", report)
    context.add_init_script(CSP_LISTENER)

    def on_console(message):
        if any(marker in message.text for marker in CSP_CONSOLE_MARKERS):
            violations.append(
                f"console on {message.page.url if message.page else '?'}: {message.text}"
            )

    context.on("console", on_console)


@pytest.fixture
def new_context(browser, live_server, request, tmp_path):
    """Factory for browser contexts (separate cookie jars) pointed at this worker's server.
    Fails the test on any Content-Security-Policy violation in any of them (`watch_csp`)."""
    contexts = []
    violations: list[str] = []

    def make(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "ja-JP")
        options.setdefault("timezone_id", "Asia/Tokyo")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        watch_csp(context, violations)
        contexts.append(context)
        return context

    yield make
    _save_artifacts_on_failure(request, contexts, tmp_path)
    for context in contexts:
        context.close()
    if violations:
        pytest.fail(
            "Content-Security-Policy violations:\n" + "\n".join(sorted(set(violations))),
            pytrace=False,
        )


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def _save_artifacts_on_failure(request, contexts, folder):
    report = getattr(request.node, "_report_call", None)
    if report is None or not report.failed:
        return
    saved = []
    for c, context in enumerate(contexts):
        for p, page in enumerate(context.pages):
            stem = folder / f"context{c}-page{p}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
                saved.append(f"{stem}.png ({page.url})")
            except Exception as error:  # a closed or crashed page must not hide the failure
                saved.append(f"{stem}: could not save ({error})")
    if saved:
        report.sections.append(("browser artifacts", "\n".join(saved)))


# --- helpers for the tests ------------------------------------------------------------------


@pytest.fixture
def login_as(live_server):
    """Sign a user in a browser context by giving it a session cookie made with the test
    client (for tests that are not about signing in). second_factor=True: as after a password
    and a TOTP code (what staff and subsidy reviewers need for their pages)."""
    from django.conf import settings
    from django.test import Client

    from tests import factories

    def login(context, user, second_factor=False):
        client = Client()
        if second_factor:
            factories.with_second_factor(client, user)
        else:
            client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return login


@pytest.fixture
def path_of():
    """'/accounts/confirm-email/abc/' from 'http://127.0.0.1:8000/accounts/confirm-email/abc/'."""

    def path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    return path


SERIOUS = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def format_violations(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {node['target']}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.fixture
def axe_violations():
    """axe_violations(page) -> the serious/critical WCAG 2.0/2.1 A/AA violations on the page."""

    def run(page, *, impacts=SERIOUS):
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated by Playwright, outside the page's CSP: a <script> tag with the code
            # inline (add_script_tag) would be refused by script-src 'self'.
            page.evaluate(AXE_PATH.read_text(encoding="utf-8") + "\n;undefined")
        # preload: false: axe would otherwise re-parse stylesheets with an @import (the admin's
        # forms.css) in <style> elements of its own, which the CSP rightly refuses.
        result = page.evaluate(
            """async (tags) => await axe.run(
                document, {runOnly: {type: "tag", values: tags}, preload: false}
            )""",
            AXE_TAGS,
        )
        return [v for v in result["violations"] if v["impact"] in impacts]

    return run


@pytest.fixture
def assert_accessible(axe_violations):
    """assert_accessible(page, "what the page is"): no serious/critical axe violation."""

    def check(page, what):
        violations = axe_violations(page)
        assert not violations, (
            f"axe found serious/critical WCAG A/AA violations on {what} ({page.url}):\n"
            + format_violations(violations)
        )

    return check


@pytest.fixture
def expect():
    from playwright.sync_api import expect

    return expect


def wait_for_language(page, code: str) -> None:
    """Wait until the page shown is in `code` (after a language button posted its form). While
    the browser swaps documents, documentElement is briefly null: the locator waits for it."""
    # A locator assertion, not wait_for_function: Playwright builds a string predicate with
    # eval inside the page, which the site's Content-Security-Policy refuses (and the watcher
    # above would report).
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("lang", code)
