"""Bad files get a clear message and no partial write: wrong type, empty, 10 MB and over,
broken workbooks, other encodings, and formula-injection cells."""

import io
import zipfile

import pytest

from dataio import safety
from dataio.safety import FileRejected, read_upload
from workstreams.models import Theme

from .support import csv_bytes, errors, run, run_file, xlsx_bytes

THEMES = [["Number", "Name"], [1, "Direction & Engagement"], [2, "Financial Framework"]]


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("plan.pdf", '"plan.pdf" is not a file the portal can import'),
        ("plan", '"plan" is not a file the portal can import'),
        ("plan.xls", "old Excel format (.xls)"),
        ("plan.json", "Upload an Excel workbook (.xlsx) or a CSV file (.csv)"),
    ],
)
def test_it_refuses_the_wrong_type(filename, message):
    with pytest.raises(FileRejected, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_upload(filename, b"Number,Name\n1,Theme\n")


def test_it_refuses_an_empty_file():
    with pytest.raises(FileRejected, match='"themes.csv" is empty'):
        read_upload("themes.csv", b"")


def test_it_refuses_a_file_of_blank_rows():
    with pytest.raises(FileRejected, match="has no rows in it"):
        read_upload("themes.csv", b",,\r\n , \r\n")


def test_a_header_without_rows_has_nothing_to_import(db):
    report = run("themes", [["Number", "Name"]])
    assert errors(report) == ['"themes.xlsx" has a header row but no rows to import']


def test_it_refuses_10_mb_and_more():
    big = b"Number,Name\n" + b"1,x\n" * (safety.MAX_UPLOAD_BYTES // 4)
    assert len(big) >= safety.MAX_UPLOAD_BYTES
    with pytest.raises(FileRejected, match=r"is 10\.0 MB\. The file must be smaller than 10 MB"):
        read_upload("themes.csv", big)


def test_just_under_10_mb_is_read():
    # Long rows, so that the file is under the row limit as well (about 5,000 rows).
    header, row = b"Number,Name\n", b"1," + b"x" * 2000 + b"\n"
    content = header + row * ((safety.MAX_UPLOAD_BYTES - 1 - len(header)) // len(row))
    assert safety.MAX_UPLOAD_BYTES - len(row) <= len(content) < safety.MAX_UPLOAD_BYTES
    assert read_upload("themes.csv", content).rows[0] == (1, ["Number", "Name"])


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a zip file at all",
        b"PK\x03\x04" + b"\x00" * 200,  # a zip header and nothing behind it
        xlsx_bytes(THEMES)[:1500],  # cut off half way through the download
    ],
)
def test_it_refuses_a_broken_workbook(content):
    with pytest.raises(FileRejected, match="could not be read as an Excel workbook"):
        read_upload("themes.xlsx", content)


def test_it_refuses_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileRejected, match="could not be read as an Excel workbook"):
        read_upload("themes.xlsx", buffer.getvalue())


def test_it_refuses_a_workbook_named_csv():
    with pytest.raises(FileRejected, match="is an Excel workbook with a .csv name"):
        read_upload("themes.csv", xlsx_bytes(THEMES))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_utf8_with_or_without_bom_and_windows_1252(encoding, db):
    rows = [["Number", "Name", "Other names"], [1, "Direction & Engagement", "Dirección – “D&E”"]]
    content = csv_bytes(rows, encoding=encoding)
    if encoding == "utf-8-sig":
        assert content.startswith(b"\xef\xbb\xbf")
    report = run_file("themes", "themes.csv", content, commit=True)
    assert report.committed, errors(report)
    theme = Theme.objects.get(number=1)
    # The BOM does not end up in the first header, and the accents and quotes survive.
    assert theme.name == "Direction & Engagement"
    assert theme.aliases == ["Dirección – “D&E”"]


def test_it_refuses_utf16_text():
    content = "Number,Name\n1,Theme\n".encode("utf-16")
    with pytest.raises(FileRejected, match="saved as UTF-16"):
        read_upload("themes.csv", content)


def test_it_refuses_text_in_another_encoding():
    # 0x81 is not a character in Windows-1252 and this is not UTF-8 either.
    with pytest.raises(FileRejected, match="not in UTF-8 or Windows-1252"):
        read_upload("themes.csv", b"Number,Name\n1,Th\x81me\xff\n")


def test_semicolon_separated_csv_is_read():
    sheet = read_upload("themes.csv", b"Number;Name\n1;Direction & Engagement\n")
    assert sheet.rows[1] == (2, ["1", "Direction & Engagement"])


@pytest.mark.parametrize(
    "cell",
    ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1+1"],
)
def test_a_formula_injection_cell_rejects_the_file(cell, db):
    report = run(
        "themes",
        [
            ["Number", "Name", "Other names"],
            [1, "Direction & Engagement", cell],
            [2, "Digital", ""],
        ],
        commit=True,
    )
    assert not report.committed
    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith("Row 2, Other names: The cell starts with")
    assert "could run it as a formula" in str(report.errors[0])
    assert not Theme.objects.exists()  # the good row was not written either


def test_a_real_formula_in_a_workbook_is_refused(db):
    report = run("themes", [["Number", "Name"], [1, '=CONCAT("Dir","ection")']])
    assert errors(report)[0].startswith('Row 2, Name: The cell starts with "="')


def test_plain_numbers_with_signs_are_not_formulas():
    assert not safety.is_formula_like("-5")
    assert not safety.is_formula_like("+3")
    assert safety.is_formula_like("-5+A1")


def test_neutralised_cells_are_read_back_as_text(db):
    report = run("themes", [["Number", "Name"], [1, "'=Direction"]], commit=True)
    assert report.committed
    assert Theme.objects.get().name == "=Direction"


def test_export_neutralises_what_import_refuses():
    assert safety.neutralise("=1+1") == "'=1+1"
    assert safety.neutralise("@here") == "'@here"
    assert safety.neutralise("-x") == "'-x"
    assert safety.neutralise("+44 1223") == "'+44 1223"
    assert safety.neutralise("-5") == "-5"
    assert safety.neutralise("Direction") == "Direction"
    assert safety.neutralise(7) == 7
