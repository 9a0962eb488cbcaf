"""The published board-pack report as a web page (issue 11): a board member reaches it from
their first sign-in; it sits in the portal layout with a back link and its own contents, at
the NHS.UK body text size, and at 320 CSS pixels it reflows with no sideways scroll of the
page (WCAG 1.4.10): a wide table scrolls inside its own focusable, labelled region."""

from packs.models import PublishedPack

from .conftest import ARTIFACTS, assert_fits, axe_violations, sign_in

BODY_TEXT = "document.querySelector('.app-report__body p')"


def _screenshot(page, name: str) -> None:
    """The first screens only: the whole report is tens of thousands of pixels tall."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), timeout=60_000)


def _font_px(page, selector_js: str) -> float:
    return float(page.evaluate(f"getComputedStyle({selector_js}).fontSize").removesuffix("px"))


def test_board_member_reads_the_published_report_on_a_phone_and_a_desktop(
    demo_data, live_server, page
):
    published = PublishedPack.objects.get()
    sign_in(page, live_server, "demo.board@example.nhs.uk")
    page.get_by_role("link", name=published.title).first.click()
    page.get_by_role("button", name="Read the report").click()
    page.wait_for_url("**/report.html")
    page.wait_for_load_state()
    report_url = page.url

    # Desktop: portal header and navigation, back link, contents, 19px body text.
    assert page.locator("header.nhsuk-header").count() == 1
    assert page.locator("footer.nhsuk-footer").count() == 1
    assert page.locator("h1").inner_text() == published.title
    back = page.get_by_role("link", name="Back to the published report").first
    assert back.get_attribute("href") == f"/reports/{published.pk}/"
    assert page.locator(".app-report__contents a[href='#summary']").count() == 1
    assert _font_px(page, BODY_TEXT) >= 19
    # Numbered as the PDF is: Summary is section 1, its paragraphs 1.1, 1.2 …; its
    # sub-headings carry no number that a paragraph's could be mistaken for.
    style = "([s, p, k]) => getComputedStyle(document.querySelector(s), p)[k]"
    assert page.evaluate(style, [".app-report__body", None, "counterReset"]) == "section 0"
    assert page.evaluate(style, ["#summary", None, "counterIncrement"]) == "section 1"
    assert page.evaluate(style, ["#summary", "::before", "content"]) == 'counter(section) ". "'
    assert page.evaluate(style, ["#summary ~ h3", None, "counterIncrement"]) == "none"
    assert page.evaluate(style, ["#summary ~ h3", "::before", "content"]) in ("none", "normal")
    assert axe_violations(page) == []
    _screenshot(page, "web-report-1280")

    # A phone, 320 CSS pixels wide (WCAG 1.4.10 reflow).
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(report_url)
    assert_fits(page, "report")
    assert page.locator("header.nhsuk-header").is_visible()
    assert page.get_by_role("link", name="Back to the published report").first.is_visible()
    assert _font_px(page, BODY_TEXT) >= 16
    # Wide tables scroll inside their own region, which has a name and takes focus.
    regions = page.locator(".app-report__table")
    assert regions.count() > 5
    scrolling = page.evaluate(
        "[...document.querySelectorAll('.app-report__table')]"
        ".filter(r => r.scrollWidth > r.clientWidth).length"
    )
    assert scrolling > 0
    first = regions.first
    assert first.get_attribute("role") == "region"
    assert first.get_attribute("tabindex") == "0"
    assert first.get_attribute("aria-label")
    # The contents link takes the reader to the section.
    page.locator(".app-report__contents a[href='#risk-register']").click()
    assert page.url.endswith("#risk-register")
    assert_fits(page, "report at the register")
    page.goto(report_url)
    _screenshot(page, "web-report-320")
    assert axe_violations(page) == []

    # The back link returns to the published report's page.
    page.get_by_role("link", name="Back to the published report").first.click()
    assert page.url.endswith(f"/reports/{published.pk}/")
