"""Checks on a file before anything in it is believed, and on cells before they leave.

An upload is refused with a plain-English reason (`FileRejected`) when it is the wrong type,
empty, 10 MB or more, a damaged workbook, or text in an encoding other than UTF-8 (with or
without a byte-order mark) or Windows-1252. A cell that a spreadsheet would run as a formula
(starting =, +, -, @, or a tab or carriage return) is refused on import and neutralised on
export, so a file that goes round the portal cannot carry a formula into someone's Excel.

A workbook is a zip of XML parts, so 10 MB on the wire can be gigabytes once unpacked, and a
few kilobytes can claim a million rows. Before openpyxl parses anything, `check_workbook`
reads the archive's directory (what each part says it unpacks to: Python's zipfile never
unpacks more than that, so the claim is binding) and the first bytes of the first sheet (its
declared `<dimension>`), and refuses what is over the limits below. Parsing itself is
read-only and stops at the row and column limits, so even a sheet that declares nothing
is never read past them. XML that declares entities ("billion laughs") is refused: defusedxml,
which openpyxl uses when it is installed, raises on it, and so does the first-sheet check.
"""

import csv
import hashlib
import io
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MB
# Limits on what a workbook may hold. A plan runs to a few thousand rows of a dozen or so
# columns; a 5,000-row workbook from openpyxl unpacks to under 3 MB with parts packed about
# 13 times (the most tightly packed real sheet we measured, 20,000 identical rows, 22 times).
MAX_ROWS = 10_000  # counted as the spreadsheet numbers them, blank rows included
MAX_COLUMNS = 100  # A to CV; the widest import (the BAF register) has 18
MAX_UNPACKED_BYTES = 50 * MB  # all the parts of a workbook, unpacked
MAX_PART_BYTES = 25 * MB  # one part (openpyxl reads shared strings and styles whole)
MAX_PARTS = 500  # Excel writes about a dozen
# How many times bigger than its packed bytes a part may unpack to (Apache POI's default
# limit), for parts big enough to matter.
MAX_COMPRESSION_RATIO = 100
RATIO_GRACE_BYTES = 1 * MB
# The <dimension> element comes straight after the sheet's properties, within the first
# few hundred bytes of a sheet written by Excel; this much is read to find it.
DIMENSION_PEEK_BYTES = 64 * 1024

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
    blank rows left out. `sha256` is the digest of the file as uploaded (for the audit
    trail), since the file itself is not kept once read."""

    filename: str
    format: str
    rows: list[tuple[int, list[Any]]]
    encoding: str = ""
    sha256: str = ""


def _megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB"


def column_letter(number: int) -> str:
    """1 -> A, 100 -> CV, 16384 -> XFD."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


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
        raise FileRejected(
            f'"{filename}" is {_megabytes(size)}. The file must be smaller than 10 MB: split '
            "it into several files."
        )
    return ALLOWED_TYPES[suffix]


def read_upload(filename: str, content: bytes) -> Sheet:
    """Check and read an uploaded file into rows of cell values. The one place a file is
    parsed: the rows it returns are what the preview and the import use."""
    kind = check_name_and_size(filename, len(content))
    sheet = _read_xlsx(filename, content) if kind == "xlsx" else _read_csv(filename, content)
    if not sheet.rows:
        raise FileRejected(f'"{filename}" has no rows in it.')
    sheet.sha256 = hashlib.sha256(content).hexdigest()
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


def too_many_rows(filename: str) -> FileRejected:
    return FileRejected(
        f'"{filename}" goes on past row {MAX_ROWS:,}; the most the portal reads is '
        f"{MAX_ROWS:,} rows. If the rows below your data are empty (perhaps only formatted), "
        "delete them in Excel and save again; otherwise split the file into several."
    )


def too_many_columns(filename: str, number: int) -> FileRejected:
    return FileRejected(
        f'"{filename}" has something in column {column_letter(number)} (column {number:,}); '
        f"the most the portal reads is {MAX_COLUMNS} columns (A to "
        f"{column_letter(MAX_COLUMNS)}). Delete the columns to the right of your data and "
        "save again."
    )


