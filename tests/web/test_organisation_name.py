"""The organisation's name is a per-install setting (settings.ORGANISATION_NAME, from the
environment): the portal header and footer, the board-pack cover and emails all use it, and
`make run` sets it to the demo's ICS, the seed papers' (issue 11)."""

import re
from pathlib import Path

from django.core import mail
from django.urls import reverse

from dataio.demo import DEMO_ORGANISATION_NAME
from ics_portal.mail import send_on_commit
from packs.defaults import default_pack
from packs.render import render_pack_html

from .. import factories

NAME = "Somewhere and Elsewhere Integrated Care System"
MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def test_header_and_footer_name_the_organisation(client, settings, db):
    settings.ORGANISATION_NAME = NAME
    html = client.get(reverse("accessibility")).content.decode()
    header = html[html.index('<header class="nhsuk-header') : html.index("</header>")]
    footer = html[html.index('<footer class="nhsuk-footer') : html.index("</footer>")]
    assert NAME in header and NAME in footer


def test_pack_cover_names_the_organisation(settings, db):
    settings.ORGANISATION_NAME = NAME
    cycle = factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)
    pack = default_pack(cycle)
    html = render_pack_html(pack)
    cover = html[html.index('<section class="cover"') : html.index("</section>")]
    assert NAME in cover
    assert NAME in pack.purpose_of_paper


def test_emails_name_the_organisation(settings, db, django_capture_on_commit_callbacks):
    settings.ORGANISATION_NAME = NAME
    person = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit("update_approved", [person.email], {"person": person, "update": None})
    (message,) = mail.outbox
    assert NAME in message.body and NAME in message.alternatives[0][0]


def test_make_run_names_the_demo_organisation():
    """The demo is the seeds' ICS: `make run` exports its name unless one is already set."""
    text = MAKEFILE.read_text()
    match = re.search(r"^run: export ORGANISATION_NAME \?= (.+)$", text, re.MULTILINE)
    assert match and match.group(1).strip() == DEMO_ORGANISATION_NAME
    assert DEMO_ORGANISATION_NAME == "Cambridgeshire and Peterborough Integrated Care System"
