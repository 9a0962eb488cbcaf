"""Finish WeasyPrint's tagged PDF where WeasyPrint 70 stops short of PDF/UA-1, and stamp a
draft's pages with a DRAFT watermark.

WeasyPrint 70 (weasyprint/pdf/tags.py) tags tables with /TH and /TD and links data cells to
their headers through /Headers and /ID, but never writes a header cell's /Scope; and it gives
the text of @page margin boxes (the running header and the page numbers) marked-content ids
whose structure elements it leaves out of the tree ("could be included in tree as Artifact,
but that's only allowed in PDF 2.0"), so that text is neither real content nor an artifact.
`finish_tags` adds the scopes and turns the margin boxes' content into pagination artifacts.
"""

import functools
import io

import pikepdf
from pikepdf import Array, Dictionary, Name

# What WeasyPrint's margin-box text becomes: page furniture, skipped by assistive technology.
PAGINATION = Dictionary(Type=Name.Pagination)
WATERMARK_TEXT = "DRAFT"


def finish_tags(data: bytes) -> bytes:
    """`data` (a WeasyPrint PDF/UA-1 PDF) with /Scope on every header cell and its page
    furniture marked as artifacts."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return data
        in_tree = set()
        for element in _elements(root):
            in_tree.add(element.objgen)
            if element.get("/S") == Name.TH:
                _set_scope(element)
        _furniture_to_artifacts(pdf, root, in_tree)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _kids(node: Dictionary) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_element(node) -> bool:
    return isinstance(node, Dictionary) and node.get("/Type") not in (Name.OBJR, Name.MCR)


def _elements(root: Dictionary):
    """Every structure element reachable from the root, parents first, in document order."""
    stack = [k for k in reversed(_kids(root)) if _is_element(k)]
    while stack:
        element = stack.pop()
        yield element
        stack.extend(k for k in reversed(_kids(element)) if _is_element(k))


def _set_scope(th: Dictionary) -> None:
    """Column for a header cell in the table head or in a row of header cells only, Row
    otherwise: what the pack's tables say with scope="col" and scope="row" (and what HTML's
    auto scope would decide for a lead's own rich-text table)."""
    row = th.get("/P")
    group = row.get("/P") if row is not None else None
    cells = [c for c in _kids(row) if _is_element(c)] if row is not None else []
    in_head = group is not None and group.get("/S") == Name.THead
    all_headers = bool(cells) and all(c.get("/S") == Name.TH for c in cells)
    scope = Name.Column if in_head or all_headers else Name.Row
    attributes = th.get("/A")
    if isinstance(attributes, Dictionary):
        if attributes.get("/O") == Name.Table:
            attributes.Scope = scope
            return
        th.A = Array([attributes, Dictionary(O=Name.Table, Scope=scope)])
    elif isinstance(attributes, Array):
        for entry in attributes:
            if isinstance(entry, Dictionary) and entry.get("/O") == Name.Table:
                entry.Scope = scope
                return
        attributes.append(Dictionary(O=Name.Table, Scope=scope))
    else:
        th.A = Dictionary(O=Name.Table, Scope=scope)


def _furniture_to_artifacts(pdf: pikepdf.Pdf, root: Dictionary, in_tree: set) -> None:
    """Content whose marked-content id maps to an element outside the tree (WeasyPrint's
    margin boxes) becomes /Artifact << /Type /Pagination >>, and its ids leave the parent tree."""
    parent_tree = root.get("/ParentTree")
    if parent_tree is None or "/Nums" not in parent_tree:
        return  # WeasyPrint writes one flat /Nums array; anything else is not ours to edit
    nums = parent_tree.Nums
    by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        ids = by_key.get(int(key)) if key is not None else None
        if not isinstance(ids, Array):
            continue
        orphans = {
            mcid
            for mcid, element in enumerate(ids)
            if isinstance(element, Dictionary) and element.objgen not in in_tree
        }
        if not orphans:
            continue
        instructions = pikepdf.parse_content_stream(page)
        changed = []
        for instruction in instructions:
            operands, operator = instruction.operands, instruction.operator
            if (
                str(operator) == "BDC"
                and len(operands) == 2
                and isinstance(operands[1], Dictionary)
                and operands[1].get("/MCID") in orphans
            ):
                instruction = pikepdf.ContentStreamInstruction(
                    [Name.Artifact, PAGINATION], operator
                )
            changed.append(instruction)
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(changed))
        for mcid in orphans:
            ids[mcid] = pikepdf.Object.parse(b"null")


def stamp_draft(data: bytes) -> bytes:
    """`data` with a light diagonal DRAFT over every page, marked as a watermark artifact (so
    a screen reader does not read it) and kept out of the structure tree. The stored PDF stays
    clean: it is what publishing copies, byte for byte (packs/actions.py publish_pack)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        forms = {}
        for page in pdf.pages:
            box = tuple(float(v) for v in page.mediabox)
            if box not in forms:
                with pikepdf.open(
                    io.BytesIO(_watermark_page(box[2] - box[0], box[3] - box[1]))
                ) as src:
                    forms[box] = pdf.copy_foreign(src.pages[0].as_form_xobject())
            # A fixed name, not add_resource's random one: WeasyPrint's pages share one
            # resource dictionary, and the same draft must give the same file.
            name = Name(f"/DraftWatermark{round(box[2] - box[0])}x{round(box[3] - box[1])}")
            resources = page.obj.get("/Resources")
            if resources is None:
                page.obj.Resources = resources = Dictionary()
            if "/XObject" not in resources:
                resources.XObject = Dictionary()
            resources.XObject[name] = forms[box]
            x, y = box[0], box[1]
            page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
            page.contents_add(
                pdf.make_stream(
                    b"Q\n/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
                    + f"q 1 0 0 1 {x:g} {y:g} cm {name} Do Q\n".encode()
                    + b"EMC\n"
                )
            )
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


@functools.cache
def _watermark_page(width: float, height: float) -> bytes:
    """One untagged page of `width` × `height` points with the word, made by WeasyPrint so its
    font is embedded as PDF/UA requires."""
    from weasyprint import HTML

    html = f"""<!DOCTYPE html><html lang="en-GB"><head><style>
      @page {{ size: {width}pt {height}pt; margin: 0; }}
      body {{ margin: 0; }}
      div {{ position: absolute; left: 0; width: {width}pt; top: {height / 2 - 80}pt;
        height: 160pt; line-height: 160pt; text-align: center;
        transform: rotate(-55deg); transform-origin: 50% 50%;
        font: bold 130pt "Liberation Sans", Arial, sans-serif; letter-spacing: 10pt;
        color: rgba(174, 37, 115, 0.16); }}
    </style></head><body><div>{WATERMARK_TEXT}</div></body></html>"""
    return HTML(string=html).write_pdf()
