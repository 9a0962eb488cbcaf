"""The board pack's layout and faithful structure (issue 11): the BAF lists follow the group of
workstreams they belong to, the register prints every control field, the heat map and status
bar carry their words, and in the PDF the cover, contents and numbering read as a board paper.
"""

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from ics_portal.status import DeliveryStatus, WorkflowState
from packs.content import build_pack_content
from packs.render import render_pack_html, render_pdf
from packs.templatetags.portal_pack import (
    contrast,
    heat_map_table,
    score_cell,
    severity_shade,
    status_chart,
)
from reporting.numbers import StatusCounts, StatusTable
from risks.actions import ensure_default_matrix
from risks.presenters import build_heat_map

from .. import factories

TITLES = [
    "Summary",
    "Golden threads",
    "Workstream progress by theme",
    "Board Assurance Framework risk register",
    "Milestones due and overdue",
]
LIST_HEADING = "Risks, issues and concerns (Board Assurance Framework is source document)"


@pytest.fixture
def cycle(db):
    return factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)


def _approved(cycle, workstream, risks=(), status=DeliveryStatus.ON_TRACK):
    update = factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=workstream,
        state=WorkflowState.APPROVED,
        approved_at=timezone.now(),
        approved_by=factories.UserFactory(),
        overall_status=status,
        forecast_status=status,
    )
    update.baf_risks.set(risks)
    return update


def _theme_with(cycle, name, risk_lists):
    """A theme whose workstreams, in order, report the given risk lists in approved updates."""
    theme = factories.ThemeFactory(name=name)
    for order, risks in enumerate(risk_lists, start=1):
        workstream = factories.WorkstreamFactory(theme=theme, order=order, name=f"{name} WS{order}")
        _approved(cycle, workstream, risks)
    return theme


def _pack(cycle, **fields):
    fields.setdefault("sections", ["summary", "golden_threads", "workstreams", "risk_register"])
    return factories.BoardPackFactory(cycle=cycle, **fields)


def _section(content, theme):
    return next(t for t in content.themes if t.theme == theme)


# --- the BAF lists follow their workstream group ---------------------------------------------


def test_each_workstream_with_its_own_risk_list_is_followed_by_that_list(cycle):
    r04, r09, r10, r11, r14 = (
        factories.BAFRiskFactory(reference=r) for r in ["04", "09", "10", "11", "14"]
    )
    theme = _theme_with(cycle, "System Roles", [[r10, r11], [r04, r09, r14], [r09, r14]])
    pack = _pack(cycle)

    section = _section(build_pack_content(cycle, pack), theme)

    assert [[w.workstream.name for w in g.workstreams] for g in section.groups] == [
        ["System Roles WS1"],
        ["System Roles WS2"],
        ["System Roles WS3"],
    ]
    assert [[r.reference for r in g.risks] for g in section.groups] == [
        ["10", "11"],
        ["04", "09", "14"],
        ["09", "14"],
    ]
    # In the pack, each list comes straight after its own workstream, before the next one.
    html = render_pack_html(pack)
    body = html[html.index('id="workstreams"') :]
    order = [
        body.index(text)
        for text in (
            "System Roles WS1",
            f"System Roles: {LIST_HEADING}",
            "<strong>10</strong>",
            "System Roles WS2",
            "<strong>04</strong>",
            "System Roles WS3",
        )
    ]
    assert order == sorted(order)
    assert body.count(f"System Roles: {LIST_HEADING}") == 3


def test_workstreams_sharing_a_risk_list_print_it_once_after_the_last_of_them(cycle):
    r01, r05 = factories.BAFRiskFactory(reference="01"), factories.BAFRiskFactory(reference="05")
    theme = _theme_with(cycle, "Leadership", [[r01, r05], [r01, r05], [r01, r05]])
    pack = _pack(cycle)

    section = _section(build_pack_content(cycle, pack), theme)

    assert len(section.groups) == 1
    assert len(section.groups[0].workstreams) == 3
    html = render_pack_html(pack)
    assert html.count(f"Leadership: {LIST_HEADING}") == 1
    assert html.index("Leadership WS3") < html.index(f"Leadership: {LIST_HEADING}")


