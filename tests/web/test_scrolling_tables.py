"""A table that may be wider than the screen scrolls inside an `.app-table-wrapper`; keyboard
users must be able to reach and scroll it (WCAG 2.1.1, axe's scrollable-region-focusable, which
the browser journeys found on the cycle page). Every wrapper in every template is a named,
focusable region."""

import re
from pathlib import Path

from django.conf import settings

WRAPPER = re.compile(r'<div class="app-table-wrapper"[^>]*>')


def test_every_scrolling_table_wrapper_is_a_named_focusable_region():
    found = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for tag in WRAPPER.findall(template.read_text()):
            found.append(tag)
            assert 'tabindex="0"' in tag, f"{template}: {tag}"
            assert 'role="region"' in tag, f"{template}: {tag}"
            assert re.search(r'aria-label="[^"]+"', tag), f"{template}: {tag}"
    assert len(found) >= 5


# Pages whose tables (issue 14) must never widen the page at 320 CSS pixels or 200% zoom: the
# BAF pages, the pack pages, the audit trail and the plan pages. Every table on them sits in a
# wrapper.
WRAPPED = ["risks", "packs/pages", "audit", "plan"]
TABLE_OR_WRAPPER = re.compile(r'<table[\s>]|<div class="app-table-wrapper[^"]*"|</div>|<div[\s>]')


def _unwrapped_tables(text: str) -> int:
    """Top-level <table>s not inside an open app-table-wrapper <div> (divs are counted so the
    wrapper's own </div> closes it)."""
    stack: list[bool] = []  # one entry per open <div>: is it a wrapper?
    unwrapped = 0
    for match in TABLE_OR_WRAPPER.finditer(text):
        tag = match.group(0)
        if tag.startswith("<table"):
            unwrapped += not any(stack)
        elif tag == "</div>":
            if stack:
                stack.pop()
        else:
            stack.append("app-table-wrapper" in tag)
    return unwrapped


def test_tables_on_the_risk_pack_and_audit_pages_scroll_inside_their_own_region():
    templates = [
        template
        for folder in WRAPPED
        for template in Path(settings.BASE_DIR, "templates", folder).glob("*.html")
    ]
    with_tables = [t for t in templates if "<table" in t.read_text()]
    assert len(with_tables) >= 5
    for template in with_tables:
        assert _unwrapped_tables(template.read_text()) == 0, template


def test_the_risk_register_is_a_scrolling_region_that_stacks_on_a_phone():
    text = Path(settings.BASE_DIR, "templates", "risks", "register.html").read_text()
    wrapper = re.search(r'<div class="app-table-wrapper[^"]*"[^>]*>\s*<table[^>]*>', text)
    assert wrapper and 'id="register"' in wrapper.group(0)
    assert "nhsuk-table--responsive" in wrapper.group(0)


def test_the_unwrapped_table_counter_sees_a_bare_table():
    assert _unwrapped_tables("<div><table></table></div>") == 1
    assert (
        _unwrapped_tables('<div class="app-table-wrapper" role="region"><table></table></div>') == 0
    )
    assert _unwrapped_tables('<div class="app-table-wrapper x"><div></div></div><table>') == 1


def test_the_reporting_cycles_table_scrolls_inside_its_own_region():
    """It was 447 px wide at 320 px: five columns of dates and counts."""
    text = Path(settings.BASE_DIR, "templates", "reporting", "cycle_list.html").read_text()
    assert "<table" in text
    assert _unwrapped_tables(text) == 0
