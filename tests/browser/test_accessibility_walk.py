"""axe-core (WCAG 2.2 A/AA) over every portal page for every role (issue 14), at 1280 px and at
320 px, with the demo data loaded.

The pages come from the URL resolver (tests/access/test_url_walk.py's `_patterns`, the admin's
apart: its own walk covers it), opened with real objects of the demo data; each role (not
signed in, board member, system lead, governance officer) opens every one, and each page that
answers 200 with HTML is scanned at both widths. A URL pattern with no objects in KWARGS and no
row in EXCLUDED fails, and so does one that no role could open. After the pages, each role
sends the forms it can reach empty or wrong (error states) and those pages are scanned too; the
two-step verification pages are walked by a board member who has an authenticator app.

Violations found in pages other sessions of issue 14 are changing are listed in KNOWN with the
page that owns them: the walk fails on any violation not listed, and on a listed one that no
longer occurs (take its row out). The report (every page scanned, every violation, the time
taken) is written to artifacts/a11y-walk.json.
"""

import json
import time
from collections import defaultdict

import pytest
from django.urls import reverse

from dataio.models import ImportJob
from ics_portal.models import ReportingCycle, User
from ics_portal.status import WorkflowState
from ics_portal.workflow import actions as workflow
from packs.models import BoardPack, PublishedPack
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from risks.models import RiskReview
from tests.access.test_url_walk import OUTCOMES, SIGN_IN, _patterns
from tests.access.test_url_walk import ROLES as TABLE_ROLES
from tests.security.mfa_support import code_for, give_app, give_recovery_codes

from .conftest import ARTIFACTS, axe_run, complete_and_submit, fill_sign_in

WIDTHS = (1280, 320)
ROLES = ("anonymous", "board", "lead", "governance")
EMAILS = {
    "board": "demo.board@example.nhs.uk",
    "lead": "demo.lead@example.nhs.uk",
    "governance": "demo.governance@example.nhs.uk",
}

POST_ONLY = "takes only POST: its outcome is the page it redirects to, scanned there"
EXCLUDED = {
    "logout": POST_ONLY,
    "risks:review_withdraw": POST_ONLY,
    "risks:review_return": POST_ONLY,
    "risks:reopen": POST_ONLY,
    "dataio:upload": POST_ONLY,
    "dataio:confirm": POST_ONLY,
    "dataio:cancel": POST_ONLY,
    "reporting:cycle_open": POST_ONLY,
    "reporting:cycle_remind": POST_ONLY,
    "reporting:update_autosave": POST_ONLY,
    "reporting:update_submit": POST_ONLY,
    "reporting:update_withdraw": POST_ONLY,
    "reporting:update_return": POST_ONLY,
    "reporting:update_decide": POST_ONLY,
    "risks:review_decide": POST_ONLY,
    "packs:generate": POST_ONLY,
    "packs:published_withdraw": POST_ONLY,
    "health": "JSON/plain text for load balancers, not a page",
    "health_live": "plain text for orchestrators, not a page",
    "mfa:recovery_codes_download": "a text file download",
    "mfa:recovery_codes": "shown once, right after setting up an app (302 otherwise); "
    "scanned by test_mfa_journey",
    "dataio:example": "a spreadsheet download",
    "dataio:export": "a spreadsheet download",
    "dataio:audit_export": "a CSV/XLSX download",
    "packs:published_pdf": "a PDF download (the PDF's tagging is checked by tests/packs)",
    "packs:draft_pdf": "a PDF download, and 404 until a draft PDF has been made",
    "packs:progress": "an htmx fragment polled inside the pack page, scanned there",
    "dataio:import_job_progress": "an htmx fragment polled inside the import job page",
    "dataio:preview_progress": "an htmx fragment polled inside the checking page",
    "dataio:preview": "needs an uploaded spreadsheet; scanned by test_import_journey",
    "packs:publish": "needs a generated draft PDF; the walk's draft pack has none (302)",
    "reporting:update_extend": "governance's extension form needs an update that is not "
    "approved in a closed cycle; the demo's closed quarter is all approved (403 page)",
    "risks:review_extend": "as reporting:update_extend, for a risk review",
}

# This session's own pages, photographed at both widths (artifacts/screenshots/walk-*.png).
SCREENSHOTS = {
    "help:index",
    "help:good_update",
    "help:statuses",
    "help:risk_scores",
    "feedback",
    "feedback (empty)",
    "feedback_sent",
    "privacy",
    "accessibility",
}

