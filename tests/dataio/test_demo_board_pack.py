"""The demo's history and its published board pack (issue 11): approved Q1 2021/22 workstream
statuses (from seed 001 where it says, marked illustrative elsewhere) so the Q2 pack compares
two real quarters, and a Q2 2021/22 pack generated and published through the real actions, so
a board member's first sign-in shows a published report. Loading twice changes nothing."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from dataio.demo import DEMO_ORGANISATION_NAME
from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent, ReportingCycle, User
from ics_portal.status import DeliveryStatus, WorkflowState
from packs.content import build_pack_content
from packs.models import BoardPack, PublishedPack
from reporting.models import MilestoneProgress, WorkstreamUpdate

PASSWORD = "correct-horse-battery"


def _load(**kwargs) -> str:
    out = io.StringIO()
    call_command("load_demo_data", password=PASSWORD, force=True, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def loaded(demo_once, db):
    """The demo data, loaded once for this module (tests/conftest.py); its output."""
    return demo_once


def test_board_member_first_sign_in_shows_the_published_q2_report(loaded, client):
    published = PublishedPack.objects.get()
    assert published.pack.cycle.label == "Q2 2021/22"
    assert published.page_count > 20 and published.html.startswith("<!DOCTYPE html>")
    assert published.pack.agenda_item == "03.1"  # the cover of fixtures/demo/board_cover.json
    assert published.pack.lead.startswith("Jan Thomas and Roland Sinker")
    q2 = ReportingCycle.objects.get(fy_start_year=2021, quarter=2)
    assert q2.status == ReportingCycle.Status.PUBLISHED
    # Published through the real action: the pack's contents are frozen, and audited.
    assert not WorkstreamUpdate.objects.filter(cycle=q2, state=WorkflowState.APPROVED).exists()
    assert AuditEvent.objects.filter(verb=AuditVerb.PACK_PUBLISH).count() == 1
    client.force_login(User.objects.get(email="demo.board@example.nhs.uk"))
    home = client.get(reverse("home")).content.decode()
    assert reverse("packs:published_detail", args=[published.pk]) in home
    assert published.title in client.get(reverse("packs:published_list")).content.decode()
    page = client.get(reverse("packs:published_html", args=[published.pk]))
    assert page.status_code == 200 and published.title in page.content.decode()
    # The Q3 cycle (open) has a draft pack for governance to preview.
    assert BoardPack.objects.filter(cycle__quarter=3, state=BoardPack.State.DRAFT).count() == 1


def test_q1_statuses_make_the_q2_what_changed_real(loaded):
    q1 = ReportingCycle.objects.get(fy_start_year=2021, quarter=1)
    q2 = ReportingCycle.objects.get(fy_start_year=2021, quarter=2)
    q1_updates = WorkstreamUpdate.objects.filter(cycle=q1)
    assert q1_updates.count() == WorkstreamUpdate.objects.filter(cycle=q2).count() > 20
    assert set(q1_updates.values_list("state", flat=True)) == {WorkflowState.APPROVED}
    assert not q1_updates.filter(overall_status="").exists()
    assert not q1_updates.filter(forecast_status="").exists()
    # Where the seeds do not say, the update says it is illustrative.
    unsourced = q1_updates.get(workstream__code="DE")
    assert unsourced.status_explanation.startswith("Illustrative: not in the source papers")
    # Seed 001: the Updated Clinical Strategy was due Sept 2021 in Q1, revised to 31 Dec in Q2.
    strategy = MilestoneProgress.objects.filter(milestone__title="Updated Clinical Strategy")
    before = strategy.get(update__cycle=q1)
    after = strategy.get(update__cycle=q2)
    assert before.status == DeliveryStatus.ON_TRACK and before.revised_date is None
    assert after.status == DeliveryStatus.DELAYED and after.revised_date == date(2021, 12, 31)
    # Seed 001: Version 2 of the Development Plan went to Region by 30 June, complete in Q1.
    version_2 = MilestoneProgress.objects.get(
        update__cycle=q1, milestone__title__startswith="Version 2 of the Development Plan"
    )
    assert version_2.status == DeliveryStatus.COMPLETE
    # Forecasts moved between the quarters.
    forecasts = {
        u.workstream.code: u.forecast_status
        for u in WorkstreamUpdate.objects.filter(cycle__in=[q1]).select_related("workstream")
    }
    moved = [
        u.workstream.code
        for u in WorkstreamUpdate.objects.filter(cycle=q2).select_related("workstream")
        if u.forecast_status != forecasts[u.workstream.code]
    ]
    assert {"CL", "ICD", "AAP"} <= set(moved)
    content = build_pack_content(q2, BoardPack.objects.get(cycle=q2))
    sentences = [change.sentence for change in content.changes]
    assert any("Updated Clinical Strategy" in s and "31 December 2021" in s for s in sentences)
    assert any(s.startswith("RISK MANAGEMENT moved from On track to Complete") for s in sentences)
    # And the published pack says so too.
    assert "31 December 2021" in PublishedPack.objects.get().html


def test_loading_twice_gives_the_same_data(loaded):
    def snapshot():
        return {
            "published": list(PublishedPack.objects.values_list("pk", "sha256", "number")),
            "packs": list(BoardPack.objects.values_list("pk", "cycle__quarter", "state")),
            "cycles": list(ReportingCycle.objects.values_list("quarter", "status")),
            "updates": sorted(
                WorkstreamUpdate.objects.values_list(
                    "cycle__quarter",
                    "workstream__code",
                    "state",
                    "overall_status",
                    "forecast_status",
                    "status_explanation",
                    "version",
                )
            ),
            "milestones": sorted(
                MilestoneProgress.objects.values_list(
                    "update__cycle__quarter",
                    "update__workstream__code",
                    "milestone__title",
                    "status",
                    "revised_date",
                    "note",
                )
            ),
            "audit": AuditEvent.objects.count(),
        }

    first = snapshot()
    _load()
    assert snapshot() == first


def test_command_says_to_set_the_organisation_name_when_it_is_not_the_demos(db, media, settings):
    settings.ORGANISATION_NAME = "Integrated Care System"
    output = _load()
    assert f"the demo's ICS is {DEMO_ORGANISATION_NAME!r}" in output
    settings.ORGANISATION_NAME = DEMO_ORGANISATION_NAME
    assert "ORGANISATION_NAME is" not in _load()
    # The pack was made before the name was set, and stays as published: only once.
    assert PublishedPack.objects.count() == 1
