"""The rich-text sanitiser and its plain text (ics_portal/richtext.py) on any input: the
sanitiser keeps only the allow-list, and the text is what was typed, read once, line by
line."""

import html
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from ics_portal.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, html_to_text, sanitise_html

# Markup people paste from Word and the web, and some that is not markup at all.
_PIECES = [
    "<p>",
    "</p>",
    "<br>",
    "<ul>",
    "</ul>",
    "<ol>",
    "</ol>",
    "<li>",
    "</li>",
    "<strong>",
    "</strong>",
    "<table><tr><td>",
    "</td><td>",
    "</td></tr></table>",
    '<a href="javascript:alert(1)">',
    '<a href="https://example.nhs.uk" onclick="x()">',
    "</a>",
    "<script>alert(1)</script>",
    "<style>p{}</style>",
    '<img src=x onerror="alert(1)">',
    "<!-- comment -->",
    "<![CDATA[x]]>",
    "<![foo[",
    "<!doctype html>",
    "&amp;",
    "&lt;tag&gt;",
    "&amp;lt;",
    "&nbsp;",
    "&#0;",
    "&#x110000;",
    "&bogus;",
    "<",
    ">",
    "&",
    "• ",
    "o ",
    "\n",
    "  ",
    "Word",
]
markup = st.one_of(
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=20).map("".join),
    st.text(),
)
# What a person types: any printable text (controls other than spaces and line breaks are
# not typed).
typed = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from(" \t\n\r"),
    max_size=40,
)
words = st.from_regex(r"[A-Za-z][A-Za-z ,.&<>']{0,15}[A-Za-z.]", fullmatch=True)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _elements(fragment: str) -> list:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser.found


@settings(max_examples=200)
@given(dirty=markup)
def test_the_sanitiser_keeps_only_the_allow_list(dirty):
    clean = sanitise_html(dirty)
    assert isinstance(clean, str)
    for tag, attrs in _elements(clean):
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        href = re.sub(r"\s", "", attrs.get("href") or "").lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:"))


@settings(max_examples=200)
@given(dirty=markup)
def test_plain_text_of_anything_is_tidy_lines(dirty):
    text = html_to_text(dirty)
    for line in text.split("\n") if text else []:
        # Indented by two spaces a list level, no other space at either end, never empty.
        assert re.fullmatch(r"(  )*\S(.*\S)?", line, flags=re.S), repr(line)


@settings(max_examples=200)
@given(text=typed)
def test_escaped_text_reads_back_once(text):
    """What a lead typed (escaped by the editor) comes back as typed, entities included:
    "&lt;tag&gt;" stays "&lt;tag&gt;", and "<tag>" stays text."""
    assert html_to_text(f"<p>{html.escape(text)}</p>") == " ".join(text.split())


# The sanitiser drops a bullet typed by hand at the start of a paragraph ("• ", "o ").
_TYPED_BULLET = re.compile(r"\s*(?:[•●◦▪➤➢]|o\s)")


@settings(max_examples=200)
@given(text=typed.filter(lambda text: not _TYPED_BULLET.match(text)))
def test_typed_markup_stays_text_once_sanitised(text):
    """A paragraph of typed text, whatever it says ("<script>", "<b>", "&lt;"), is still one
    paragraph of that text after sanitising: nothing typed becomes a tag."""
    clean = sanitise_html(f"<p>{html.escape(text)}</p>")
    assert {tag for tag, _ in _elements(clean)} <= {"p"}
    assert html_to_text(clean) == " ".join(text.split())


# An item's words, but not ones that start like a bullet typed by hand ("o A"): the sanitiser
# removes those on purpose (tested above).
_item_words = words.filter(lambda text: not _TYPED_BULLET.match(text))
_tree = st.recursive(
    st.builds(lambda w: (w, []), _item_words),
    lambda children: st.builds(
        lambda w, kids: (w, kids), _item_words, st.lists(children, max_size=3)
    ),
    max_leaves=12,
)


def _render(items, tag) -> str:
    return (
        f"<{tag}>"
        + "".join(
            f"<li>{html.escape(text)}{_render(kids, tag) if kids else ''}</li>"
            for text, kids in items
        )
        + f"</{tag}>"
    )


def _expected(items, depth=0) -> list[str]:
    lines = []
    for text, kids in items:
        lines.append("  " * depth + " ".join(text.split()))
        lines += _expected(kids, depth + 1)
    return lines


@settings(max_examples=150)
@given(items=st.lists(_tree, min_size=1, max_size=3), tag=st.sampled_from(["ul", "ol"]))
def test_nested_list_items_are_lines_indented_by_level(items, tag):
    assert html_to_text(_render(items, tag)).split("\n") == _expected(items)
    assert html_to_text(sanitise_html(_render(items, tag))).split("\n") == _expected(items)