# (role, URL name or error state, rule): who owns the page and is fixing it in issue 14.
KNOWN: dict[tuple[str, str, str], str] = {}


def _kwargs() -> dict[str, dict]:
    """Real objects of the demo data for each URL that names one, in the state that opens its
    page: the lead's own update and risk review (open quarter), another lead's update and risk
    review submitted for governance's review, last quarter's approved ones to reopen."""
    lead = User.objects.get(email=EMAILS["lead"])
    governance = User.objects.get(email=EMAILS["governance"])
    cycle = ReportingCycle.objects.get(status="OPEN")
    closed = ReportingCycle.objects.get(status="CLOSED")
    mine = WorkstreamUpdate.objects.get(cycle=cycle, workstream__code="DIG")
    theirs = (
        WorkstreamUpdate.objects.filter(cycle=cycle, state=WorkflowState.NOT_STARTED)
        .exclude(workstream__leads=lead)
        .order_by("pk")
        .first()
    )
    theirs = complete_and_submit(theirs, theirs.workstream.leads.first())
    review = RiskReview.objects.get(risk__reference="07", cycle=cycle)
    their_review = (
        RiskReview.objects.filter(cycle=cycle).exclude(risk__owner=lead).order_by("pk").first()
    )
    workflow.submit(update=their_review, by=their_review.risk.owner or governance)
    approved = WorkstreamUpdate.objects.get(cycle=closed, workstream__code="DIG")
    approved_review = RiskReview.objects.get(risk__reference="07", cycle=closed)
    draft_pack = BoardPack.objects.get(state=BoardPack.State.DRAFT)
    published = PublishedPack.objects.order_by("pk").first()
    job = ImportJob.objects.create(
        owner=governance,
        kind="themes",
        label="Themes",
        filename="themes.xlsx",
        upload_token="walk",
        rows_total=3,
    )
    assert GoldenThreadUpdate.objects.filter(cycle=cycle, golden_thread__system_leads=lead)
    update = {"kind": "workstream", "pk": mine.pk}
    return {
        "password_reset_confirm": {"uidb64": "MQ", "token": "bad-token"},
        "risks:review": {"pk": review.pk},
        "risks:review@governance": {"pk": their_review.pk},
        "risks:review_reopen": {"pk": approved_review.pk},
        "risks:detail": {"reference": "07"},
        "risks:edit": {"reference": "07"},
        "risks:close": {"reference": "07"},
        "dataio:import_job": {"pk": job.pk},
        "reporting:cycle_detail": {"pk": cycle.pk},
        "reporting:cycle_close": {"pk": cycle.pk},
        "reporting:update_check": update,
        "reporting:update_approve": {"kind": "workstream", "pk": theirs.pk},
        "risks:review_accept": {"pk": their_review.pk},
        "reporting:cycle_reopen": {"pk": closed.pk},
        "reporting:update_detail": update,
        "reporting:update_edit": update,
        "reporting:update_review": {"kind": "workstream", "pk": theirs.pk},
        "reporting:update_reopen": {"kind": "workstream", "pk": approved.pk},
        "packs:detail": {"pk": draft_pack.pk},
        "packs:edit": {"pk": draft_pack.pk},
        "packs:preview": {"pk": draft_pack.pk},
        "packs:published_detail": {"pk": published.pk},
        "packs:published_html": {"pk": published.pk},
        "plan:theme": {"pk": approved.workstream.theme_id},
        "plan:thread": {
            "pk": GoldenThreadUpdate.objects.filter(golden_thread__system_leads=lead)
            .first()
            .golden_thread_id
        },
        "plan:workstream": {"pk": approved.workstream_id},
        "plan:organisation": {"pk": lead.organisation_id},
    }


def _path(name: str, role: str, kwargs: dict) -> str:
    args = kwargs.get(f"{name}@{role}", kwargs.get(name))
    return reverse(name, kwargs=args)


def _scan(page) -> list[dict]:
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": len(v["nodes"]),
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"][:5]],
        }
        for v in axe_run(page)
    ]


