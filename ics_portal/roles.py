"""Roles are Django groups. Their names and plain-English descriptions live here only."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Role:
    key: str
    group_name: str
    description: str


SYSTEM_LEAD = Role(
    "system_lead",
    "System lead",
    "Writes and submits quarterly updates for the workstreams and golden threads they lead "
    "or deputise, and reviews the BAF risks they own.",
)
GOVERNANCE_OFFICER = Role(
    "governance_officer",
    "Governance officer",
    "Runs reporting cycles, chases and reviews updates, keeps the BAF, imports spreadsheets "
    "and compiles and publishes board packs.",
)
BOARD_MEMBER = Role(
    "board_member",
    "Board member",
    "Reads approved and published reports, packs and the risk register.",
)

ALL_ROLES = (SYSTEM_LEAD, GOVERNANCE_OFFICER, BOARD_MEMBER)
# The roles a governance officer may give or take away in the admin. The governance officer
# role makes its holder staff (the admin), so only an administrator (superuser) gives it
# (docs/adr/0012-admin-least-privilege.md).
ROLES_GOVERNANCE_MAY_GIVE = (SYSTEM_LEAD, BOARD_MEMBER)
ROLES_BY_KEY = {role.key: role for role in ALL_ROLES}


def has_role(user, role: Role) -> bool:
    """True if the signed-in user is in the role's group (cached per request on the user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return role.group_name in cache


def is_governance(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, GOVERNANCE_OFFICER)


# --- who manages whom (docs/adr/0012-admin-least-privilege.md) -----------------------------------
# The admin's user page and the people import apply these same rules.


def manages(user, person) -> bool:
    """Whether `user` may change `person`'s details and roles. Superusers manage everyone;
    others only people who are neither staff nor superusers (so no governance officer changes
    an administrator, a colleague or their own access). A person not yet added: anyone."""
    if getattr(user, "is_superuser", False) or person is None or person.pk is None:
        return True
    return not (person.is_superuser or person.is_staff)


def roles_given_by(user) -> tuple[Role, ...]:
    """The roles `user` may give or take away: every role for a superuser, else
    ROLES_GOVERNANCE_MAY_GIVE (the governance officer role makes its holder staff)."""
    return ALL_ROLES if getattr(user, "is_superuser", False) else ROLES_GOVERNANCE_MAY_GIVE


# The admin is the governance team's first tool: governance officers (staff accounts) get the
# model permissions of the portal's own apps, and nothing of Django's or third parties' (groups,
# permissions, lockout logs, sessions, tasks, MFA devices). The admin itself still refuses what
# must not change and routes workflow changes through actions; these are left out as well:
GOVERNANCE_APPS = settings.PORTAL_APPS
GOVERNANCE_WITHHELD = {
    # The audit trail and published packs are read, never written by hand.
    "ics_portal": {
        "add_auditevent",
        "change_auditevent",
        "delete_auditevent",
        "delete_user",
        # Feedback is what people sent: read and deleted, never written by hand.
        "add_feedback",
        "change_feedback",
    },
    "packs": {"add_publishedpack", "change_publishedpack", "delete_publishedpack"},
}


def _governance_may_hold(permission) -> bool:
    app, codename = permission.content_type.app_label, permission.codename
    if codename in GOVERNANCE_WITHHELD.get(app, ()):
        return False
    # Field history (django-simple-history's tables) is read, never written by hand.
    return not ("_historical" in codename and not codename.startswith("view_"))


def ensure_role_groups(sender=None, using="default", **kwargs) -> None:
    """Create the role groups and give governance officers exactly the permissions above
    (anything else found on the group, granted by hand, is taken away: roles are defined
    here). Idempotent; connected to post_migrate so a new or flushed database always has them."""
    from django.contrib.auth.models import Group, Permission

    for role in ALL_ROLES:
        Group.objects.using(using).get_or_create(name=role.group_name)
    governance = Group.objects.using(using).get(name=GOVERNANCE_OFFICER.group_name)
    permissions = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=GOVERNANCE_APPS)
        .select_related("content_type")
    )
    governance.permissions.set([p for p in permissions if _governance_may_hold(p)])
