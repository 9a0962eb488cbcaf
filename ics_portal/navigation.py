"""The header navigation. Items are (label, url name); the current one is marked. A section's
link shows to whoever holds the permission its pages ask for first (ics_portal/permissions.py)."""

from dataclasses import dataclass

from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from .permissions import Perm, has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, url name, the permission the link needs; None: everyone signed in)
_SECTIONS = (
    ("Home", "home", None),
    ("My updates", "reporting:my_updates", Perm.UPDATE_WRITE),
    ("Reporting cycles", "reporting:cycle_list", Perm.CYCLE_VIEW_PROGRESS),
    ("Board packs", "packs:list", Perm.PACK_MANAGE),
    ("Import and export", "dataio:index", Perm.DATA_VIEW),
    ("Plan", "plan:index", None),
    ("Risks", "risks:register", Perm.RISK_VIEW),
    ("Dashboards", "dashboards:overview", Perm.DASHBOARD_VIEW),
    ("Audit trail", "audit_log", Perm.AUDIT_VIEW),
    ("Reports", "packs:published_list", None),
)


def _items_for(request) -> list[tuple[str, str]]:
    user = request.user
    items = [
        (label, name)
        for label, name, perm in _SECTIONS
        if perm is None or has_permission(user, perm)
    ]
    # The admin's own rule (active staff), so the link shows exactly when the admin lets one in.
    if admin.site.has_permission(request):
        items.append(("Admin", "admin:index"))
    return items


def navigation_for(request) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    result = []
    for label, name in _items_for(request):
        try:
            url = reverse(name)
        except NoReverseMatch:
            # A section not built yet is simply not offered.
            continue
        current = request.path == url if name == "home" else request.path.startswith(url)
        result.append(NavItem(label, url, current))
    return result
