from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from packs.views import visible_published
from reporting import numbers, presenters

from . import accounts
from .forms import QueuedPasswordResetForm
from .permissions import Perm, has_permission
from .views_support import requires

HOME_REPORTS = 5


@requires()
def home(request):
    """One page, a panel per role the person holds: what I owe, cycle progress, reports. The
    template shows each panel by the same permission (perms.…)."""
    user = request.user
    context = {}
    if has_permission(user, Perm.UPDATE_WRITE):
        context["owed"] = presenters.my_updates(user)
    if has_permission(user, Perm.CYCLE_VIEW_PROGRESS):
        cycle = presenters.current_cycle()
        context["progress"] = numbers.cycle_counts(cycle) if cycle else None
    if has_permission(user, Perm.PACK_VIEW_PUBLISHED):
        reports = visible_published(user).order_by("-pack__date_of_meeting", "-published_at")
        context["reports"] = list(reports[:HOME_REPORTS])
    return render(request, "home.html", context)


def accessibility(request):
    return render(request, "accessibility.html")


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link: throttled per address and per account, audited, and answered
    with the same page whether or not an email went (ics_portal/accounts.py)."""

    form_class = QueuedPasswordResetForm

    def form_valid(self, form):
        people = list(form.get_users(form.cleaned_data["email"]))
        if accounts.password_reset_requested(people=people, request=self.request):
            return super().form_valid(form)  # sends the link
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from a reset (or invitation) link; audited, and it unlocks the
    account (ics_portal/accounts.py)."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)  # saves the password
            accounts.password_was_reset(person=form.user, request=self.request)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change my own password, knowing the current one; audited."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            accounts.password_changed(person=form.user, request=self.request)
        return response


password_reset = PasswordResetView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_change = requires()(PasswordChangeView.as_view())
password_change_done = requires()(auth_views.PasswordChangeDoneView.as_view())


def _back_with_restore(request) -> str | None:
    """The page a refused form was posted from, to go back to with `restore=1` so the page's
    script puts back the text the browser kept (the update form does; other pages ignore it).
    Only a page of this site, named by the browser's Referer."""
    referer = request.headers.get("referer", "")
    if request.method != "POST" or not referer:
        return None
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(referer)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("restore", "saved")]
    return urlunsplit(("", "", parts.path, urlencode([*query, ("restore", "1")]), ""))


def csrf_failure(request, reason=""):
    context = {"reason": reason, "back": _back_with_restore(request)}
    return render(request, "errors/csrf.html", context, status=403)


def server_error(request):
    """500, rendered without the database or context processors (they may be what failed),
    with the way back to a form whose text the browser kept."""
    try:
        back = _back_with_restore(request)
    except Exception:  # never let the error page fail
        back = None
    return HttpResponseServerError(loader.get_template("500.html").render({"back": back}))


def bad_request(request, exception=None):
    """400, most often a form too large to accept (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    too_large = isinstance(exception, RequestDataTooBig)
    context = {"too_large": too_large, "back": _back_with_restore(request)}
    return render(request, "400.html", context, status=400)
