"""How a view says who may use it: one decorator, `requires`, on every view function
(tests/access/test_views_guarded.py checks each URL's view), so a view body starts with the object it
acts on and the knowledge that the person may act on it.

    @requires(Perm.UPDATE_REVIEW, load=load_update)
    def update_review(request, update): ...

In order, for each request:

1. Someone not signed in is sent to sign in and back (or answered by `anonymous`).
2. A method not in `methods` is refused (405).
3. Permissions about the person alone (permissions.looks_at_object) are asked before anything
   is loaded: without `see`, 404; without one of `perms`, 403.
4. `load(request, **url_kwargs)` loads the object: 404 when it is missing or not the person's
   to see. It may answer instead (a redirect to the object's canonical URL).
5. Permissions about the object: without `see`, 404; without one of `perms`, 403 with
   permissions.refusal() saying why on the 403 page, or `otherwise(request, obj)`'s answer.
6. The view is called as view(request, obj), or with the URL's arguments when nothing is
   loaded.

Cannot see -> 404 (an outsider does not learn what exists); can see but may not do this -> 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_http_methods

from .permissions import Perm, as_perm, has_permission, looks_at_object, refusal


@dataclass(frozen=True)
class Guard:
    """What `requires` checks before a view runs; kept on the view as `view.guard`."""

    see: Perm | None
    perms: tuple[Perm, ...]
    load: Callable | None


def require(request, perm: Perm, obj=None) -> None:
    """403 unless the person may do `perm` (to an object they can already see); the 403 page
    says why and what to do instead. For a check a view makes part-way, as a POST that
    submits as well as saves."""
    if not has_permission(request.user, perm, obj):
        raise PermissionDenied(refusal(request.user, perm, obj))


def requires(
    *perms: Perm,
    see: Perm | None = None,
    load: Callable | None = None,
    methods: tuple[str, ...] | None = None,
    anonymous: Callable | None = None,
    otherwise: Callable | None = None,
):
    """Sign in, load the object, then check (see the module's docstring)."""
    see = as_perm(see) if see is not None else None
    perms = tuple(as_perm(perm) for perm in perms)

    def refuse(request, perm, obj):
        if otherwise is not None:
            return otherwise(request, obj)
        raise PermissionDenied(refusal(request.user, perm, obj))

    def checks(request, obj, *, about_object: bool):
        """None if the person may go on, else the refusal's answer (or it raises)."""
        user = request.user
        asks_see = see is not None and looks_at_object(see) == about_object
        if asks_see and not has_permission(user, see, obj):
            raise Http404
        for perm in perms:
            if looks_at_object(perm) == about_object and not has_permission(user, perm, obj):
                return refuse(request, perm, obj)
        return None

    def decorator(view):
        def checked(request, *args, **kwargs):
            refused = checks(request, None, about_object=False)
            if refused is not None:
                return refused
            if load is None:
                return view(request, *args, **kwargs)
            obj = load(request, *args, **kwargs)
            if isinstance(obj, HttpResponseBase):
                return obj
            refused = checks(request, obj, about_object=True)
            if refused is not None:
                return refused
            return view(request, obj)

        if methods is not None:
            checked = require_http_methods(list(methods))(checked)

        if anonymous is None:
            guarded = login_required(checked)
        else:

            def guarded(request, *args, **kwargs):
                if request.user.is_authenticated:
                    return checked(request, *args, **kwargs)
                return anonymous(request, *args, **kwargs)

        guarded = wraps(view)(guarded)
        guarded.guard = Guard(see=see, perms=perms, load=load)
        return guarded

    return decorator
