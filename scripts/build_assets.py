"""Copy the front-end packages installed by `npm ci` into static/vendor.

There is no bundler: the NHS.UK frontend ships compiled CSS and an ES module, htmx ships one
file, axe-core is used only by the browser tests. This script copies exactly what the
templates load, so `static/vendor` (git-ignored) is reproducible from package-lock.json.
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"


def main() -> int:
    nhsuk = NODE / "nhsuk-frontend" / "dist" / "nhsuk"
    if not nhsuk.exists():
        print("node_modules is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    (VENDOR / "nhsuk").mkdir(parents=True)
    shutil.copy(nhsuk / "nhsuk-frontend.min.css", VENDOR / "nhsuk" / "nhsuk-frontend.min.css")
    shutil.copy(nhsuk / "nhsuk-frontend.min.js", VENDOR / "nhsuk" / "nhsuk-frontend.min.js")
    shutil.copytree(nhsuk / "assets", VENDOR / "nhsuk" / "assets")
    shutil.copy(NODE / "htmx.org" / "dist" / "htmx.min.js", VENDOR / "htmx.min.js")
    axe = NODE / "axe-core" / "axe.min.js"
    if axe.exists():
        shutil.copy(axe, VENDOR / "axe.min.js")
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
