"""Every view goes through one door (issue 10): ics_portal.views_support.requires signs the
person in, loads the object, then checks the permission, so no view can forget a check. A URL
whose view is not wrapped fails here unless it is on the allow-list, with the reason it is open.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from ics_portal.permissions import Perm
from ics_portal.views_support import requires
from risks.models import BAFRisk

from .. import factories
from .test_url_walk import _patterns

PUBLISHED = (
    "Papers for board meetings held in public are for everyone; what each person may read, "
    "signed in or not, is permissions.readable_published (Perm.PACK_READ as a filter)."
)
FEEDBACK = (
    "The phase banner's feedback link is on every page, signed in or not; sending is limited "
    "per client address (ics_portal/feedback.py)."
)
HELP = "Help says how the service works and names nobody; it helps before signing in too."
SIGNING_IN = "Signing in, out and resetting a password happen while not signed in."

# URL name: why its view is open to everyone. Nothing else may be.
OPEN_TO_EVERYONE = {
    "login": SIGNING_IN,
    "logout": SIGNING_IN,
    "password_reset": SIGNING_IN,
    "password_reset_done": SIGNING_IN,
    "password_reset_confirm": SIGNING_IN,
    "password_reset_complete": SIGNING_IN,
    "accessibility": "The accessibility statement must be reachable by everyone.",
    "privacy": "The privacy notice must be reachable before anyone signs in.",
    "feedback": FEEDBACK,
    "feedback_sent": FEEDBACK,
    "help:index": HELP,
    "help:good_update": HELP,
    "help:statuses": HELP,
    "help:risk_scores": HELP,
    "health": "Load balancers probe it without signing in; it names its checks and says "
    "working or unavailable, nothing more (ics_portal/health.py).",
    "health_live": 'Orchestrators probe it without signing in; it says "alive" and asks '
    "nothing else (ics_portal/health.py).",
    "packs:published_list": PUBLISHED,
    "packs:published_detail": PUBLISHED,
    "packs:published_html": PUBLISHED,
    "packs:published_pdf": PUBLISHED,
}


def test_every_view_is_wrapped_by_requires_unless_it_is_open_to_everyone():
    unguarded, needlessly_listed = [], []
    for name, pattern in _patterns():
        guard = getattr(pattern.callback, "guard", None)
        if name in OPEN_TO_EVERYONE:
            if guard is not None:
                needlessly_listed.append(name)
        elif guard is None:
            unguarded.append(name)
    assert unguarded == [], "wrap these views in @requires(...), or list them with the reason"
    assert needlessly_listed == [], "these views are guarded now: take them off the list"


def test_the_allow_list_names_only_urls_that_exist():
    assert set(OPEN_TO_EVERYONE) <= {name for name, _ in _patterns()}


# --- what the decorator does, in order --------------------------------------------------------


@pytest.fixture
def calls():
    return []


@pytest.fixture
def guarded_view(calls):
    """Risk closing's guard: reads the BAF (else 404), manages it (else 403, asked before
    loading), the risk exists (else 404) and is open (else 403)."""

    def load(request, reference):
        calls.append(("load", reference))
        if reference == "7":
            return HttpResponseRedirect("/risks/07/close/")
        try:
            return BAFRisk.objects.get(reference=reference)
        except BAFRisk.DoesNotExist:
            raise Http404 from None

    @requires(Perm.RISK_MANAGE, Perm.RISK_CLOSE, see=Perm.RISK_VIEW, load=load)
    def close(request, risk):
        calls.append(("view", risk))
        return HttpResponse("closing")

    return close


def _get(user, path="/risks/07/close/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_someone_not_signed_in_is_sent_to_sign_in_before_anything_is_loaded(guarded_view, calls):
    response = guarded_view(_get(AnonymousUser()), reference="07")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=/risks/07/close/")
    assert calls == []


def test_cannot_see_is_404_and_may_not_is_403_both_before_loading(
    guarded_view, calls, outsider, board_member
):
    factories.BAFRiskFactory(reference="07")
    with pytest.raises(Http404):
        guarded_view(_get(outsider), reference="07")
    with pytest.raises(PermissionDenied) as refused:
        guarded_view(_get(board_member), reference="07")
    assert str(refused.value) == "Only the governance team changes the BAF."
    assert calls == []


def test_the_object_is_loaded_then_checked_then_passed_to_the_view(guarded_view, calls, governance):
    risk = factories.BAFRiskFactory(reference="07")
    assert guarded_view(_get(governance), reference="07").content == b"closing"
    assert calls == [("load", "07"), ("view", risk)]
    BAFRisk.objects.filter(pk=risk.pk).update(status="CLOSED", closed_reason="Done.")
    with pytest.raises(PermissionDenied) as refused:
        guarded_view(_get(governance), reference="07")
    assert str(refused.value) == "This risk is already closed."
    with pytest.raises(Http404):
        guarded_view(_get(governance), reference="99")


def test_a_loader_may_answer_instead(guarded_view, calls, governance):
    response = guarded_view(_get(governance, "/risks/7/close/"), reference="7")
    assert response["Location"] == "/risks/07/close/"
    assert calls == [("load", "7")]


def test_methods_are_refused_after_sign_in_and_before_the_checks(calls, outsider):
    @requires(Perm.PACK_MANAGE, see=Perm.PACK_MANAGE, methods=("POST",))
    def publish(request):
        calls.append("view")
        return HttpResponse()

    assert publish(_get(outsider)).status_code == 405
    assert publish(_get(AnonymousUser())).status_code == 302
    assert calls == []


def test_anonymous_and_otherwise_answer_in_place_of_sign_in_and_403(calls, board_member):
    @requires(
        Perm.RISK_MANAGE,
        anonymous=lambda request, **kwargs: HttpResponse("signed out", status=401),
        otherwise=lambda request, obj: HttpResponse("not now", status=409),
    )
    def edit(request):
        calls.append("view")
        return HttpResponse()

    assert edit(_get(AnonymousUser())).content == b"signed out"
    assert edit(_get(board_member)).content == b"not now"
    assert calls == []


def test_the_guard_says_what_is_checked(guarded_view):
    guard = guarded_view.guard
    assert guard.see == Perm.RISK_VIEW
    assert guard.perms == (Perm.RISK_MANAGE, Perm.RISK_CLOSE)
    assert guard.load is not None