class Walk:
    """What the walk found: pages scanned per role and violations per (role, page, width)."""

    def __init__(self):
        self.scanned: dict[str, list[str]] = defaultdict(list)
        self.skipped: dict[str, dict[str, int]] = defaultdict(dict)
        self.violations: list[dict] = []
        self.problems: list[str] = []

    def scan_both_widths(self, page, role: str, name: str) -> None:
        self.scanned[role].append(name)
        for width in WIDTHS:
            if width != 1280:
                page.set_viewport_size({"width": width, "height": 900})
                # The NHS.UK header moves its links into "More" on resize: let it settle.
                page.wait_for_timeout(300)
            if role == "anonymous" and name in SCREENSHOTS:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                shot = ARTIFACTS / f"walk-{name.replace(':', '-')}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
            for found in _scan(page):
                self.violations.append({"role": role, "page": name, "width": width, **found})
        page.set_viewport_size({"width": 1280, "height": 900})

    def open_and_scan(self, page, role: str, name: str, url: str) -> None:
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        redirected = response.request.redirected_from is not None
        html = "text/html" in (response.headers.get("content-type") or "")
        if response.status != 200 or redirected or not html:
            self.skipped[role][name] = 302 if redirected else response.status
            return
        self.scan_both_widths(page, role, name)


