"""Turn a board pack into its HTML report and its accessible PDF.

Building the HTML (queries + templates) and WeasyPrint's rendering of it are separate steps so
each can be timed, and so the published HTML is exactly what the PDF was made from.
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from risks.models import RiskMatrix

from .content import build_pack_content
from .models import BoardPack


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
        },
    )


@dataclass(frozen=True)
class RenderedPDF:
    data: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def render_pdf(html: str) -> RenderedPDF:
    """WeasyPrint → tagged PDF/UA-1 with a bookmarks outline from the headings."""
    from weasyprint import HTML

    options = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "custom_metadata": True}
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(**options)
    out = io.BytesIO()
    document.write_pdf(out, **options)
    return RenderedPDF(out.getvalue(), len(document.pages))
