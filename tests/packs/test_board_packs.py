import datetime
import hashlib

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ics_portal.models import AuditEvent
from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError
from packs import actions, notifications
from packs.content import build_pack_content
from packs.defaults import default_pack
from packs.models import BoardPack, PublishedPack
from reporting import actions as update_actions
from reporting.models import WorkstreamUpdate

from .. import factories
from ..dates import date_fields


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def generate(django_capture_on_commit_callbacks, governance):
    """Queue generation and run the (immediate) task as the commit would."""

    def run(pack):
        with django_capture_on_commit_callbacks(execute=True):
            actions.request_generation(pack=BoardPack.objects.get(pk=pack.pk), by=governance)
        return BoardPack.objects.get(pk=pack.pk)

    return run


@pytest.fixture
def cycle(db):
    return factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)


def _approved_update(
    cycle, lead, governance, *, name, status=DeliveryStatus.ON_TRACK, progress="<p>Done</p>"
):
    workstream = factories.WorkstreamFactory(name=name)
    workstream.leads.add(lead)
    objective = factories.ObjectiveFactory(workstream=workstream, number=1, text="Agree priorities")
    update = factories.WorkstreamUpdateFactory(cycle=cycle, workstream=workstream)
    update = update_actions.save_update(
        update=update,
        base_version=update.version,
        by=lead,
        fields={
            "overall_status": status,
            "forecast_status": status,
            "nothing_to_escalate": True,
            "status_explanation": "Slipped" if status != DeliveryStatus.ON_TRACK else "",
        },
        objective_progress={objective.pk: progress},
    )
    workflow.submit(update=update, by=lead)
    return workflow.approve(update=update, by=governance)


def _pack(cycle, governance, **extra):
    template = default_pack(cycle)
    fields = {
        f: getattr(template, f)
        for f in (
            "meeting",
            "date_of_meeting",
            "title",
            "purpose",
            "purpose_of_paper",
            "recommendation",
            "sections",
        )
    }
    fields.update(
        lead="Jan Thomas, Accountable Officer", author="Sharon Fox, Director of Governance"
    )
    fields.update(extra)
    return actions.create_pack(cycle=cycle, by=governance, **fields)


def test_pack_lists_unapproved_updates_instead_of_dropping_them(cycle, lead, governance):
    _approved_update(cycle, lead, governance, name="DIGITAL")
    factories.WorkstreamUpdateFactory(
        cycle=cycle, workstream=factories.WorkstreamFactory(name="ESTATES")
    )
    content = build_pack_content(cycle, _pack(cycle, governance))
    assert ("ESTATES", "Not submitted") in content.missing
    names = [w.workstream.name for t in content.themes for w in t.workstreams]
    assert {"DIGITAL", "ESTATES"} <= set(names)


def test_exception_mode_keeps_only_at_risk_and_delayed(cycle, lead, governance):
    _approved_update(cycle, lead, governance, name="DIGITAL")
    _approved_update(cycle, lead, governance, name="WORKFORCE", status=DeliveryStatus.DELAYED)
    content = build_pack_content(cycle, _pack(cycle, governance, exception_only=True))
    names = [w.workstream.name for t in content.themes for w in t.workstreams]
    assert names == ["WORKFORCE"]


def _publish(pack, governance):
    """Publish as governance does: the cycle closes at its deadline, then the pack goes out."""
    pack = BoardPack.objects.get(pk=pack.pk)
    if pack.cycle.is_open:
        update_actions.close_cycle(cycle=pack.cycle, by=governance)
    return actions.publish_pack(pack=BoardPack.objects.get(pk=pack.pk), by=governance)


