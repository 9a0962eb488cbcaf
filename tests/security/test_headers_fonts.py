"""Fonts from the portal's own static files (issue 13): the built NHS.UK frontend CSS loads
nothing from another host (its Frutiger rules pointed at assets.nhs.uk), an organisation's
licensed font files are served locally when it supplies them, and no page the portal renders
makes the browser fetch anything from another host."""

import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "static" / "vendor" / "nhsuk" / "nhsuk-frontend.min.css"
ORIGINAL = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "nhsuk-frontend.min.css"
URL_IN_CSS = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^)'"\s]+)""")
ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def _build_assets():
    spec = importlib.util.spec_from_file_location("build_assets", ROOT / "scripts/build_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def external(urls) -> list[str]:
    """The URLs that name a host (http:, https:, //host); data: URLs and paths are the page's
    own."""
    return [u for u in urls if ABSOLUTE.match(u.strip())]


def test_the_built_frontend_css_names_no_other_host():
    if not BUILT.exists():
        pytest.fail("static/vendor is not built: run `make assets` (npm ci + build_assets.py)")
    css = BUILT.read_text()
    assert "assets.nhs.uk" not in css
    assert external(URL_IN_CSS.findall(css)) == []
    # Still the NHS.UK frontend, with Arial as the font the browser falls back to.
    assert "Frutiger W01,arial,sans-serif" in css


def test_the_build_keeps_every_other_byte_where_the_source_map_says():
    """The font rules are blanked, not cut out, so the source map (copied as it is) still
    points at the right columns."""
    original, built = ORIGINAL.read_bytes(), BUILT.read_bytes()
    rules = re.compile(rb"@font-face\{[^}]*\}")
    assert rules.search(original), "the NHS.UK frontend has @font-face rules to blank"
    assert built == rules.sub(lambda rule: b" " * len(rule.group(0)), original)
    assert (BUILT.parent / "nhsuk-frontend.min.css.map").is_file()


def test_licensed_fonts_supplied_by_the_organisation_are_served_locally(tmp_path):
    build = _build_assets()
    css = ORIGINAL.read_bytes()
    (tmp_path / "FrutigerLTW01-55Roman.woff2").write_bytes(b"wOF2")
    (tmp_path / "FrutigerLTW01-65Bold.woff2").write_bytes(b"wOF2")
    built = build.local_fonts(css, tmp_path, "../../fonts").decode()
    assert "assets.nhs.uk" not in built
    faces = re.findall(r"@font-face\{[^}]*\}", built)
    assert len(faces) == 2
    assert 'src:url(../../fonts/FrutigerLTW01-55Roman.woff2) format("woff2")' in faces[0]
    assert 'src:url(../../fonts/FrutigerLTW01-65Bold.woff2) format("woff2")' in faces[1]
    assert "font-weight:600" in faces[1]
    # Without the files the rules go, and the build refuses CSS that still names a host.
    assert "@font-face" not in build.local_fonts(css, tmp_path / "none", "../../fonts").decode()
    with pytest.raises(SystemExit):
        build.local_fonts(b"a{background:url(https://example.org/x.png)}", tmp_path, "x")


class Resources(HTMLParser):
    """What a browser fetches for a page: stylesheets, scripts, images, frames, media, icons,
    form targets and inline style URLs (links people follow are not fetched)."""

    FETCHED = {
        "link": "href",
        "script": "src",
        "img": "src",
        "iframe": "src",
        "frame": "src",
        "source": "src",
        "video": "src",
        "audio": "src",
        "embed": "src",
        "object": "data",
        "form": "action",
        "input": "src",
    }

    def __init__(self):
        super().__init__()
        self.urls, self.stylesheets = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        wanted = self.FETCHED.get(tag)
        if wanted and attrs.get(wanted):
            self.urls.append(attrs[wanted])
            if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
                self.stylesheets.append(attrs[wanted])
        for name in ("srcset", "poster"):
            if attrs.get(name):
                self.urls.extend(part.split()[0] for part in attrs[name].split(","))
        if attrs.get("style"):
            self.urls.extend(URL_IN_CSS.findall(attrs["style"]))


def _fetched_by(html: str) -> list[str]:
    parser = Resources()
    parser.feed(html)
    urls = list(parser.urls)
    urls += URL_IN_CSS.findall(" ".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)))
    for href in parser.stylesheets:
        path = finders.find(href.removeprefix("/static/").split("?")[0])
        assert path, f"{href} is not one of the portal's static files"
        urls += URL_IN_CSS.findall(Path(path).read_text())
    return urls


@pytest.mark.parametrize("who", ["anonymous", "governance"])
def test_a_rendered_page_makes_the_browser_fetch_nothing_from_another_host(who, governance, plan):
    client = Client()
    pages = [reverse("login"), reverse("packs:published_list")]
    if who == "governance":
        client.force_login(governance)
        update = plan.workstream.updates.get(cycle=plan.cycle)
        pages = [reverse("home"), update.get_absolute_url() + "edit/", reverse("dataio:index")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        urls = _fetched_by(response.content.decode())
        assert any(u.endswith("nhsuk-frontend.min.css") for u in urls), page
        assert external(urls) == [], page
