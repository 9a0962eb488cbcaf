"""Site-wide guard: every URL pattern (the admin's apart: tests/access/test_admin_walk.py) is
visited with GET by every role, on the demo data, and each answer is checked against the table
below: anonymous people are sent to sign in wherever a sign-in is needed, nobody gets a 500,
and every page has exactly one <h1>. A new URL pattern without a row here fails the walk.

Statuses: SIGN_IN = a redirect to the sign-in page; 302 = another redirect; 405 = the URL
takes only POST. Roles, in order: anonymous, outsider (signed in, no role), board member, the
demo lead (leads DIGITAL, the Workforce golden thread, owns risk 07), another system lead,
governance, administrator (superuser).
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dataio.models import ImportJob
from ics_portal.models import User
from ics_portal.roles import SYSTEM_LEAD
from packs.models import BoardPack, PublishedPack
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from risks.models import RiskReview

from .. import factories

ROLES = ("anonymous", "outsider", "board", "lead", "other_lead", "governance", "admin")
SIGN_IN = "sign in"
PASSWORD = "correct-horse-battery"

# name: (statuses by role, in the order of ROLES)
OUTCOMES = {
    "home": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "accessibility": (200, 200, 200, 200, 200, 200, 200),
    "privacy": (200, 200, 200, 200, 200, 200, 200),
    "feedback": (200, 200, 200, 200, 200, 200, 200),
    "feedback_sent": (200, 200, 200, 200, 200, 200, 200),
    "help:index": (200, 200, 200, 200, 200, 200, 200),
    "forums:structure": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "forums:names": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "help:good_update": (200, 200, 200, 200, 200, 200, 200),
    "help:statuses": (200, 200, 200, 200, 200, 200, 200),
    "help:risk_scores": (200, 200, 200, 200, 200, 200, 200),
    "health": (200, 200, 200, 200, 200, 200, 200),
    "health_live": (200, 200, 200, 200, 200, 200, 200),
    "login": (200, 302, 302, 302, 302, 302, 302),
    "logout": (405, 405, 405, 405, 405, 405, 405),
    "password_reset": (200, 200, 200, 200, 200, 200, 200),
    "password_reset_done": (200, 200, 200, 200, 200, 200, 200),
    "password_reset_confirm": (200, 200, 200, 200, 200, 200, 200),
    "password_reset_complete": (200, 200, 200, 200, 200, 200, 200),
    # Two-step verification (issue 13): nobody in the demo has an app (MFA_REQUIRED is off in
    # the suite), so the code pages and those about existing codes send them on.
    "mfa:verify": (SIGN_IN, 302, 302, 302, 302, 302, 302),
    "mfa:recovery": (SIGN_IN, 302, 302, 302, 302, 302, 302),
    "mfa:manage": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "mfa:enrol": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "mfa:recovery_codes": (SIGN_IN, 302, 302, 302, 302, 302, 302),
    "mfa:recovery_codes_download": (SIGN_IN, 302, 302, 302, 302, 302, 302),
    "mfa:remove": (SIGN_IN, 302, 302, 302, 302, 302, 302),
    "audit_log": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "password_change": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "password_change_done": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "risks:register": (SIGN_IN, 404, 200, 200, 200, 200, 200),
    "risks:heat_map": (SIGN_IN, 404, 200, 200, 200, 200, 200),
    # Dashboards (issue 15): whoever reads the BAF and the reports (board, leads, governance).
    "dashboards:overview": (SIGN_IN, 404, 200, 200, 200, 200, 200),
    "dashboards:trends": (SIGN_IN, 404, 200, 200, 200, 200, 200),
    "dashboards:risk_trends": (SIGN_IN, 404, 200, 200, 200, 200, 200),
    "risks:create": (SIGN_IN, 404, 403, 403, 403, 200, 200),
    "risks:reviews": (SIGN_IN, 404, 200, 200, 200, 200, 200),
    "risks:review": (SIGN_IN, 404, 404, 200, 404, 200, 200),
    "risks:review_withdraw": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    "risks:review_decide": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    # GET: the page that says what accepting does (only for a submitted review).
    "risks:review_accept": (SIGN_IN, 404, 404, 403, 404, 403, 403),
    "risks:review_return": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    "risks:review_extend": (SIGN_IN, 404, 404, 403, 404, 403, 403),
    "risks:review_reopen": (SIGN_IN, 404, 404, 403, 404, 403, 403),
    "risks:detail": (SIGN_IN, 404, 200, 200, 200, 200, 200),
    "risks:edit": (SIGN_IN, 404, 403, 403, 403, 200, 200),
    "risks:close": (SIGN_IN, 404, 403, 403, 403, 200, 200),
    "risks:reopen": (SIGN_IN, 404, 403, 403, 403, 405, 405),
    "dataio:index": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "dataio:upload": (SIGN_IN, 404, 404, 404, 404, 405, 405),
    "dataio:preview": (SIGN_IN, 404, 404, 404, 404, 302, 302),
    "dataio:preview_progress": (SIGN_IN, 404, 404, 404, 404, 302, 302),
    "dataio:confirm": (SIGN_IN, 404, 404, 404, 404, 405, 405),
    "dataio:cancel": (SIGN_IN, 404, 404, 404, 404, 405, 405),
    "dataio:import_job": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "dataio:import_job_progress": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "dataio:example": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "dataio:export": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "dataio:audit_export": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "reporting:cycle_list": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "reporting:cycle_create": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "reporting:cycle_detail": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "reporting:cycle_open": (SIGN_IN, 404, 404, 404, 404, 405, 405),
    "reporting:cycle_close": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "reporting:cycle_remind": (SIGN_IN, 404, 404, 404, 404, 405, 405),
    "reporting:cycle_reopen": (SIGN_IN, 404, 404, 404, 404, 403, 403),
    "reporting:my_updates": (SIGN_IN, 404, 404, 200, 200, 200, 200),
    "reporting:update_detail": (SIGN_IN, 404, 404, 200, 404, 200, 200),
    "reporting:update_edit": (SIGN_IN, 404, 404, 200, 404, 200, 200),
    "reporting:update_autosave": (405, 405, 405, 405, 405, 405, 405),
    "reporting:update_submit": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    "reporting:update_check": (SIGN_IN, 404, 404, 200, 404, 403, 403),
    "reporting:update_withdraw": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    "reporting:update_review": (SIGN_IN, 404, 404, 403, 404, 403, 403),
    "reporting:update_return": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    "reporting:update_decide": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    # GET: the page that says what approving does (only for a submitted update).
    "reporting:update_approve": (SIGN_IN, 404, 404, 403, 404, 403, 403),
    "reporting:update_extend": (SIGN_IN, 404, 404, 403, 404, 403, 403),
    "reporting:update_reopen": (SIGN_IN, 404, 404, 403, 404, 403, 403),
    # Search (issue 15): everyone signed in; each finds only what they may read.
    "search": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "packs:list": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "packs:create": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "packs:detail": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "packs:edit": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "packs:preview": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "packs:progress": (SIGN_IN, 404, 404, 404, 404, 200, 200),
    "packs:generate": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    "packs:draft_pdf": (SIGN_IN, 404, 404, 404, 404, 404, 404),
    "packs:publish": (SIGN_IN, 404, 404, 404, 404, 302, 302),
    "packs:published_list": (200, 200, 200, 200, 200, 200, 200),
    "packs:published_detail": (200, 200, 200, 200, 200, 200, 200),
    "packs:published_html": (200, 200, 200, 200, 200, 200, 200),
    "packs:published_pdf": (200, 200, 200, 200, 200, 200, 200),
    "packs:published_withdraw": (SIGN_IN, 405, 405, 405, 405, 405, 405),
    # The plan pages (issue 15): everyone signed in, read-only, approved updates only.
    "plan:index": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "plan:theme": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "plan:thread": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "plan:workstream": (SIGN_IN, 200, 200, 200, 200, 200, 200),
    "plan:organisation": (SIGN_IN, 200, 200, 200, 200, 200, 200),
}


def _patterns(patterns=None, namespace=None):
    """(name, pattern) of every named URL outside the admin."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from _patterns(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def test_every_url_pattern_has_a_row():
    names = {name for name, _ in _patterns()}
    assert names - set(OUTCOMES) == set(), "add a row to OUTCOMES for each new URL"
    assert set(OUTCOMES) - names == set(), "remove rows for URLs that no longer exist"


