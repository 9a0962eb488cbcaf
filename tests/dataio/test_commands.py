"""`manage.py import_data` (a dry run unless --commit) and `manage.py export_data`: what they
print, what they write, and their exit codes."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from ics_portal.models import AuditEvent
from risks.models import BAFRisk
from tests import factories
from workstreams.models import Theme

from .support import csv_bytes, example, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
THEMES = [["Number", "Name"], [1, "Direction & Engagement"], [2, "Digital"]]


def call(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_is_a_dry_run_by_default(tmp_path, db):
    path = tmp_path / "themes.xlsx"
    path.write_bytes(xlsx_bytes(THEMES))
    out, _ = call("import_data", "themes", str(path))
    assert "Themes from themes.xlsx (dry run, nothing written)" in out
    assert "  create  row 2: Direction & Engagement" in out
    assert "2 to create, 0 to change, 0 unchanged" in out
    assert "Run again with --commit to import." in out
    assert not Theme.objects.exists()


def test_import_commit_writes_and_is_audited_as_the_named_person(tmp_path, governance):
    path = tmp_path / "themes.csv"
    path.write_bytes(csv_bytes(THEMES))
    out, _ = call("import_data", "themes", str(path), "--commit", "--by", governance.email)
    assert "2 created, 0 changed, 0 unchanged" in out
    assert Theme.objects.count() == 2
    assert AuditEvent.objects.get(verb="data.import").actor_id == governance.pk
    out, _ = call("import_data", "themes", str(path), "--commit")
    assert "0 created, 0 changed, 2 unchanged" in out


def test_row_errors_exit_1_and_write_nothing(tmp_path, db):
    path = tmp_path / "themes.csv"
    path.write_bytes(csv_bytes([*THEMES, ["three", "Finance"]]))
    with pytest.raises(CommandError) as raised:
        call("import_data", "themes", str(path), "--commit")
    assert raised.value.returncode == 1
    assert str(raised.value) == "1 problem in themes.csv; nothing was imported."
    assert not Theme.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("themes.pdf", b"%PDF", "is not a file the portal can import"),
        ("themes.csv", b"", "is empty"),
        ("themes.xlsx", b"PK\x03\x04 broken", "could not be read as an Excel workbook"),
    ],
)
def test_unreadable_files_exit_2(name, content, message, tmp_path, db):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as raised:
        call("import_data", "themes", str(path))
    assert raised.value.returncode == 2


def test_a_missing_file_or_unknown_person_exits_2(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read") as raised:
        call("import_data", "themes", str(tmp_path / "nowhere.xlsx"))
    assert raised.value.returncode == 2
    with pytest.raises(CommandError, match="No one in the portal has the email") as raised:
        call("import_data", "themes", str(example("themes")), "--by", "who@example.nhs.uk")
    assert raised.value.returncode == 2


def test_export_writes_the_register(tmp_path, db):
    factories.BAFRiskFactory(reference="07", current_likelihood=4, current_consequence=5)
    path = tmp_path / "register.xlsx"
    out, _ = call("export_data", "risk-register", "--output", str(path))
    assert "Wrote baf risk register to" in out
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert any(r[0] == "07" and r[3] == "20 4x5 Red" for r in rows)


def test_export_a_cycle_return_by_quarter(tmp_path, db):
    factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)
    path = tmp_path / "return.xlsx"
    call("export_data", "cycle-return", "--cycle", "Q2 2021/22", "--output", str(path))
    assert load_workbook(path).sheetnames[0] == "Summary"
    with pytest.raises(CommandError, match="There is no Q4 2021/22 reporting cycle"):
        call("export_data", "cycle-return", "--cycle", "Q4 2021/22", "--output", str(path))


def test_export_refuses_a_format_the_kind_does_not_have(tmp_path, db):
    with pytest.raises(
        CommandError, match=r"written as \.xlsx; --output .*register\.csv ends in \.csv"
    ):
        call("export_data", "risk-register", "--output", str(tmp_path / "register.csv"))


def test_export_then_import_round_trips(tmp_path, plan):
    path = tmp_path / "workstreams.csv"
    call("export_data", "workstreams", "--output", str(path))
    out, _ = call("import_data", "workstreams", str(path))
    assert "0 to create, 0 to change, 1 unchanged" in out


def test_exit_codes_from_the_shell(tmp_path, db):
    """The process exit code, as a cron job or CI step sees it."""
    bad = tmp_path / "themes.csv"
    bad.write_bytes(csv_bytes([["Number", "Name"], ["x", "Theme"]]))
    unreadable = tmp_path / "themes.pdf"
    unreadable.write_bytes(b"%PDF")
    env_db = tmp_path / "cli.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{env_db}", "TESTING": "1", "PATH": "/usr/bin:/bin"}

    def manage(*args) -> int:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True
        ).returncode

    assert manage("migrate", "-v", "0") == 0
    assert manage("import_data", "organisations", str(example("organisations"))) == 0
    assert manage("import_data", "themes", str(example("themes"))) == 1  # leads not imported yet
    assert manage("import_data", "themes", str(bad)) == 1
    assert manage("import_data", "themes", str(unreadable)) == 2
    assert manage("export_data", "themes", "--output", str(tmp_path / "t.xlsx")) == 0
    assert BAFRisk.objects.count() == 0  # the test database was not touched