def _collect(filename: str, raw_rows) -> list[tuple[int, list[Any]]]:
    """The non-blank rows of `raw_rows` (an iterator, read lazily) with their numbers. Refuses
    the file at the first row past MAX_ROWS or the first cell past MAX_COLUMNS, so a huge
    sheet is never held in memory."""
    rows = []
    for number, raw in enumerate(raw_rows, start=1):
        if number > MAX_ROWS:
            raise too_many_rows(filename)
        last = len(raw)
        while last and raw[last - 1] is None:  # openpyxl pads rows with None: skip fast
            last -= 1
        while last and _is_blank(_cell(raw[last - 1])):
            last -= 1
        if not last:
            continue
        if last > MAX_COLUMNS:
            raise too_many_columns(filename, last)
        rows.append((number, [_cell(v) for v in raw[:last]]))
    return rows


# --- workbooks: the archive is checked before any XML is parsed -------------------------------


def _damaged(filename: str) -> FileRejected:
    return FileRejected(
        f'"{filename}" could not be read as an Excel workbook: it may be damaged, or not '
        "really an .xlsx file. Open it in Excel, save it again as an Excel workbook (.xlsx) "
        "and upload that."
    )


def _entities(filename: str) -> FileRejected:
    return FileRejected(
        f'"{filename}" contains XML that declares its own entities. Excel never writes these, '
        'and they are how a small file is made to expand without limit (a "billion laughs" '
        "attack), so the portal does not read it. Open the file in Excel, save it again as "
        "an Excel workbook (.xlsx) and upload that."
    )


def _declared_parts(content: bytes) -> int | None:
    """How many parts the archive's end record says it holds, read without listing them
    (None when there is no plain end record; zipfile then finds out)."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 22 - 0xFFFF))
    if end == -1 or len(content) < end + 22:
        return None
    count = struct.unpack_from("<H", content, end + 10)[0]
    return None if count == 0xFFFF else count  # 0xFFFF: the count is in a zip64 record


def check_workbook(filename: str, content: bytes) -> None:
    """Refuse a workbook whose archive or first sheet is over the limits, before parsing it.
    Costs the archive's directory and the first DIMENSION_PEEK_BYTES of one sheet."""
    if not content.startswith(b"PK"):
        raise _damaged(filename)
    parts = _declared_parts(content)
    if parts is not None and parts > MAX_PARTS:
        raise _too_many_parts(filename, parts)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _damaged(filename) from None
    with archive:
        infos = archive.infolist()
        _check_parts(filename, infos)
        _check_no_dtd(filename, archive, infos)
        sheet = _first_worksheet(filename, archive)
        if sheet is not None:
            _check_dimension(filename, archive, sheet)


def _too_many_parts(filename: str, count: int) -> FileRejected:
    return FileRejected(
        f'"{filename}" is made of {count:,} parts; the most the portal accepts is '
        f"{MAX_PARTS}. A plan saved from Excel has about a dozen: copy your rows into a new "
        "workbook, save it and upload that."
    )


