"""Spreadsheet bombs are refused before openpyxl parses them: within moments, in little memory,
and with a message that names the limit. Parsing itself is read-only and stops at the row and
column limits, so a sheet that declares nothing is not read past them either.

The bombs are built in memory by tests/dataio/xlsx_bombs.py; none is stored in the repository.
Before these checks, the "every row and column plus one cell a million rows down" file kept a
worker busy for ever (stopped after 120 s), and the 120 MB shared-strings file took 167 s and
760 MB, on every upload, preview and confirm.
"""

import csv
import io
import signal
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dataio import safety, uploads
from dataio.safety import FileRejected, read_upload

from . import xlsx_bombs as bombs
from .support import xlsx_bytes

MB = 1024 * 1024


class TooSlow(BaseException):
    """Not an Exception, so that no `except Exception` in the code under test swallows it."""


@contextmanager
def deadline(seconds: float):
    """Stop the block (and fail the test) if it is still running after `seconds`, so a file
    that would keep a worker busy for minutes fails the test instead of hanging it."""

    def stop(signum, frame):
        raise TooSlow(f"still reading the file after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refusal(content: bytes, filename: str = "plan.xlsx", *, seconds=5.0, megabytes=32) -> str:
    """The message `content` is refused with; the refusal must take less than `seconds` and
    allocate less than `megabytes` at its peak."""
    tracemalloc.start()
    try:
        with deadline(seconds), pytest.raises(FileRejected) as refused:
            read_upload(filename, content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < megabytes * MB, f"refusing took {peak / MB:.0f} MB at its peak"
    return str(refused.value)


# --- declared size: the first bytes of the sheet ----------------------------------------------


def test_a_sheet_declaring_every_row_and_column_is_refused_from_its_first_bytes():
    content = bombs.dimension_bomb("A1:XFD1048576")
    assert len(content) < 20 * 1024
    with mock.patch("openpyxl.load_workbook") as load_workbook:
        message = refusal(content, seconds=1)
    load_workbook.assert_not_called()  # refused before openpyxl saw it
    assert message.startswith(
        'The first sheet of "plan.xlsx" says it uses rows 1 to 1,048,576; the most the portal '
        "reads is 10,000 rows."
    )
    assert "delete them in Excel and save again" in message


def test_a_sheet_declaring_thousands_of_columns_is_refused():
    message = refusal(bombs.dimension_bomb("A1:XFD2"), seconds=1)
    assert "says it uses columns A to XFD (16,384 columns); the most the portal reads is 100" in (
        message
    )


@pytest.mark.parametrize(
    "dimension",
    [
        "A1:XFD1048576",  # says so: refused from the first bytes
        None,  # says nothing (some tools write no <dimension>): parsing stops at the limit
        "A1:B2",  # says too little: parsing still stops at the limit
    ],
)
def test_a_cell_a_million_rows_down_is_refused_quickly(dimension):
    content = bombs.far_row_bomb(1_000_000, dimension=dimension)
    assert len(content) < 20 * 1024
    message = refusal(content, seconds=5)
    assert "1,048,576" in message or "goes on past row 10,000; the most the portal reads" in (
        message
    )


def test_declared_and_real_rows_at_the_limit_are_read_and_one_more_is_refused():
    header = bombs.row(1, ["Number", "Name"])
    rows = [header] + [bombs.row(n, [n, f"Theme {n}"]) for n in range(2, safety.MAX_ROWS + 1)]
    at_limit = bombs.workbook({bombs.SHEET: bombs.sheet_xml(rows, dimension="A1:B10000")})
    sheet = read_upload("plan.xlsx", at_limit)
    assert len(sheet.rows) == safety.MAX_ROWS and sheet.rows[-1][0] == safety.MAX_ROWS
    over = rows + [bombs.row(safety.MAX_ROWS + 1, [1, "One too many"])]
    for dimension, message in [
        ("A1:B10001", "says it uses rows 1 to 10,001"),
        (None, "goes on past row 10,000"),
    ]:
        content = bombs.workbook({bombs.SHEET: bombs.sheet_xml(over, dimension=dimension)})
        with pytest.raises(FileRejected, match=message):
            read_upload("plan.xlsx", content)


def test_a_sheet_that_says_it_is_smaller_than_it_is_loses_no_rows():
    rows = [bombs.row(1, ["Number", "Name"])] + [bombs.row(n, [n, f"T{n}"]) for n in range(2, 8)]
    content = bombs.workbook({bombs.SHEET: bombs.sheet_xml(rows, dimension="A1:B2")})
    assert [number for number, _ in read_upload("plan.xlsx", content).rows] == list(range(1, 8))


def test_a_cell_past_the_column_limit_is_refused_and_the_last_column_is_read():
    last = safety.MAX_COLUMNS
    rows = [bombs.row(1, ["Number", "Name"]), bombs.row(2, ["x"], first_column=last)]
    sheet = read_upload("plan.xlsx", bombs.workbook({bombs.SHEET: bombs.sheet_xml(rows)}))
    assert len(sheet.rows[1][1]) == last
    rows.append(bombs.row(3, ["x"], first_column=last + 1))
    message = refusal(bombs.workbook({bombs.SHEET: bombs.sheet_xml(rows)}))
    assert message.startswith('"plan.xlsx" has something in column CW (column 101)')


def test_a_workbook_is_parsed_read_only():
    import openpyxl

    with mock.patch("openpyxl.load_workbook", wraps=openpyxl.load_workbook) as load_workbook:
        read_upload("plan.xlsx", xlsx_bytes([["Number", "Name"], [1, "Digital"]]))
    assert load_workbook.call_args.kwargs["read_only"] is True


# --- what the archive would unpack to ---------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [bombs.sheet_expansion_bomb, bombs.huge_cell_bomb, bombs.shared_strings_bomb],
    ids=["rows", "one-cell", "shared-strings"],
)
def test_a_workbook_that_unpacks_to_120_mb_is_refused_before_parsing(build):
    content = build(120)
    assert len(content) < 512 * 1024  # packed about 400 to 1,000 times
    message = refusal(content, seconds=1, megabytes=8)
    assert message.startswith('"plan.xlsx" would unpack to 12')
    assert "MB; the most the portal accepts is 50 MB. Save it again from Excel, or split it" in (
        message
    )


def test_one_part_over_the_part_limit_is_refused():
    content = bombs.shared_strings_bomb(30)
    message = refusal(content, seconds=1, megabytes=8)
    assert message.startswith(
        'One part of "plan.xlsx" (xl/sharedStrings.xml) would unpack to 30.0 MB; the most the '
        "portal accepts for one part is 25 MB."
    )


def test_a_part_packed_far_tighter_than_excel_packs_is_refused():
    content = bombs.shared_strings_bomb(20)
    message = refusal(content, seconds=1, megabytes=8)
    assert "(xl/sharedStrings.xml) unpacks to" in message
    assert "times its packed size; the most the portal accepts is 100 times" in message


@pytest.mark.parametrize("parts", [600, 5_000])
def test_a_workbook_of_thousands_of_parts_is_refused(parts):
    message = refusal(bombs.many_parts_bomb(parts), seconds=1)
    assert f"is made of {parts + 9:,} parts; the most the portal accepts is 500" in message


def test_a_part_that_understates_its_size_is_not_read_past_what_it_claims():
    content = bombs.understated_size(bombs.sheet_expansion_bomb(120))
    message = refusal(content, seconds=1, megabytes=8)
    assert "could not be read as an Excel workbook" in message


def test_a_real_workbook_of_thousands_of_rows_is_within_every_limit():
    rows = [["Code", "Name", "Theme", "Leads", "Deputies", "Golden threads", "BAF risks"]]
    rows += [
        [f"W{i:05d}", f"WORKSTREAM {i}", f"Theme {i % 8}", f"p{i % 50}@example.nhs.uk", "", "3"]
        + ["01; 08; 14"]
        for i in range(5_000)
    ]
    sheet = read_upload("plan.xlsx", xlsx_bytes(rows))
    assert len(sheet.rows) == 5_001


# --- XML entities ------------------------------------------------------------------------------


def _with_entity_in_styles(entity: str) -> bytes:
    """Entities declared in the styles part, which openpyxl parses whole (through defusedxml)
    and the portal's own checks do not read."""
    base = xlsx_bytes([["Number", "Name"], [1, "Digital"]])
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        styles = archive.read("xl/styles.xml")
    assert styles.startswith(b"<styleSheet")
    doctype = f"<!DOCTYPE styleSheet [{entity}]>".encode()
    return bombs.workbook({"xl/styles.xml": doctype + styles}, base=base)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(bombs.billion_laughs(), id="billion-laughs-in-the-sheet"),
        pytest.param(
            _with_entity_in_styles('<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">'),
            id="entities-in-the-styles",
        ),
        pytest.param(
            _with_entity_in_styles('<!ENTITY xxe SYSTEM "file:///etc/passwd">'),
            id="external-entity",
        ),
    ],
)
def test_xml_that_declares_entities_is_refused_with_a_clear_message(content):
    message = refusal(content, seconds=1)
    assert message.startswith('"plan.xlsx" contains XML that declares its own entities.')
    assert "billion laughs" in message and "save it again as an Excel workbook" in message


