"""State changes to people's access that are not made by a form's own save.

`is_staff` (may sign in to the admin) is not a free checkbox: it follows the roles
(docs/adr/0012-admin-least-privilege.md). A person is staff when they are a superuser or a
governance officer, and stops being staff when neither holds. The admin's user page calls
`sync_staff_flag` after saving a person's roles and flags, inside its transaction, and the
admin's audit trail records the flag's change with the roles' (ACCESS_CHANGE)."""

from .roles import GOVERNANCE_OFFICER


def should_be_staff(user) -> bool:
    return (
        bool(user.is_superuser) or user.groups.filter(name=GOVERNANCE_OFFICER.group_name).exists()
    )


def sync_staff_flag(user) -> bool:
    """Set `user.is_staff` from their roles; True if it changed."""
    staff = should_be_staff(user)
    if user.is_staff == staff:
        return False
    user.is_staff = staff
    user.save(update_fields=["is_staff"])
    return True
