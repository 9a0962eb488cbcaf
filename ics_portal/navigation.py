"""The header navigation, by role. Items are (label, url name); the current one is marked."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .roles import BOARD_MEMBER, SYSTEM_LEAD, has_role, is_governance


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def _items_for(user) -> list[tuple[str, str]]:
    items = [("Home", "home")]
    if has_role(user, SYSTEM_LEAD):
        items.append(("My updates", "reporting:my_updates"))
    if is_governance(user):
        items.append(("Reporting cycles", "reporting:cycle_list"))
        items.append(("Board packs", "packs:list"))
        items.append(("Import and export", "dataio:index"))
    if is_governance(user) or has_role(user, BOARD_MEMBER) or has_role(user, SYSTEM_LEAD):
        items.append(("Risks", "risks:register"))
    items.append(("Reports", "packs:published_list"))
    if user.is_staff:
        items.append(("Admin", "admin:index"))
    return items


def navigation_for(request) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    result = []
    for label, name in _items_for(user):
        try:
            url = reverse(name)
        except NoReverseMatch:
            # A section not built yet is simply not offered.
            continue
        current = request.path == url if name == "home" else request.path.startswith(url)
        result.append(NavItem(label, url, current))
    return result
