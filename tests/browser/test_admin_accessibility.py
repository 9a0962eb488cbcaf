"""axe-core (WCAG 2.2 A/AA rules) over the admin, as the demo governance officer and as the demo
administrator (a superuser) see it, with the demo data loaded (issue 14: the admin is part of
the service).

The pages come from the admin's registry, not a list written here, so a newly registered model
is scanned too: the index, each app's index, and for every model the person may view its change
list with a filter applied, its add form, the change form of an existing row (with an
autocomplete box opened where it has one), its delete confirmation and its history (and a
field-history version, where the model keeps one). Each page is loaded once and scanned at
1280 px and again at 320 px. A violation fails the test with the page, the width, the rule
and the elements.
"""

import time
from collections import Counter

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from dataio.models import ImportCheck, ImportJob
from ics_portal.models import Feedback, ReportingCycle, User
from reporting.models import ReminderSent

from .conftest import AXE, axe_run, sign_in

WIDTHS = (1280, 320)
HEIGHT = 900


@pytest.fixture
def demo_data(demo_data):
    # Rows the demo does not make, so that every registered model has one to open.
    person = User.objects.get(email="demo.board@example.nhs.uk")
    attempt = {"user_agent": "Firefox", "ip_address": "192.0.2.10", "username": person.email}
    attempt |= {"http_accept": "text/html", "path_info": "/sign-in/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)
    StaticDevice.objects.create(user=person, name="Recovery codes", confirmed=True)
    governance = User.objects.get(email="demo.governance@example.nhs.uk")
    cycle = ReportingCycle.objects.get(status="OPEN")
    lead = User.objects.get(email="demo.lead@example.nhs.uk")
    ReminderSent.objects.get_or_create(
        person=lead, cycle=cycle, kind="REMINDER", sent_on=cycle.submission_deadline
    )
    file = {"owner": governance, "kind": "themes", "label": "Themes", "filename": "themes.xlsx"}
    Feedback.objects.create(
        trying_to_do="Find last quarter's report", what_happened="Found it", person=lead
    )
    if not ImportJob.objects.exists():
        ImportJob.objects.create(**file, rows_total=3)
    if not ImportCheck.objects.exists():
        ImportCheck.objects.create(**file, upload_token="c" * 43, rows_total=3)
    now = timezone.now()
    DBTaskResult.objects.create(
        enqueued_at=now,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="reporting.tasks.send_reminders",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )


def _request_as(user):
    request = RequestFactory().get(reverse("admin:index"))
    request.user = user
    return request


def _object_to_open(model_admin, request):
    """The first row the person may change, else the first they may see."""
    rows = model_admin.get_queryset(request).order_by("pk")
    for obj in rows[:20]:
        if model_admin.has_change_permission(request, obj):
            return obj
    return rows.first()


def admin_pages(user) -> list[tuple[str, str]]:
    """(name, path) of every admin page to scan for `user`, from the admin's registry."""
    request = _request_as(user)
    pages = [("index", reverse("admin:index"))]
    for app in admin.site.get_app_list(request):
        pages.append(
            (f"app {app['app_label']}", reverse("admin:app_list", args=[app["app_label"]]))
        )
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        pages.append((f"{info} changelist", reverse(f"admin:{info}_changelist")))
        if model_admin.has_add_permission(request):
            pages.append((f"{info} add", reverse(f"admin:{info}_add")))
        obj = _object_to_open(model_admin, request)
        assert obj is not None, f"the demo data has no {model.__name__} for the admin to open"
        pages.append((f"{info} change", reverse(f"admin:{info}_change", args=[obj.pk])))
        if model_admin.has_delete_permission(request, obj):
            pages.append((f"{info} delete", reverse(f"admin:{info}_delete", args=[obj.pk])))
        pages.append((f"{info} history", reverse(f"admin:{info}_history", args=[obj.pk])))
        if hasattr(model_admin, "history_form_view") and hasattr(obj, "history"):
            version = obj.history.order_by("history_id").first()
            if version is not None:
                path = reverse(f"admin:{info}_simple_history", args=[obj.pk, version.history_id])
                pages.append((f"{info} field history", path))
    return pages


def _axe(page) -> list[dict]:
    # The rich-text toolbar's icons are a font's ligatures: until it has loaded they read as
    # words ("format_bold"), which is not the page as anyone sees it.
    page.evaluate("async () => { await document.fonts.ready; }")
    return axe_run(page)


# What axe does not see: the buttons above a list drawn over its title (Django floats them
# there), the "Show counts" eye icon drawn over its words once the filter links' padding was
# set for target size, and a page wider than the screen (a workstream's key milestones made
# it 1351 px at 1280). Each is reported as a violation of the page.
OVERLAPS = """() => {
  const found = [];
  const box = (e) => e && e.getBoundingClientRect();
  const meet = (a, b) => a && b && a.width && b.width &&
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const title = box(document.querySelector('#content h1'));
  for (const tool of document.querySelectorAll('#content .object-tools li')) {
    if (meet(title, box(tool))) found.push({target: ['.object-tools li: ' + tool.innerText]});
  }
  for (const link of document.querySelectorAll('#changelist-filter-extra-actions a.viewlink, #changelist-filter-extra-actions a.hidelink')) {
    if (parseFloat(getComputedStyle(link).paddingLeft) < 16) found.push({target: ['show/hide counts icon']});
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    found.push({target: ['page ' + document.documentElement.scrollWidth + ' px wide']});
  }
  return found.length ? [{id: 'overlap', help: 'one thing drawn over another', nodes: found}] : [];
}"""


def _overlaps(page) -> list[dict]:
    return page.evaluate(OVERLAPS)


# Pages photographed at each width (artifacts/screenshots/admin-*.png), to be looked at.
SCREENSHOTS = {
    "admin index": "admin-index",
    "admin reporting_workstreamupdate changelist (filtered)": "admin-changelist-filtered",
    "admin workstreams_workstream change (autocomplete open)": "admin-change-autocomplete",
}


def _scan(page, name: str, found: dict, screenshot) -> None:
    """Scan the loaded page at each width; record its violations under "name @ width"."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        if name in SCREENSHOTS:
            screenshot(page, f"{SCREENSHOTS[name]}-{width}")
        violations = _axe(page) + _overlaps(page)
        if violations:
            found[f"{name} @ {width}"] = violations
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})


def _with_filter(page) -> bool:
    """Apply the change list's first filter choice (not "All"), if it has filters."""
    choice = page.locator("#changelist-filter li:not(.selected) a").first
    if not choice.count():
        return False
    choice.click()
    page.wait_for_load_state("load")
    return True


def _open_autocomplete(page) -> bool:
    """Open the form's first single-choice autocomplete box (its search box appears)."""
    box = page.locator(".select2-selection--single").first
    if not box.count() or not box.is_visible():
        return False
    box.click()
    page.locator(".select2-container--open .select2-search__field").wait_for()
    return True


def _report(found: dict, scanned: int) -> str:
    nodes = Counter()
    for violations in found.values():
        for v in violations:
            nodes[v["id"]] += len(v["nodes"])
    lines = [f"{len(found)} of {scanned} page scans fail; nodes by rule: {dict(nodes)}"]
    for name, violations in found.items():
        for v in violations:
            targets = "; ".join(str(node["target"][0]) for node in v["nodes"][:3])
            lines.append(f"{name}: {v['id']} ({len(v['nodes'])}): {v['help']} — {targets}")
    return "\n".join(lines)


def _scan_as(browser, live_server, screenshot, who: str) -> tuple[dict, int]:
    """Scan every admin page `who` may open; (violations by page and width, scans made)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci + scripts/build_assets.py)")
    user = User.objects.get(email=f"demo.{who}@example.nhs.uk")
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT}, locale="en-GB")
    # axe-core is put into every page as it loads (through the DevTools protocol, which the
    # page's CSP does not govern): quicker than sending it after each load.
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, list] = {}
    scanned = 0
    try:
        sign_in(page, live_server, user.email)
        for name, path in admin_pages(user):
            name = f"{who} {name}"
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{name}: {path} answered {response.status}"
            if name.endswith("changelist") and _with_filter(page):
                name += " (filtered)"
            _scan(page, name, found, screenshot)
            scanned += len(WIDTHS)
            if name.endswith(("change", "add")) and _open_autocomplete(page):
                _scan(page, f"{name} (autocomplete open)", found, screenshot)
                scanned += len(WIDTHS)
    finally:
        context.close()
    return found, scanned


def test_admin_pages_pass_axe(demo_data, live_server, browser, screenshot):
    """Both roles in one test: the demo data takes most of a minute to load."""
    found: dict[str, list] = {}
    scanned = 0
    started = time.monotonic()
    for who in ("governance", "admin"):
        found_as, scanned_as = _scan_as(browser, live_server, screenshot, who)
        found |= found_as
        scanned += scanned_as
    print(f"\n{scanned} scans in {time.monotonic() - started:.0f} s")
    print(_report(found, scanned) if found else "no violations")
    assert found == {}, _report(found, scanned)
