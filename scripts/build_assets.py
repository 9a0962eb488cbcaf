"""Copy the front-end packages installed by `npm ci` into static/vendor.

There is no bundler: the NHS.UK frontend ships compiled CSS and an ES module, htmx ships one
file, axe-core is used only by the browser tests. This script copies exactly what the
templates load, so `static/vendor` (git-ignored) is reproducible from package-lock.json.
Each file comes with the source map it names (`sourceMappingURL`): production's manifest
storage rewrites that reference to the map's hashed name, and refuses to collect a file whose
map is missing (issue 12).

Fonts come only from the portal (issue 13). The NHS.UK frontend's CSS loads the licensed
Frutiger font from assets.nhs.uk; the font is not in the npm package, and a browser on a
locked-down NHS network should not have to reach another host for it. The build blanks those
@font-face rules, so the browser uses the stylesheet's fallback, Arial (the NHS identity's
digital fallback). An organisation that holds a Frutiger web-font licence can put its files
(FrutigerLTW01-55Roman.woff2 and FrutigerLTW01-65Bold.woff2, or the .woff ones) in
static/fonts/ before the build: the rules are then pointed at those files, served by the
portal like any static file. The build fails if the CSS still names another host.
"""

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"
SOURCE_MAP = re.compile(rb"[#@] sourceMappingURL=([^\s*'\"]+)")
# An organisation's licensed web fonts (git-ignored: the licence does not allow publishing them).
FONTS = ROOT / "static" / "fonts"
FONT_FACE = re.compile(rb"@font-face\s*\{[^}]*\}")
FONT_SOURCE = re.compile(
    rb"url\(\s*['\"]?([^)'\"]+?)['\"]?\s*\)\s*format\(\s*['\"]?([\w-]+)['\"]?\s*\)"
)
# url(...) naming a host: http(s)://, or protocol-relative //host.
EXTERNAL_URL = re.compile(rb"url\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def _same_length(text: bytes, length: int) -> bytes:
    """`text` padded with spaces to `length` bytes, so the source map's columns still hold."""
    return text + b" " * (length - len(text)) if len(text) <= length else text


def local_fonts(css: bytes, fonts: Path, relative: str) -> bytes:
    """The CSS with every @font-face rule that loads from another host either pointed at the
    same files in `fonts` (reached as `relative` from the stylesheet), when any are there, or
    blanked. Other rules are left as they are."""

    def rewrite(match: re.Match) -> bytes:
        rule = match.group(0)
        sources = FONT_SOURCE.findall(rule)
        if not EXTERNAL_URL.search(rule):
            return rule
        here = [
            (Path(url.decode()).name, fmt.decode())
            for url, fmt in sources
            if (fonts / Path(url.decode()).name).is_file()
        ]
        if not here:
            return _same_length(b"", len(rule))
        src = ",".join(f'url({relative}/{name}) format("{fmt}")' for name, fmt in here)
        return _same_length(re.sub(rb"src:[^;}]*", b"src:" + src.encode(), rule), len(rule))

    css = FONT_FACE.sub(rewrite, css)
    if EXTERNAL_URL.search(css):
        raise SystemExit("The NHS.UK frontend's CSS still loads something from another host.")
    return css


def copy(source: Path, target: Path) -> None:
    """Copy one file and the source map it references (a relative file name, not a data: URL)."""
    shutil.copy(source, target)
    for name in SOURCE_MAP.findall(source.read_bytes()):
        name = name.decode()
        if ":" in name or name.startswith("/"):
            continue
        source_map = source.parent / name
        if not source_map.is_file():
            raise SystemExit(f"{source} names the source map {name}, which is not there.")
        shutil.copy(source_map, target.parent / name)


def main() -> int:
    nhsuk = NODE / "nhsuk-frontend" / "dist" / "nhsuk"
    if not nhsuk.exists():
        print("node_modules is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    (VENDOR / "nhsuk").mkdir(parents=True)
    css = VENDOR / "nhsuk" / "nhsuk-frontend.min.css"
    copy(nhsuk / "nhsuk-frontend.min.css", css)
    css.write_bytes(local_fonts(css.read_bytes(), FONTS, "../../fonts"))
    copy(nhsuk / "nhsuk-frontend.min.js", VENDOR / "nhsuk" / "nhsuk-frontend.min.js")
    shutil.copytree(nhsuk / "assets", VENDOR / "nhsuk" / "assets")
    copy(NODE / "htmx.org" / "dist" / "htmx.min.js", VENDOR / "htmx.min.js")
    axe = NODE / "axe-core" / "axe.min.js"
    if axe.exists():  # a dev dependency: absent from a production build (npm ci --omit=dev)
        copy(axe, VENDOR / "axe.min.js")
    versions = {
        name: json.loads((NODE / name / "package.json").read_text())["version"]
        for name in ("nhsuk-frontend", "htmx.org", "axe-core")
        if (NODE / name).exists()
    }
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    print("Built static/vendor:", ", ".join(f"{k} {v}" for k, v in versions.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