def test_a_workstream_without_an_approved_update_lists_its_plans_risks(cycle):
    risk = factories.BAFRiskFactory(reference="07")
    workstream = factories.WorkstreamFactory(name="NOT YET IN")
    workstream.baf_risks.add(risk)

    section = _section(build_pack_content(cycle, _pack(cycle)), workstream.theme)

    assert section.groups[0].workstreams[0].missing
    assert [r.reference for r in section.groups[0].risks] == ["07"]


def test_a_risk_linked_only_to_the_theme_still_prints_after_its_workstreams(cycle):
    shared, theme_only = factories.BAFRiskFactory(reference="08"), factories.BAFRiskFactory()
    theme = _theme_with(cycle, "People", [[shared]])
    theme_only.themes.add(theme)

    section = _section(build_pack_content(cycle, _pack(cycle)), theme)

    assert [[r.reference for r in g.risks] for g in section.groups] == [
        ["08"],
        [theme_only.reference],
    ]
    assert section.groups[-1].workstreams == []


# --- the register ----------------------------------------------------------------------------


def test_the_register_prints_each_risks_controls_assurances_gaps_and_mitigating_actions(cycle):
    factories.BAFRiskFactory(
        reference="21",
        rationale="<p>RATIONALE-TEXT</p>",
        controls="<ul><li>CONTROLS-TEXT</li></ul>",
        assurances="<p>ASSURANCES-TEXT</p>",
        gaps_in_control="<p>GAPS-IN-CONTROL-TEXT</p>",
        gaps_in_assurance="<p>GAPS-IN-ASSURANCE-TEXT</p>",
        mitigating_actions="<p>MITIGATING-ACTIONS-TEXT</p>",
    )
    html = render_pack_html(_pack(cycle, sections=["risk_register"]))

    detail = html[html.index("Risk detail") :]
    for label, text in [
        ("Rationale for current score", "RATIONALE-TEXT"),
        ("Controls", "CONTROLS-TEXT"),
        ("Assurances", "ASSURANCES-TEXT"),
        ("Gaps in control", "GAPS-IN-CONTROL-TEXT"),
        ("Gaps in assurance", "GAPS-IN-ASSURANCE-TEXT"),
        ("Mitigating actions", "MITIGATING-ACTIONS-TEXT"),
    ]:
        assert re.search(
            rf'<th scope="row">{label}</th><td class="rich">.*?{text}', detail, re.S
        ), label


def test_an_empty_control_field_says_so_rather_than_vanishing(cycle):
    factories.BAFRiskFactory(mitigating_actions="")
    html = render_pack_html(_pack(cycle, sections=["risk_register"]))
    assert '<th scope="row">Mitigating actions</th><td class="rich">None recorded.' in html


# --- heat map and status bar -----------------------------------------------------------------


class _Cells(HTMLParser):
    """The heat map's body cells: their style and text."""

    def __init__(self):
        super().__init__()
        self.cells, self._in = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self.cells.append({"style": dict(attrs).get("style", ""), "text": []})
            self._in = True
        elif tag == "span" and self._in:
            self.cells[-1]["text"].append(("span", dict(attrs).get("class")))

    def handle_endtag(self, tag):
        if tag == "td":
            self._in = False

    def handle_data(self, data):
        if self._in and data.strip():
            self.cells[-1]["text"].append(data.strip())


def _luminance(hex_colour):
    # Contrast against black is (L + 0.05) / 0.05, so it orders colours by luminance.
    return contrast(hex_colour, "#000000")


