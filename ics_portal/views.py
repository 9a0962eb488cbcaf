from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from packs.views import visible_published
from reporting import numbers, presenters, review_queue

from . import accounts
from . import feedback as feedback_actions
from .forms import FeedbackForm, QueuedPasswordResetForm
from .permissions import Perm, has_permission
from .views_support import requires

HOME_REPORTS = 5


@requires()
def home(request):
    """One page, a section per role the person holds: what I owe (the same list as My
    updates), cycle progress, reports. The template shows each section by the same permission
    (perms.…)."""
    user = request.user
    context = {}
    if has_permission(user, Perm.UPDATE_WRITE):
        context["owed"] = presenters.what_i_owe(user)
    if has_permission(user, Perm.CYCLE_VIEW_PROGRESS):
        cycle = presenters.current_cycle()
        context["progress"] = numbers.cycle_counts(cycle) if cycle else None
        context["review_queue"] = review_queue.waiting_for_review()
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


def privacy(request):
    """What personal data the portal holds and for how long; the times come from settings."""
    context = {
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT,
        "feedback_email": settings.FEEDBACK_EMAIL,
    }
    return render(request, "privacy.html", context)


def _page_from(request) -> str:
    """The portal page the feedback link was followed from (its path), if it was one."""
    page = request.GET.get("from", "")
    if page.startswith("/") and not page.startswith("//"):
        return page[:500]
    return ""


THROTTLED = (
    "This connection has sent a lot of feedback in the last hour. Try again later, or email "
    "the governance team."
)


def feedback(request):
    """Anyone, signed in or not, may tell the service team what went wrong (feedback.py)."""
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if feedback_actions.throttled(request):
            # What was typed stays in the form, to send later or copy elsewhere.
            form.is_valid()
            form.add_error(None, THROTTLED)
            return render(request, "feedback/form.html", {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            page = data["page"] if data["page"].startswith("/") else ""
            feedback_actions.give_feedback(
                trying_to_do=data["trying_to_do"],
                what_happened=data["what_happened"],
                email=data["email"],
                page=page,
                request=request,
            )
            return redirect("feedback_sent")
    else:
        form = FeedbackForm(initial={"page": _page_from(request)})
    return render(request, "feedback/form.html", {"form": form})


def feedback_sent(request):
    return render(request, "feedback/sent.html")
