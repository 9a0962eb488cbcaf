"""Malicious workbooks for the upload-safety tests, built in memory with zipfile.

Each starts from a real (tiny) workbook written by openpyxl and swaps or adds parts, so
everything but the trick is a valid .xlsx. Big parts are streamed into the archive in chunks
and compressed as they go: a "120 MB" sheet is never held in memory, and nothing large is
ever written to disk or committed.
"""

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator

from .support import xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
CONTENT_TYPES = "[Content_Types].xml"
MB = 1024 * 1024
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell(ref: str, text) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(number: int, values: list, *, first_column: int = 1) -> str:
    cells = "".join(
        cell(f"{column_letters(first_column + i)}{number}", value) for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


THEME_ROWS = [row(1, ["Number", "Name"]), row(2, [1, "Direction &amp; Engagement"])]


def sheet_xml(
    rows: list[str] = THEME_ROWS, *, dimension: str | None = None, doctype: str = ""
) -> bytes:
    """A worksheet part: the rows as given, an optional <dimension>, and an optional document
    type declaration (which Excel never writes, and an attacker might)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{_DECLARATION}{doctype}<worksheet xmlns="{_MAIN}">{dim}'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()


def workbook(parts: dict[str, bytes | Iterable[bytes]], *, base: bytes | None = None) -> bytes:
    """A copy of `base` (a small valid workbook) with `parts` replaced or added. A part given
    as an iterable of chunks is streamed into the archive."""
    base = base or xlsx_bytes([["Number", "Name"], [1, "Direction & Engagement"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in parts.items():
            if isinstance(content, bytes):
                target.writestr(name, content)
                continue
            with target.open(name, "w", force_zip64=False) as part:
                for chunk in content:
                    part.write(chunk)
    return out.getvalue()


def _repeat(prefix: bytes, unit: bytes, total: int, suffix: bytes) -> Iterator[bytes]:
    """`prefix`, then `unit` repeated to (about) `total` bytes in 1 MB chunks, then `suffix`."""
    yield prefix
    chunk = unit * max(1, MB // len(unit))
    left = total
    while left >= len(chunk):
        yield chunk
        left -= len(chunk)
    yield unit * (left // len(unit))
    yield suffix


# --- the bombs ------------------------------------------------------------------------------------


def dimension_bomb(ref: str = "A1:XFD1048576") -> bytes:
    """A few-KB file whose sheet claims every row and column Excel has."""
    return workbook({SHEET: sheet_xml(dimension=ref)})


def far_row_bomb(row_number: int = 1_000_000, *, dimension: str | None = None) -> bytes:
    """A real header and row, then one cell a million rows down (the dimension can say
    anything, or be left out as some tools do)."""
    rows = [*THEME_ROWS, row(row_number, [3, "Far away"])]
    return workbook({SHEET: sheet_xml(rows, dimension=dimension)})


def sheet_expansion_bomb(megabytes: int = 120) -> bytes:
    """A sheet whose XML unpacks to `megabytes` MB of rows (about 1,000 times its packed size)."""
    head, _, tail = sheet_xml([]).partition(b"</sheetData>")
    unit = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    return workbook({SHEET: _repeat(head, unit, megabytes * MB, b"</sheetData>" + tail)})


def huge_cell_bomb(megabytes: int = 120) -> bytes:
    """One cell holding `megabytes` MB of text."""
    head, _, tail = sheet_xml([row(1, ["Number", "Name"])]).partition(b"</sheetData>")
    prefix = head + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    suffix = b"</t></is></c></row></sheetData>" + tail
    return workbook({SHEET: _repeat(prefix, b"A", megabytes * MB, suffix)})


def shared_strings_bomb(megabytes: int = 120) -> bytes:
    """A shared-strings part (which openpyxl reads whole, before any row) of millions of tiny
    strings, listed in the package's content types so that it is read."""
    base = xlsx_bytes([["Number", "Name"], [1, "Direction & Engagement"]])
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        types = archive.read(CONTENT_TYPES)
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    prefix = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode()
    return workbook(
        {
            CONTENT_TYPES: types.replace(b"</Types>", override.encode()),
            STRINGS: _repeat(prefix, b"<si><t>x</t></si>", megabytes * MB, b"</sst>"),
        },
        base=base,
    )


def many_parts_bomb(parts: int = 5_000) -> bytes:
    """Thousands of tiny parts (each costs memory to list before anything is read)."""
    return workbook({f"xl/media/image{i}.bin": b"" for i in range(parts)})


def billion_laughs(levels: int = 9) -> bytes:
    """The classic XML entity expansion: ten entities of ten of the one before, nine deep
    (a thousand million "lol"s from a few hundred bytes)."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)
    ]
    rows = [row(1, ["Number", "Name"]), row(2, [1, f"&lol{levels};"])]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>\n"
    return workbook({SHEET: sheet_xml(rows, doctype=doctype)})


def understated_size(content: bytes, name: str = SHEET, claimed: int = 100) -> bytes:
    """`content` with the central directory (and local header) of part `name` claiming it
    unpacks to only `claimed` bytes: a reader that believed the claim and read on would be
    fooled."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(name)
    # Local file header: uncompressed size at offset 22.
    struct.pack_into("<L", data, info.header_offset + 22, claimed)
    # Central directory entry: find it by its signature and file name.
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == name.encode():
            struct.pack_into("<L", data, central + 24, claimed)
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    return bytes(data)
