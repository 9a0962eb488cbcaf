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
