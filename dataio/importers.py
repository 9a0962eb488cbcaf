"""Importing a spreadsheet: find the header row, check every cell, run the kind's resource and
report what would be created, changed and left alone, with every problem by row and column.

`run_import(kind, sheet, by=..., commit=False)` is the dry run: everything happens inside a
transaction that is rolled back. With `commit=True` the same run is kept only if the whole file
is valid, and one AuditEvent records the import. Nothing is ever half-written.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.text import capfirst

from ics_portal.audit import AuditVerb, record

from .columns import is_blank
from .resources import RESOURCES, ROW, PlanResource
from .safety import Sheet, cell_text, formula_message, is_formula_like, strip_neutraliser

# How far down a file the header row may be (title rows above it are allowed).
HEADER_SEARCH_ROWS = 15
# The audit event lists this many created and changed rows by name; counts are always whole.
AUDIT_NAMES = 500

CREATE, CHANGE, UNCHANGED = "create", "change", "unchanged"

# The order a new deployment imports in: each file names only what earlier files made.
IMPORT_ORDER = [
    "organisations",
    "people",
    "themes",
    "golden-threads",
    "risks",
    "workstreams",
    "objectives",
    "milestones",
    "updates",
]


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        message = capfirst(self.message.strip().rstrip("."))
        if self.row and self.column:
            return f"Row {self.row}, {self.column}: {message}"
        if self.row:
            return f"Row {self.row}: {message}"
        if self.column:
            return f"{self.column}: {message}"
        return message


@dataclass(frozen=True)
class RowOutcome:
    row: int
    action: str
    label: str
    changes: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    label: str
    filename: str
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def _of(self, action: str) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action == action]

    @property
    def created(self) -> list[RowOutcome]:
        return self._of(CREATE)

    @property
    def changed(self) -> list[RowOutcome]:
        return self._of(CHANGE)

    @property
    def unchanged(self) -> list[RowOutcome]:
        return self._of(UNCHANGED)

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.changed)

    def summary(self) -> str:
        verb = ("created", "changed") if self.committed else ("to create", "to change")
        return (
            f"{len(self.created)} {verb[0]}, {len(self.changed)} {verb[1]}, "
            f"{len(self.unchanged)} unchanged"
        )

    def as_json(self) -> dict:
        """Plain JSON, for a check run by the task worker to keep (uploads.keep_report)."""
        return {
            "kind": self.kind,
            "label": self.label,
            "filename": self.filename,
            "committed": self.committed,
            "ignored_columns": list(self.ignored_columns),
            "outcomes": [
                [o.row, o.action, str(o.label), [str(c) for c in o.changes]] for o in self.outcomes
            ],
            "errors": [
                [e.row, None if e.column is None else str(e.column), str(e.message)]
                for e in self.errors
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> "ImportReport":
        return cls(
            kind=data["kind"],
            label=data["label"],
            filename=data["filename"],
            committed=data["committed"],
            ignored_columns=list(data["ignored_columns"]),
            outcomes=[
                RowOutcome(row, action, label, tuple(changes))
                for row, action, label, changes in data["outcomes"]
            ],
            errors=[RowError(row, column, message) for row, column, message in data["errors"]],
        )


class ImportedFile:
    """What the audit trail records an import against: the file (by its SHA-256), since an
    import is not one object."""

    class _meta:
        label = "dataio.ImportedFile"

    def __init__(self, kind: str, filename: str, sha256: str):
        self.pk = sha256
        self.label = f"{kind} import from {filename}"

    def __str__(self) -> str:
        return self.label


def resource_for(kind: str, **kwargs) -> PlanResource:
    try:
        return RESOURCES[kind](**kwargs)
    except KeyError:
        raise ValueError(
            f'"{kind}" is not something the portal imports. Choose one of {", ".join(IMPORT_ORDER)}.'
        ) from None


def _header_key(text) -> str:
    text = re.sub(r"\(.*?\)", " ", cell_text(text).lower()).replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _column_names(resource: PlanResource) -> dict[str, str]:
    """Header as typed (normalised) -> the canonical column name."""
    names = {}
    for col in resource.columns():
        for header, aliases in col.headers():
            for text in (header, *aliases):
                names.setdefault(_header_key(text), header)
    return names


def _required_headers(resource: PlanResource) -> list[str]:
    return [c.column_name for c in resource.columns() if c.required_column]


def _find_header(sheet: Sheet, resource: PlanResource):
    """The header row: the first of the top rows that names every required column, else the
    one naming most columns."""
    names = _column_names(resource)
    required = set(_required_headers(resource))
    best = None
    for number, values in sheet.rows[:HEADER_SEARCH_ROWS]:
        mapping = {}
        for index, value in enumerate(values):
            canonical = names.get(_header_key(value))
            if canonical and canonical not in mapping.values():
                mapping[index] = canonical
        if required <= set(mapping.values()) and mapping:
            return number, values, mapping
        if best is None or len(mapping) > len(best[2]):
            best = (number, values, mapping)
    return best


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def run_import(
    kind: str,
    sheet: Sheet,
    *,
    by=None,
    commit: bool = False,
    reference_date: date | None = None,
    content: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Dry-run (or, with commit=True, import) `sheet` as rows of `kind`.

    `progress(done, total)`, if given, is called as each row has been read and written
    (before the transaction ends: nothing is final until the last row is in)."""
    resource = resource_for(kind, by=by, reference_date=reference_date)
    report = ImportReport(kind, resource.label, sheet.filename)
    found = _find_header(sheet, resource)
    if found is None or not found[2]:
        expected = ", ".join(f'"{c}"' for c in _required_headers(resource))
        report.errors.append(
            RowError(
                None,
                None,
                f"No header row found. The first row should name the columns: {expected} and "
                "any of the others listed for this kind of file",
            )
        )
        return report
    header_number, header_values, mapping = found
    written = {canonical: cell_text(header_values[i]) for i, canonical in mapping.items()}
    for header in _required_headers(resource):
        if header not in mapping.values():
            report.errors.append(
                RowError(None, None, f'The file has no "{header}" column (row {header_number})')
            )
    quiet = {_header_key(h) for h in resource.informational}
    report.ignored_columns = [
        cell_text(v)
        for i, v in enumerate(header_values)
        if i not in mapping and not is_blank(v) and _header_key(v) not in quiet
    ]

    def column_name(index: int) -> str:
        if index < len(header_values) and not is_blank(header_values[index]):
            return cell_text(header_values[index])
        return f"Column {_column_letter(index)}"

    rows: list[dict] = []
    for number, values in sheet.rows:
        if number <= header_number:
            continue
        for index, value in enumerate(values):
            if is_formula_like(value):
                report.errors.append(RowError(number, column_name(index), formula_message(value)))
        values = [strip_neutraliser(v) for v in values]
        row = {
            canonical: values[i] if i < len(values) else None for i, canonical in mapping.items()
        }
        row = resource_prepare(resource, row, values)
        if row is None or all(is_blank(v) for v in row.values()):
            continue
        row[ROW] = number
        rows.append(row)
    if not rows and not report.errors:
        report.errors.append(
            RowError(None, None, f'"{sheet.filename}" has a header row but no rows to import')
        )
    if report.errors:
        return report

    _check_duplicates(resource, rows, written, report)
    if report.errors:
        return report

    headers = [*mapping.values()]
    for row in rows:  # columns a layout row supplied (a category from its heading row)
        headers.extend(h for h in row if h not in headers)
    for col in resource.columns():
        # A score given only as likelihood and consequence columns is still read.
        if col.column_name not in headers and any(h in headers for h, _ in col.headers()):
            headers.append(col.column_name)
    headers = [h for h in headers if h != ROW] + [ROW]
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append([row.get(h) for h in headers])

    if progress is not None:
        total = len(rows)
        progress(0, total)
        resource.on_row_done = lambda done: progress(done, total)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        _collect(resource, result, rows, written, report, header_values)
        if commit and report.is_valid:
            report.committed = True
            _audit(report, by, kind, sheet, content)
        else:
            transaction.set_rollback(True)
    return report


