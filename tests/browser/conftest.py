"""Playwright with Debian's Chromium (Playwright's own browser download is not reachable here)."""
from __future__ import annotations

import pytest

from tests.support.chromium import CHROMIUM_ARGS, chromium_path
from tests.support.local_system import System


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    running = System(tmp_path_factory.mktemp("browser-system"), offer_timeout_s=600).start()
    yield running
    running.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, base: str, username: str = "callcentre", password: str = "sysops-demo") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


SETTLED_SCRIPT = """async () => {
  await document.fonts.ready;
  const pending = [...document.querySelectorAll('link[rel="stylesheet"]')].filter(link => !link.sheet);
  await Promise.all(pending.map(link => new Promise(done => {
    link.addEventListener('load', done, {once: true});
    link.addEventListener('error', done, {once: true});
  })));
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""


def settled(page) -> None:
    """Wait until the page is styled and still: loaded with its scripts, every stylesheet applied (also
    those a fragment swap added), no htmx request or swap under way, and a frame laid out since.
    Checks of sizes and layout run after this, never on a half-styled page."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.evaluate(SETTLED_SCRIPT)