def test_heat_map_cells_are_shaded_by_severity_with_their_band_word_and_blank_when_empty(db):
    matrix = ensure_default_matrix()
    risk = factories.BAFRiskFactory(reference="03")
    grid = build_heat_map([(4, 4, risk)], "current", matrix)

    parser = _Cells()
    parser.feed(heat_map_table(grid, "current"))
    cells = parser.cells

    assert len(cells) == 25
    bands = {b.name for b in matrix.bands.all()}
    for cell, heat in zip(cells, [c for row in grid.rows for c in row.cells], strict=True):
        words = [t for t in cell["text"] if isinstance(t, str)]
        assert f"{heat.score} {heat.band_name}" in words  # the band word in every cell
        assert heat.band_name in bands
        has_count = ("span", "count") in cell["text"]
        assert has_count == bool(heat.count)  # an empty cell shows no "0"
        background, ink = re.findall(r"#[0-9a-f]{6}", cell["style"])
        assert contrast(background, ink) >= 4.5, heat.band_name
        cell["background"], cell["band"] = background, heat.band
    filled = cells[5 + 3]  # likelihood 4 (second row), consequence 4
    assert "1" in filled["text"] and "03" in filled["text"]
    # Darker the more severe: each band's shade is no lighter than the band below it.
    shades = {}
    for cell in cells:
        shades[cell["band"].min_score] = _luminance(cell["background"])
    ordered = [shades[k] for k in sorted(shades)]
    assert ordered[-1] == min(ordered)  # the worst band prints darkest
    assert ordered[-1] < ordered[-2] < min(ordered[:-2])


def test_register_score_cells_are_shaded_as_the_heat_map_shades_their_band(db):
    risk = factories.BAFRiskFactory(current_likelihood=4, current_consequence=4)
    score = risk.current_score
    cell = score_cell(score)
    background, ink = severity_shade(score.band, list(score.band.matrix.bands.all()))
    assert f"background: {background}; color: {ink}" in cell
    assert "<strong>16</strong>" in cell and score.band_name in cell


def test_the_status_chart_draws_each_themes_bar_and_counts_every_slice_without_overlap():
    digital = StatusCounts("Digital")
    for status, n in [("NOT_STARTED", 1), ("ON_TRACK", 58), ("AT_RISK", 1), ("COMPLETE", 1)]:
        digital.add(WorkflowState.APPROVED, status, n)
    care = StatusCounts("Care")
    care.add(WorkflowState.APPROVED, "DELAYED", 2)
    total = StatusCounts("All updates")
    for counts in (digital, care):
        for column in counts.shown:
            total.add(WorkflowState.APPROVED, column.key, column.count)
    statuses = StatusTable([digital, care], total, "Approved updates only")

    figure = status_chart(statuses)

    # A bar per theme and one for every update, each labelled with its total.
    for label, n in (("Digital", 61), ("Care", 2), ("All updates", 63)):
        assert f">{label} <tspan" in figure and f"({n} updates)" in figure
    # Every slice's count is written once (inside it, or beneath it with a tick).
    counts = re.findall(r'class="app-chart__count" x="([\d.]+)" y="([\d.]+)"[^>]*>(\d+)<', figure)
    expected = [c.count for g in (digital, care, total) for c in g.shown]
    assert sorted(int(n) for _, _, n in counts) == sorted(expected)
    assert "<line" in figure  # the thin slices' counts sit beneath their bar
    # Counts on the same line do not overlap (estimated widths, centred on x).
    placed = sorted((float(y), float(x), len(n)) for x, y, n in counts)
    for (y1, x1, n1), (y2, x2, n2) in zip(placed, placed[1:], strict=False):
        if y1 == y2:
            assert x2 - x1 >= (n1 + n2) * 14 * 0.6 / 2
    # The title is the PDF figure's /Alt: every number, overall and per theme.
    title = re.search(r'<title id="pack-status-chart-title">(.*?)</title>', figure)[1]
    assert title.startswith("Overall status of 63 updates (approved updates only)")
    assert all(f"{c.count} {c.label}" in title for c in total.shown)
    assert "Digital: Not started 1, On track 58, At risk 1, Complete 1 (of 61)" in title
    assert "Care: Delayed 2 (of 2)" in title
    assert "<figcaption>" in figure and total.sentence in figure


# --- the PDF: cover, contents, numbering -----------------------------------------------------


