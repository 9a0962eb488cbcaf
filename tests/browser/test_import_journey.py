"""Governance imports the example workstream file: the first upload has one deliberate error,
the preview shows it and imports nothing; the corrected file previews cleanly and is imported.
Then governance downloads the BAF risk register, which opens in openpyxl with the scores
written "12 4x3 Amber" and their cells filled with the band colour. Runs on the demo data."""

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ics_portal.models import AuditEvent
from risks.matrix import colour_style
from workstreams.models import Workstream

from ..dataio.support import example
from .conftest import axe_violations, sign_in


@pytest.fixture
def workstream_files(tmp_path, settings):
    """The example file as shipped, and a copy with risk 99 (which does not exist) given to
    DIRECTION & ENGAGEMENT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    good = tmp_path / "06-workstreams.xlsx"
    good.write_bytes(example("workstreams").read_bytes())
    book = load_workbook(good)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, 1).value == "DE"
    sheet.cell(2, header.index("BAF risks") + 1).value = "07; 09; 17; 99"
    bad = tmp_path / "workstreams-with-an-error.xlsx"
    book.save(bad)
    return good, bad


def test_governance_imports_the_workstream_file_and_downloads_the_register(
    demo_data, workstream_files, live_server, page, screenshot, tmp_path
):
    good, bad = workstream_files
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.get_by_role("link", name="Import and export").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Import and export"
    assert axe_violations(page) == []

    # The file with an error: the preview lists it by row and column and imports nothing.
    page.get_by_role("radio", name="Workstreams", exact=True).check()
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Check your import"
    errors = page.locator("#import-errors li").all_inner_texts()
    assert errors == ['Row 2, BAF risks: "99" is not the reference of a BAF risk']
    assert page.get_by_role("button", name="Import").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "import-preview-with-error")
    assert not Workstream.objects.get(code="DE").baf_risks.filter(reference="99").exists()

    # The corrected file, uploaded from the preview page: what changes, then import it.
    page.get_by_role("radio", name="Workstreams", exact=True).check()
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#import-errors").count() == 0
    assert page.locator("#import-summary").inner_text() == "0 to create, 3 to change, 27 unchanged"
    changes = page.locator("#to-change tbody tr").all_inner_texts()
    assert any("DE – DIRECTION & ENGAGEMENT" in row and "Leads" in row for row in changes)
    assert axe_violations(page) == []
    screenshot(page, "import-preview-clean")
    page.get_by_role("button", name="Import 3 rows").click()
    page.wait_for_load_state("networkidle")
    banner = page.locator(".nhsuk-notification-banner").inner_text()
    assert (
        "Workstreams imported from 06-workstreams.xlsx: 0 created, 3 changed, 27 unchanged"
        in banner
    )
    screenshot(page, "import-done")
    # The example file does not list the demo lead, so DE is led by Jan Thomas alone again.
    leads = Workstream.objects.get(code="DE").leads.values_list("email", flat=True)
    assert list(leads) == ["jan.thomas@example.nhs.uk"]
    assert AuditEvent.objects.filter(verb="data.import").count() == 1

    # The import ran in the task worker and its page said how it ended; the register's download
    # is back on the import page. It downloads and opens in Excel's shape.
    page.goto(live_server.url + reverse("dataio:index"))
    with page.expect_download() as info:
        page.get_by_role("link", name="BAF risk register (Excel)").click()
    download = info.value
    assert download.suggested_filename.startswith("baf-risk-register-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    assert rows["07"][1].value == "Change and uncertainty strain system relationships"
    assert [c.value for c in rows["07"][2:5]] == ["12 4x3 Amber", "12 4x3 Amber", "6 2x3 Yellow"]
    amber, yellow = (colour_style(c).fill.lstrip("#").upper() for c in ("amber", "yellow"))
    assert rows["07"][3].fill.fgColor.rgb.endswith(amber)
    assert rows["07"][4].fill.fgColor.rgb.endswith(yellow)
    assert "Stakeholder management" in rows  # the category heading rows