@pytest.fixture
def world(db):
    call_command("load_demo_data", password=PASSWORD, force=True)
    governance = User.objects.get(email="demo.governance@example.nhs.uk")
    lead = User.objects.get(email="demo.lead@example.nhs.uk")
    update = WorkstreamUpdate.objects.get(workstream__code="DIG", cycle__quarter=3)
    thread_update = GoldenThreadUpdate.objects.filter(
        golden_thread__system_leads=lead, cycle=update.cycle
    ).first()
    review = RiskReview.objects.get(risk__reference="07", cycle=update.cycle)
    # The demo's draft pack (Q3); its Q2 pack is published (issue 11).
    pack = BoardPack.objects.filter(state=BoardPack.State.DRAFT).order_by("pk").first()
    published = PublishedPack(
        pack=pack,
        number=1,
        sha256="0" * 64,
        page_count=1,
        html="<!DOCTYPE html><html lang='en-GB'><body><h1>Report</h1></body></html>",
        title="Development plan progress report",
        visibility=BoardPack.Visibility.PUBLIC,
        published_at=timezone.now() - datetime.timedelta(days=1),
        embargo_until=timezone.now() - datetime.timedelta(days=1),
        published_by=governance,
    )
    published.pdf.save("walk.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    published.save()
    job = ImportJob.objects.create(
        owner=governance,
        kind="themes",
        label="Themes",
        filename="themes.xlsx",
        upload_token="walk",
        rows_total=600,
    )
    other_lead = factories.UserFactory(email="other.lead@example.nhs.uk")
    other_lead.groups.add(Group.objects.get(name=SYSTEM_LEAD.group_name))
    kwargs = {
        "password_reset_confirm": {"uidb64": "MQ", "token": "bad-token"},
        "risks:review": {"pk": review.pk},
        "risks:review_withdraw": {"pk": review.pk},
        "risks:review_decide": {"pk": review.pk},
        "risks:review_accept": {"pk": review.pk},
        "risks:review_return": {"pk": review.pk},
        "risks:review_extend": {"pk": review.pk},
        "risks:review_reopen": {"pk": review.pk},
        "risks:detail": {"reference": "07"},
        "risks:edit": {"reference": "07"},
        "risks:close": {"reference": "07"},
        "risks:reopen": {"reference": "07"},
        "dataio:import_job": {"pk": job.pk},
        "dataio:import_job_progress": {"pk": job.pk},
        "dataio:example": {"kind": "themes"},
        "dataio:export": {"kind": "risk-register"},
        "packs:published_detail": {"pk": published.pk},
        "packs:published_html": {"pk": published.pk},
        "packs:published_pdf": {"pk": published.pk},
        "packs:published_withdraw": {"pk": published.pk},
        "plan:theme": {"pk": update.workstream.theme_id},
        "plan:thread": {"pk": thread_update.golden_thread_id},
        "plan:workstream": {"pk": update.workstream_id},
        "plan:organisation": {"pk": lead.organisation_id},
    }
    for name in OUTCOMES:
        if name.startswith("reporting:cycle_") and name not in (
            "reporting:cycle_list",
            "reporting:cycle_create",
        ):
            kwargs[name] = {"pk": update.cycle_id}
        elif name.startswith("reporting:update_"):
            kwargs[name] = {"kind": "workstream", "pk": update.pk}
        elif (
            name.startswith("packs:")
            and name not in kwargs
            and name
            not in (
                "packs:list",
                "packs:create",
                "packs:published_list",
            )
        ):
            kwargs[name] = {"pk": pack.pk}
    users = {
        "outsider": factories.UserFactory(email="outsider@example.nhs.uk"),
        "board": User.objects.get(email="demo.board@example.nhs.uk"),
        "lead": lead,
        "other_lead": other_lead,
        "governance": governance,
        "admin": User.objects.get(email="demo.admin@example.nhs.uk"),
    }
    assert thread_update is not None
    return kwargs, users


def test_every_role_gets_the_outcome_in_the_table_and_every_page_one_h1(world):
    kwargs, users = world
    login = reverse("login")
    mismatches = []
    for index, role in enumerate(ROLES):
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        for name, expected in OUTCOMES.items():
            path = reverse(name, kwargs=kwargs.get(name))
            response = client.get(path)
            wanted = expected[index]
            got = response.status_code
            if wanted == SIGN_IN:
                ok = got == 302 and response["Location"].startswith(login)
            elif wanted == 302:
                ok = got == 302 and not response["Location"].startswith(login)
            else:
                ok = got == wanted
            if not ok:
                mismatches.append((role, name, wanted, got))
                continue
            content_type = response.get("Content-Type", "")
            if (
                got == 200
                and content_type.startswith("text/html")
                and not getattr(response, "streaming", False)
            ):
                html = response.content.decode()
                if "<html" in html and len(re.findall(r"<h1[\s>]", html)) != 1:
                    mismatches.append((role, name, "one <h1>", html.count("<h1")))
    assert mismatches == [], "\n".join(map(str, mismatches))
