"""Two-step verification (issue 13, "No MFA for anyone, including administrators and
governance officers"): the second step after the password, its gate on every page and the
admin, setting it up, recovery codes, turning it off, and the audit events each writes."""

import os
import re
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ics_portal import mfa
from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent

from .mfa_support import code_for, give_app, give_recovery_codes

PASSWORD = "correct-horse-battery"


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED = True


def sign_in(client, user, next_url=""):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def verbs(user):
    return list(
        AuditEvent.objects.filter(object_id=str(user.pk), verb__startswith="mfa.")
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def go(path, next_url):
    return f"{reverse(path)}?next={next_url.replace('/', '%2F')}"


# --- the setting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"DEBUG": "0"}, True),  # production
        ({"DEBUG": "1"}, False),  # make run
        ({"DEBUG": "0", "MFA_REQUIRED": "0"}, False),
        ({"DEBUG": "1", "MFA_REQUIRED": "1"}, True),
    ],
)
def test_mfa_required_is_on_in_production_and_off_in_development(environment, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("TESTING", "DEBUG", "MFA_REQUIRED")}
    env.update(environment, DJANGO_SETTINGS_MODULE="ics_portal.settings")
    out = subprocess.run(
        [sys.executable, "-c", "from ics_portal import settings; print(settings.MFA_REQUIRED)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == str(expected)


def test_the_test_suite_runs_with_mfa_optional(settings):
    assert settings.MFA_REQUIRED is False


# --- who must -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["governance", "superuser"])
def test_governance_and_superusers_must_set_it_up_before_anything_else(
    client, request, required, who
):
    user = request.getfixturevalue(who)
    response = sign_in(client, user, "/risks/")
    assert response.status_code == 302 and response["Location"] == "/risks/"
    response = client.get("/risks/")
    assert response.status_code == 302
    assert response["Location"] == go("mfa:enrol", "/risks/")
    # Every other page too, the admin included.
    for path in ("/", "/admin/", "/packs/", reverse("mfa:manage")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("mfa:enrol")), path


def test_a_governance_officer_with_a_password_only_session_cannot_open_the_admin(
    client, governance, required
):
    give_app(governance)
    sign_in(client, governance)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == go("mfa:verify", "/admin/")
    response = client.get("/admin/ics_portal/user/")
    assert response["Location"].startswith(reverse("mfa:verify"))


def _request(user):
    request = RequestFactory().get("/admin/")
    request.session = SessionStore()
    request.user = user
    OTPMiddleware(lambda r: HttpResponse())(request)
    return request


def test_the_admin_site_itself_asks_for_the_second_factor(governance, superuser, required):
    """PortalAdminSite.has_permission, without the middleware in the way."""
    for user in (governance, superuser):
        device = give_app(user)
        request = _request(user)
        assert admin.site.has_permission(request) is False
        otp_login(request, device)
        assert admin.site.has_permission(request) is True


def test_the_admin_asks_nothing_more_when_mfa_is_not_required(governance):
    assert admin.site.has_permission(_request(governance)) is True


def test_the_admin_accepts_mfa_done_at_the_identity_provider(governance, required):
    request = _request(governance)
    request.session[mfa.IDP_SESSION_KEY] = True
    assert admin.site.has_permission(request) is True


@pytest.mark.parametrize("who", ["lead", "board_member", "outsider"])
def test_it_is_optional_for_everyone_else(client, request, required, who):
    user = request.getfixturevalue(who)
    sign_in(client, user)
    assert client.get("/").status_code == 200
    assert client.get(reverse("mfa:manage")).status_code == 200


def test_a_session_verified_at_the_identity_provider_is_not_asked_again(
    client, governance, required
):
    client.force_login(governance)
    session = client.session
    session[mfa.IDP_SESSION_KEY] = True
    session.save()
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_sign_out_health_static_and_single_sign_on_stay_open(client, governance, required):
    client.force_login(governance)
    assert client.get("/health/").status_code in (200, 503)
    assert client.get("/static/portal/portal.css").status_code in (200, 404)
    # The single sign-on's callback routes are not redirected to the code page.
    assert not client.get("/oidc/callback/").get("Location", "").startswith("/sign-in/code/")
    assert client.get("/oidc/callback/").status_code == 404
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_is_sent_to_the_code_page_whole(client, lead):
    give_app(lead)
    client.force_login(lead)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == go("mfa:verify", "/")


def test_a_form_posted_before_the_second_step_is_not_replayed(client, lead):
    give_app(lead)
    client.force_login(lead)
    response = client.post("/risks/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa:verify")


# --- the second step ---------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_goes_on_to_the_page_asked_for(client, lead):
    """Optional MFA still counts: whoever has set up an app enters its code."""
    device = give_app(lead)
    sign_in(client, lead, "/risks/")
    response = client.get("/risks/")
    assert response["Location"] == go("mfa:verify", "/risks/")
    page = client.get(response["Location"]).content.decode()
    assert "Enter the 6-digit code from your authenticator app" in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert '<label class="nhsuk-label" for="id_code">' in page
    assert 'name="next" value="/risks/"' in page

    response = client.post(reverse("mfa:verify"), {"code": code_for(device), "next": "/risks/"})
    assert response.status_code == 302 and response["Location"] == "/risks/"
    assert client.get("/risks/").status_code == 200
    assert verbs(lead) == [AuditVerb.MFA_VERIFIED]
    event = AuditEvent.objects.get(verb=AuditVerb.MFA_VERIFIED)
    assert event.after == {"method": "authenticator app"}
    assert event.ip_address == "127.0.0.1" and event.session_ref


def test_a_wrong_code_says_so_and_is_audited(client, lead):
    device = give_app(lead)
    client.force_login(lead)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa:verify"), {"code": wrong})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#id_code"' in page
    assert "The code is not right" in page
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.get(verb=AuditVerb.MFA_FAILED)
    assert event.after == {"method": "authenticator app", "failures": 1}
    assert event.actor_id == lead.pk


def test_a_code_that_is_not_six_digits_is_refused_before_it_is_tried(client, lead):
    give_app(lead)
    client.force_login(lead)
    response = client.post(reverse("mfa:verify"), {"code": "12ab"})
    assert "numbers only" in response.content.decode()
    assert not AuditEvent.objects.filter(verb=AuditVerb.MFA_FAILED).exists()


def test_wrong_codes_are_throttled(client, lead):
    """django-otp's throttling: after a wrong code the next try must wait (1 s, 2 s, 4 s ...),
    so even the right code is refused at once after two wrong ones."""
    device = give_app(lead)
    client.force_login(lead)
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client.post(reverse("mfa:verify"), {"code": wrong})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=3)
    response = client.post(reverse("mfa:verify"), {"code": right})
    assert "Too many wrong codes. Wait" in response.content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb=AuditVerb.MFA_FAILED, after__throttled=True).exists()


