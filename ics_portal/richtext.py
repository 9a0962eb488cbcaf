"""Rich text: what leads may write, and the allow-list every save is cleaned with.

The editor (django-prose-editor) offers exactly the features below, and `sanitise_html` keeps
exactly the tags they produce, so what a lead sees in the editor is what the page and the PDF
show. A `<script>`, an `onerror=` attribute or a `javascript:` URL never survives a save.
"""

import re

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
    """Plain text of rich text, for comparisons, CSV exports and diffs."""
    if not html:
        return ""
    text = re.sub(r"<(?:br|/p|/li|/tr|/h\d)\s*/?>", "\n", html)
    text = nh3.clean(text, tags=set())
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<")
    text = text.replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


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
