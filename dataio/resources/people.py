"""Partner organisations and the people who sign in."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from ics_portal import accounts
from ics_portal.models import Organisation, User
from ics_portal.roles import GOVERNANCE_OFFICER

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
    kind = "people"
    label = "People"
    description = (
        "Everyone who signs in: leads, governance officers and board members. New people are "
        "emailed a link to choose their password when the import is confirmed."
    )

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
        self._new_people: list[User] = []

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        if is_create:
            self._new_people.append(instance)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # Inside the import's transaction: a dry run, or a file with a problem, is rolled back
        # with the invitations' audit events, and their emails (queued for after the commit)
        # never go.
        if not result.has_errors() and not result.has_validation_errors():
            accounts.invite(people=self._new_people, by=self.by)
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
        if "groups" not in self._m2m or "groups" in errors:
            return
        wanted = {group.name for group in self._m2m["groups"]}
        governance = GOVERNANCE_OFFICER.group_name
        by = self.by
        if (
            by is not None
            and instance.pk is not None
            and instance.pk == by.pk
            and governance not in wanted
            and by.groups.filter(name=governance).exists()
        ):
            errors["groups"] = ValidationError(
                "This row would remove your own Governance officer role. Ask another "
                "governance officer to change your roles."
            )
        if governance in wanted:
            # Governance officers work in the admin, which needs a staff account.
            instance.is_staff = True

    def describe(self, obj):
        return f"{obj.full_name} ({obj.email})"
