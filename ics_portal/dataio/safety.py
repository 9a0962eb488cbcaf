"""Checks on a file before anything in it is believed, and on cells before they leave.

An upload is refused with a plain-English reason (`FileRejected`) when it is the wrong type,
empty, 10 MB or more, a damaged workbook, or text in an encoding other than UTF-8 (with or
without a byte-order mark) or Windows-1252. A cell that a spreadsheet would run as a formula
(starting =, +, -, @, or a tab or carriage return) is refused on import and neutralised on
export, so a file that goes round the portal cannot carry a formula into someone's Excel.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A workbook's rows are held in memory to be checked; this is far beyond any plan.
MAX_ROWS = 60_000
ALLOWED_TYPES = {".xlsx": "xlsx", ".csv": "csv"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What the portal's own exports put before such a cell (OWASP's advice): read back as text.
NEUTRALISER = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


class FileRejected(Exception):
    """The file cannot be read; the message says why and what to do."""


@dataclass
class Sheet:
    """The cells of an uploaded file: rows as the spreadsheet numbers them (first row = 1),
    blank rows left out."""

    filename: str
    format: str
    rows: list[tuple[int, list[Any]]]
    encoding: str = ""


def check_name_and_size(filename: str, size: int) -> str:
    """The file's format ("xlsx" or "csv") if its name and size are acceptable."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xls":
        raise FileRejected(
            f'"{filename}" is in the old Excel format (.xls). Open it in Excel and save it as '
            "an Excel workbook (.xlsx) or CSV, then upload that."
        )
    if suffix not in ALLOWED_TYPES:
        raise FileRejected(
            f'"{filename}" is not a file the portal can import. Upload an Excel workbook '
            "(.xlsx) or a CSV file (.csv)."
        )
    if size == 0:
        raise FileRejected(f'"{filename}" is empty.')
    if size >= MAX_UPLOAD_BYTES:
        megabytes = size / (1024 * 1024)
        raise FileRejected(
            f'"{filename}" is {megabytes:.1f} MB. The file must be smaller than 10 MB: split '
            "it into several files."
        )
    return ALLOWED_TYPES[suffix]


def read_upload(filename: str, content: bytes) -> Sheet:
    """Check and read an uploaded file into rows of cell values."""
    kind = check_name_and_size(filename, len(content))
    sheet = _read_xlsx(filename, content) if kind == "xlsx" else _read_csv(filename, content)
    if not sheet.rows:
        raise FileRejected(f'"{filename}" has no rows in it.')
    return sheet


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.replace("\u00a0", " ").strip()
        return value
    return value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _collect(filename: str, raw_rows) -> list[tuple[int, list[Any]]]:
    rows = []
    for number, raw in enumerate(raw_rows, start=1):
        values = [_cell(v) for v in raw]
        while values and _is_blank(values[-1]):
            values.pop()
        if not values:
            continue
        rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise FileRejected(
                f'"{filename}" has more than {MAX_ROWS:,} rows. Split it into several files.'
            )
    return rows


def _read_xlsx(filename: str, content: bytes) -> Sheet:
    from openpyxl import load_workbook

    damaged = FileRejected(
        f'"{filename}" could not be read as an Excel workbook: it may be damaged, or not '
        "really an .xlsx file. Open it in Excel, save it again as an Excel workbook (.xlsx) "
        "and upload that."
    )
    if not content.startswith(b"PK"):
        raise damaged
    try:
        # data_only=False: a formula is read as its text ("=SUM(...)") so it can be refused.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            rows = _collect(filename, workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except FileRejected:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError, EOFError):
        raise damaged from None
    except Exception:  # openpyxl raises many kinds of error on a broken archive or XML
        raise damaged from None
    return Sheet(filename, "xlsx", rows)


def decode_text(filename: str, content: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in: UTF-8 (with or without BOM) or
    Windows-1252 (what Excel on Windows writes for "CSV (Comma delimited)")."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(
            f'"{filename}" is saved as UTF-16 ("Unicode text"). In Excel choose Save As, '
            '"CSV UTF-8 (Comma delimited)", and upload that.'
        )
    if content.startswith(b"PK\x03\x04"):
        raise FileRejected(
            f'"{filename}" is an Excel workbook with a .csv name. Rename it to .xlsx, or save '
            "it from Excel as CSV."
        )
    if b"\x00" in content:
        raise FileRejected(f'"{filename}" is not a text file, so it cannot be read as CSV.')
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        f'"{filename}" is not in UTF-8 or Windows-1252 text. Save it from Excel as '
        '"CSV UTF-8 (Comma delimited)" and upload it again.'
    )


def _read_csv(filename: str, content: bytes) -> Sheet:
    text, encoding = decode_text(filename, content)
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    try:
        raw_rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FileRejected(f'"{filename}" could not be read as CSV: {error}.') from None
    return Sheet(filename, "csv", _collect(filename, raw_rows), encoding)


# --- formula injection --------------------------------------------------------------------------


def is_formula_like(value: Any) -> bool:
    """A text cell a spreadsheet could run as a formula. Plain numbers ("-5") are not."""
    if not isinstance(value, str) or not value:
        return False
    if not value.startswith(FORMULA_STARTS):
        return False
    return not _PLAIN_NUMBER.fullmatch(value.strip())


def strip_neutraliser(value: Any) -> Any:
    """Undo `neutralise`: "'=A1" as exported by the portal is read back as the text "=A1"."""
    if isinstance(value, str) and value.startswith(NEUTRALISER) and is_formula_like(value[1:]):
        return value[1:]
    return value


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that would run as a formula gets a
    leading apostrophe, so it shows as text and is never evaluated."""
    if isinstance(value, str) and is_formula_like(value):
        return NEUTRALISER + value
    return value


def formula_message(value: str) -> str:
    first = {"\t": "a tab", "\r": "a carriage return"}.get(value[0], f'"{value[0]}"')
    return (
        f"the cell starts with {first}, so a spreadsheet could run it as a formula. The "
        "portal does not import formulas: type the value itself, or put an apostrophe (') "
        "before it"
    )


def cell_text(value: Any) -> str:
    """A cell as text for messages and matching."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