def _submit(page, button: str) -> None:
    """Send the form and wait for the page it answers with. Waiting for the navigation, not
    only for a quiet network: a submit pressed while an autosave is on its way is sent when
    the autosave returns (autosave.js), after the network was quiet for a moment, and the next
    page.goto would race it (net::ERR_ABORTED on a loaded machine)."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).first.click()
    page.wait_for_load_state("networkidle")


def _error_states(walk: Walk, page, role: str, base: str, kwargs: dict) -> None:
    """Forms sent empty or wrong, and the page that explains the problem scanned."""

    def state(name: str, url_name: str, button: str, expect_error=True, clear=True, choose=None):
        page.goto(base + _path(url_name, role, kwargs))
        if choose:  # a radio answered first (the review's one decision: return)
            page.get_by_label(choose, exact=True).check()
        if clear:  # empty every box the form filled in for us
            for box in page.locator(
                "main form input[type=text]:visible, main form input[type=email]:visible, "
                "main form input[type=number]:visible, main form input[type=date]:visible, "
                "main form textarea:visible"
            ).all():
                box.fill("")
        _submit(page, button)
        if expect_error and page.locator(".nhsuk-error-summary").count() != 1:
            walk.problems.append(f"{role} {name}: no error summary at {page.url}")
            return
        walk.scan_both_widths(page, role, name)

    if role == "anonymous":
        state("login (empty)", "login", "Sign in")
        state("password_reset (empty)", "password_reset", "Send the link")
        state("feedback (empty)", "feedback", "Send feedback")
        return
    state("password_change (empty)", "password_change", "Change the password")
    if role == "board":
        # A workstream's page comparing two quarters, then asked to compare a quarter with
        # itself (the plan pages, issue 15).
        page.goto(base + _path("plan:workstream", role, kwargs))
        _submit(page, "Compare")
        walk.scan_both_widths(page, role, "plan:workstream (two quarters compared)")
        page.select_option("#id_after", index=0)
        page.select_option("#id_before", index=0)
        _submit(page, "Compare")
        if page.locator(".nhsuk-error-summary").count() != 1:
            walk.problems.append(f"{role} plan:workstream: no error summary at {page.url}")
        else:
            walk.scan_both_widths(page, role, "plan:workstream (same quarter twice)")
    if role == "lead":
        # The owner's review starts from last quarter's scores, so it submits: the page
        # that says so is the state scanned (the form's errors are governance's below).
        state(
            "risks:review (submitted)",
            "risks:review",
            "Submit review",
            expect_error=False,
            clear=False,
        )
        state(
            "reporting:update_edit (checked incomplete)",
            "reporting:update_edit",
            "Check and submit",
        )
    if role == "governance":
        state("reporting:cycle_create (empty)", "reporting:cycle_create", "Create the cycle")
        state("packs:create (empty)", "packs:create", "Create board pack")
        state("risks:create (empty)", "risks:create", "Add risk")
        state(
            "reporting:update_review (return without comment)",
            "reporting:update_review",
            "Continue",
            choose="Return to the lead",
        )
        state(
            "risks:review (return without comment)",
            "risks:review",
            "Continue",
            choose="Return to the owner",
        )
        page.goto(base + reverse("audit_log") + "?date_from=99%2F99%2F2021")
        page.wait_for_load_state("networkidle")
        walk.scan_both_widths(page, role, "audit_log (bad date filter)")
    # The dashboards' GET forms with a value that is not one of their choices (issue 15).
    page.goto(base + reverse("dashboards:trends") + "?theme=bogus&span=9")
    page.wait_for_load_state("networkidle")
    walk.scan_both_widths(page, role, "dashboards:trends (bad filter)")
    page.goto(base + reverse("dashboards:overview") + "?cycle=bogus")
    page.wait_for_load_state("networkidle")
    walk.scan_both_widths(page, role, "dashboards:overview (bad quarter)")


def _search_pages(walk: Walk, page, role: str, base: str) -> None:
    """The search page with results (highlights, status tags, pages) and with a filter that
    is not one (issue 15); the empty page is walked with the others."""
    if role == "anonymous":
        return
    page.goto(base + reverse("search") + "?q=plan")
    page.wait_for_load_state("networkidle")
    walk.scan_both_widths(page, role, "search (results)")
    page.goto(base + reverse("search") + "?q=plan&status=nonsense")
    page.wait_for_load_state("networkidle")
    walk.scan_both_widths(page, role, "search (bad filter)")


def _two_step_pages(walk: Walk, browser, base: str) -> None:
    """A board member with an authenticator app: the code page (and its error), the recovery
    code page, then their own settings pages once signed in."""
    person = User.objects.get(email=EMAILS["board"])
    app = give_app(person)
    give_recovery_codes(person)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(base + reverse("login"))
        fill_sign_in(page, EMAILS["board"])
        walk.scan_both_widths(page, "board+app", "mfa:verify")
        _submit(page, "Continue")
        walk.scan_both_widths(page, "board+app", "mfa:verify (empty)")
        walk.open_and_scan(page, "board+app", "mfa:recovery", base + reverse("mfa:recovery"))
        page.goto(base + reverse("mfa:verify"))
        page.get_by_label("Code from your authenticator app").fill(code_for(app))
        _submit(page, "Continue")
        for name in ("mfa:manage", "mfa:recovery_codes", "mfa:remove"):
            walk.open_and_scan(page, "board+app", name, base + reverse(name))
    finally:
        context.close()


def test_every_url_pattern_is_walked_or_excluded_with_a_reason():
    names = {name for name, _ in _patterns()}
    assert set(EXCLUDED) - names == set(), "remove exclusions for URLs that no longer exist"


@pytest.fixture
def demo_data(demo_data, settings):
    settings.MFA_REQUIRED = False


def test_axe_finds_nothing_on_any_page_for_any_role(demo_data, live_server, browser):
    started = time.monotonic()
    kwargs = _kwargs()
    names = [name for name, _ in _patterns() if name not in EXCLUDED]
    walk = Walk()
    try:
        for role in ROLES:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(15_000)
            try:
                if role != "anonymous":
                    page.goto(live_server.url + reverse("login"))
                    fill_sign_in(page, EMAILS[role])
                for name in names:
                    path = _path(name, role, kwargs)  # a new URL with no objects fails here
                    expected = OUTCOMES[name][TABLE_ROLES.index(role)]
                    if expected in (SIGN_IN, 404):  # the guard walk checks these answers
                        walk.skipped[role][name] = expected
                        continue
                    walk.open_and_scan(page, role, name, live_server.url + path)
                _error_states(walk, page, role, live_server.url, kwargs)
                _search_pages(walk, page, role, live_server.url)
            finally:
                context.close()
        _two_step_pages(walk, browser, live_server.url)
    finally:
        seconds = round(time.monotonic() - started)
        ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "seconds": seconds,
            "pages_scanned": dict(walk.scanned),
            "not_scanned": walk.skipped,
            "problems": walk.problems,
            "violations": walk.violations,
        }
        (ARTIFACTS.parent / "a11y-walk.json").write_text(json.dumps(report, indent=2))
    scans = sum(map(len, walk.scanned.values()))
    print(f"axe walk: {scans} pages x {len(WIDTHS)} widths in {seconds} s")

    reached = {name for pages in walk.scanned.values() for name in pages}
    unreached = sorted(set(names) - reached)
    found = {(v["role"], v["page"], v["rule"]) for v in walk.violations}
    assert walk.problems == []
    assert unreached == [], "no role could open these: give them objects or an exclusion"
    new = [v for v in walk.violations if (v["role"], v["page"], v["rule"]) not in KNOWN]
    assert new == [], "\n".join(
        f"{v['role']} {v['page']} @{v['width']}: {v['rule']} ({v['impact']}) {v['targets']}"
        for v in new
    )
    assert set(KNOWN) - found == set(), "fixed: take these rows out of KNOWN"