def resource_prepare(resource: PlanResource, row: dict, values: list) -> dict | None:
    """Kind-specific reading of layout rows (the BAF register's category headings)."""
    prepare = getattr(resource, "prepare_row", None)
    return prepare(row, values) if prepare else row


def _check_duplicates(resource, rows, written, report) -> None:
    seen: dict = {}
    header = resource.key_header()
    for row in rows:
        for key in resource.row_keys(row):
            if key in seen:
                report.errors.append(
                    RowError(
                        row[ROW],
                        written.get(header, header),
                        f"this is the same {resource.label.lower().rstrip('s')} as row "
                        f"{seen[key]}: each row must be a different one",
                    )
                )
                break
            seen[key] = row[ROW]


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            key: [m for e in errors for m in e.messages] for key, errors in error.error_dict.items()
        }
    return {NON_FIELD_ERRORS: list(error.messages)}


def _column_label(resource, key: str, written: dict) -> str | None:
    if key == NON_FIELD_ERRORS:
        return None
    if key.startswith("column:"):
        header = key.removeprefix("column:")
    else:
        header = resource.column_for_attribute(key)
        if header is None:
            field = next((f for f in resource._meta.model._meta.fields if f.name == key), None)
            return capfirst(field.verbose_name) if field else key
    return written.get(header, header)