def test_a_code_cannot_be_used_twice(client, lead):
    device = give_app(lead)
    code = code_for(device)
    client.force_login(lead)
    assert client.post(reverse("mfa:verify"), {"code": code}).status_code == 302
    other = client.__class__()
    other.force_login(lead)
    response = other.post(reverse("mfa:verify"), {"code": code})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()


def test_next_must_be_a_page_of_this_site(client, lead):
    device = give_app(lead)
    client.force_login(lead)
    response = client.post(
        reverse("mfa:verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("next_url", ["0", "home", "risks/", "//evil.example/"])
def test_a_next_that_is_no_path_of_this_site_goes_home_not_to_an_error(
    client, governance, next_url
):
    # Found by the URL property test: "0" was read by redirect() as a view name (a 500).
    client.force_login(governance)
    response = client.get(reverse("mfa:verify"), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.parametrize(("codes", "warned"), [(5, False), (4, True)])
def test_signing_in_with_a_recovery_code_warns_when_three_or_fewer_are_left(
    client, lead, codes, warned
):
    give_app(lead)
    give_recovery_codes(lead, [f"abcd{n}345" for n in range(2, 2 + codes)])
    sign_in(client, lead, "/risks/")
    response = client.post(
        reverse("mfa:recovery"), {"code": "abcd2345", "next": "/risks/"}, follow=True
    )
    page = response.content.decode()
    assert (f"You have {codes - 1} recovery codes left." in page) is warned


def test_a_recovery_code_signs_in_once(client, lead):
    give_app(lead)
    give_recovery_codes(lead, ["abcd2345", "efgh6723"])
    sign_in(client, lead, "/risks/")
    page = client.get(go("mfa:verify", "/risks/")).content.decode()
    assert f'href="{reverse("mfa:recovery")}?next=%2Frisks%2F"' in page
    response = client.post(reverse("mfa:recovery"), {"code": "ABCD-2345", "next": "/risks/"})
    assert response.status_code == 302 and response["Location"] == "/risks/"
    assert client.get("/risks/").status_code == 200
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6723"]
    assert verbs(lead) == [AuditVerb.MFA_RECOVERY_CODE_USED, AuditVerb.MFA_VERIFIED]
    assert AuditEvent.objects.get(verb=AuditVerb.MFA_RECOVERY_CODE_USED).after == {"codes_left": 1}
    # Used up: another session cannot use it.
    other = client.__class__()
    other.force_login(lead)
    response = other.post(reverse("mfa:recovery"), {"code": "abcd2345"})
    assert "has been used" in response.content.decode()
    assert AuditEvent.objects.filter(verb=AuditVerb.MFA_FAILED).count() == 1


# --- setting it up -------------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_secret_and_counts_only_once_confirmed(
    client, governance, required
):
    sign_in(client, governance, "/admin/")
    response = client.get(client.get("/admin/")["Location"])
    page = response.content.decode()
    assert "<h1>Set up two-step verification</h1>" in page
    assert (
        '<svg role="img" aria-label="QR code to add' in page
        and "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    )
    secret = client.session["mfa_pending_key"]
    shown = mfa.presenters.secret_text(secret)
    assert shown in page and len(shown.replace(" ", "")) == 32
    # Nothing is stored until a code confirms it.
    assert not TOTPDevice.objects.exists()

    wrong = f"{(int(code_for(shown)) + 5) % 1_000_000:06d}"
    response = client.post(reverse("mfa:enrol"), {"code": wrong, "next": "/admin/"})
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert client.get("/").status_code == 302

    response = client.post(reverse("mfa:enrol"), {"code": code_for(shown), "next": "/admin/"})
    assert response["Location"] == go("mfa:recovery_codes", "/admin/")
    device = TOTPDevice.objects.get(user=governance)
    assert device.confirmed and device.key == secret
    page = client.get(response["Location"]).content.decode()
    codes = list(
        StaticToken.objects.filter(device__user=governance).values_list("token", flat=True)
    )
    assert len(codes) == 10 and all(f"<code>{c}</code>" in page for c in codes)
    download = client.get(reverse("mfa:recovery_codes_download"))
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(c in download.content.decode() for c in codes)
    response = client.post(reverse("mfa:recovery_codes"), {"done": "1", "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Shown once.
    assert client.get(reverse("mfa:recovery_codes"))["Location"] == reverse("mfa:manage")
    assert verbs(governance) == [AuditVerb.MFA_ENROL, AuditVerb.MFA_RECOVERY_CODES_ISSUED]


def test_a_wrong_first_code_is_shown_in_an_error_summary(client, lead):
    client.force_login(lead)
    client.get(reverse("mfa:enrol"))
    key = client.session["mfa_pending_key"]
    right = code_for(mfa.presenters.secret_text(key))
    wrong = f"{(int(right) + 5) % 1_000_000:06d}"
    page = client.post(reverse("mfa:enrol"), {"code": wrong}).content.decode()
    assert "There is a problem" in page and "The code is not right" in page
    assert "<title>Error: " in page
    # The same secret is offered again, so the app already set up still fits.
    assert client.session["mfa_pending_key"] == key


def test_replacing_the_app_needs_a_fresh_code_and_keeps_the_old_until_confirmed(client, lead):
    old = give_app(lead)
    client.force_login(lead)
    # Verified a while ago: asked again.
    client.post(reverse("mfa:verify"), {"code": code_for(old)})
    session = client.session
    session[mfa.VERIFIED_AT_SESSION_KEY] = time.time() - 600
    session.save()
    response = client.get(reverse("mfa:enrol"))
    assert response["Location"].startswith(reverse("mfa:verify") + "?next=")
    client.post(reverse("mfa:verify"), {"code": code_for(old, steps_ahead=1)})
    page = client.get(reverse("mfa:enrol")).content.decode()
    assert "<h1>Replace your authenticator app</h1>" in page
    assert TOTPDevice.objects.filter(pk=old.pk).exists()
    key = client.session["mfa_pending_key"]
    client.post(reverse("mfa:enrol"), {"code": code_for(mfa.presenters.secret_text(key))})
    assert list(TOTPDevice.objects.filter(user=lead).values_list("key", flat=True)) == [key]
    enrol = AuditEvent.objects.get(verb=AuditVerb.MFA_ENROL)
    assert enrol.after == {"device": "authenticator app", "replaced": True}


# --- recovery codes and turning it off ----------------------------------------------------------


def _verified(client, user):
    device = give_app(user)
    client.force_login(user)
    client.post(reverse("mfa:verify"), {"code": code_for(device)})
    return device


def test_new_recovery_codes_replace_the_old_ones(client, lead):
    _verified(client, lead)
    give_recovery_codes(lead, ["abcd2345"])
    response = client.post(reverse("mfa:recovery_codes"), {"new": "1"})
    assert response["Location"].startswith(reverse("mfa:recovery_codes"))
    codes = set(StaticToken.objects.values_list("token", flat=True))
    assert len(codes) == 10 and "abcd2345" not in codes
    assert StaticDevice.objects.filter(user=lead).count() == 1
    event = AuditEvent.objects.get(verb=AuditVerb.MFA_RECOVERY_CODES_ISSUED)
    assert event.after == {"count": 10, "replaced": 1}
    page = client.get(response["Location"]).content.decode()
    assert all(code in page for code in codes)


def test_new_recovery_codes_need_a_fresh_code(client, lead):
    _verified(client, lead)
    session = client.session
    session[mfa.VERIFIED_AT_SESSION_KEY] = time.time() - 600
    session.save()
    response = client.post(reverse("mfa:recovery_codes"), {"new": "1"})
    assert response["Location"].startswith(reverse("mfa:verify"))
    assert not StaticToken.objects.exists()


def test_someone_for_whom_it_is_optional_can_turn_it_off(client, lead):
    _verified(client, lead)
    give_recovery_codes(lead)
    page = client.get(reverse("mfa:manage")).content.decode()
    assert "Turn off two-step verification" in page
    response = client.post(reverse("mfa:remove"))
    assert response["Location"] == reverse("mfa:manage")
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    event = AuditEvent.objects.get(verb=AuditVerb.MFA_REMOVE)
    assert event.before == {"authenticator_apps": 1, "recovery_codes": 2}
    assert DEVICE_ID_SESSION_KEY not in client.session
    # Back to a password alone.
    client.logout()
    sign_in(client, lead)
    assert client.get("/").status_code == 200


def test_turning_it_off_needs_a_fresh_code(client, lead):
    _verified(client, lead)
    session = client.session
    session[mfa.VERIFIED_AT_SESSION_KEY] = time.time() - 600
    session.save()
    assert client.post(reverse("mfa:remove"))["Location"].startswith(reverse("mfa:verify"))
    assert TOTPDevice.objects.exists()


def test_whoever_must_have_it_can_replace_it_but_not_turn_it_off(client, governance, required):
    _verified(client, governance)
    page = client.get(reverse("mfa:manage")).content.decode()
    assert "Turn off two-step verification" not in page and "Replace" in page
    response = client.post(reverse("mfa:remove"))
    assert response.status_code == 403
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.exists()


def test_the_page_is_linked_from_the_header(client, lead):
    client.force_login(lead)
    page = client.get("/").content.decode()
    assert f'href="{reverse("mfa:manage")}">Two-step verification</a>' in page
    page = client.get(reverse("mfa:manage")).content.decode()
    assert "Two-step verification is off" in page


def _sample(converter):
    """A value the URL converter accepts: 1, the first of its choices (workstream|thread), or
    any text."""
    from django.urls.converters import IntConverter

    if isinstance(converter, IntConverter):
        return 1
    choice = re.fullmatch(r"\(?([\w-]+)(\|.*)?\)?", converter.regex)
    return choice[1] if choice else "x"


def test_every_page_but_the_open_ones_waits_for_the_second_step(client, governance, required):
    """The site-wide walk for a governance officer who has only typed a password."""
    from tests.access.test_url_walk import _patterns

    open_names = {"logout", "health", "mfa:verify", "mfa:recovery", "mfa:enrol"}
    client.force_login(governance)
    enrol = reverse("mfa:enrol")
    let_through = []
    for name, pattern in _patterns():
        converters = getattr(pattern.pattern, "converters", {})
        kwargs = {key: _sample(converter) for key, converter in converters.items()}
        path = reverse(name, kwargs=kwargs or None)
        response = client.get(path)
        gated = f"{enrol}?{urlencode({'next': path})}"
        sent_to_enrol = response.status_code == 302 and response["Location"] == gated
        if sent_to_enrol == (name in open_names):
            let_through.append((name, response.status_code))
    assert let_through == []


def test_the_menu_is_hidden_until_the_second_step_is_done(client, lead):
    device = give_app(lead)
    client.force_login(lead)
    page = client.get(reverse("mfa:verify")).content.decode()
    assert 'aria-label="Menu"' not in page
    client.post(reverse("mfa:verify"), {"code": code_for(device)})
    assert 'aria-label="Menu"' in client.get(reverse("mfa:manage")).content.decode()


def test_only_a_true_flag_from_the_identity_provider_counts(governance):
    request = _request(governance)
    request.session[mfa.IDP_SESSION_KEY] = "yes"
    assert mfa.satisfied(request) is False
    request.session[mfa.IDP_SESSION_KEY] = True
    assert mfa.satisfied(request) is True


def _audit_fails(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr("ics_portal.mfa.actions.audit.record", fail)


def test_turning_it_off_is_undone_if_it_cannot_be_audited(client, lead, monkeypatch):
    _verified(client, lead)
    _audit_fails(monkeypatch)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.post(reverse("mfa:remove"))
    assert TOTPDevice.objects.filter(user=lead).exists()


def test_setting_it_up_is_undone_if_it_cannot_be_audited(client, lead, monkeypatch):
    client.force_login(lead)
    client.get(reverse("mfa:enrol"))
    key = client.session["mfa_pending_key"]
    _audit_fails(monkeypatch)
    with pytest.raises(RuntimeError):
        client.post(reverse("mfa:enrol"), {"code": code_for(mfa.presenters.secret_text(key))})
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()
