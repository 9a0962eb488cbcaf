"""Copy the front-end packages installed by `npm ci` into static/vendor.

There is no bundler: the NHS.UK frontend ships compiled CSS and an ES module, htmx ships one
file, axe-core is used only by the browser tests. This script copies exactly what the
templates load, so `static/vendor` (git-ignored) is reproducible from package-lock.json.
Each file comes with the source map it names (`sourceMappingURL`): production's manifest
storage rewrites that reference to the map's hashed name, and refuses to collect a file whose
map is missing (issue 12).
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
    copy(nhsuk / "nhsuk-frontend.min.css", VENDOR / "nhsuk" / "nhsuk-frontend.min.css")
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
