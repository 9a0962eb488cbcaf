"""The production static build: `collectstatic` with whitenoise's manifest storage, as the
image and a VM install run it (DEBUG off). The tests elsewhere swap the storage for the plain
one, so without this a missing file referenced by a vendored asset (a source map) passed CI and
turned every production page into a 500 (issue 12)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR_CSS = "vendor/nhsuk/nhsuk-frontend.min.css"


@pytest.fixture(scope="module")
def collectstatic(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """A production `collectstatic` into a fresh STATIC_ROOT: its run and the folder."""
    if not (ROOT / "static" / "vendor" / "nhsuk").is_dir():
        pytest.fail("static/vendor is not built: run `make assets` (npm ci + build_assets.py)")
    static_root = tmp_path_factory.mktemp("staticfiles")
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={
            **keep,
            "DEBUG": "0",
            "SECRET_KEY": "collectstatic-test-only-" + "x" * 40,
            "ALLOWED_HOSTS": "portal.example.nhs.uk",
            "STATIC_ROOT": str(static_root),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result, static_root


def succeeded(collectstatic) -> Path:
    result, static_root = collectstatic
    assert result.returncode == 0, f"collectstatic failed:\n{result.stderr[-3000:]}"
    return static_root


def manifest(static_root: Path) -> dict[str, str]:
    return json.loads((static_root / "staticfiles.json").read_text())["paths"]


def test_collectstatic_succeeds_with_the_manifest_storage(collectstatic):
    collected = succeeded(collectstatic)
    paths = manifest(collected)
    assert VENDOR_CSS in paths
    assert "portal/palette.css" in paths


def test_vendored_assets_are_hashed_and_compressed(collectstatic):
    collected = succeeded(collectstatic)
    hashed = manifest(collected)[VENDOR_CSS]
    assert re.fullmatch(r"vendor/nhsuk/nhsuk-frontend\.min\.[0-9a-f]{12}\.css", hashed), hashed
    assert (collected / hashed).is_file()
    assert (collected / f"{hashed}.gz").is_file()
    try:
        import brotli  # noqa: F401  whitenoise writes .br files only when it is installed
    except ImportError:
        pass
    else:
        assert (collected / f"{hashed}.br").is_file()


def test_source_maps_are_collected_next_to_the_files_that_name_them(collectstatic):
    """The CSS reference is rewritten to the map's hashed name; Django leaves a JS one that is
    not at the start of a line as it is, so the map must be there under its own name too."""
    collected = succeeded(collectstatic)
    paths = manifest(collected)
    for asset in (VENDOR_CSS, "vendor/nhsuk/nhsuk-frontend.min.js"):
        assert f"{asset}.map" in paths
        hashed = collected / paths[asset]
        named = re.findall(r"sourceMappingURL=(\S+?)(?:\s|\*/|$)", hashed.read_text())
        assert named, f"{asset} names no source map"
        assert (hashed.parent / named[-1]).is_file(), f"{asset} names {named[-1]}, not collected"
    css_map = Path(paths[f"{VENDOR_CSS}.map"]).name
    assert f"sourceMappingURL={css_map}" in (collected / paths[VENDOR_CSS]).read_text()