def test_generate_publish_and_published_version_is_immutable(cycle, lead, governance, generate):
    update = _approved_update(
        cycle, lead, governance, name="DIGITAL", progress="<p>Original words</p>"
    )
    pack = _pack(cycle, governance)
    pack = generate(pack)
    # The immediate task backend in tests runs the render on commit.
    assert pack.state == BoardPack.State.READY, pack.generation_error
    assert pack.draft_page_count >= 4
    published = _publish(pack, governance)
    data = published.pdf.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == published.sha256
    assert data.startswith(b"%PDF")
    assert "Original words" in published.html
    # Later edits to the data never change the published version.
    WorkstreamUpdate.objects.filter(pk=update.pk).update(state=WorkflowState.DRAFT)
    update.objective_progress.update(progress="<p>Rewritten later</p>")
    published.refresh_from_db()
    assert "Original words" in published.html and "Rewritten later" not in published.html
    assert hashlib.sha256(published.pdf.open("rb").read()).hexdigest() == published.sha256
    published.title = "Changed"
    with pytest.raises(ValueError):
        published.save()


def test_publishing_marks_contents_published(cycle, lead, governance, generate):
    """Each approved update becomes published with its history and an audit row; the cycle
    is marked published; a draft and an accepted risk review stay as they were (issue 10)."""
    update = _approved_update(cycle, lead, governance, name="DIGITAL")
    draft = factories.WorkstreamUpdateFactory(cycle=cycle, state=WorkflowState.DRAFT)
    review = factories.RiskReviewFactory(
        cycle=cycle,
        state=WorkflowState.APPROVED,
        approved_at=timezone.now(),
        approved_by=governance,
    )
    history_before = update.history.count()
    pack = _pack(cycle, governance)
    generate(pack)
    _publish(pack, governance)
    update.refresh_from_db()
    cycle.refresh_from_db()
    assert update.state == WorkflowState.PUBLISHED
    assert cycle.status == "PUBLISHED"
    assert update.history.count() == history_before + 1
    assert update.history.first().state == WorkflowState.PUBLISHED
    audited = AuditEvent.objects.filter(object_type="reporting.WorkstreamUpdate")
    assert list(audited.filter(verb="update.publish").values_list("object_id", flat=True)) == [
        str(update.pk)
    ]
    assert AuditEvent.objects.filter(verb="cycle.publish", object_id=str(cycle.pk)).exists()
    draft.refresh_from_db()
    review.refresh_from_db()
    assert draft.state == WorkflowState.DRAFT
    assert review.state == WorkflowState.APPROVED  # risk reviews are not in board packs


def test_the_progress_poll_reloads_the_page_once_generation_ends(client, cycle, governance):
    """While generating, the poll swaps the fragment; once ready (or failed), it asks htmx to
    reload the page so the publish and download actions appear (issue 11)."""
    pack = _pack(cycle, governance)
    BoardPack.objects.filter(pk=pack.pk).update(state=BoardPack.State.GENERATING, progress=40)
    client.force_login(governance)
    url = reverse("packs:progress", args=[pack.pk])
    polling = client.get(url, headers={"HX-Request": "true"})
    assert "Generating the PDF: 40%" in polling.content.decode()
    assert "HX-Refresh" not in polling.headers
    BoardPack.objects.filter(pk=pack.pk).update(state=BoardPack.State.READY, progress=100)
    ended = client.get(url, headers={"HX-Request": "true"})
    assert ended.headers["HX-Refresh"] == "true"


def test_publishing_emails_the_board_and_governance_a_link(
    cycle, lead, governance, board_member, generate, django_capture_on_commit_callbacks
):
    """Issue 11: nobody was told. The task worker emails each active board member and
    governance officer once; leads and people who have left are not emailed."""
    _approved_update(cycle, lead, governance, name="DIGITAL")
    left = factories.UserFactory(full_name="Former Member", is_active=False)
    left.groups.add(*board_member.groups.all())
    pack = generate(_pack(cycle, governance))
    update_actions.close_cycle(cycle=cycle, by=governance)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        published = actions.publish_pack(pack=BoardPack.objects.get(pk=pack.pk), by=governance)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([board_member.email, governance.email])
    message = mail.outbox[0]
    assert message.subject == f"Published: {published.title} (version 1)"
    assert reverse("packs:published_detail", args=[published.pk]) in message.body
    assert "for board members only: sign in" in message.body


