"""What a reader of published reports is shown (issue 14): the page of one published version
(the report to read on screen as the main action, its contents linking into it, the PDF as an
attachment with its type, size and pages, the fingerprint to check a copy by), and where in
the published reports a workstream's latest update can be read (for a risk's page)."""

from dataclasses import dataclass

from django.db.models import BooleanField, Case, F, Value, When
from django.urls import reverse
from django.utils.formats import date_format

from ics_portal.permissions import readable_published
from ics_portal.reading import ReadingLink
from ics_portal.status import WorkflowState
from reporting.models import WorkstreamUpdate

from .models import PublishedPack
from .web_report import ContentsEntry, web_report


@dataclass(frozen=True)
class Attachment:
    """A file offered for download, described as GOV.UK and NHS.UK describe attachments."""

    title: str
    url: str
    file_type: str
    size: int | None  # bytes; None when the file storage cannot say
    pages: int | None


@dataclass(frozen=True)
class PublishedPage:
    report: PublishedPack
    read_url: str
    contents: list[ContentsEntry]
    attachment: Attachment


def _stored_size(report: PublishedPack) -> int | None:
    try:
        return report.pdf.size
    except (OSError, ValueError):  # missing from the storage: the page still shows
        return None


def published_page(report: PublishedPack) -> PublishedPage:
    """The page of `report`. No query beyond the loaded report: its contents come from the
    frozen HTML (the same headings the web report lists) and the size from the file storage."""
    read_url = reverse("packs:published_html", args=[report.pk])
    return PublishedPage(
        report=report,
        read_url=read_url,
        contents=web_report(report.html, fallback_title=report.title).contents,
        attachment=Attachment(
            title=f"{report.title} (version {report.number})",
            url=reverse("packs:published_pdf", args=[report.pk]),
            file_type="PDF",
            size=_stored_size(report),
            pages=report.page_count or None,
        ),
    )


# --- a workstream's latest update in a published report (ics_portal/reading.py) ---------------


def workstream_anchor(workstream_id: int) -> str:
    """The id of a workstream's article in the report (templates/packs/_workstreams.html)."""
    return f"workstream-{workstream_id}"


def workstream_in_published_reports(user, workstream_ids) -> dict[int, ReadingLink]:
    """For each workstream, its latest published update as a report `user` may read shows it:
    the newest version, of the newest cycle, whose frozen HTML has the workstream's article (an
    exception-only report may leave it out; one published before the articles had ids has
    none). Two queries, however many workstreams, cycles and versions."""
    ids = sorted(set(workstream_ids))
    if not ids:
        return {}
    published_updates = (
        WorkstreamUpdate.objects.filter(workstream_id__in=ids, state=WorkflowState.PUBLISHED)
        .order_by("-cycle__fy_start_year", "-cycle__quarter")
        .values_list("workstream_id", "cycle_id")
    )
    cycles_of: dict[int, list[int]] = {}
    for workstream_id, cycle_id in published_updates:  # newest cycle first
        cycles_of.setdefault(workstream_id, []).append(cycle_id)
    if not cycles_of:
        return {}
    shows = {
        f"shows_{pk}": Case(
            When(html__contains=f'id="{workstream_anchor(pk)}"', then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for pk in cycles_of
    }
    versions = (
        readable_published(
            user,
            PublishedPack.objects.filter(
                pack__cycle_id__in={c for cycles in cycles_of.values() for c in cycles}
            ),
        )
        .select_related("pack__cycle")
        .defer("html")
        .annotate(**shows)
        .order_by(F("withdrawn_at").asc(nulls_first=True), "-published_at", "-pk")
    )
    versions_of: dict[int, list[PublishedPack]] = {}
    for version in versions:  # live ones first, then newest first
        versions_of.setdefault(version.pack.cycle_id, []).append(version)
    links: dict[int, ReadingLink] = {}
    for workstream_id, cycles in cycles_of.items():
        version = next(
            (
                v
                for cycle_id in cycles
                for v in versions_of.get(cycle_id, [])
                if getattr(v, f"shows_{workstream_id}")
            ),
            None,
        )
        if version is not None:
            url = reverse("packs:published_html", args=[version.pk])
            meeting = date_format(version.pack.date_of_meeting, "j F Y")
            links[workstream_id] = ReadingLink(
                url=f"{url}#{workstream_anchor(workstream_id)}",
                description=(
                    f"{version.pack.cycle.label} update, in the report for {meeting}"
                    + (" (withdrawn)" if version.is_withdrawn else "")
                ),
            )
    return links
