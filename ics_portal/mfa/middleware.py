"""The gate: a signed-in person who owes a second factor sees nothing else until it is done.

Someone with an authenticator app who has not entered a code this session is sent to enter
one; someone who must have two-step verification (mfa.required_for) and has none is sent to
set it up. The page they asked for is kept as `next` (GET requests only: a form posted from
a page opened before cannot be replayed). Open to everyone still: signing out, the second
step's own pages, static files, /health/ and the single sign-on's /oidc/ routes.
"""

from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from . import enrolled, required_for, satisfied

OPEN_PREFIXES = ("/oidc/",)


@cache
def _open_paths() -> tuple[frozenset[str], tuple[str, ...]]:
    names = ("logout", "health", "mfa:verify", "mfa:recovery", "mfa:enrol")
    prefixes = (*OPEN_PREFIXES, settings.STATIC_URL)
    return frozenset(reverse(name) for name in names), tuple(p for p in prefixes if p)


def is_open(path: str) -> bool:
    paths, prefixes = _open_paths()
    return path in paths or path.startswith(prefixes)


def owed_step(request) -> str | None:
    """The URL name of the step this request must take first, or None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_open(request.path):
        return None
    if satisfied(request):
        return None
    if enrolled(user):
        return "mfa:verify"
    if required_for(user):
        return "mfa:enrol"
    return None


class TwoStepMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = owed_step(request)
        if step is None:
            return self.get_response(request)
        url = reverse(step)
        if request.method in ("GET", "HEAD"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
