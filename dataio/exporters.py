"""Handing data back in the shapes people already use: the BAF risk register and the cycle
return as Excel workbooks, updates as CSV for analysis, and each kind of plan row in the
layout its importer reads (so export -> edit -> re-import works).

Rows come from presenters (reporting/presenters.py) or the import resources, and every count
from reporting/numbers.py; this module only lays them out. Every cell it writes, titles, headings and column headers
included, passes through `safety.neutralise` (the `Sheet` methods and `_csv_bytes` are the
only writers), so nothing exported can run as a formula when opened
(tests/dataio/test_export_cells.py walks every cell of every kind). Sheet names are not
cells: a spreadsheet never evaluates them.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ics_portal import palette
from ics_portal.audit import verb_label as audit_verb_label
from ics_portal.audit_presenters import object_type_label
from ics_portal.models import ReportingCycle
from ics_portal.richtext import html_to_text
from ics_portal.status import DeliveryStatus, WorkflowState, status_colour
from reporting import numbers, presenters

from .columns import html_to_cell_text
from .parsing import format_score
from .resources import RESOURCES
from .safety import neutralise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

NHS_BLUE = palette.COLOURS["blue"].fill
HEADING_FILL = palette.COLOURS["pale-grey"].tint


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    description: str
    formats: tuple[str, ...]
    needs_cycle: bool = False


# Plan kinds export in their importer's layout; three exports have their own.
EXPORT_KINDS = {
    "risk-register": ExportKind(
        "risk-register",
        "BAF risk register",
        "Open risks grouped by category, scores written \u201c20 4x5 Red\u201d with the cell "
        "coloured by band. Re-imports as BAF risks.",
        ("xlsx",),
    ),
    "cycle-return": ExportKind(
        "cycle-return",
        "Cycle return",
        "A summary sheet and one sheet per theme: lead, status, forecast, milestones due, "
        "submitted and approved dates.",
        ("xlsx",),
        needs_cycle=True,
    ),
    "updates": ExportKind(
        "updates",
        "Updates",
        "Every workstream and golden-thread update, one row each, for analysis. Re-imports "
        "as update statuses.",
        ("csv", "xlsx"),
    ),
    **{
        kind: ExportKind(kind, resource.label, resource.description, ("xlsx", "csv"))
        for kind, resource in RESOURCES.items()
        if kind != "updates"
    },
}


# The exports that hold people's names or email addresses (leads, deputies, senior risk
# owners, the people list): downloading one writes an EXPORT_DOWNLOAD audit event. The others
# (organisations, objectives, milestones) name no one. tests/security/test_audit_downloads.py
# builds every export and checks this list against what is in it.
PERSONAL_DATA_KINDS = frozenset(
    {
        "risk-register",
        "cycle-return",
        "updates",
        "people",
        "themes",
        "golden-threads",
        "workstreams",
        "risks",
    }
)
assert set(EXPORT_KINDS) >= PERSONAL_DATA_KINDS, "every personal-data kind is an export kind"


def _hex(colour: str) -> str:
    """A hex colour as openpyxl writes it: no "#", upper case."""
    return colour.lstrip("#").upper()


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=_hex(colour), bgColor=_hex(colour))


def _cell_value(value):
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None)
    return neutralise(value)


def _status_word(code: str) -> str:
    return DeliveryStatus(code).label if code else ""


def _people(people) -> str:
    return "; ".join(
        f"{p.full_name} ({p.organisation.short_name})" if p.organisation_id else p.full_name
        for p in people
    )


# --- workbook helpers ---------------------------------------------------------------------------


class Sheet:
    """A worksheet being written: header styling, widths, wrapping and neutralised cells."""

    def __init__(self, worksheet, widths: dict[int, int] | None = None):
        self.ws = worksheet
        self.widths = widths or {}

    def title(self, text: str, *subtitles: str) -> None:
        self.ws.append([_cell_value(text)])
        self.ws.cell(self.ws.max_row, 1).font = Font(bold=True, size=14)
        for subtitle in subtitles:
            self.ws.append([_cell_value(subtitle)])
        self.ws.append([])

    def header(self, headers: list[str]) -> int:
        self.ws.append([_cell_value(h) for h in headers])
        row = self.ws.max_row
        for cell in self.ws[row]:
            cell.font = Font(bold=True, color=_hex(palette.COLOURS["blue"].on_fill))
            cell.fill = _fill(NHS_BLUE)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.ws.freeze_panes = f"A{row + 1}"
        for index, header in enumerate(headers, start=1):
            self.widths.setdefault(index, max(12, min(len(header) + 4, 40)))
        return row

    def row(self, values: list) -> int:
        self.ws.append([_cell_value(v) for v in values])
        number = self.ws.max_row
        for cell in self.ws[number]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, date):
                cell.number_format = "d mmm yyyy"
        return number

    def heading_row(self, text: str, width: int) -> None:
        self.ws.append([_cell_value(text)])
        number = self.ws.max_row
        cell = self.ws.cell(number, 1)
        cell.font = Font(bold=True)
        for column in range(1, width + 1):
            self.ws.cell(number, column).fill = _fill(HEADING_FILL)
        self.ws.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)

    def colour(self, row: int, column: int, colour_key: str, *, solid: bool = True) -> None:
        style = palette.colour(colour_key)
        cell = self.ws.cell(row, column)
        cell.fill = _fill(style.fill if solid else style.tint)
        text = style.on_fill if solid else style.ink
        cell.font = Font(bold=solid, color=_hex(text))

    def finish(self) -> None:
        for index, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(index)].width = width
        thin = Side(style="thin", color=_hex(palette.TABLE_BORDER))
        for row in self.ws.iter_rows():
            for cell in row:
                if cell.value is not None and cell.row > 1:
                    cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell_value(h) for h in headers])
    for row in rows:
        writer.writerow(
            [
                v.isoformat() if isinstance(v, date | datetime) else ("" if v is None else v)
                for v in (_cell_value(v) for v in row)
            ]
        )
    # With a byte-order mark Excel opens the file as UTF-8 (names with accents, "–", "£").
    return buffer.getvalue().encode("utf-8-sig")


def _stamp() -> str:
    return timezone.localdate().isoformat()


# --- the BAF risk register ----------------------------------------------------------------------

REGISTER_HEADERS = [
    "Ref",
    "Risk",
    "Year start risk score",
    "Current risk score",
    "Target risk score",
    "Impact",
    "Actions / mitigations",
    "SRO",
    "SRO email",
]


def risk_register() -> Export:
    """The BAF in its familiar layout: a heading row per category, then its risks with
    year-start, current and target scores written "20 4x5 Red" and filled with the band's
    colour (the word is in the cell too)."""
    workbook = Workbook()
    sheet = Sheet(workbook.active, {1: 8, 2: 40, 3: 14, 4: 14, 5: 14, 6: 60, 7: 60, 8: 28, 9: 32})
    sheet.ws.title = "BAF risk register"
    sheet.title(
        "Board Assurance Framework: risk register",
        f"Open risks on {timezone.localdate():%-d %B %Y}. Scores are likelihood x consequence, "
        "banded by the risk matrix in force.",
    )
    sheet.header(REGISTER_HEADERS)
    for group in presenters.baf_register_rows():
        sheet.heading_row(group.label, len(REGISTER_HEADERS))
        for entry in group.rows:
            risk = entry.risk
            scores = [entry.initial, entry.current, entry.target]
            number = sheet.row(
                [
                    risk.reference,
                    risk.title,
                    *[format_score(s.likelihood, s.consequence, s.band) for s in scores],
                    risk.description,
                    html_to_cell_text(risk.mitigating_actions),
                    risk.owner_role,
                    risk.owner.email if risk.owner else "",
                ]
            )
            for column, score in enumerate(scores, start=3):
                sheet.colour(number, column, score.colour)
    sheet.finish()
    return Export(f"baf-risk-register-{_stamp()}.xlsx", XLSX, _workbook_bytes(workbook))


# --- the cycle return ---------------------------------------------------------------------------

RETURN_HEADERS = [
    "Code",
    "Workstream",
    "Lead",
    "Deputies",
    "Overall status",
    "Forecast status",
    "Status explanation",
    "Milestones due this quarter",
    "Update state",
    "Submitted",
    "Approved",
]


def _milestones_text(row) -> str:
    return "\n".join(
        f"{m.title} ({m.label})" + (f": {_status_word(m.status)}" if m.status else "")
        for m in row.milestones_due
    )


def cycle_return(cycle: ReportingCycle) -> Export:
    """The quarter's return: a summary sheet, then a sheet per theme (and one for the golden
    threads) with a row per update."""
    workbook = Workbook()
    sheets = presenters.cycle_return_rows(cycle)
    summary = Sheet(workbook.active, {1: 44, **dict.fromkeys(range(2, 11), 14)})
    summary.ws.title = "Summary"
    board = ""
    if cycle.board_meeting_date:
        board = f" Board: {cycle.board_forum} on {cycle.board_meeting_date:%-d %B %Y}."
    summary.title(
        f"Cycle return {cycle.label} ({cycle.period.months_label})",
        f"Submission deadline {cycle.submission_deadline:%-d %B %Y}; review deadline "
        f"{cycle.review_deadline:%-d %B %Y}.{board} Cycle {cycle.get_status_display().lower()}.",
        f"Status counts: {numbers.COUNTING_RULE.lower()}. {numbers.COUNTING_NOTE}",
    )
    table = numbers.cycle_counts(cycle).statuses
    header_row = summary.header(["Theme", *table.headings, "Updates"])
    for counts in [*table.groups, table.total]:
        summary.row([counts.label, *[c.count for c in counts.columns], counts.total])
    for column, status in enumerate(table.total.columns, start=2):
        summary.colour(header_row, column, status.colour.key)
    summary.finish()

    used_titles = {"Summary"}
    for return_sheet in sheets:
        title = _sheet_title(return_sheet.title, used_titles)
        sheet = Sheet(
            workbook.create_sheet(title),
            {1: 10, 2: 40, 3: 30, 4: 30, 5: 14, 6: 14, 7: 40, 8: 50, 9: 14, 10: 14, 11: 14},
        )
        sheet.title(f"{return_sheet.title}: {cycle.label}")
        headers = list(RETURN_HEADERS)
        if return_sheet.title == "Golden threads":
            headers[0:2] = ["Number", "Golden thread"]
        sheet.header(headers)
        for row in return_sheet.rows:
            number = sheet.row(
                [
                    row.code,
                    row.name,
                    _people(row.leads),
                    _people(row.deputies),
                    _status_word(row.overall_status),
                    _status_word(row.forecast_status),
                    row.status_explanation,
                    _milestones_text(row),
                    WorkflowState(row.state).label,
                    timezone.localtime(row.submitted_at).date() if row.submitted_at else None,
                    timezone.localtime(row.approved_at).date() if row.approved_at else None,
                ]
            )
            for column, code in ((5, row.overall_status), (6, row.forecast_status)):
                if code:
                    sheet.colour(number, column, status_colour(code), solid=False)
        sheet.finish()
    filename = f"cycle-return-{cycle.label.replace(' ', '-').replace('/', '-')}.xlsx"
    return Export(filename, XLSX, _workbook_bytes(workbook))


def _sheet_title(text: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the book."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in text).strip()[:31] or "Sheet"
    title, n = clean, 2
    while title in used:
        suffix = f" ({n})"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


# --- updates (CSV for analysis, and the layout the update-status importer reads) ---------------

UPDATE_HEADERS = [
    "Cycle",
    "Type",
    "Code",
    "Name",
    "Theme",
    "Leads",
    "Overall status",
    "Forecast status",
    "Status explanation",
    "Date of update",
    "Workflow state",
    "Submitted",
    "Approved",
    "Milestones due",
    "Next quarter plans",
    "Key risks",
    "BAF risks",
    "Nothing to escalate",
    numbers.COUNTED_COLUMN,
]


def _update_values(row) -> list:
    return [
        row.cycle.label,
        row.kind,
        row.code,
        row.name,
        row.theme,
        _people(row.leads),
        _status_word(row.overall_status),
        _status_word(row.forecast_status),
        row.status_explanation,
        row.date_of_update,
        WorkflowState(row.state).label,
        timezone.localtime(row.submitted_at).date() if row.submitted_at else None,
        timezone.localtime(row.approved_at).date() if row.approved_at else None,
        _milestones_text(row),
        html_to_text(row.next_quarter_plans),
        html_to_text(row.key_risks),
        "; ".join(row.baf_risks),
        "Yes" if row.nothing_to_escalate else "No",
        "Yes" if numbers.is_counted(row.state) else "No",
    ]


def updates(cycle: ReportingCycle | None = None, fmt: str = "csv") -> Export:
    rows = [_update_values(r) for r in presenters.update_rows(cycle=cycle)]
    name = "updates" + (f"-{cycle.label.replace(' ', '-').replace('/', '-')}" if cycle else "")
    return table(name, UPDATE_HEADERS, rows, fmt)


# --- plan rows in their importer's layout --------------------------------------------------------


def plan_rows(kind: str, fmt: str = "xlsx") -> Export:
    resource = RESOURCES[kind]()
    dataset = resource.export(queryset=resource.export_queryset())
    return table(kind, list(dataset.headers), [list(r) for r in dataset], fmt)


def table(name: str, headers: list[str], rows: list[list], fmt: str) -> Export:
    if fmt == "csv":
        return Export(f"{name}-{_stamp()}.csv", CSV, _csv_bytes(headers, rows))
    workbook = Workbook()
    sheet = Sheet(workbook.active)
    sheet.ws.title = _sheet_title(name.replace("-", " ").capitalize(), set())
    sheet.header(headers)
    for row in rows:
        sheet.row(row)
    for index, header in enumerate(headers, start=1):
        longest = max([len(str(r[index - 1] or "")) for r in rows] or [0])
        sheet.widths[index] = max(12, min(max(len(header), longest) + 2, 60))
    sheet.finish()
    return Export(f"{name}-{_stamp()}.xlsx", XLSX, _workbook_bytes(workbook))


def export(kind: str, *, fmt: str | None = None, cycle: ReportingCycle | None = None) -> Export:
    """Build the export `kind` (see EXPORT_KINDS) in `fmt` (its first format by default)."""
    if kind not in EXPORT_KINDS:
        raise ValueError(
            f'"{kind}" is not something the portal exports. Choose one of '
            + ", ".join(EXPORT_KINDS)
            + "."
        )
    spec = EXPORT_KINDS[kind]
    fmt = fmt or spec.formats[0]
    if fmt not in spec.formats:
        raise ValueError(
            f"The {spec.label.lower()} export is {' or '.join(spec.formats)}, not {fmt}."
        )
    if kind == "risk-register":
        return risk_register()
    if kind == "cycle-return":
        if cycle is None:
            raise ValueError("Choose the reporting cycle to export.")
        return cycle_return(cycle)
    if kind == "updates":
        return updates(cycle, fmt)
    return plan_rows(kind, fmt)


# --- the audit trail (governance's, from the audit page: ics_portal/audit_presenters.py) --------

AUDIT_HEADERS = [
    "When",
    "Person",
    "Person id",
    "Action",
    "Action code",
    "Kind of object",
    "Object id",
    "Object",
    "Before",
    "After",
    "Comment",
    "Client address",
    "Session",
]


def _json_cell(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_log(events, fmt: str = "csv") -> tuple[Export, int]:
    """The events (an AuditEvent queryset, newest first), one row each, unfolded: the record
    as it is stored, with the action in words beside its code. Returns the file and its
    number of rows. Every text cell is neutralised, as in every export."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"The audit trail exports as csv or xlsx, not {fmt}.")
    rows = [
        [
            event.created_at,
            event.actor_name,
            event.actor_id,
            audit_verb_label(event.verb),
            event.verb,
            object_type_label(event.object_type),
            event.object_id,
            event.object_label,
            _json_cell(event.before),
            _json_cell(event.after),
            event.comment,
            event.ip_address or "",
            event.session_ref,
        ]
        for event in events.iterator(chunk_size=2000)
    ]
    return table("audit-trail", AUDIT_HEADERS, rows, fmt), len(rows)