def test_a_returned_update_is_listed_as_returned_not_as_not_submitted(cycle, governance):
    """Issue 11: the pack said "Not submitted" of an update governance had sent back."""
    returned = factories.WorkstreamUpdateFactory(
        cycle=cycle, state=WorkflowState.RETURNED, review_comment="Add the figures"
    )
    draft = factories.WorkstreamUpdateFactory(cycle=cycle, state=WorkflowState.DRAFT)
    content = build_pack_content(cycle, _pack(cycle, governance))
    missing = dict(content.missing)
    assert missing[returned.workstream.name] == "Returned to its lead for changes"
    assert missing[draft.workstream.name] == "Not submitted"


def test_the_publish_question_says_what_is_not_approved(client, cycle, lead, governance, generate):
    _approved_update(cycle, lead, governance, name="DIGITAL")
    factories.WorkstreamUpdateFactory(cycle=cycle, state=WorkflowState.DRAFT)
    factories.WorkstreamUpdateFactory(cycle=cycle, state=WorkflowState.SUBMITTED)
    factories.RiskReviewFactory(cycle=cycle, state=WorkflowState.SUBMITTED)
    pack = generate(_pack(cycle, governance))
    update_actions.close_cycle(cycle=cycle, by=governance)
    client.force_login(governance)
    url = reverse("packs:publish", args=[pack.pk])
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    assert "2 of 3 updates are not approved" in html
    assert "1 of 1 risk review is not accepted" in html
    assert not PublishedPack.objects.exists()
    # Ten times the updates and reviews: the same number of queries.
    factories.WorkstreamUpdateFactory.create_batch(20, cycle=cycle, state=WorkflowState.DRAFT)
    factories.RiskReviewFactory.create_batch(10, cycle=cycle, state=WorkflowState.SUBMITTED)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "22 of 23 updates are not approved" in html
    assert "publishes the 1 approved update in it" in html
    assert len(many) == len(few) <= 20


def test_a_pack_is_published_only_once_its_cycle_has_closed(cycle, lead, governance, generate):
    update = _approved_update(cycle, lead, governance, name="DIGITAL")
    pack = generate(_pack(cycle, governance))
    with pytest.raises(ActionError, match="Close the Q2 2021/22 cycle before publishing"):
        actions.publish_pack(pack=BoardPack.objects.get(pk=pack.pk), by=governance)
    update.refresh_from_db()
    cycle.refresh_from_db()
    assert update.state == WorkflowState.APPROVED and cycle.status == "OPEN"
    assert not PublishedPack.objects.exists()


def test_cannot_publish_before_generating(cycle, governance):
    with pytest.raises(ActionError):
        actions.publish_pack(pack=_pack(cycle, governance), by=governance)


def test_withdraw_needs_reason_then_new_version_can_be_published(cycle, lead, governance, generate):
    _approved_update(cycle, lead, governance, name="DIGITAL")
    pack = _pack(cycle, governance)
    generate(pack)
    first = _publish(pack, governance)
    with pytest.raises(ActionError):
        actions.withdraw_published(published=first, by=governance, reason="  ")
    cycle.refresh_from_db()
    assert cycle.status == "PUBLISHED"
    actions.withdraw_published(published=first, by=governance, reason="Wrong meeting date")
    cycle.refresh_from_db()
    assert cycle.status == "CLOSED"  # no version of its pack is out: it can be reopened again
    generate(pack)
    second = _publish(pack, governance)
    assert second.number == 2
    cycle.refresh_from_db()
    assert cycle.status == "PUBLISHED"
    assert AuditEvent.objects.filter(verb="pack.withdraw", comment="Wrong meeting date").exists()


@pytest.fixture
def published_public(cycle, lead, governance, generate):
    _approved_update(cycle, lead, governance, name="DIGITAL")
    pack = _pack(
        cycle,
        governance,
        visibility=BoardPack.Visibility.PUBLIC,
        embargo_until=timezone.now() - datetime.timedelta(hours=1),
    )
    generate(pack)
    return _publish(pack, governance)


def test_public_pack_readable_without_signing_in_after_embargo(client, published_public):
    response = client.get(reverse("packs:published_list"))
    assert published_public.title in response.content.decode()
    detail = client.get(reverse("packs:published_detail", args=[published_public.pk]))
    assert published_public.sha256 in detail.content.decode()
    pdf = client.get(reverse("packs:published_pdf", args=[published_public.pk]))
    assert pdf.status_code == 200
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == published_public.sha256


