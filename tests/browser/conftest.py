"""Browser tests: serve the real app with `streamlit run` and drive it in headless Debian Chromium.

Each test module gets its own server and a fresh artifacts folder, so modules never see each other's sweeps;
tests inside a module share one page and run in file order (they are steps of one user's session).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from support.served_app import served_app

sync_api = pytest.importorskip("playwright.sync_api")

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-screenshots"
CHROMIUM = os.environ.get("AGNEWS_CHROMIUM", "/usr/bin/chromium")
# The flags our machines need (measured here); Playwright adds --headless and its own profile folder.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PAGE_TIMEOUT_MS = 60_000  # a first page load imports pandas/plotly; training pages import torch
SWEEP_TIMEOUT_MS = 240_000  # a tiny sweep takes 10-90 s depending on how busy the 2 CPUs are

# Streamlit marks the app root with the script state; "notRunning" means the last rerun finished.
SCRIPT_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-testid="stSkeleton"]') === null;
}"""


@pytest.fixture(scope="module")
def prepare_artifacts() -> Callable[[Path], None] | None:
    """Override in a test module to fill the artifacts folder before its server starts (default: left empty)."""
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, prepare_artifacts: Callable[[Path], None] | None) -> Iterator[str]:
    """Base URL of `streamlit run app.py` on a free port with an empty (or prepared) artifacts folder."""
    workdir = tmp_path_factory.mktemp("browser-server")
    artifacts = workdir / "artifacts"
    artifacts.mkdir()
    if prepare_artifacts is not None:
        prepare_artifacts(artifacts)
    # A Ray sweep from the browser must keep every Ray port on loopback (measured here).
    env = {"AGNEWS_ARTIFACTS": str(artifacts), "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    with served_app(env, log=workdir / "streamlit.log") as served:
        yield served.url


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory,
                    playwright_driver: sync_api.Playwright) -> Iterator[sync_api.BrowserContext]:
    """One headless Chromium with a fresh profile folder for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    sync_api.expect.set_options(timeout=PAGE_TIMEOUT_MS)  # its own default is 5 s, too short on 2 busy CPUs
    try:
        yield context
    finally:
        context.close()


class AppDriver:
    """The app as a user sees it: sidebar navigation, waits for Streamlit, screenshots and sanity checks."""

    sweep_timeout_ms = SWEEP_TIMEOUT_MS

    def __init__(self, page: sync_api.Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.js_errors: list[str] = []
        page.on("pageerror", lambda error: self.js_errors.append(str(error)))

    def open(self, path: str = "") -> None:
        """Load a URL of the app and wait for its first run to finish."""
        self.page.goto(f"{self.base_url}/{path.lstrip('/')}")
        self.wait_idle()

    def wait_idle(self, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
        """Wait until the current script run has finished drawing."""
        self.page.wait_for_function(SCRIPT_IDLE_JS, timeout=timeout_ms)

    def go(self, title: str, path: str) -> None:
        """Click a page in the sidebar and wait for its title and URL."""
        self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        sync_api.expect(self.page).to_have_url(re.compile(rf"/{path}(\?|$)"))
        self.heading(title).wait_for()
        self.wait_idle()

    def query_params(self) -> dict[str, str]:
        """The current URL's query parameters, one value each."""
        return {key: values[0] for key, values in parse_qs(urlparse(self.page.url).query).items()}

    def heading(self, text: str) -> sync_api.Locator:
        """The page title (h1) with this text."""
        return self.page.get_by_role("heading", level=1, name=text, exact=True)

    def main(self) -> sync_api.Locator:
        """The main area, without the sidebar."""
        return self.page.get_by_test_id("stMain")

    def select(self, label: str, option: str) -> None:
        """Choose an option of a st.selectbox by its label and the option's visible text."""
        box = self.page.get_by_role("combobox", name=label, exact=True)
        choice = self.page.get_by_role("option", name=option)
        # The list closes on scroll (a click that first has to scroll the box into view opens it for a blink),
        # and a rerun still drawing can replace the list under the click: open it again then.
        self.wait_idle()
        for attempt in range(3):
            box.scroll_into_view_if_needed()
            box.click()
            try:
                choice.wait_for(timeout=5_000)
                choice.click(timeout=15_000)
                break
            except sync_api.TimeoutError:
                if attempt == 2:
                    raise
                self.page.keyboard.press("Escape")
                self.wait_idle()
        sync_api.expect(box).to_have_value(re.compile(rf"^{re.escape(option)}"))

    def fill(self, label: str, value: str, role: str = "textbox") -> None:
        """Type into a text or number input and leave it, so that Streamlit takes the value."""
        field = self.page.get_by_role(role, name=label, exact=True)
        field.fill(value)
        field.press("Tab")

    def press_until(self, button: str, answer: sync_api.Locator, timeout_ms: int, retry_after_ms: int = 90_000) -> None:
        """Click a button whose action is safe to repeat and wait for its answer; press it once more, as a user
        would, if no answer came within retry_after_ms and the app sits idle. Under load a click has at times been
        lost (CI: no script run followed a form submit click for 8 minutes)."""
        self.page.get_by_role("button", name=button, exact=True).click()
        try:
            answer.first.wait_for(timeout=retry_after_ms)
            return
        except sync_api.TimeoutError:
            self.wait_idle()
        self.page.get_by_role("button", name=button, exact=True).click()
        answer.first.wait_for(timeout=timeout_ms)

    def assert_healthy(self) -> None:
        """No Python exception box, no traceback text, no uncaught JavaScript error."""
        self.wait_idle()
        assert self.page.get_by_test_id("stException").count() == 0, self.main().inner_text()
        body = self.page.locator("body").inner_text()
        assert "Traceback" not in body, body
        assert not self.js_errors, self.js_errors

    def screenshot(self, name: str) -> Path:
        """A full-page PNG under test-screenshots/ (the app scrolls inside stMain, so grow the window first)."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.wait_idle()
        size = self.page.viewport_size or {"width": 1400, "height": 900}
        height = self.main().evaluate("element => element.scrollHeight")
        self.page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height))})
        try:
            self.wait_idle()
            self.page.screenshot(path=str(path), full_page=True)
        finally:
            self.page.set_viewport_size(size)
        return path


@pytest.fixture(scope="module")
def app(server: str, browser_context: sync_api.BrowserContext) -> Iterator[AppDriver]:
    """A browser tab on this module's server, shared by the module's tests in order."""
    page = browser_context.new_page()
    try:
        yield AppDriver(page, server)
    finally:
        page.close()



@pytest.fixture
def second_browser_app(server: str, playwright_driver: sync_api.Playwright) -> Iterator[AppDriver]:
    """A tab in a second Chromium with its own context (cookies, storage, Streamlit session) on this module's server."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        yield AppDriver(page, server)
    finally:
        browser.close()


@pytest.fixture(scope="module")
def new_browser_app(server: str, playwright_driver: sync_api.Playwright) -> Iterator[Callable[[], AppDriver]]:
    """Factory of tabs on this module's server, each in a fresh context (its own cookies, so its own signed-in user,
    and its own Streamlit session) of one Chromium that the module shares and closes."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

    def new_app() -> AppDriver:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        return AppDriver(page, server)

    try:
        yield new_app
    finally:
        browser.close()
