"""What a board member reads (issue 14), on the demo data: the published report's page, the
web report, the risk register and a risk's page reflow at 320 CSS pixels and at 200% zoom
(a 1280px window at zoom 2 is 640 CSS pixels) with no sideways scroll of the page (WCAG
1.4.10): a table wider than the screen scrolls inside its own region, and the register's rows
stack. Printing the register or the report prints the content, not the portal's furniture."""

from packs.models import PublishedPack

from .conftest import ARTIFACTS, assert_fits, axe_violations, sign_in

# (name, width, height, zoom): zoom 2 doubles the device pixels; the page lays out at 640px.
SCREENS = [("1280", 1280, 900, 1), ("320", 320, 640, 1), ("zoom200", 640, 450, 2)]


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _display(page, selector: str) -> str:
    return page.evaluate("(s) => getComputedStyle(document.querySelector(s)).display", selector)


def _shot(page, name: str, *, full: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full, timeout=60_000)


def test_board_member_pages_reflow_at_320px_and_200_percent_zoom(demo_data, live_server, browser):
    published = PublishedPack.objects.get()
    pages = {
        "published-detail": f"/reports/{published.pk}/",
        "published-report": f"/reports/{published.pk}/report.html",
        "risk-register": "/risks/",
        "risk-07": "/risks/07/",
    }
    for screen, width, height, zoom in SCREENS:
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=zoom, locale="en-GB"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server, "demo.board@example.nhs.uk")
        for name, path in pages.items():
            page.goto(live_server.url + path)
            assert_fits(page, f"{name} at {screen}")
            # The web report is tens of thousands of pixels tall: its first screen only.
            _shot(page, f"{name}-{screen}", full=name != "published-report")
        page.goto(live_server.url + "/risks/")
        stacked = _display(page, "#register tbody tr") == "block"
        assert stacked == (width < 769), f"register rows at {screen}"
        if stacked:
            # Each value is named by its column on a card, as the table's header names it.
            first = page.locator("#register tbody tr").first
            assert first.locator(".nhsuk-table__heading").first.is_visible()
            assert axe_violations(page) == []
        context.close()


def test_published_page_leads_to_the_report_and_keeps_the_fingerprint_folded(
    demo_data, live_server, page
):
    published = PublishedPack.objects.get()
    # A public report: read without signing in, as the public would.
    page.goto(f"{live_server.url}/reports/{published.pk}/")
    button = page.get_by_role("button", name="Read the report")
    assert page.locator(".nhsuk-button").count() == 1
    assert not page.locator(".app-published__hash").is_visible()
    page.get_by_text("Check a downloaded copy is genuine").click()
    assert page.locator(".app-published__hash").inner_text() == published.sha256
    assert axe_violations(page) == []
    button.click()
    page.wait_for_url("**/report.html")
    assert page.locator("h1").inner_text() == published.title


def test_printing_the_register_and_the_report_prints_their_content(demo_data, live_server, page):
    published = PublishedPack.objects.get()
    sign_in(page, live_server, "demo.board@example.nhs.uk")
    page.goto(f"{live_server.url}/risks/")
    page.emulate_media(media="print")
    for furniture in (
        ".app-filter-fold",  # the filters
        ".risk-page-actions",
        "header.nhsuk-header",
        ".nhsuk-skip-link",
        "footer.nhsuk-footer",
    ):
        assert _display(page, furniture) == "none", furniture
    # The register prints as a table at the paper's width, its column names shown.
    assert page.locator("#register").is_visible()
    assert _display(page, "#register tbody tr") == "table-row"
    assert page.locator("#register thead").bounding_box()["height"] > 10
    assert page.evaluate("document.querySelector('.risk-register-wrapper').scrollWidth") <= (
        page.evaluate("document.querySelector('.risk-register-wrapper').clientWidth")
    )
    # A portal link prints no path after it ("(Link: /risks/07/)").
    after = "getComputedStyle(document.querySelector('#risk-07 a'), '::after').content"
    assert page.evaluate(after) == "none"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "risk-register-print.pdf"), format="A4")
    page.set_viewport_size({"width": 718, "height": 1000})  # about A4's printable width
    _shot(page, "risk-register-print")

    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/reports/{published.pk}/report.html")
    page.emulate_media(media="print")
    for furniture in ("header.nhsuk-header", ".nhsuk-back-link", ".app-report__contents"):
        assert _display(page, furniture) == "none", furniture
    assert page.locator("h1").is_visible() and page.locator("#summary").is_visible()
    assert _page_width(page) <= 718
    _shot(page, "published-report-print", full=False)
