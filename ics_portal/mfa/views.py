"""The two-step verification pages: the second step of signing in (a code from the app, or a
recovery code), setting up or replacing the app, recovery codes, and turning it off.

Every page is for a signed-in person about themselves (`requires()`: signed in, nothing
more); TwoStepMiddleware lets the verify, recovery-code and set-up pages open before the
second step is done, and nothing else."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.util import random_hex

from ics_portal.views_support import requires

from . import (
    FRESH_CODES_SESSION_KEY,
    actions,
    enrolled,
    presenters,
    recently_verified,
    required_for,
    satisfied,
)
from .forms import CodeForm, RecoveryCodeForm

PENDING_KEY_SESSION_KEY = "mfa_pending_key"
CANNOT_TURN_OFF = (
    "Two-step verification cannot be turned off for governance officers and administrators. "
    "You can replace your authenticator app instead."
)


def safe_next(request) -> str:
    """The page to go on to: `next` if it is a path on this site ("/…"), else the home page.
    A bare word ("0") is refused too: it is no page, and `redirect` would read it as a view
    name."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _confirm_first(request, here: str):
    """For a sensitive change: a redirect to enter a code again unless the person did in the
    last few minutes; None to go on."""
    if recently_verified(request):
        return None
    return redirect(with_next("mfa:verify", here))


def _before_second_step(request) -> dict:
    """Until the second step is done, the header's menu would only lead back here: hidden."""
    return {} if satisfied(request) else {"nav_items": []}


def _not_enrolled(request, next_url):
    """Where someone with no app goes from the verify pages."""
    if required_for(request.user) and not satisfied(request):
        return redirect(with_next("mfa:enrol", next_url))
    return HttpResponseRedirect(next_url)


def _second_step(request, form_class, check, template, *, on_success=None):
    """The code page after the password (authenticator or recovery code): the form, the check
    (an action returning an Outcome), then on to `next`."""
    next_url = safe_next(request)
    if not enrolled(request.user):
        return _not_enrolled(request, next_url)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = check(request, form.cleaned_data["code"])
        if outcome.ok:
            if on_success is not None:
                on_success(request)
            return HttpResponseRedirect(next_url)
        form.add_error("code", outcome.message)
    context = {"form": form, "next": next_url, "again": satisfied(request)}
    return render(request, template, context | _before_second_step(request))


@requires(methods=("GET", "POST"))
def verify(request):
    return _second_step(request, CodeForm, actions.verify_code, "mfa/verify.html")


def _warn_if_few_recovery_codes_left(request) -> None:
    left = presenters.status(request.user).recovery_codes_left
    if left <= 3:
        messages.warning(
            request,
            f"You have {left} recovery code{'s' if left != 1 else ''} left. Make new "
            "ones on the Two-step verification page.",
        )


@requires(methods=("GET", "POST"))
def recovery(request):
    return _second_step(
        request,
        RecoveryCodeForm,
        actions.verify_recovery_code,
        "mfa/recovery.html",
        on_success=_warn_if_few_recovery_codes_left,
    )


@requires()
def manage(request):
    context = {"status": presenters.status(request.user)}
    return render(request, "mfa/manage.html", context)


@requires(methods=("GET", "POST"))
def enrol(request):
    user = request.user
    next_url = safe_next(request)
    replacing = enrolled(user)
    if replacing:
        confirm = _confirm_first(request, request.get_full_path())
        if confirm:
            return confirm
    key = request.session.get(PENDING_KEY_SESSION_KEY)
    if not key:
        key = request.session[PENDING_KEY_SESSION_KEY] = random_hex(20)
    form = CodeForm(request.POST or None)
    # The box is the page's last step: focus stays at the top, with the instructions.
    form.fields["code"].widget.attrs.pop("autofocus", None)
    if request.method == "POST" and form.is_valid():
        outcome, codes = actions.confirm_enrolment(request, key, form.cleaned_data["code"])
        if outcome.ok:
            request.session.pop(PENDING_KEY_SESSION_KEY, None)
            request.session[FRESH_CODES_SESSION_KEY] = codes
            return redirect(with_next("mfa:recovery_codes", next_url))
        form.add_error("code", outcome.message)
    context = {
        "form": form,
        "next": next_url,
        "replacing": replacing,
        "required": required_for(user),
        "qr": presenters.qr_svg(user, key),
        "secret": presenters.secret_text(key),
    }
    return render(request, "mfa/enrol.html", context | _before_second_step(request))


@requires(methods=("GET", "POST"))
def recovery_codes(request):
    """GET: the codes just made, shown once. POST `new`: make new ones (after a fresh code);
    POST `done`: the person has saved them, on to where they were going."""
    next_url = safe_next(request)
    if request.method == "POST":
        if "done" in request.POST:
            request.session.pop(FRESH_CODES_SESSION_KEY, None)
            return HttpResponseRedirect(next_url)
        if not enrolled(request.user):
            return redirect("mfa:manage")
        confirm = _confirm_first(request, reverse("mfa:manage"))
        if confirm:
            return confirm
        request.session[FRESH_CODES_SESSION_KEY] = actions.new_recovery_codes(request)
        return redirect(with_next("mfa:recovery_codes", reverse("mfa:manage")))
    codes = request.session.get(FRESH_CODES_SESSION_KEY)
    if not codes:
        return redirect("mfa:manage")
    response = render(request, "mfa/recovery_codes.html", {"codes": codes, "next": next_url})
    add_never_cache_headers(response)
    return response


@requires()
def recovery_codes_download(request):
    codes = request.session.get(FRESH_CODES_SESSION_KEY)
    if not codes:
        return redirect("mfa:manage")
    response = HttpResponse(
        presenters.recovery_codes_text(codes), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    add_never_cache_headers(response)
    return response


@requires(methods=("GET", "POST"))
def remove(request):
    if not enrolled(request.user):
        return redirect("mfa:manage")
    if required_for(request.user):
        raise PermissionDenied(CANNOT_TURN_OFF)
    confirm = _confirm_first(request, reverse("mfa:remove"))
    if confirm:
        return confirm
    if request.method == "POST":
        actions.remove(request)
        messages.success(request, "Two-step verification is off.")
        return redirect("mfa:manage")
    return render(request, "mfa/remove.html")
