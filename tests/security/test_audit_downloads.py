"""Downloads of personal data and of member-only PDFs are audited, once per download, with
who, from where and in which session. Public packs read by anyone are not (they are public).
Run on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL."""

import csv
import datetime
import io

import pytest
import weasyprint
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dataio import exporters
from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent
from packs.models import BoardPack

from .. import factories

NAME, EMAIL = "Zed Personaldata", "zed.personaldata@example.nhs.uk"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.9")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def named(db):
    """One person who leads, deputises, owns and writes everything an export can name."""
    person = factories.UserFactory(full_name=NAME, email=EMAIL)
    theme = factories.ThemeFactory(number=1, name="Direction")
    theme.leads.add(person)
    thread = factories.GoldenThreadFactory(number=1, name="Workforce")
    thread.system_leads.add(person)
    workstream = factories.WorkstreamFactory(theme=theme, name="DIGITAL", code="DIG")
    workstream.leads.add(person)
    workstream.deputies.add(person)
    factories.ObjectiveFactory(workstream=workstream, number=1, text="Agree priorities")
    workstream.milestones.add(factories.MilestoneFactory(title="Strategy agreed"))
    factories.BAFRiskFactory(reference="07", owner=person)
    cycle = factories.ReportingCycleFactory()
    factories.WorkstreamUpdateFactory(cycle=cycle, workstream=workstream)
    return cycle


def _text(content: bytes, fmt: str) -> str:
    if fmt == "csv":
        return "\n".join(",".join(r) for r in csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_the_personal_data_list_is_exactly_the_exports_that_name_people(named):
    """Build every export kind in every format: it names the person iff the list says so."""
    wrong = []
    for kind, spec in exporters.EXPORT_KINDS.items():
        for fmt in spec.formats:
            result = exporters.export(kind, fmt=fmt, cycle=named)
            text = _text(result.content, fmt)
            names_someone = NAME in text or EMAIL in text
            if names_someone != (kind in exporters.PERSONAL_DATA_KINDS):
                wrong.append((kind, fmt, names_someone))
    assert wrong == []


@pytest.mark.parametrize("kind", sorted(exporters.PERSONAL_DATA_KINDS))
def test_each_personal_data_download_writes_one_event(named, governance, kind):
    spec = exporters.EXPORT_KINDS[kind]
    response = _client(governance).get(
        reverse("dataio:export", kwargs={"kind": kind}),
        {"format": spec.formats[-1], "cycle": named.pk},
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(verb=AuditVerb.EXPORT_DOWNLOAD)
    assert event.actor_id == governance.pk
    assert (event.object_type, event.object_id, event.object_label) == (
        "dataio.export",
        kind,
        spec.label,
    )
    assert event.after["format"] == spec.formats[-1]
    assert event.after["filename"] in response["Content-Disposition"]
    assert event.ip_address == "203.0.113.9"
    assert len(event.session_ref) == 16


@pytest.mark.parametrize("kind", ["organisations", "objectives", "milestones"])
def test_exports_that_name_nobody_are_not_audited(named, governance, kind):
    response = _client(governance).get(reverse("dataio:export", kwargs={"kind": kind}))
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT_DOWNLOAD).exists()


def test_an_export_from_the_shell_that_names_people_is_recorded_too(named, tmp_path):
    output = tmp_path / "people.xlsx"
    call_command("export_data", "people", "--output", str(output), stdout=io.StringIO())
    call_command(
        "export_data", "organisations", "--output", str(tmp_path / "o.xlsx"), stdout=io.StringIO()
    )
    [event] = AuditEvent.objects.filter(verb=AuditVerb.EXPORT_DOWNLOAD)
    assert (event.object_id, event.actor_name) == ("people", "system")
    assert event.comment == f"manage.py export_data --output {output}"
    assert event.after["format"] == "xlsx"


def test_a_refused_download_writes_nothing(named, lead):
    response = _client(lead).get(reverse("dataio:export", kwargs={"kind": "people"}))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT_DOWNLOAD).exists()