def test_public_pack_hidden_before_embargo(client, published_public):
    PublishedPack.objects.filter(pk=published_public.pk).update(
        embargo_until=timezone.now() + datetime.timedelta(days=2)
    )
    assert (
        client.get(reverse("packs:published_detail", args=[published_public.pk])).status_code == 404
    )
    assert (
        published_public.title not in client.get(reverse("packs:published_list")).content.decode()
    )


def test_members_pack_needs_board_member(
    client, cycle, lead, governance, board_member, outsider, generate
):
    _approved_update(cycle, lead, governance, name="DIGITAL")
    pack = _pack(cycle, governance)
    generate(pack)
    published = _publish(pack, governance)
    url = reverse("packs:published_detail", args=[published.pk])
    # Signed out: sent to sign in, and back to the report after (issue 11).
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(board_member)
    assert client.get(url).status_code == 200


def test_withdrawn_version_hidden_from_board(client, published_public, governance, board_member):
    actions.withdraw_published(published=published_public, by=governance, reason="Error in figures")
    client.force_login(board_member)
    assert (
        client.get(reverse("packs:published_detail", args=[published_public.pk])).status_code == 404
    )


@pytest.mark.parametrize("name", ["packs:list", "packs:create"])
def test_pack_management_pages_are_governance_only(client, name, board_member, lead, governance):
    url = reverse(name)
    assert client.get(url).status_code == 302
    for person in (board_member, lead):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(governance)
    assert client.get(url).status_code == 200