def _check_parts(filename: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise _too_many_parts(filename, len(infos))
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise FileRejected(
            f'"{filename}" would unpack to {_megabytes(total)}; the most the portal accepts is '
            f"{MAX_UNPACKED_BYTES // MB} MB. Save it again from Excel, or split it into "
            "several files."
        )
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise FileRejected(
                f'One part of "{filename}" ({info.filename}) would unpack to '
                f"{_megabytes(info.file_size)}; the most the portal accepts for one part is "
                f"{MAX_PART_BYTES // MB} MB. Save it again from Excel, or split it into "
                "several files."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_GRACE_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise FileRejected(
                f'One part of "{filename}" ({info.filename}) unpacks to {ratio:,.0f} times its '
                f"packed size; the most the portal accepts is {MAX_COMPRESSION_RATIO} times. "
                "A workbook saved by Excel is never packed this tightly: open it in Excel, "
                "save it again and upload that."
            )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(filename: str, archive: zipfile.ZipFile, name: str):
    try:
        return SafeElementTree.fromstring(archive.read(name))
    except DefusedXmlException:
        raise _entities(filename) from None


def _relationships(filename: str, archive: zipfile.ZipFile, name: str) -> dict[str, tuple]:
    root = _xml(filename, archive, name)
    return {
        rel.get("Id"): (rel.get("Type", ""), rel.get("Target", ""))
        for rel in root.iter()
        if _local(rel.tag) == "Relationship"
    }


def _first_worksheet(filename: str, archive: zipfile.ZipFile) -> str | None:
    """The part name of the sheet openpyxl would read first (`worksheets[0]`), found as it
    finds it: package relationships -> workbook -> its first sheet that is a worksheet. None
    if the package does not say; openpyxl will then refuse it, or the parse limits hold."""
    try:
        package = _relationships(filename, archive, "_rels/.rels")
        book = next((t for kind, t in package.values() if kind.endswith("/officeDocument")), None)
        if book is None:
            return None
        book = book.lstrip("/")
        folder, _, base = book.rpartition("/")
        book_rels = _relationships(
            filename, archive, posixpath.join(folder, "_rels", f"{base}.rels")
        )
        for element in _xml(filename, archive, book).iter():
            if _local(element.tag) != "sheet":
                continue
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            kind, target = book_rels.get(rel_id, ("", ""))
            if kind.endswith("/worksheet"):
                if target.startswith("/"):
                    return target.lstrip("/")
                return posixpath.normpath(posixpath.join(folder, target))
    except FileRejected:
        raise
    except Exception:  # a missing or broken part: openpyxl decides
        return None
    return None


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
# An XML part's prolog: declaration, processing instructions, comments and space, then either a
# document type declaration (refused) or the root element.
_PROLOG = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*(<!DOCTYPE|<[A-Za-z_])", re.DOTALL
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _check_no_dtd(filename: str, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse any part that declares a document type (where entities are declared), whichever
    XML parser openpyxl then uses: defusedxml refuses them, but with lxml installed openpyxl
    parses with lxml instead, which does not. Excel never writes a DOCTYPE. Costs the first
    DIMENSION_PEEK_BYTES of each part."""
    for info in infos:
        if info.is_dir():
            continue
        try:
            with archive.open(info) as part:
                head = part.read(DIMENSION_PEEK_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
            raise _damaged(filename) from None
        if not head.lstrip().startswith((b"<", b"\xef\xbb\xbf<", *_UTF16_BOMS)):
            continue  # not XML (an image, a binary part): openpyxl does not parse it as XML
        if head.startswith(_UTF16_BOMS):
            head = head.decode("utf-16", errors="replace").encode("utf-8")
        found = _PROLOG.match(head)
        if found is None or found[1].upper() == b"<!DOCTYPE":
            raise _entities(filename)


def _check_dimension(filename: str, archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a first sheet that declares more rows or columns than the portal reads,
    from its first bytes only."""
    from openpyxl.utils.cell import range_boundaries

    try:
        with archive.open(name) as part:
            head = part.read(DIMENSION_PEEK_BYTES)
    except KeyError:
        return
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _damaged(filename) from None
    if _ENTITY.search(head):
        raise _entities(filename)
    found = _DIMENSION.search(head)
    if not found:
        return
    try:
        min_col, min_row, max_col, max_row = range_boundaries(found[1].decode("ascii").upper())
    except (ValueError, TypeError, UnicodeDecodeError):
        return
    if max_row and max_row > MAX_ROWS:
        raise FileRejected(
            f'The first sheet of "{filename}" says it uses rows {min_row or 1:,} to '
            f"{max_row:,}; the most the portal reads is {MAX_ROWS:,} rows. If the rows below "
            "your data are empty (perhaps only formatted), delete them in Excel and save "
            "again; otherwise split the file into several."
        )
    if max_col and max_col > MAX_COLUMNS:
        raise FileRejected(
            f'The first sheet of "{filename}" says it uses columns '
            f"{column_letter(min_col or 1)} to {column_letter(max_col)} ({max_col:,} "
            f"columns); the most the portal reads is {MAX_COLUMNS} (A to "
            f"{column_letter(MAX_COLUMNS)}). Delete the empty columns to the right of your "
            "data in Excel and save again."
        )


def _read_xlsx(filename: str, content: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        check_workbook(filename, content)
        # read_only: rows are streamed from the sheet's XML, never all held by openpyxl.
        # data_only=False: a formula is read as its text ("=SUM(...)") so it can be refused.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            # max_row/max_col: openpyxl pads rows to the sheet's declared size and fills
            # gaps with empty rows; one past each limit is enough to know it is exceeded.
            rows = _collect(
                filename,
                workbook.worksheets[0].iter_rows(
                    max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS + 1, values_only=True
                ),
            )
        finally:
            workbook.close()
    except FileRejected:
        raise
    except Exception as error:  # openpyxl raises many kinds of error on a broken archive or XML
        if _caused_by(error, DefusedXmlException):  # openpyxl wraps some in its own
            raise _entities(filename) from None
        raise _damaged(filename) from None
    return Sheet(filename, "xlsx", rows)


def _caused_by(error: BaseException | None, kind: type) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


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
        # Read lazily: a file of nothing but line breaks stops at the row limit.
        rows = _collect(filename, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FileRejected(f'"{filename}" could not be read as CSV: {error}.') from None
    return Sheet(filename, "csv", rows, encoding)


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
