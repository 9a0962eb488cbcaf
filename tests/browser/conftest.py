"""Browser journeys in Debian's Chromium, driven by Playwright against pytest-django's live
server. No browser is downloaded: Playwright launches /usr/bin/chromium (CHROMIUM_PATH).

In CI (CI=true) a missing browser fails the run; elsewhere the journeys are skipped with a
message saying how to install it.
"""

import contextlib
import io
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from ics_portal.status import DeliveryStatus
from ics_portal.workflow import actions as workflow
from reporting import actions

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
DEMO_PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


_DEMO_SNAPSHOT: dict = {}


@pytest.fixture
def demo_data(transactional_db, settings, tmp_path, tmp_path_factory):
    """The demo data (load_demo_data) and its files (the published pack's PDF, under a
    MEDIA_ROOT of the test's own): where the journeys start.

    Loading takes about ten seconds. On SQLite (CI's browser run) the first load in a test
    process is kept, the database's pages and the media files, and later tests get that copy
    back in a fraction of a second: the same rows, the same ids, nothing a test before wrote.
    Other databases load it for each test."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    if connection.vendor != "sqlite":
        call_command("load_demo_data", password=DEMO_PASSWORD, force=True, stdout=io.StringIO())
        return
    connection.ensure_connection()
    if not _DEMO_SNAPSHOT:
        call_command("load_demo_data", password=DEMO_PASSWORD, force=True, stdout=io.StringIO())
        pages = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(pages)
        files = tmp_path_factory.mktemp("demo-media")
        if media.exists():
            shutil.copytree(media, files, dirs_exist_ok=True)
        _DEMO_SNAPSHOT.update(pages=pages, files=files)
        return
    _DEMO_SNAPSHOT["pages"].backup(connection.connection)
    shutil.copytree(_DEMO_SNAPSHOT["files"], media, dirs_exist_ok=True)
    # What the process remembers of rows that were flushed and put back.
    ContentType.objects.clear_cache()
    cache.clear()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under artifacts/screenshots/ (kept by CI as artifacts)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, live_server, email: str, password: str = DEMO_PASSWORD):
    page.goto(f"{live_server.url}/sign-in/")
    fill_sign_in(page, email, password)


def fill_sign_in(page, email: str, password: str = DEMO_PASSWORD):
    """Fill and send the sign-in form on the page the browser is on (after being signed out)."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_run(page) -> list[dict]:
    """Run axe-core (installed by `make setup` from npm) on the page; its violations.

    The script is evaluated through the DevTools protocol, which the page's CSP does not
    govern, so the page is checked exactly as served. Only violations are gathered: the
    details of what passed would double the time of each scan."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci + scripts/build_assets.py)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def axe_violations(page) -> list[str]:
    """axe_run's violations, one line each with up to five of the elements."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in axe_run(page)
    ]


# The innermost elements whose right edge passes the screen's edge: what a failure names.
_OVERFLOWING = """(limit) => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > limit + 1)
    .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > limit + 1))
    .slice(0, 5).map((e) => e.outerHTML.slice(0, 160))"""


def assert_fits(page, where: str = "") -> None:
    """Nothing makes the page itself scroll sideways (WCAG 1.4.10; a wide table or chart scrolls
    in its own region). Measured once the page has loaded its stylesheets, and after the NHS.UK
    header has had its moment to move links into "More" following a resize (a page that stays
    too wide still fails, naming what sticks out)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page.wait_for_load_state("load")
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "() => document.documentElement.scrollWidth <= window.innerWidth", timeout=2000
        )
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (where, scroll, page.evaluate(_OVERFLOWING, width))


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    """Type a date into the NHS.UK date input whose legend starts with `legend` (its day,
    month and year boxes, as a person does)."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def complete_and_submit(update, lead):
    """What a lead does in another browser: completes `update` (every milestone complete,
    statuses on track, nothing to escalate) and submits it; the submitted update."""
    rows = {
        row.milestone_id: {"status": DeliveryStatus.COMPLETE}
        for row in update.milestone_progress.all()
    }
    saved = actions.save_update(
        update=update,
        base_version=update.version,
        by=lead,
        fields={
            "overall_status": DeliveryStatus.ON_TRACK,
            "forecast_status": DeliveryStatus.ON_TRACK,
            "nothing_to_escalate": True,
        },
        milestone_rows=rows,
    )
    return workflow.submit(update=saved, by=lead)
