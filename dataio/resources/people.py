"""Partner organisations and the people who sign in."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from ics_portal import accounts, people_actions
from ics_portal.models import Organisation, User
from ics_portal.roles import ALL_ROLES, manages, roles_given_by

from ..columns import (
    Choice,
    Col,
    Email,
    ManyCol,
    Ref,
    Refs,
    Text,
    is_blank,
)
from ..parsing import normalise_key
from ..safety import cell_text
from .base import PlanResource


class OrganisationResource(PlanResource):
    kind = "organisations"
    label = "Organisations"
    description = "Partner organisations (ICB, trusts, councils, VCSE) people belong to."

    short_name = Col(
        "short_name",
        "Short name",
        Text(required="Enter the short name, for example CUH", max_length=40),
        aliases=("abbreviation", "code"),
        required_column=True,
        hint="Unique, shown beside people's names.",
        example="CUH",
    )
    name = Col(
        "name",
        "Name",
        Text(required="Enter the organisation's name", max_length=200),
        aliases=("organisation", "organisation name"),
        required_column=True,
        example="Cambridge University Hospitals NHS Foundation Trust",
    )
    kind_ = Col(
        "kind",
        "Type",
        Choice(Organisation.Kind, what="type of organisation", default=Organisation.Kind.OTHER),
        aliases=("kind", "organisation type"),
        example="NHS trust",
    )

    class Meta(PlanResource.Meta):
        model = Organisation
        fields = import_order = export_order = ("short_name", "name", "kind_")

    def instance_keys(self, obj):
        return [("short", normalise_key(obj.short_name)), ("name", normalise_key(obj.name))]

    def row_keys(self, row):
        keys = []
        if not is_blank(row.get("Short name")):
            keys.append(("short", normalise_key(row["Short name"])))
        if not is_blank(row.get("Name")):
            keys.append(("name", normalise_key(row["Name"])))
        return keys


class PersonResource(PlanResource):
    """People and their roles, under the admin's least-privilege rules
    (docs/adr/0012-admin-least-privilege.md, `roles.manages` and `roles.roles_given_by`): only
    a superuser's import (or the system's: `manage.py import_data` without --by) gives or takes
    away the governance officer role or changes a staff or superuser account; a row that would
    is a row error. Staff follows the roles (`people_actions.sync_staff_flag`), and a change
    to someone's roles or staff flag writes ACCESS_CHANGE. Groups that are not portal roles
    are kept as they were: the Roles column gives and takes away roles only."""

    kind = "people"
    label = "People"
    description = (
        "Everyone who signs in: leads, governance officers and board members. New people are "
        "emailed a link to choose their password when the import is confirmed."
    )
    access_fields = ("groups", "is_staff")  # as the user admin records them

    email = Col(
        "email",
        "Email",
        Email(required="Enter the email address", max_length=254),
        aliases=("email address", "e-mail"),
        required_column=True,
        example="louis.kamfer@example.nhs.uk",
    )
    full_name = Col(
        "full_name",
        "Name",
        Text(required="Enter the person's name", max_length=150),
        aliases=("full name", "person"),
        required_column=True,
        example="Louis Kamfer",
    )
    organisation = Col(
        "organisation",
        "Organisation",
        Ref("organisation"),
        aliases=("org",),
        hint="Short name or name.",
        example="CPCCG",
    )
    job_title = Col(
        "job_title", "Job title", Text(max_length=200), aliases=("title", "role title", "post")
    )
    groups = ManyCol(
        "groups",
        "Roles",
        Refs("role"),
        aliases=("role", "portal roles"),
        hint="System lead; Governance officer; Board member.",
        example="System lead",
    )

    class Meta(PlanResource.Meta):
        model = User
        fields = import_order = export_order = (
            "email",
            "full_name",
            "organisation",
            "job_title",
            "groups",
        )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # New people, with their access before and the groups wanted: their links are written
        # after the last row (PlanResource.after_import), so staff and the audit wait for them.
        self._new_people: list[tuple[User, dict, list]] = []

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self._stored_label = "" if new else self.describe(instance)  # before the row is read

    def links_saved(self, instance):
        if self._is_new:
            self._new_people.append(
                (instance, self._access_before, list(self._m2m.get("groups", [])))
            )
            return
        if "Roles" in self._changes:
            people_actions.sync_staff_flag(instance)
        super().links_saved(instance)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        for person, before, groups in self._new_people:
            if groups:
                people_actions.sync_staff_flag(person)
            self.record_access(person, before, self.access_values(person, {"groups": groups}))
        # Inside the import's transaction: a dry run, or a file with a problem, is rolled back
        # with the invitations' and access changes' audit events, and the invitations' emails
        # (queued for after the commit) never go.
        if not result.has_errors() and not result.has_validation_errors():
            accounts.invite(people=[person for person, _, _ in self._new_people], by=self.by)
        self._new_people = []

    def key_queryset(self):
        return User.objects.select_related("organisation").prefetch_related(
            Prefetch("groups", queryset=Group.objects.order_by("name"))
        )

    def export_queryset(self):
        return self.key_queryset().filter(is_active=True).order_by("full_name")

    def instance_keys(self, obj):
        return [obj.email.lower()]

    def row_keys(self, row):
        email = cell_text(row.get("Email")).strip().lower()
        return [email] if email else []

    def init_instance(self, row=None):
        person = User()
        person.set_unusable_password()
        return person

    def check_row(self, instance, row, errors):
        by = self.by
        if "groups" in self._m2m and "groups" not in errors:
            # Groups that are not portal roles are kept: the column speaks of roles only.
            roles = {role.group_name for role in ALL_ROLES}
            kept = [g for g in self._held_groups(instance) if g.name not in roles]
            self._m2m["groups"] = [*self._m2m["groups"], *kept]
        if by is None:
            return  # the system (manage.py import_data without --by): an operator's own
        if not manages(by, instance):
            changed = [
                field
                for field in self.columns()
                if field.column_name in row
                and field.attribute is not None
                and field.attribute not in errors
                and self._changed(field, instance)
            ]
            if changed:
                whose = (
                    "This is your own account, a staff account"
                    if instance.pk == by.pk
                    else f"{self._stored_label} is a staff or administrator account"
                )
                errors[changed[0].attribute] = ValidationError(
                    f"{whose}: only an administrator can change it. Leave the row as it is, "
                    "or take it out of the file"
                )
            return
        if "groups" in self._m2m and "groups" not in errors:
            wanted = {group.name for group in self._m2m["groups"]}
            held = {group.name for group in self._held_groups(instance)}
            given = {role.group_name for role in roles_given_by(by)}
            refused = [
                role.group_name
                for role in ALL_ROLES
                if role.group_name in wanted ^ held and role.group_name not in given
            ]
            if refused:
                names = " and ".join(refused)
                errors["groups"] = ValidationError(
                    f"Only an administrator can give or take away the {names} role"
                    f"{'s' if len(refused) > 1 else ''} (it opens the admin). Leave the role "
                    "as it is, or ask an administrator"
                )

    @staticmethod
    def _held_groups(instance) -> list[Group]:
        """The person's groups as stored (prefetched by key_queryset); none if they are new."""
        return list(instance.groups.all()) if instance.pk is not None else []

    def describe(self, obj):
        return f"{obj.full_name} ({obj.email})"