# --- board-pack PDFs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return weasyprint.HTML(string="<h1>Board pack</h1>").write_pdf()


def _published(pdf_bytes, *, visibility, embargo_days=-1, withdrawn=False):
    embargo = timezone.now() + datetime.timedelta(days=embargo_days)
    pack = factories.BoardPackFactory(
        state=BoardPack.State.PUBLISHED, visibility=visibility, embargo_until=embargo
    )
    published = factories.PublishedPackFactory(
        pack=pack,
        visibility=visibility,
        embargo_until=embargo,
        withdrawn_at=timezone.now() if withdrawn else None,
        withdrawn_reason="Wrong figures" if withdrawn else "",
        pdf=None,
    )
    published.pdf.save("pack.pdf", ContentFile(pdf_bytes), save=False)
    type(published).objects.filter(pk=published.pk).update(pdf=published.pdf.name)
    return published


def _download(client, published):
    response = client.get(reverse("packs:published_pdf", args=[published.pk]))
    if response.status_code == 200:
        b"".join(response.streaming_content)  # the test client closes it when read
    return response


@pytest.mark.parametrize("who", ["board_member", "governance"])
def test_a_member_only_pdf_download_is_audited_once(db, pdf_bytes, who, request):
    user = request.getfixturevalue(who)
    published = _published(pdf_bytes, visibility=BoardPack.Visibility.MEMBERS)
    assert _download(_client(user), published).status_code == 200
    event = AuditEvent.objects.get(verb=AuditVerb.PACK_DOWNLOAD)
    assert event.actor_id == user.pk
    assert (event.object_type, event.object_id) == ("packs.PublishedPack", str(published.pk))
    assert event.after == {"version": published.number, "visibility": "MEMBERS", "withdrawn": False}
    assert event.ip_address == "203.0.113.9"
    assert event.session_ref


def test_a_withdrawn_or_embargoed_pdf_read_by_governance_is_audited(db, pdf_bytes, governance):
    embargoed = _published(pdf_bytes, visibility=BoardPack.Visibility.PUBLIC, embargo_days=2)
    withdrawn = _published(pdf_bytes, visibility=BoardPack.Visibility.PUBLIC, withdrawn=True)
    client = _client(governance)
    assert _download(client, embargoed).status_code == 200
    assert _download(client, withdrawn).status_code == 200
    events = AuditEvent.objects.filter(verb=AuditVerb.PACK_DOWNLOAD)
    assert sorted(e.object_id for e in events) == sorted([str(embargoed.pk), str(withdrawn.pk)])


@pytest.mark.parametrize("who", [None, "board_member"])
def test_a_public_pdf_is_not_audited(db, pdf_bytes, who, request):
    user = request.getfixturevalue(who) if who else None
    published = _published(pdf_bytes, visibility=BoardPack.Visibility.PUBLIC)
    assert _download(_client(user), published).status_code == 200
    assert not AuditEvent.objects.filter(verb=AuditVerb.PACK_DOWNLOAD).exists()


def test_a_refused_pdf_download_writes_nothing(db, pdf_bytes, outsider):
    published = _published(pdf_bytes, visibility=BoardPack.Visibility.MEMBERS)
    assert _download(_client(outsider), published).status_code == 404
    assert _download(_client(None), published).status_code == 302
    assert not AuditEvent.objects.filter(verb=AuditVerb.PACK_DOWNLOAD).exists()


def test_the_draft_pdf_download_is_audited_once(db, pdf_bytes, governance):
    pack = factories.BoardPackFactory(state=BoardPack.State.READY, version=3)
    pack.draft_pdf.save("draft.pdf", ContentFile(pdf_bytes))
    response = _client(governance).get(reverse("packs:draft_pdf", args=[pack.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(verb=AuditVerb.PACK_DOWNLOAD)
    assert (event.object_type, event.object_id) == ("packs.BoardPack", str(pack.pk))
    assert event.after == {"draft": True, "version": 3}
    assert event.actor_id == governance.pk
