"""Rich text: what leads may write, and the allow-list every save is cleaned with.

The editor (django-prose-editor) offers exactly the features below, and `sanitise_html` keeps
exactly the tags they produce, so what a lead sees in the editor is what the page and the PDF
show. A `<script>`, an `onerror=` attribute or a `javascript:` URL never survives a save.
"""

import re
from html.parser import HTMLParser

import nh3
from django_prose_editor.fields import ProseEditorField

EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Superscript": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "u",
    "sup",
    "a",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)
_EMPTY = re.compile(r"^\s*(<p>\s*(<br\s*/?>)?\s*</p>\s*)*$")
# Bullets typed by hand in Word ("• ", "➤ ") at the start of a list item or paragraph.
_TYPED_BULLET = re.compile(r"(<(?:li|p)>)\s*(?:[•●◦▪➤➢\u2022\u25aa\u25cf]|o\s)\s*")


def sanitise_html(html: str | None) -> str:
    """Clean HTML to the allow-list; an editor's empty paragraph becomes ""."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html)
    cleaned = _TYPED_BULLET.sub(r"\1", cleaned)
    return "" if _EMPTY.match(cleaned) else cleaned.strip()


def html_to_text(html: str | None) -> str:
    """Plain text of rich text, for comparisons, CSV exports and diffs.

    Each paragraph, line break, list item and table row starts a line; a nested list item is
    indented two spaces a level; table cells are separated by " | ". Entities are read once,
    so "&amp;lt;" (a lead who typed "&lt;") stays "&lt;". Spacing within a line is the page's:
    runs of spaces and source line breaks are one space.
    """
    if not html:
        return ""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.lines)


class _TextParser(HTMLParser):
    """The lines of text of an HTML fragment (see html_to_text)."""

    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre"}
    SKIPPED = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)  # entities are unescaped here, once
        self.lines: list[str] = []
        self._words: list[str] = []
        self._lists = 0  # how many lists the text is in
        self._items: list[int] = []  # the list depth of each open list item
        self._cells = 0  # cells begun in the current table row
        self._skipping = 0

    def _end_line(self) -> None:
        text = " ".join("".join(self._words).split())
        self._words = []
        if text:
            indent = "  " * (self._items[-1] - 1) if self._items else ""
            self.lines.append(indent + text)

    def _close_items(self, depth: int) -> None:
        """Close list items left open at `depth` or deeper (HTML may omit </li>)."""
        while self._items and self._items[-1] >= depth:
            self._items.pop()

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1
        elif tag == "br" or tag in self.BLOCKS:
            self._end_line()
        elif tag in ("ul", "ol"):
            self._end_line()
            self._lists += 1
        elif tag == "li":
            self._end_line()
            depth = max(self._lists, 1)
            self._close_items(depth)
            self._items.append(depth)
        elif tag == "tr":
            self._end_line()
            self._cells = 0
        elif tag in ("td", "th"):
            if self._cells:
                self._words.append(" | ")
            self._cells += 1

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in self.BLOCKS or tag == "tr":
            self._end_line()
        elif tag == "li":
            self._end_line()
            if self._items:
                self._items.pop()
        elif tag in ("ul", "ol"):
            self._end_line()
            if self._lists:
                self._close_items(self._lists)
                self._lists -= 1

    def handle_data(self, data):
        if not self._skipping:
            self._words.append(data)

    def parse_marked_section(self, i, report=1):
        # "<![foo[" is not a section HTMLParser knows: it raises AssertionError. Skip it as the
        # browser would skip a bogus comment.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return len(self.rawdata) if end < 0 else end + 1

    def close(self):
        super().close()
        self._end_line()


class RichTextField(ProseEditorField):
    """A text field holding sanitised HTML, edited with the prose editor.

    Sanitises in `pre_save` as well as in form cleaning, so text written by an action, an
    import or the admin is cleaned too.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs["config"] = {"extensions": EDITOR_EXTENSIONS}
        kwargs["sanitize"] = sanitise_html
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitise_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


def media_with_nonce(media, request):
    """Form media with the request's CSP nonce on its inline import map (the editor's), so it
    runs under a policy without 'unsafe-inline' (ADR 0004). Used by the `form_media` tag and
    the admin."""
    # django-csp's lazy nonce is falsy until read, so read it as a string.
    nonce = str(getattr(request, "csp_nonce", "")) if request is not None else ""
    if nonce and hasattr(media, "with_nonce"):
        return media.with_nonce(nonce)
    return media
