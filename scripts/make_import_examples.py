"""Build the example import files in fixtures/import/ from the seed data in fixtures/demo/.

A new deployment starts from these: edit them in Excel (or replace their rows with your own)
and import them in the numbered order, from the "Import and export" page or with
`python manage.py import_data KIND FILE --commit`. See README.md, "Importing your plan".

Run: .venv/bin/python scripts/make_import_examples.py   (rewrites the files; commit them)
"""

import importlib
import json
import os
import sys
from collections import Counter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"
OUT = ROOT / "fixtures" / "import"

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ics_portal.settings")

import django  # noqa: E402

django.setup()

from dataio.columns import html_to_cell_text  # noqa: E402
from dataio.safety import neutralise  # noqa: E402
from ics_portal.periods import Quarter  # noqa: E402
from ics_portal.roles import ROLES_BY_KEY  # noqa: E402

# The bands of the default matrix, as the migration creates them (no database needed here).
DEFAULT_BANDS = importlib.import_module("risks.migrations.0003_default_matrix").DEFAULT_BANDS
CATEGORY_LABELS = {
    "SERVICE_DELIVERY": "Service/transformation delivery",
    "STAKEHOLDER": "Stakeholder management",
    "QUALITY": "Quality management",
    "FINANCIAL": "Financial management",
    "GOVERNANCE": "Governance/leadership",
}
KIND_LABELS = {
    "ICB": "Integrated care board",
    "NHS_TRUST": "NHS trust",
    "LOCAL_AUTHORITY": "Local authority",
    "VCSE": "Voluntary, community and social enterprise",
    "OTHER": "Other",
}


def load(name: str):
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


def score(pair) -> str:
    likelihood, consequence = pair
    value = likelihood * consequence
    colour = next((c for _, low, high, c in DEFAULT_BANDS if low <= value <= high), "")
    return f"{value} {likelihood}x{consequence} {colour.title()}".strip()


def joined(items) -> str:
    return "; ".join(str(i) for i in items)


def write(filename: str, headers: list[str], rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = filename.split("-", 1)[1].removesuffix(".xlsx").replace("-", " ").title()[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="005EB8")
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for index, header in enumerate(headers, start=1):
        longest = max([len(header)] + [len(str(r[index - 1] or "")) for r in rows])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
            max(12, longest + 2), 60
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    path = OUT / filename
    workbook.save(path)
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []

    written.append(
        write(
            "01-organisations.xlsx",
            ["Short name", "Name", "Type"],
            [
                [o["short_name"], o["name"], KIND_LABELS[o["kind"]]]
                for o in load("organisations.json")
            ],
        )
    )
    written.append(
        write(
            "02-people.xlsx",
            ["Email", "Name", "Organisation", "Job title", "Roles"],
            [
                [
                    p["email"],
                    p["full_name"],
                    p.get("organisation") or "",
                    p.get("job_title", ""),
                    joined(ROLES_BY_KEY[r].group_name for r in p.get("roles", [])),
                ]
                for p in load("people.json")
            ],
        )
    )
    written.append(
        write(
            "03-themes.xlsx",
            ["Number", "Name", "Other names", "Leads", "Order"],
            [
                [
                    t["number"],
                    t["name"],
                    joined(t.get("aliases", [])),
                    joined(t["leads"]),
                    t["order"],
                ]
                for t in load("themes.json")
            ],
        )
    )
    written.append(
        write(
            "04-golden-threads.xlsx",
            [
                "Number",
                "Name",
                "Other names",
                "System leads",
                "Cross-referenced",
                "Read with threads",
                "Current drivers",
            ],
            [
                [
                    g["number"],
                    g["name"],
                    joined(g.get("aliases", [])),
                    joined(g.get("leads", [])),
                    "Yes" if g.get("cross_referenced") else "No",
                    joined(g.get("cross_references", [])),
                    html_to_cell_text(g.get("drivers_html", "")),
                ]
                for g in load("golden_threads.json")
            ],
        )
    )
    written.append(
        write(
            "05-risks.xlsx",
            [
                "Ref",
                "Risk",
                "Year start risk score",
                "Current risk score",
                "Target risk score",
                "Impact",
                "Actions / mitigations",
                "SRO",
                "SRO email",
                "Category",
                "Strategic themes",
                "Rationale",
                "Controls",
                "Assurances",
                "Gaps in control",
                "Gaps in assurance",
                "Next review",
            ],
            [
                [
                    r["reference"],
                    r["title"],
                    score(r["initial"]),
                    score(r["current"]),
                    score(r["target"]),
                    r["description"],
                    html_to_cell_text(r.get("mitigating_actions", "")),
                    r.get("owner_role", ""),
                    r.get("owner_email", ""),
                    CATEGORY_LABELS[r["category"]],
                    joined(r.get("themes", [])),
                    html_to_cell_text(r.get("rationale", "")),
                    html_to_cell_text(r.get("controls", "")),
                    html_to_cell_text(r.get("assurances", "")),
                    html_to_cell_text(r.get("gaps_in_control", "")),
                    html_to_cell_text(r.get("gaps_in_assurance", "")),
                    r.get("next_review", ""),
                ]
                for r in load("risks.json")
            ],
        )
    )
    workstreams = load("workstreams.json")
    written.append(
        write(
            "06-workstreams.xlsx",
            ["Code", "Name", "Theme", "Leads", "Deputies", "Golden threads", "BAF risks", "Order"],
            [
                [
                    w["code"],
                    w["name"],
                    w["theme"],
                    joined(w.get("leads", [])),
                    joined(w.get("deputies", [])),
                    joined(w.get("golden_threads", [])),
                    joined(w.get("baf_risks", [])),
                    w.get("order", 0),
                ]
                for w in workstreams
            ],
        )
    )
    written.append(
        write(
            "07-objectives.xlsx",
            ["Workstream", "Number", "Objective", "Target quarter"],
            [
                [
                    w["code"],
                    o["number"],
                    o["text"],
                    Quarter.parse(o["target_quarter"]).label if o.get("target_quarter") else "",
                ]
                for w in workstreams
                for o in w.get("objectives", [])
            ],
        )
    )
    # A milestone shared by several workstreams is one row listing them all; where their
    # delivery dates differ, the date most give is the milestone's (the later on a tie) and the
    # others are listed per workstream (as load_demo_data does).
    listed: dict[str, list[tuple[str, dict]]] = {}
    for w in workstreams:
        for m in w.get("milestones", []):
            listed.setdefault(m["title"], []).append((w["code"], m))

    def due(m):
        return (m.get("due_date") or "", m.get("due_label", ""), m.get("due_precision", "MONTH"))

    rows = []
    for title, entries in listed.items():
        counts = Counter(due(m) for _, m in entries)
        best = max(counts, key=lambda d: (counts[d], d[0]))
        m = next(m for _, m in entries if due(m) == best)
        codes = list(dict.fromkeys(code for code, _ in entries))
        own = [f"{code}: {x.get('due_label', '')}" for code, x in entries if due(x) != best]
        rows.append(
            [
                title,
                m.get("due_label", ""),
                "Yes" if m.get("critical_path", True) else "No",
                joined(codes),
                joined(own),
            ]
        )
    written.append(
        write(
            "08-milestones.xlsx",
            ["Milestone", "Delivery by", "Critical path", "Workstreams", "Workstream dates"],
            rows,
        )
    )
    for path in written:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