def test_governance_compiles_previews_and_publishes_through_pages(
    client, cycle, lead, governance, django_capture_on_commit_callbacks
):
    _approved_update(
        cycle, lead, governance, name="DIGITAL", progress="<p>Shared care record live</p>"
    )
    client.force_login(governance)
    response = client.post(
        reverse("packs:create"),
        {
            "cycle": cycle.pk,
            "title": "Development plan progress report",
            "meeting": "System Partnership Board Meeting in Public",
            **date_fields("date_of_meeting", ("27", "10", "2021")),
            "agenda_item": "03.1",
            "lead": "Jan Thomas",
            "author": "Sharon Fox",
            "purpose": "ASSURE",
            "purpose_of_paper": "To report progress.",
            "recommendation": "The Board is asked to note the report.",
            "sections": ["summary", "workstreams", "risk_register"],
            "visibility": "PUBLIC",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pack = BoardPack.objects.get()
    assert pack.embargo_until.date() == datetime.date(2021, 10, 20)
    preview = client.get(reverse("packs:preview", args=[pack.pk]))
    assert "Shared care record live" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("packs:generate", args=[pack.pk]))
    detail = client.get(reverse("packs:detail", args=[pack.pk])).content.decode()
    assert "Draft PDF ready" in detail
    url = reverse("packs:publish", args=[pack.pk])
    asked = client.get(url).content.decode()
    assert "Close the Q2 2021/22 cycle before publishing" in asked
    assert 'name="confirm"' not in asked  # no button while the cycle is open
    refused = client.post(url, {"confirm": "yes"}, follow=True)
    assert "Close the Q2 2021/22 cycle before publishing" in refused.content.decode()
    assert not PublishedPack.objects.exists()
    update_actions.close_cycle(cycle=cycle, by=governance)
    # An unconfirmed post (a page from before the question) only asks the question.
    assert client.post(url).url == url
    assert not PublishedPack.objects.exists()
    asked = client.get(url).content.decode()
    assert "Publish version 1?" in asked and "Every update (1) is approved" in asked
    # The question says what publishing does, with this cycle's numbers, before it is done.
    assert "publishes the 1 approved update in it: it can never be reopened" in asked
    assert "stops the Q2 2021/22 cycle being reopened" in asked
    recipients = notifications.announcement_recipients().count()
    assert recipients >= 1
    assert f"emails a link to {recipients} board member" in asked
    assert "Yes, publish version 1</button>" in asked
    done = client.post(url, {"confirm": "yes"}, follow=True).content.decode()
    assert PublishedPack.objects.filter(pack=pack).count() == 1
    assert "Published version 1 (" in done


def test_pack_form_requires_cover_fields(client, cycle, governance):
    client.force_login(governance)
    response = client.post(reverse("packs:create"), {"cycle": cycle.pk})
    assert response.status_code == 200
    assert not BoardPack.objects.exists()
    html = response.content.decode()
    # Each error names its field, and the summary at the top links to it.
    assert "There is a problem" in html
    for anchor, message in [
        ("id_title", "Enter the title"),
        ("id_date_of_meeting_day", "Enter the date of the meeting"),
        ("id_lead", "Enter the lead"),
        ("id_author", "Enter the author"),
        ("id_purpose_0", "Select the report purpose"),
        ("id_purpose_of_paper", "Enter the purpose of the paper"),
        ("id_recommendation", "Enter the recommendation"),
        ("id_sections_0", "Select at least one section to include"),
        ("id_visibility_0", "Select who can read the pack"),
    ]:
        assert f'<a href="#{anchor}">{message}</a>' in html, message
        assert f'id="{anchor}"' in html, anchor
    assert "This field is required." not in html


def test_pack_build_query_count_does_not_grow_with_workstreams(
    cycle, lead, governance, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from packs.render import render_pack_html

    for i in range(3):
        _approved_update(cycle, lead, governance, name=f"SMALL {i}")
        factories.BAFRiskFactory()
    pack = _pack(cycle, governance)
    with CaptureQueriesContext(connection) as small:
        render_pack_html(pack)
    for i in range(30):
        _approved_update(cycle, lead, governance, name=f"LARGE {i}")
        factories.BAFRiskFactory()
    with django_assert_max_num_queries(len(small.captured_queries)):
        render_pack_html(pack)


def test_pack_form_shows_the_meeting_date_in_the_date_inputs_boxes(client, cycle, governance):
    pack = BoardPack.objects.create(
        cycle=cycle,
        title="Pack",
        meeting="Board",
        date_of_meeting=datetime.date(2027, 1, 4),
        lead="Lead",
        author="Author",
        purpose="ASSURE",
        purpose_of_paper="To report.",
        recommendation="Note.",
        sections=["summary"],
    )
    client.force_login(governance)
    html = client.get(reverse("packs:edit", args=[pack.pk])).content.decode()
    for name, value in date_fields("date_of_meeting", datetime.date(2027, 1, 4)).items():
        assert (
            f'id="id_{name}" name="{name}" type="text" inputmode="numeric" value="{value}"' in html
        )
    assert "---------" not in html


def test_a_new_pack_starts_from_the_last_packs_lead_and_author(cycle, governance):
    from packs.defaults import default_pack

    assert default_pack(cycle).lead == ""
    BoardPack.objects.create(
        cycle=cycle,
        title="Pack",
        meeting="Board",
        date_of_meeting=datetime.date(2021, 10, 27),
        agenda_item="03.1",
        lead="Jan Thomas, Joint Accountable Officer",
        author="Sharon Fox, Director of Governance",
        purpose="ASSURE",
        purpose_of_paper="To report.",
        recommendation="Note.",
        sections=["summary"],
    )
    next_cycle = factories.ReportingCycleFactory(fy_start_year=2021, quarter=3)
    pack = default_pack(next_cycle)
    assert pack.lead == "Jan Thomas, Joint Accountable Officer"
    assert pack.author == "Sharon Fox, Director of Governance"
    assert pack.agenda_item == "03.1"


def test_a_pack_can_be_edited_after_its_creator_is_deleted(cycle, governance, superuser):
    from packs.actions import create_pack, edit_pack
    from packs.defaults import default_pack

    pack = default_pack(cycle)
    fields = {f: getattr(pack, f) for f in ("title", "meeting", "date_of_meeting", "purpose")}
    fields |= {"lead": "A", "author": "B", "purpose_of_paper": "P", "recommendation": "R"}
    pack = create_pack(cycle=cycle, by=governance, sections=["summary"], **fields)
    governance.delete()
    pack.refresh_from_db()
    edited = edit_pack(pack=pack, by=superuser, title="Renamed")
    assert edited.title == "Renamed" and edited.created_by is None