def _collect(resource, result, rows, written, report, header_values) -> None:
    sheet_rows = [row[ROW] for row in rows]
    for error in result.base_errors:
        report.errors.append(RowError(None, None, str(error.error)))
    for invalid in result.invalid_rows:
        number = sheet_rows[invalid.number - 1]
        for key, messages in _messages(invalid.error).items():
            for message in messages:
                report.errors.append(
                    RowError(number, _column_label(resource, key, written), message)
                )
    for number, errors in result.row_errors():
        for error in errors:
            report.errors.append(
                RowError(sheet_rows[number - 1], None, f"could not be saved: {error.error}")
            )
    actions = {"new": CREATE, "update": CHANGE, "skip": UNCHANGED}
    for row_result in result.rows:
        if row_result.import_type not in actions:
            continue
        report.outcomes.append(
            RowOutcome(
                getattr(row_result, "sheet_row", 0),
                actions[row_result.import_type],
                getattr(row_result, "label", "") or row_result.object_repr or "",
                tuple(
                    written.get(c, c)
                    for c in getattr(row_result, "changes", ())
                    if row_result.import_type == "update"
                ),
            )
        )
    # Row by row, and within a row in the order of the file's columns (row-wide ones last).
    position = {cell_text(v): i for i, v in reversed(list(enumerate(header_values)))}
    report.errors.sort(key=lambda e: (e.row or 0, position.get(e.column, len(position))))


def _audit(report: ImportReport, by, kind: str, sheet: Sheet, content: bytes | None) -> None:
    # The file's digest, taken when it was read (the file itself is not kept).
    digest = sheet.sha256 or hashlib.sha256(content or repr(sheet.rows).encode()).hexdigest()
    record(
        by=by,
        verb=AuditVerb.DATA_IMPORT,
        obj=ImportedFile(kind, sheet.filename, digest),
        after={
            "kind": kind,
            "filename": sheet.filename,
            "created": len(report.created),
            "changed": len(report.changed),
            "unchanged": len(report.unchanged),
            "created_rows": [o.label for o in report.created[:AUDIT_NAMES]],
            "changed_rows": [
                {"row": o.label, "columns": list(o.changes)} for o in report.changed[:AUDIT_NAMES]
            ],
        },
        comment=report.summary(),
    )