# --- CSV ------------------------------------------------------------------------------------------


def test_a_csv_of_nothing_but_line_breaks_stops_at_the_row_limit():
    content = b"Number,Name\n" + b"\n" * (safety.MAX_UPLOAD_BYTES - 100)
    message = refusal(content, "plan.csv", seconds=2, megabytes=64)
    assert "goes on past row 10,000; the most the portal reads is 10,000 rows" in message


def test_a_csv_row_past_the_column_limit_is_refused():
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["Number", "Name"], [""] * safety.MAX_COLUMNS + ["x"]])
    message = refusal(buffer.getvalue().encode(), "plan.csv")
    assert "has something in column CW (column 101)" in message


# --- the upload page ---------------------------------------------------------------------------


@pytest.fixture
def governance_client(governance, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(governance)
    return client


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (bombs.dimension_bomb, "says it uses rows 1 to 1,048,576"),
        (lambda: bombs.far_row_bomb(1_000_000), "goes on past row 10,000"),
        (lambda: bombs.sheet_expansion_bomb(120), "would unpack to 120.0 MB"),
        (bombs.billion_laughs, "contains XML that declares its own entities"),
    ],
    ids=["dimension", "far-row", "expansion", "billion-laughs"],
)
def test_a_bomb_is_refused_on_the_import_page_not_with_a_500(
    build, message, governance_client, tmp_path
):
    content = build()
    started = time.perf_counter()
    with deadline(10):
        response = governance_client.post(
            reverse("dataio:upload"),
            {"kind": "themes", "file": SimpleUploadedFile("plan.xlsx", content)},
        )
    assert time.perf_counter() - started < 10
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert "<title>Error: Import and export –" in html  # said once
    assert 'value="themes" checked' in html  # what was chosen is still chosen
    assert not (tmp_path / uploads.FOLDER).exists()  # nothing kept
