"""The board-pack report read on screen (issue 11): the frozen HTML the PDF was made from, stored
as is, shown inside the portal layout with its own contents, a back link, the web stylesheet
and tables that scroll inside their own labelled region; same permissions as before."""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from packs import actions
from packs.defaults import default_pack
from packs.models import BoardPack, PublishedPack
from packs.render import render_pack_html
from packs.web_report import web_report

from .. import factories

FROZEN = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<style>html { font: 10.5pt/1.4 Arial; }</style><script>alert(1)</script></head>
<body><header class="running" aria-hidden="true"><span>Running header</span></header>
<main>
<section class="cover" aria-labelledby="cover-title"><h1 id="cover-title">Progress report, Q2</h1>
<table><caption>Cover sheet</caption><tbody><tr><th scope="row">Meeting</th><td>Board</td></tr></tbody></table></section>
<nav class="contents chapter" aria-labelledby="contents-title"><h2 id="contents-title">Contents</h2>
<ol><li><a href="#summary">Summary</a></li></ol></nav>
<section><h2 class="numbered" id="summary">Summary</h2><p class="para" onclick="steal()">Words &amp; more</p>
<h3 class="numbered">Status by theme</h3><table><thead><tr><th>Theme</th></tr></thead><tbody><tr><td>A</td></tr></tbody></table></section>
<section><h2 class="numbered" id="workstreams">Workstreams</h2>
<h3 id="theme-1">Direction</h3><h3 id="theme-2">Roles</h3>
<script>alert(2)</script></section>
</main></body></html>"""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_web_report_lifts_the_title_builds_contents_and_wraps_tables():
    report = web_report(FROZEN)
    assert report.title == "Progress report, Q2"
    assert report.title_id == "cover-title"
    assert [(e.anchor, e.text, [c.anchor for c in e.children]) for e in report.contents] == [
        ("summary", "Summary", []),
        ("workstreams", "Workstreams", ["theme-1", "theme-2"]),
    ]
    body = str(report.body)
    # The h1 is the page's own; the print contents (page numbers) are replaced; nothing
    # outside <main> (the running header) and no script, stylesheet or handler comes along.
    assert "<h1" not in body and "contents-title" not in body
    assert "Running header" not in body
    assert "<script" not in body and "alert" not in body and "onclick" not in body
    assert "<style" not in body and "10.5pt" not in body
    assert "Words &amp; more" in body
    assert report.sections_before == 0  # the contents are not a numbered section, as in the PDF
    regions = re.findall(r'<div class="app-report__table"[^>]*>', body)
    assert len(regions) == 2
    assert all('role="region"' in r and 'tabindex="0"' in r for r in regions)
    assert 'aria-label="Table 1: Cover sheet (scrolls sideways)"' in regions[0]
    assert 'aria-label="Table 2: Status by theme (scrolls sideways)"' in regions[1]
    # A caption is shown above its region at the page's width, and kept in the table.
    assert '<p class="app-report__caption" aria-hidden="true">Cover sheet</p>' in body
    assert '<caption class="nhsuk-u-visually-hidden">Cover sheet</caption>' in body


def test_web_report_of_a_document_without_main_or_h1():
    report = web_report("<html><body><p>Only text</p></body></html>", fallback_title="Report")
    assert report.title == "Report" and report.contents == []
    assert "<p>Only text</p>" in str(report.body)


def _published(cycle, governance, *, visibility=BoardPack.Visibility.PUBLIC, html=None):
    template = default_pack(cycle)
    pack = actions.create_pack(
        cycle=cycle,
        by=governance,
        **{
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
        },
        lead="Jan Thomas",
        author="Sharon Fox",
        visibility=visibility,
        embargo_until=timezone.now() - datetime.timedelta(days=1),
    )
    published = PublishedPack(
        pack=pack,
        number=1,
        sha256="0" * 64,
        page_count=3,
        html=html if html is not None else render_pack_html(pack),
        title=pack.title,
        visibility=visibility,
        published_at=timezone.now() - datetime.timedelta(days=1),
        embargo_until=timezone.now() - datetime.timedelta(days=1),
        published_by=governance,
    )
    published.pdf.save("p.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    published.save()
    return published


@pytest.fixture
def cycle(db):
    return factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)


def test_published_report_is_a_portal_page_with_contents_and_a_back_link(
    client, cycle, governance, django_assert_max_num_queries
):
    published = _published(cycle, governance)
    stored = published.html
    with django_assert_max_num_queries(3):
        response = client.get(reverse("packs:published_html", args=[published.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="nhsuk-header' in html and 'class="nhsuk-footer' in html
    detail = reverse("packs:published_detail", args=[published.pk])
    assert f'<a class="nhsuk-back-link" href="{detail}">Back to the published report</a>' in html
    assert "portal/report.css" in html
    assert 'class="nhsuk-contents-list' in html and 'href="#summary"' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert f">{published.title}</h1>" in html
    assert reverse("packs:published_pdf", args=[published.pk]) in html
    # The print stylesheet of the frozen document is not used on screen.
    assert "@page" not in html and "10.5pt" not in html
    # The stored HTML, which the PDF was made from, is untouched.
    published.refresh_from_db()
    assert published.html == stored


def test_members_only_report_page_keeps_its_permissions(
    client, cycle, governance, board_member, outsider
):
    published = _published(cycle, governance, visibility=BoardPack.Visibility.MEMBERS)
    url = reverse("packs:published_html", args=[published.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url == f"{reverse('login')}?next={url}"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(board_member)
    assert client.get(url).status_code == 200


def test_withdrawn_report_page_is_for_governance_only_and_says_so(
    client, cycle, governance, board_member
):
    published = _published(cycle, governance)
    actions.withdraw_published(published=published, by=governance, reason="Wrong figures")
    url = reverse("packs:published_html", args=[published.pk])
    client.force_login(board_member)
    assert client.get(url).status_code == 404
    client.force_login(governance)
    html = client.get(url).content.decode()
    assert "Withdrawn" in html and "Wrong figures" in html


def test_public_report_page_hidden_before_its_embargo(client, cycle, governance):
    published = _published(cycle, governance)
    PublishedPack.objects.filter(pk=published.pk).update(
        embargo_until=timezone.now() + datetime.timedelta(days=2)
    )
    assert client.get(reverse("packs:published_html", args=[published.pk])).status_code == 404


def test_preview_of_a_draft_is_a_portal_page_with_a_back_link_to_the_pack(
    client, cycle, governance
):
    published = _published(cycle, governance)
    pack = published.pack
    client.force_login(governance)
    html = client.get(reverse("packs:preview", args=[pack.pk])).content.decode()
    assert 'class="nhsuk-header' in html
    assert f'href="{reverse("packs:detail", args=[pack.pk])}">Back to the board pack</a>' in html
    assert "Nothing here is published" in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1


# --- a published version's page (issue 14) ----------------------------------------------------


def test_published_page_leads_to_the_report_and_offers_the_pdf_as_an_attachment(
    client, cycle, governance, django_assert_max_num_queries
):
    published = _published(cycle, governance)
    with django_assert_max_num_queries(2):  # signed out: the report, and nothing else
        response = client.get(reverse("packs:published_detail", args=[published.pk]))
    html = response.content.decode()
    read = reverse("packs:published_html", args=[published.pk])
    pdf = reverse("packs:published_pdf", args=[published.pk])
    # Reading the report on screen is the main action: the one button on the page.
    assert re.findall(r'class="nhsuk-button[^"]*"', html) == [
        'class="nhsuk-button app-published__read"'
    ]
    assert re.search(rf'<a href="{read}" role="button"[^>]*>Read the report</a>', html)
    # Its contents link to the sections of the web report.
    assert 'class="nhsuk-contents-list' in html
    assert f'href="{read}#summary">Summary</a>' in html
    # The PDF is an attachment: its title as the link, then type, size and pages.
    attachment = html.split('class="app-attachment"')[1].split("</section>")[0]
    assert f'href="{pdf}">{published.title} (version 1)' in attachment
    assert (
        'PDF</abbr>, <span class="app-attachment__size">15\xa0bytes</span>, 3 pages' in attachment
    )
    # The fingerprint is folded away in a details element, with how to check a copy.
    details = html.split('<details class="nhsuk-details app-published__fingerprint">')[1]
    details = details.split("</details>")[0]
    assert "Check a downloaded copy is genuine" in details
    assert published.sha256 in details and "certutil -hashfile" in details
    assert html.count(published.sha256) == 1


def test_published_page_without_its_file_still_shows_the_pdf_link(client, cycle, governance):
    published = _published(cycle, governance)
    published.pdf.storage.delete(published.pdf.name)
    html = client.get(reverse("packs:published_detail", args=[published.pk])).content.decode()
    attachment = html.split('class="app-attachment"')[1].split("</section>")[0]
    assert reverse("packs:published_pdf", args=[published.pk]) in attachment
    assert "PDF</abbr>, 3 pages" in attachment  # no size when the storage cannot say


def test_published_page_of_a_members_only_report_for_a_board_member(
    client, cycle, governance, board_member
):
    published = _published(cycle, governance, visibility=BoardPack.Visibility.MEMBERS)
    client.force_login(board_member)
    html = client.get(reverse("packs:published_detail", args=[published.pk])).content.decode()
    assert "for the meeting held in public" not in html
    assert ">Read the report</a>" in html
