"""Every URL pattern of the project, walked from django.urls.get_resolver(), with a hypothesis
strategy for the values in its path: mostly the real object's, sometimes anything the
pattern accepts."""

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from hypothesis import strategies as st

from .strategies import text

# <int:pk>, (?P<app_label>...) and simple_history's unnamed ([^/]+), named group1, group2 ...
_PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\((?!\?)[^)]*\)")
_ADMIN_MODEL_URL = re.compile(r"admin/(\w+)/(\w+)/(.*)")
_ADMIN_VIEWS = {
    "": "changelist",
    "add/": "add",
    "<path:object_id>/change/": "change",
    "<path:object_id>/delete/": "delete",
    "<path:object_id>/history/": "history",
    "^([^/]+)/history/([^/]+)/$": "history_version",
    "<path:object_id>/": "object",
}


@dataclass(frozen=True)
class Route:
    name: str | None  # "namespace:name"; None for the admin's unnamed patterns
    route: str  # the pattern as written
    converters: dict = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return self.route

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def placeholders(self) -> list[str]:
        return [_name(match, i) for i, match in enumerate(_PLACEHOLDER.finditer(self.route), 1)]

    @property
    def admin_model(self):
        """(model, view) of an admin URL of one model: view is "changelist", "add", ..."""
        match = _ADMIN_MODEL_URL.fullmatch(self.route)
        if not match or match[3] not in _ADMIN_VIEWS:
            return None, None
        for model in admin.site._registry:
            if (model._meta.app_label, model._meta.model_name) == (match[1], match[2]):
                return model, _ADMIN_VIEWS[match[3]]
        return None, None

    def url(self, kwargs: dict) -> str:
        """The path with `kwargs` filled in (quoted), for named and unnamed patterns alike."""

        numbers = iter(range(1, 100))

        def fill(match):
            return quote(str(kwargs[_name(match, next(numbers))]), safe="")

        return "/" + _PLACEHOLDER.sub(fill, self.route).replace("^", "").replace("$", "")


def _name(match, number: int) -> str:
    return match[1] or match[2] or f"group{number}"


def _walk(patterns, prefix="", namespace=None, converters=None):
    for pattern in patterns:
        found = {**(converters or {}), **pattern.pattern.converters}
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, found)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(name, prefix + str(pattern.pattern), found)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def _real_kwargs(route: Route, world) -> dict:
    """Path values naming real objects of `world` (or real words), so the view gets as far
    as reading its query string."""
    name = route.name or ""
    model, view = route.admin_model
    if model is not None and view == "history_version":
        version = model.history.order_by("pk").first()
        return {"group1": version.id, "group2": version.pk} if version else {}
    if model is not None and "object_id" in route.placeholders:
        obj = model.objects.order_by("pk").first()
        return {"object_id": str(obj.pk) if obj else "1"}
    if name == "admin:auth_user_password_change" or route.route.endswith("<id>/password/"):
        return {"id": world.lead.pk}
    if name == "admin:app_list":
        return {"app_label": "reporting"}
    if name.startswith("reporting:update_"):
        return {"kind": "workstream", "pk": world.update.pk}
    if name.startswith("reporting:cycle_"):
        return {"pk": world.cycle.pk}
    if name.startswith("risks:review"):
        return {"pk": world.review.pk}
    if name in ("risks:detail", "risks:edit", "risks:close", "risks:reopen"):
        return {"reference": world.risk.reference}
    if name.startswith("packs:published_"):
        return {"pk": world.published.pk}
    if name.startswith("packs:"):
        return {"pk": world.pack.pk}
    if name in ("dataio:export", "dataio:example"):
        return {"kind": "workstreams"}
    if name == "password_reset_confirm":
        return {"uidb64": "MQ", "token": "set-password"}
    return {}


def _any_value(route: Route, name: str) -> st.SearchStrategy:
    converter = route.converters.get(name)
    if isinstance(converter, IntConverter):
        return st.integers(min_value=0, max_value=2**70)
    if converter is not None:
        return st.from_regex(re.compile(converter.regex), fullmatch=True)
    if name == "app_label":  # the admin's app index: (?P<app_label>auth|ics_portal|...)
        return st.sampled_from(["auth", "ics_portal", "workstreams", "reporting", "risks"])
    if name.startswith("group"):  # simple_history's ([^/]+)
        return st.from_regex(re.compile("[^/]+"), fullmatch=True)
    return text  # the admin's catch-all: (?P<url>.*)


def path_kwargs(route: Route, world) -> st.SearchStrategy[dict]:
    names = route.placeholders
    if not names:
        return st.just({})
    anything = st.fixed_dictionaries({name: _any_value(route, name) for name in names})
    real = _real_kwargs(route, world)
    if set(real) != set(names):
        return anything
    # Two in three examples name a real object, so the view reads its query string.
    return st.one_of(st.just(real), st.just(real), anything)


def model_field_names(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)]


def changelist_keys(model) -> list[str]:
    """Query keys a change list reads: its filters' parameters (for every lookup a list filter
    may use), the date hierarchy's and Django's own."""
    model_admin = admin.site._registry[model]
    keys = ["q", "o", "p", "all", "e", "_facets", "_popup", "_to_field"]
    for entry in model_admin.list_filter:
        path = entry[0] if isinstance(entry, tuple) else entry
        if not isinstance(path, str):
            continue
        keys += [path] + [
            f"{path}__{lookup}"
            for lookup in ("exact", "isnull", "in", "gte", "lt", "id__exact", "year", "month")
        ]
    if model_admin.date_hierarchy:
        keys += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return keys


def our_models() -> list:
    return [
        model
        for label in settings.PORTAL_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    ]
