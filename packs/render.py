"""Turn a board pack into its HTML report and its accessible PDF.

Building the HTML (queries + templates) and WeasyPrint's rendering of it are separate steps so
each can be timed, and so the published HTML is exactly what the PDF was made from.
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import dateformat

from risks.models import RiskMatrix

from .content import build_pack_content
from .models import BoardPack
from .pdf_tags import finish_tags


def render_pack_html(pack: BoardPack) -> str:
    content = build_pack_content(pack.cycle, pack)
    matrix = RiskMatrix.objects.current()
    return render_to_string(
        "packs/pack.html",
        {
            "content": content,
            "purposes": BoardPack.Purpose.choices,
            "matrix_name": matrix.name,
            "matrix_bands": list(matrix.bands.all()),
            "SERVICE_NAME": settings.SERVICE_NAME,
            "ORGANISATION_NAME": settings.ORGANISATION_NAME,
            "PROTECTIVE_MARKING": settings.PROTECTIVE_MARKING,
            "running_header": running_header(pack),
        },
    )


def running_header(pack: BoardPack) -> str:
    """The meeting, its date and the agenda item, at the top of every page of the PDF."""
    words = [pack.meeting, dateformat.format(pack.date_of_meeting, "j F Y")]
    if pack.agenda_item:
        words.append(f"Item {pack.agenda_item}")
    return " · ".join(words)


@dataclass(frozen=True)
class RenderedPDF:
    data: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def render_pdf(html: str) -> RenderedPDF:
    """WeasyPrint → tagged PDF/UA-1 with a bookmarks outline from the headings, then the tags
    WeasyPrint leaves out (header cells' scope, page furniture as artifacts: pdf_tags.py).

    No custom metadata: the only non-standard <meta> is the published HTML's viewport, which
    is no part of a PDF's document information."""
    from weasyprint import HTML

    options = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "custom_metadata": False}
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(**options)
    out = io.BytesIO()
    document.write_pdf(out, **options)
    return RenderedPDF(finish_tags(out.getvalue()), len(document.pages))
