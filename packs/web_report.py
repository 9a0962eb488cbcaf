"""The board-pack report as a portal web page (issue 11).

The published HTML stays exactly what the PDF was made from (PublishedPack.html is never
changed). To read it on screen, this module takes the frozen document's <main> and shapes it
for the portal layout: its title becomes the page's <h1>, its print contents list (page
numbers) gives way to a contents list of links built from the section headings, and every
table is wrapped in a labelled, focusable region that scrolls sideways by itself, so the page
reflows at 320 CSS pixels (WCAG 1.4.10). The print stylesheet in the frozen <head> is not used:
the page has its own stylesheet (static/portal/report.css).
"""

from dataclasses import dataclass, field
from html import escape

import lxml.html
from django.utils.safestring import SafeString, mark_safe

# Never carried over from a stored document into a portal page: the frozen HTML is ours, but
# the portal page runs scripts and the stored copy must not be able to add any.
_DROPPED = ("script", "style", "link", "meta", "iframe", "object", "embed", "base", "form")


@dataclass(frozen=True)
class ContentsEntry:
    anchor: str
    text: str
    children: list["ContentsEntry"] = field(default_factory=list)


@dataclass(frozen=True)
class WebReport:
    title: str
    title_id: str
    contents: list[ContentsEntry]
    body: SafeString
    # Headings the print contents list numbered (it is a section of the PDF), so the web
    # page's section numbers ("2. Summary") match the PDF's.
    sections_before: int = 0


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _has_class(element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _clean(root) -> None:
    for element in root.xpath(" | ".join(f".//{tag}" for tag in _DROPPED)):
        element.drop_tree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            if name.lower().startswith("on"):
                del element.attrib[name]


def _contents(root) -> list[ContentsEntry]:
    """Each section (an <h2> with an id) and its parts (the <h3>s with ids that follow it)."""
    entries: list[ContentsEntry] = []
    for heading in root.xpath(".//h2[@id] | .//h3[@id]"):
        if heading.tag == "h2":
            entries.append(ContentsEntry(heading.get("id"), _text(heading)))
        elif entries:
            entries[-1].children.append(ContentsEntry(heading.get("id"), _text(heading)))
    return entries


def _wrap_tables(root) -> None:
    """Each top-level table scrolls inside its own region, named by its caption (or the
    heading before it), which keyboard users can focus to scroll."""
    for number, table in enumerate(root.xpath(".//table[not(ancestor::table)]"), start=1):
        caption = table.find("caption")
        label = _text(caption) if caption is not None else ""
        if not label:
            heading = table.xpath("preceding::*[self::h2 or self::h3 or self::h4][1]")
            label = _text(heading[0]) if heading else ""
        label = f"Table {number}: {label}" if label else f"Table {number}"
        region = lxml.html.Element(
            "div",
            {
                "class": "app-report__table",
                "role": "region",
                "aria-label": f"{label} (scrolls sideways)",
                "tabindex": "0",
            },
        )
        table.addprevious(region)
        region.append(table)  # moves the table (its tail text stays where it was)
        if caption is not None and label:
            # The caption stays in the table for screen readers; on screen it is shown above
            # the region at the page's width, not as wide as a table that scrolls.
            shown = lxml.html.Element("p", {"class": "app-report__caption", "aria-hidden": "true"})
            shown.text = _text(caption)
            region.addprevious(shown)
            caption.set("class", f"{caption.get('class', '')} nhsuk-u-visually-hidden".strip())


def web_report(html: str, *, fallback_title: str = "") -> WebReport:
    """The frozen (or live) report document `html`, shaped for a portal page."""
    document = lxml.html.document_fromstring(html or "<p></p>")
    main = document.find(".//main")
    if main is None:
        main = document.find(".//body")
    if main is None:
        main = document
    _clean(main)
    title, title_id = fallback_title, "report-title"
    heading = main.find(".//h1")
    if heading is not None:  # it becomes the page's <h1>, keeping its id (aria-labelledby)
        title = _text(heading) or title
        title_id = heading.get("id") or title_id
        heading.drop_tree()
    # The print contents list (with leaders and page numbers) is replaced by the page's own.
    sections_before = 0
    for nav in main.xpath(".//nav"):
        if _has_class(nav, "contents"):
            # Only numbered headings count (pack.css: the contents are not a section).
            sections_before += len(
                nav.xpath(
                    ".//h2[contains(concat(' ', normalize-space(@class), ' '), ' numbered ')]"
                )
            )
            nav.drop_tree()
    contents = _contents(main)
    _wrap_tables(main)
    inner = escape(main.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in main
    )
    return WebReport(
        title=title,
        title_id=title_id,
        contents=contents,
        body=mark_safe(inner),
        sections_before=sections_before,
    )
