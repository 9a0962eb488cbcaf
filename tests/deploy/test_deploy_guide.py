"""docs/deploy.md is the IT team's one reference: every variable the settings or gunicorn's
configuration read is in it, and every command it tells them to run exists."""

import re
from pathlib import Path

import django_rq
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "deploy.md").read_text()
READS = re.compile(
    r"""(?:\benv(?:_bool|_int|_float|_list|_addresses)?\(|os\.environ(?:\.get)?[\[(]|environ\.get\(|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read(path: Path) -> set[str]:
    return set(READS.findall(path.read_text()))


def documented() -> set[str]:
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", GUIDE))


def test_every_setting_the_portal_reads_is_in_the_guide():
    read = variables_read(ROOT / "ics_portal" / "settings.py")
    assert {"SECRET_KEY", "DATABASE_URL", "FILE_STORAGE", "TASK_BACKEND"} <= read  # the scan works
    assert sorted(read - documented()) == []


def test_every_gunicorn_setting_is_in_the_guide():
    # gunicorn.conf.py reads its variables through small helpers: every upper-case name
    # quoted in it is one.
    read = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', (ROOT / "gunicorn.conf.py").read_text()))
    assert "WEB_CONCURRENCY" in read
    assert sorted(read - documented()) == []


def test_every_manage_py_command_the_guide_names_exists():
    named = set(re.findall(r"manage\.py ([a-z_]+)", GUIDE))
    assert {"task_worker", "migrate", "createsuperuser", "verify_packs"} <= named
    # django-rq's commands exist when TASK_BACKEND=rq installs it (the suite's backend is
    # another); the guide marks them "rq:".
    rq_commands = {
        path.stem
        for path in (Path(django_rq.__file__).parent / "management" / "commands").glob("*.py")
    }
    assert sorted(named - set(get_commands()) - rq_commands) == []


def test_every_script_the_guide_names_exists():
    named = set(re.findall(r"\bscripts/[\w/.-]+\.(?:sh|py)", GUIDE))
    assert named
    assert sorted(name for name in named if not (ROOT / name).exists()) == []
