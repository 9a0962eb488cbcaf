"""Who may do what on every reporting page: anonymous people are sent to sign in, people who
may not see a thing get 404, people who may see it but not do this get 403.

Each table row is a view and the status every role gets, in the order of ROLES."""

import pytest
from django.urls import reverse

from ics_portal.models import ReportingCycle

from .support import approve, form_data, submit, url

ROLES = ("anonymous", "outsider", "board_member", "lead", "other_lead", "governance")
SIGN_IN = "sign in"


def _client(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def _check(client, request, method, path, expected, data=None):
    for role, status in zip(ROLES, expected, strict=True):
        client.logout()
        _client(client, request, role)
        response = client.post(path, data or {}) if method == "post" else client.get(path)
        if status == SIGN_IN:
            assert response.status_code == 302, (role, path)
            assert response["Location"].startswith(reverse("login")), (role, path)
        else:
            assert response.status_code == status, (role, path, response.status_code)


# An update being written (not started, cycle open).
OPEN_UPDATE = [
    ("update_detail", "get", (SIGN_IN, 404, 404, 200, 404, 200)),
    ("update_edit", "get", (SIGN_IN, 404, 404, 200, 404, 200)),
    ("update_withdraw", "post", (SIGN_IN, 404, 404, 403, 404, 403)),
    ("update_review", "get", (SIGN_IN, 404, 404, 403, 404, 403)),
    ("update_return", "post", (SIGN_IN, 404, 404, 403, 404, 403)),
    ("update_approve", "post", (SIGN_IN, 404, 404, 403, 404, 403)),
]


@pytest.mark.parametrize("kind", ["workstream", "thread"])
@pytest.mark.parametrize(("name", "method", "expected"), OPEN_UPDATE)
def test_open_update(client, request, kind, name, method, expected):
    target = request.getfixturevalue("update" if kind == "workstream" else "thread_update")
    _check(client, request, method, url(target, name), expected)


@pytest.mark.parametrize("kind", ["workstream", "thread"])
def test_saving_and_submitting_an_open_update(client, request, kind):
    """The lead saves and submits; governance saves (audited) but may not submit for them."""
    target = request.getfixturevalue("update" if kind == "workstream" else "thread_update")
    for name, expected in (
        ("update_autosave", (SIGN_IN, 404, 404, 200, 404, 200)),
        ("update_edit", (SIGN_IN, 404, 404, 302, 404, 302)),
        ("update_submit", (SIGN_IN, 404, 404, 200, 404, 403)),
    ):
        for role, status in zip(ROLES, expected, strict=True):
            client.logout()
            _client(client, request, role)
            # Each post is based on the version stored now, and leaves the update unsubmitted
            # (the submit posts no status, so it is refused with the error summary).
            data = form_data(target, overall_status="", quarter_update="")
            response = client.post(url(target, name), data)
            if status == SIGN_IN:
                assert response["Location"].startswith(reverse("login")), (role, name)
            else:
                assert response.status_code == status, (role, name, response.status_code)


def test_a_submitted_update(client, request, update, lead):
    submit(update, lead)
    for name, method, expected in (
        ("update_detail", "get", (SIGN_IN, 404, 404, 200, 404, 200)),
        ("update_edit", "get", (SIGN_IN, 404, 404, 403, 404, 200)),
        # A lead's stale tab is told who submitted it and given back its text (409).
        ("update_submit", "post", (SIGN_IN, 404, 404, 409, 404, 403)),
        ("update_review", "get", (SIGN_IN, 404, 404, 403, 404, 200)),
        ("update_return", "post", (SIGN_IN, 404, 404, 403, 404, 200)),  # no comment: refused
    ):
        _check(client, request, method, url(update, name), expected)
    # The lead withdraws it; then governance cannot approve what is no longer submitted.
    _check(
        client,
        request,
        "post",
        url(update, "update_withdraw"),
        (SIGN_IN, 404, 404, 302, 404, 403),
    )
    _check(
        client,
        request,
        "post",
        url(update, "update_approve"),
        (SIGN_IN, 404, 404, 403, 404, 403),
    )


def test_an_approved_update_is_locked_for_everyone(client, request, update, lead, governance):
    approve(update, lead, governance)
    for name, method, expected in (
        ("update_detail", "get", (SIGN_IN, 404, 200, 200, 404, 200)),
        ("update_edit", "get", (SIGN_IN, 404, 403, 403, 404, 403)),
        # Those who write the update are told who approved it, with their text (409; the
        # autosave's status line says it); the board member may not write at all (403).
        ("update_edit", "post", (SIGN_IN, 404, 403, 409, 404, 409)),
        ("update_autosave", "post", (SIGN_IN, 404, 403, 200, 404, 200)),
        ("update_submit", "post", (SIGN_IN, 404, 403, 409, 404, 409)),
        ("update_withdraw", "post", (SIGN_IN, 404, 403, 403, 404, 403)),
        ("update_review", "get", (SIGN_IN, 404, 403, 403, 404, 403)),
        ("update_return", "post", (SIGN_IN, 404, 403, 403, 404, 403)),
        ("update_approve", "post", (SIGN_IN, 404, 403, 403, 404, 403)),
    ):
        _check(client, request, method, url(update, name), expected)


def test_leads_edit_only_while_the_cycle_is_open(client, update, lead, governance):
    ReportingCycle.objects.filter(pk=update.cycle_id).update(status=ReportingCycle.Status.CLOSED)
    client.force_login(lead)
    assert client.get(url(update)).status_code == 200
    assert client.get(url(update, "update_edit")).status_code == 403
    response = client.post(url(update, "update_edit"), form_data(update, key_risks="<p>Late.</p>"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "reporting cycle is closed" in html and "<p>Late.</p>" in html
    client.force_login(governance)
    assert client.get(url(update, "update_edit")).status_code == 200


def test_an_unknown_kind_or_update_is_404(client, governance, update):
    client.force_login(governance)
    assert client.get(f"/reporting/updates/risk/{update.pk}/").status_code == 404
    assert client.get(f"/reporting/updates/thread/{update.pk + 1000}/").status_code == 404


CYCLE_PAGES = [
    ("cycle_list", "get", False, (SIGN_IN, 404, 404, 404, 404, 200)),
    ("cycle_create", "get", False, (SIGN_IN, 404, 404, 404, 404, 200)),
    ("cycle_detail", "get", True, (SIGN_IN, 404, 404, 404, 404, 200)),
    ("cycle_remind", "post", True, (SIGN_IN, 404, 404, 404, 404, 302)),
    ("cycle_close", "get", True, (SIGN_IN, 404, 404, 404, 404, 200)),
    ("cycle_close", "post", True, (SIGN_IN, 404, 404, 404, 404, 302)),
    ("cycle_open", "post", True, (SIGN_IN, 404, 404, 404, 404, 302)),
]


@pytest.mark.parametrize(("name", "method", "has_pk", "expected"), CYCLE_PAGES)
def test_cycle_pages_are_governance_only(client, request, plan, name, method, has_pk, expected):
    path = reverse(f"reporting:{name}", kwargs={"pk": plan.cycle.pk} if has_pk else None)
    _check(client, request, method, path, expected)


def test_my_updates_is_for_leads(client, request, plan):
    _check(
        client, request, "get", reverse("reporting:my_updates"), (SIGN_IN, 404, 404, 200, 200, 200)
    )


def test_a_deputy_without_the_lead_role_sees_my_updates(client, outsider, update):
    update.workstream.deputies.add(outsider)
    client.force_login(outsider)
    response = client.get(reverse("reporting:my_updates"))
    assert response.status_code == 200
    assert url(update) in response.content.decode()
    assert client.get(url(update, "update_edit")).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["cycle_list", "cycle_create", "cycle_detail", "my_updates", "update_detail", "update_edit"],
)
def test_every_page_has_one_h1(client, governance, lead, update, name):
    client.force_login(
        lead if name in ("my_updates", "update_detail", "update_edit") else governance
    )
    if name.startswith("update_"):
        path = url(update, name)
    elif name == "cycle_detail":
        path = update.cycle.get_absolute_url()
    else:
        path = reverse(f"reporting:{name}")
    html = client.get(path).content.decode()
    assert html.count("<h1") == 1, name
