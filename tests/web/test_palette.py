"""One palette (ics_portal/palette.py): every status and workflow-state colour on pages, in
Excel and in the board pack comes from it, so "Approved" is one colour everywhere."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from dataio import exporters
from ics_portal import palette
from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.templatetags.portal import status_tag, workflow_tag
from packs.render import render_pack_html

from .. import factories

BASE = Path(settings.BASE_DIR)
PALETTE_CSS = BASE / "static" / "portal" / "palette.css"


def test_palette_css_is_generated_from_the_palette_module():
    assert PALETTE_CSS.read_text() == palette.stylesheet()
    call_command("write_palette_css", "--check")


def test_the_check_fails_when_palette_css_was_edited_by_hand(monkeypatch, tmp_path):
    from ics_portal.management.commands import write_palette_css

    edited = tmp_path / "palette.css"
    edited.write_text(palette.stylesheet().replace("#007f3b", "#00ff00"))
    monkeypatch.setattr(write_palette_css, "PALETTE_CSS", edited)
    with pytest.raises(CommandError, match="write_palette_css"):
        call_command("write_palette_css", "--check")


def test_pages_link_the_palette(client, governance):
    client.force_login(governance)
    assert 'href="/static/portal/palette.css"' in client.get("/").content.decode()


@pytest.mark.parametrize("state", list(WorkflowState))
def test_a_workflow_state_is_one_colour_in_its_tag_and_its_bar(state):
    key = palette.WORKFLOW_STATE_COLOURS[state.value]
    assert f"nhsuk-tag--{palette.colour(key).tag}" in workflow_tag(state.value)
    rule = f".app-progress__segment--{state.value.lower()} {{ fill: var(--app-colour-{key}); }}"
    assert rule in palette.stylesheet()


def test_approved_is_green_on_pages_and_in_bars():
    green = palette.COLOURS["green"]
    assert palette.WORKFLOW_STATE_COLOURS["APPROVED"] == "green"
    assert "nhsuk-tag--green" in workflow_tag("APPROVED")
    assert f"--app-colour-green: {green.fill};" in palette.stylesheet()
    assert ".app-progress__segment--approved { fill: var(--app-colour-green); }" in (
        palette.stylesheet()
    )


def test_no_other_stylesheet_colours_statuses_or_states():
    for path in [
        BASE / "static/portal/portal.css",
        BASE / "reporting/static/reporting/reporting.css",
        BASE / "risks/static/risks/risks.css",
        BASE / "templates/packs/pack.css",
    ]:
        text = path.read_text()
        assert "app-progress__segment--" not in text, path
        assert not re.search(r"\.(tag|cell)--[a-z-]+\s*\{", text), path


@pytest.mark.parametrize(
    "path",
    [
        "ics_portal/status.py",
        "reporting/numbers.py",
        "packs/templatetags/portal_pack.py",
        "ics_portal/templatetags/portal.py",
        "dataio/exporters.py",
        "risks/matrix.py",
    ],
)
def test_colour_values_are_written_only_in_the_palette(path):
    assert not re.findall(r"#?\b[0-9a-fA-F]{6}\b", (BASE / path).read_text())


def test_status_tags_on_pages_take_the_palettes_modifier():
    for status in DeliveryStatus:
        key = palette.DELIVERY_STATUS_COLOURS[status.value]
        assert f"nhsuk-tag--{palette.colour(key).tag} " in status_tag(status.value)
    assert "nhsuk-tag--orange" in status_tag("AT_RISK")  # amber, as NHS.UK names it
    assert f"nhsuk-tag--{palette.colour(palette.NO_STATUS_COLOUR).tag}" in status_tag("")


def test_excel_and_the_pack_draw_on_track_with_the_palettes_green(db, governance):
    green = palette.COLOURS["green"]
    cycle = factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)
    factories.WorkstreamUpdateFactory(
        cycle=cycle,
        overall_status=DeliveryStatus.ON_TRACK,
        state=WorkflowState.APPROVED,
        approved_by=governance,
        approved_at="2021-09-27T12:00:00Z",
    )
    book = load_workbook(io.BytesIO(exporters.export("cycle-return", cycle=cycle).content))
    summary = book["Summary"]
    header = next(row for row in summary.iter_rows() if row[0].value == "Theme")
    on_track = next(cell for cell in header if cell.value == "On track")
    assert on_track.fill.fgColor.rgb[-6:].upper() == green.fill.lstrip("#").upper()

    html = render_pack_html(factories.BoardPackFactory(cycle=cycle, sections=["summary"]))
    assert f'fill="{green.fill}"' in html  # the status bar's On track segment
    assert f".tag--green {{ color: {green.ink}; border-color: {green.fill};" in html