def _pdf_pages(pack) -> dict[str, list[str]]:
    """The PDF's text page by page, as laid out ("layout") and in reading order ("raw")."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is needed to read the board pack's PDF")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = render_pdf(render_pack_html(pack))
    pages = {}
    for mode in ("layout", "raw"):
        text = subprocess.run(
            ["pdftotext", f"-{mode}", "-", "-"], input=pdf.data, capture_output=True, check=True
        ).stdout.decode()
        pages[mode] = text.split("\f")[: pdf.page_count]
    # Laid out, each page's first line is its running header.
    pages["layout"] = [page.split("\n", 1)[-1] for page in pages["layout"]]
    return pages


@pytest.fixture
def pdf_pages(cycle, settings):
    settings.ORGANISATION_NAME = "Fenland Integrated Care System"
    r01, r05 = factories.BAFRiskFactory(reference="01"), factories.BAFRiskFactory(reference="05")
    _theme_with(cycle, "Direction", [[r01], [r05]])
    _theme_with(cycle, "Finance", [[r05]])
    factories.GoldenThreadFactory(name="Health inequalities")
    pack = _pack(cycle, version=3)
    pack.sections = ["summary", "golden_threads", "workstreams", "risk_register", "milestones"]
    pack.save()
    return _pdf_pages(pack)


def test_the_cover_shows_the_organisation_and_the_version(pdf_pages):
    cover = pdf_pages["raw"][0]
    assert "Fenland Integrated Care System" in cover
    assert re.search(r"Version\s+3\b", cover)
    assert "Contents" not in cover


def test_the_contents_stand_on_their_own_page_with_section_and_page_numbers(pdf_pages):
    pages = pdf_pages["layout"]
    contents = pages[1]
    assert contents.strip().startswith("Contents")
    assert "This report sets out" not in contents and "Cover sheet" not in contents
    for number, title in enumerate(TITLES, start=1):
        entry = re.search(rf"^\s*{number}\.\s+{re.escape(title)}[ .]*?(\d+)\s*$", contents, re.M)
        assert entry, title
        page = int(entry.group(1))
        # The page it names is where that numbered section starts, and on a new page.
        assert re.search(rf"^\s*{number}\. {re.escape(title)}", pages[page - 1], re.M)
    # Themes are sub-entries, indented under their section, each with a page.
    direction = re.search(r"^(\s*)Direction[ .]+(\d+)\s*$", contents, re.M)
    workstreams = re.search(r"^(\s*)3\.", contents, re.M)
    assert direction and len(direction.group(1)) > len(workstreams.group(1))
    assert "Direction" in pages[int(direction.group(2)) - 1]


def test_section_numbers_run_from_one_and_paragraph_numbers_never_repeat_a_heading(pdf_pages):
    pages = pdf_pages["layout"]
    text = "\n".join(pages[1:])
    titles = "|".join(re.escape(t) for t in TITLES)
    sections = [int(n) for n in re.findall(rf"^ *(\d+)\. +(?:{titles})\b", text, re.M)]
    assert sections == list(range(1, 6)) * 2  # in the contents, then as headings
    # Every n.m at the start of a line is a paragraph number: n an existing section, m counting
    # 1, 2, … within it, each used once (a heading numbered n.m would repeat one).
    numbers = re.findall(r"^\s*(\d+)\.(\d+)\s", text, re.M)
    assert numbers  # the summary and register have numbered paragraphs
    seen: dict[int, list[int]] = {}
    for section, paragraph in numbers:
        seen.setdefault(int(section), []).append(int(paragraph))
    for section, paragraphs in seen.items():
        assert section in sections
        assert paragraphs == list(range(1, len(paragraphs) + 1)), (section, paragraphs)
    assert not re.search(r"^ *\d+\.? +Contents", text, re.M)  # the contents are not a section


def test_an_exception_only_pack_with_no_exceptions_says_so_under_the_workstreams(cycle):
    _theme_with(cycle, "Direction", [[]])  # one workstream, On track
    html = render_pack_html(_pack(cycle, exception_only=True))
    body = html[html.index('id="workstreams"') :]
    assert "Nothing to report by exception." in body
