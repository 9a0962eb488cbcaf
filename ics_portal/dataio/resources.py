"""One django-import-export resource per kind of row a governance team keeps in Excel.

The library does the row loop, per-row savepoints, the dry run and the created / changed /
unchanged bookkeeping. What is ours: plain-English column names with the other names they go
by, natural keys (theme name, workstream code or name, risk reference, email), references
resolved from preloaded tables, comparison that sees an exported file as unchanged, and
saving through the apps' actions where a change has one (BAF risks, updates).
"""

from datetime import date
from functools import cached_property

from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Max, Prefetch
from import_export import resources
from import_export.instance_loaders import BaseInstanceLoader

from ics_portal.models import Organisation, User
from reporting import actions as reporting_actions
from reporting.models import GoldenThreadUpdate, ReportingCycle, WorkstreamUpdate
from reporting.periods import Quarter
from risks import actions as risk_actions
from risks.models import BAFRisk, RiskMatrix
from workstreams.models import GoldenThread, Milestone, Objective, Theme, Workstream

from .columns import (
    Choice,
    Col,
    ColumnError,
    Day,
    DeliveryByCol,
    Email,
    KeyCol,
    ManyCol,
    Number,
    Ref,
    Refs,
    RichCol,
    ScoreCol,
    Status,
    TargetQuarterCol,
    Text,
    TextList,
    YesNo,
    is_blank,
)
from .lookups import Lookups
from .parsing import normalise_key
from .safety import cell_text

ROW = "__row__"  # the spreadsheet row number, carried through the dataset for messages


class NaturalKeyLoader(BaseInstanceLoader):
    """Loads every existing object once, keyed by its natural keys, so finding a row's object
    costs no query."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.by_key = {}
        for obj in resource.key_queryset():
            for key in resource.instance_keys(obj):
                self.by_key.setdefault(key, obj)

    def get_instance(self, row):
        for key in self.resource.row_keys(row):
            if key in self.by_key:
                return self.by_key[key]
        return None


class NoDiff:
    """The preview lists changed columns itself (PlanResource.skip_row); the library's
    per-row HTML diff would export every field of every row twice for nothing."""

    def __init__(self, resource, instance, new):
        pass

    def compare_with(self, resource, instance):
        pass

    def as_html(self):
        return []


class PlanResource(resources.ModelResource):
    """The shared behaviour of every import kind."""

    kind = ""
    label = ""
    description = ""
    # Columns the portal's own export writes for reading only; an import ignores them quietly.
    informational: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        store_instance = True
        use_transactions = True
        clean_model_instances = True
        instance_loader_class = NaturalKeyLoader

    def __init__(self, *, by=None, reference_date: date | None = None):
        super().__init__()
        self.by = by
        self.reference_date = reference_date or date.today()
        self.lookups = Lookups()
        for field in self.fields.values():
            field.resource = self
        self._m2m: dict[str, list] = {}
        self._changes: list[str] = []

    @cached_property
    def matrix(self) -> RiskMatrix:
        return RiskMatrix.objects.current()

    # --- what the file looks like -------------------------------------------------------------

    def columns(self) -> list[Col]:
        return [f for f in self.get_import_fields() if isinstance(f, Col)]

    def column_for_attribute(self, attribute: str) -> str | None:
        for field in self.columns():
            if field.attribute == attribute:
                return field.column_name
        return None

    # --- natural keys -------------------------------------------------------------------------

    def get_diff_class(self):
        return NoDiff

    def get_import_id_fields(self):
        # Rows are matched by NaturalKeyLoader through row_keys(), not by id columns.
        return []

    def key_queryset(self):
        return self._meta.model.objects.all()

    def instance_keys(self, obj) -> list:
        raise NotImplementedError

    def row_keys(self, row) -> list:
        """The keys a row is matched on, most specific first. Also used to find the same
        object twice in one file."""
        raise NotImplementedError

    def key_header(self) -> str:
        return self.columns()[0].column_name

    def describe(self, obj) -> str:
        return str(obj)

    # --- reading a row ------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        """Read every column present; collect every problem in the row, not just the first."""
        errors = {}
        self._m2m = {}
        for field in self.columns():
            if field.column_name not in row or field.attribute is None:
                continue
            try:
                if field.is_m2m:
                    self._m2m[field.attribute] = field.clean(row)
                else:
                    field.save(instance, row)
            except ColumnError as error:
                errors[f"column:{error.column}"] = ValidationError(str(error))
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error))
        self.check_row(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, errors: dict) -> None:
        """Rules across columns; add messages to `errors`."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own checks, on the columns that read cleanly: a column already
        reported is not reported again in the model's words."""
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        for field in self.columns():
            failed = field.attribute in errors or any(
                f"column:{header}" in errors for header, _ in field.headers()
            )
            if failed:
                exclude.update(field.model_attributes())
        if self._meta.clean_model_instances:
            try:
                instance.full_clean(exclude=exclude, validate_unique=validate_unique)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        self._changes = [
            field.column_name
            for field in self.columns()
            if field.column_name in row
            and field.attribute is not None
            and self._changed(field, instance, original)
        ]
        return original.pk is not None and not self._changes

    def _changed(self, field, instance, original) -> bool:
        if field.is_m2m:
            wanted = {obj.pk for obj in self._m2m.get(field.attribute, [])}
            if original.pk is None:
                return bool(wanted)
            return wanted != {obj.pk for obj in getattr(instance, field.attribute).all()}
        return field.comparable(instance) != field.comparable(original)

    def save_m2m(self, instance, row, **kwargs):
        for field in self.columns():
            if field.is_m2m and field.attribute in self._m2m and field.column_name in self._changes:
                getattr(instance, field.attribute).set(self._m2m[field.attribute])

    def after_import_row(self, row, row_result, **kwargs):
        row_result.sheet_row = row.get(ROW)
        row_result.changes = tuple(self._changes)
        if row_result.instance is not None:
            row_result.label = self.describe(row_result.instance)
        self._changes = []

    # --- exporting in the same layout ---------------------------------------------------------

    def export_queryset(self):
        return self.key_queryset()


# --- organisations and people -------------------------------------------------------------------


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
        "Everyone who signs in: leads, governance officers and board members. New people get "
        "no password; they set one with \u201cForgotten your password?\u201d."
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

    def describe(self, obj):
        return f"{obj.full_name} ({obj.email})"


# --- the plan -----------------------------------------------------------------------------------


class ThemeResource(PlanResource):
    kind = "themes"
    label = "Themes"
    description = "Development-plan themes (workstream areas)."

    number = Col(
        "number",
        "Number",
        Number(minimum=1, maximum=999),
        aliases=("no", "theme number"),
        keep_when_blank=True,
        hint="Left blank for a new theme, the next free number is used.",
        example="1",
    )
    name = Col(
        "name",
        "Name",
        Text(required="Enter the theme's name", max_length=200),
        aliases=("theme", "theme name", "workstream area"),
        required_column=True,
        example="Direction & Engagement",
    )
    aliases = Col(
        "aliases",
        "Other names",
        TextList(),
        aliases=("aliases", "also known as"),
        hint="Other spellings found in papers, separated by semicolons.",
    )
    leads = ManyCol(
        "leads", "Leads", Refs("person"), aliases=("lead", "lead emails", "theme leads")
    )
    order = Col("order", "Order", Number(minimum=0, maximum=32767), aliases=("sort order",))
    active = Col("active", "Active", YesNo(default=True))

    class Meta(PlanResource.Meta):
        model = Theme
        fields = import_order = export_order = (
            "number",
            "name",
            "aliases",
            "leads",
            "order",
            "active",
        )

    def key_queryset(self):
        return Theme.objects.prefetch_related("leads")

    def instance_keys(self, obj):
        return [normalise_key(obj.name)]

    def row_keys(self, row):
        name = normalise_key(row.get("Name"))
        return [name] if name else []

    def key_header(self):
        return "Name"

    def check_row(self, instance, row, errors):
        if instance.pk is None and instance.number is None and "number" not in errors:
            self._next_number = getattr(self, "_next_number", None) or (
                (Theme.objects.aggregate(n=Max("number"))["n"] or 0) + 1
            )
            instance.number = self._next_number
            self._next_number += 1
        if instance.order is None or (instance.pk is None and "Order" not in row):
            instance.order = instance.number or 0


class CrossReferencesCol(Col):
    """Numbers of the golden threads read alongside this one. The links are symmetric and may
    name threads further down the file, so they are made after every row is saved."""

    def __init__(self, header, **kwargs):
        super().__init__("cross_references", header, Text(), **kwargs)

    def numbers(self, row) -> tuple[int, ...]:
        numbers, problems = set(), []
        for item in cell_text(row.get(self.column_name)).replace(",", ";").split(";"):
            item = item.strip().rstrip("*")
            if not item:
                continue
            head = item.split(":", 1)[0].strip()
            if not head.isdigit():
                problems.append(f'"{item}" is not a thread number')
            elif int(head) not in self.resource.thread_numbers:
                problems.append(f"there is no golden thread {int(head)}")
            else:
                numbers.add(int(head))
        if problems:
            raise ValueError("; ".join(problems))
        return tuple(sorted(numbers))

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance._wanted_references = self.numbers(row)

    def comparable(self, instance):
        if hasattr(instance, "_wanted_references"):
            return instance._wanted_references
        if instance.pk is None:
            return ()
        return tuple(sorted(t.number for t in instance.cross_references.all()))

    def export(self, instance, **kwargs):
        return "; ".join(str(n) for n in self.comparable(instance))


class GoldenThreadResource(PlanResource):
    kind = "golden-threads"
    label = "Golden threads"
    description = "Golden threads running across the themes, with their system leads."

    number = Col(
        "number",
        "Number",
        Number(required="Enter the thread's number", minimum=1, maximum=999),
        aliases=("no", "thread number"),
        required_column=True,
        example="3",
    )
    name = Col(
        "name",
        "Name",
        Text(required="Enter the thread's name", max_length=200),
        aliases=("golden thread", "thread"),
        required_column=True,
        example="Health inequalities",
    )
    aliases = Col("aliases", "Other names", TextList(), aliases=("aliases",))
    system_leads = ManyCol(
        "system_leads",
        "System leads",
        Refs("person"),
        aliases=("system lead", "system lead s", "leads"),
        example="caroline.walker@example.nhs.uk; fiona.head@example.nhs.uk",
    )
    is_cross_referenced = Col(
        "is_cross_referenced",
        "Cross-referenced",
        YesNo(default=False),
        aliases=("asterisked", "cross referenced"),
        hint="Yes for the asterisked threads read alongside each other.",
    )
    cross_references = CrossReferencesCol(
        "Read with threads",
        aliases=("cross references", "cross referenced with"),
        hint="Numbers of the threads to read alongside, e.g. 2; 5.",
        example="2; 5",
    )
    current_drivers = RichCol(
        "current_drivers", "Current drivers", aliases=("what are the current drivers", "drivers")
    )
    order = Col("order", "Order", Number(minimum=0, maximum=32767), aliases=("sort order",))
    active = Col("active", "Active", YesNo(default=True))

    class Meta(PlanResource.Meta):
        model = GoldenThread
        fields = import_order = export_order = (
            "number",
            "name",
            "aliases",
            "system_leads",
            "is_cross_referenced",
            "cross_references",
            "current_drivers",
            "order",
            "active",
        )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pending_references: list[tuple[GoldenThread, tuple[int, ...]]] = []
        self.thread_numbers: set[int] = set()

    def key_queryset(self):
        return GoldenThread.objects.prefetch_related("system_leads", "cross_references")

    def instance_keys(self, obj):
        return [obj.number]

    def row_keys(self, row):
        try:
            return [int(cell_text(row.get("Number")).strip())]
        except ValueError:
            return []

    def before_import(self, dataset, **kwargs):
        self.thread_numbers = set(GoldenThread.objects.values_list("number", flat=True))
        for row in dataset.dict:
            self.thread_numbers.update(self.row_keys(row))

    def check_row(self, instance, row, errors):
        if instance.order is None or (instance.pk is None and "Order" not in row):
            instance.order = instance.number or 0

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if "Read with threads" in self._changes:
            self._pending_references.append((instance, instance._wanted_references))

    def after_import(self, dataset, result, **kwargs):
        # Threads a row refers to may come later in the file, so links are made at the end.
        if not self._pending_references:
            return
        threads = {t.number: t for t in GoldenThread.objects.all()}
        for thread, numbers in self._pending_references:
            thread.cross_references.set([threads[n] for n in numbers if n != thread.number])

    def describe(self, obj):
        return f"{obj.number}: {obj.name}"


class RiskResource(PlanResource):
    kind = "risks"
    label = "BAF risks"
    description = (
        "The Board Assurance Framework. Scores are written \u201c20 4x5 Red\u201d (score, "
        "likelihood x consequence, band) or as separate likelihood and consequence columns. "
        "Reads the portal's own BAF register export, category heading rows included."
    )
    informational = ("Score trend", "Status")

    reference = Col(
        "reference",
        "Ref",
        Text(required="Enter the risk reference, for example 07", max_length=10),
        aliases=("reference", "risk id", "risk ref", "risk reference", "id"),
        required_column=True,
        example="07",
    )
    title = Col(
        "title",
        "Risk",
        Text(max_length=200),
        aliases=("title", "risk title", "risk name"),
        example="Change and uncertainty strain relationships",
    )
    description_ = Col(
        "description",
        "Impact",
        Text(),
        aliases=("description", "risk description", "risk and impact"),
        hint="The risk as the board approved it, with its impact.",
    )
    category = Col(
        "category",
        "Category",
        Choice(BAFRisk.Category, what="risk category"),
        aliases=("risk category",),
        hint="Or category heading rows, as in the BAF register export.",
        example="Stakeholder management",
    )
    themes = ManyCol(
        "themes",
        "Strategic themes",
        Refs("theme", commas=False),
        aliases=("themes", "theme", "strategic theme"),
        hint="Theme names separated by semicolons.",
    )
    initial_score = ScoreCol("initial", example="20 4x5 Red")
    current_score = ScoreCol("current", example="16 4x4 Red")
    target_score = ScoreCol("target", example="8 2x4 Amber")
    mitigating_actions = RichCol(
        "mitigating_actions",
        "Actions / mitigations",
        aliases=("actions mitigations", "mitigating actions", "actions", "mitigations"),
    )
    owner_role = Col(
        "owner_role",
        "SRO",
        Text(max_length=200),
        aliases=("senior risk owner", "sro role", "owner role", "senior risk owner role"),
        example="Chief Finance Officer",
    )
    owner = Col(
        "owner",
        "SRO email",
        Ref("person"),
        aliases=("owner", "owner email", "senior risk owner email", "risk owner"),
    )
    rationale = RichCol("rationale", "Rationale", aliases=("rationale for current score",))
    controls = RichCol("controls", "Controls", aliases=("key controls",))
    assurances = RichCol("assurances", "Assurances", aliases=("sources of assurance",))
    gaps_in_control = RichCol("gaps_in_control", "Gaps in control")
    gaps_in_assurance = RichCol("gaps_in_assurance", "Gaps in assurance")
    risk_appetite = Col("risk_appetite", "Risk appetite", Text(max_length=200))
    next_review = Col(
        "next_review",
        "Next review",
        Day(),
        aliases=("next review date", "review date"),
    )

    class Meta(PlanResource.Meta):
        model = BAFRisk
        fields = import_order = export_order = (
            "reference",
            "title",
            "initial_score",
            "current_score",
            "target_score",
            "description_",
            "mitigating_actions",
            "owner_role",
            "owner",
            "category",
            "themes",
            "rationale",
            "controls",
            "assurances",
            "gaps_in_control",
            "gaps_in_assurance",
            "risk_appetite",
            "next_review",
        )

    def key_queryset(self):
        return BAFRisk.objects.select_related("owner").prefetch_related("themes")

    def export_queryset(self):
        return self.key_queryset().filter(status=BAFRisk.Status.OPEN)

    def instance_keys(self, obj):
        return [obj.reference]

    def row_keys(self, row):
        text = cell_text(row.get("Ref")).strip()
        return [BAFRisk.canonical_reference(text)] if text else []

    def init_instance(self, row=None):
        return BAFRisk(matrix=self.matrix)

    def prepare_row(self, row: dict, values: list) -> dict | None:
        """A row holding only a category's name is a heading (as in the BAF register): the
        risks below it are in that category unless their own row says otherwise."""
        filled = [v for v in values if not is_blank(v)]
        if len(filled) == 1 and isinstance(filled[0], str):
            try:
                code = self.fields["category"].widget.clean(filled[0])
            except ValueError:
                code = None
            if code:
                self._heading_category = code
                return None
        heading = getattr(self, "_heading_category", None)
        if heading and is_blank(row.get("Category")):
            row["Category"] = BAFRisk.Category(heading).label
        return row

    def check_row(self, instance, row, errors):
        if instance.pk is None:
            for attribute, message in (
                ("title", "Enter the risk's short title"),
                ("description", "Enter the risk as the board approved it"),
                ("category", "Give the risk's category"),
            ):
                if not getattr(instance, attribute) and attribute not in errors:
                    errors[attribute] = ValidationError(message)
            for field in self.columns():
                missing = isinstance(field, ScoreCol) and field.attribute not in errors
                if missing and getattr(instance, f"{field.basis}_likelihood") is None:
                    errors[field.attribute] = ValidationError(
                        'Enter the score as likelihood × consequence, for example "20 4x5 Red"'
                    )
        if instance.reference:
            instance.reference = BAFRisk.canonical_reference(instance.reference)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through the BAF's actions: audited, scored under the matrix in force."""
        present = {f.attribute for f in self.columns() if f.column_name in row and f.attribute}
        names = set()
        for name in risk_actions.RISK_FIELDS:
            prefix = name.rsplit("_", 1)[0]
            if name in present or f"{prefix}_score" in present:
                names.add(name)
        fields = {name: getattr(instance, name) for name in names}
        themes = self._m2m.get("themes")
        try:
            if is_create:
                risk = risk_actions.create_risk(by=self.by, fields=fields, themes=themes or [])
                instance.pk = risk.pk
            else:
                risk_actions.edit_risk(
                    risk=instance,
                    base_version=instance.version,
                    by=self.by,
                    fields=fields,
                    themes=themes if "Strategic themes" in self._changes else None,
                )
        except risk_actions.SubmissionInvalid as error:
            raise ValidationError(
                {
                    name if name in fields else NON_FIELD_ERRORS: msg
                    for name, msg in error.errors.items()
                }
            ) from None
        except reporting_actions.ActionError as error:
            raise ValidationError(str(error)) from None

    def save_m2m(self, instance, row, **kwargs):
        """Themes were saved by the action."""

    def describe(self, obj):
        return f"{obj.reference} – {obj.title}"


class WorkstreamResource(PlanResource):
    kind = "workstreams"
    label = "Workstreams"
    description = (
        "Workstreams with their theme, leads and deputies (by email), golden threads and BAF "
        "risks (by reference)."
    )

    code = Col(
        "code",
        "Code",
        Text(max_length=20),
        aliases=("short code", "workstream code"),
        keep_when_blank=True,
        required_column=True,
        hint="Short code used in imports and addresses, e.g. DE.",
        example="DE",
    )
    name = Col(
        "name",
        "Name",
        Text(required="Enter the workstream's name", max_length=300),
        aliases=("workstream", "workstream name"),
        required_column=True,
        example="DIRECTION & ENGAGEMENT",
    )
    theme = Col(
        "theme",
        "Theme",
        Ref("theme", required="Give the workstream's theme"),
        aliases=("workstream area", "area", "theme name"),
        example="Direction & Engagement",
    )
    leads = ManyCol(
        "leads",
        "Leads",
        Refs("person"),
        aliases=("lead", "lead emails", "leads emails"),
        example="jan.thomas@example.nhs.uk",
    )
    deputies = ManyCol("deputies", "Deputies", Refs("person"), aliases=("deputy", "deputy emails"))
    golden_threads = ManyCol(
        "golden_threads",
        "Golden threads",
        Refs("golden_thread", commas=False),
        aliases=("golden thread", "threads"),
        hint="Thread numbers separated by semicolons.",
    )
    baf_risks = ManyCol(
        "baf_risks",
        "BAF risks",
        Refs("risk"),
        aliases=("baf risk", "risk ids", "risk id", "risks", "baf risk references"),
        example="07; 09; 17; 18",
    )
    order = Col("order", "Order", Number(minimum=0, maximum=32767), aliases=("sort order",))
    active = Col("active", "Active", YesNo(default=True))

    class Meta(PlanResource.Meta):
        model = Workstream
        fields = import_order = export_order = (
            "code",
            "name",
            "theme",
            "leads",
            "deputies",
            "golden_threads",
            "baf_risks",
            "order",
            "active",
        )

    def key_queryset(self):
        return Workstream.objects.select_related("theme").prefetch_related(
            "leads", "deputies", "golden_threads", "baf_risks"
        )

    def instance_keys(self, obj):
        return [("code", normalise_key(obj.code)), ("name", normalise_key(obj.name))]

    def row_keys(self, row):
        keys = []
        if not is_blank(row.get("Code")):
            keys.append(("code", normalise_key(row["Code"])))
        if not is_blank(row.get("Name")):
            keys.append(("name", normalise_key(row["Name"])))
        return keys

    def check_row(self, instance, row, errors):
        if not instance.code and "code" not in errors:
            errors["code"] = ValidationError("Enter a short code for the workstream, e.g. DE")
        if instance.order is None:
            instance.order = 0

    def describe(self, obj):
        return f"{obj.code} – {obj.name}"


class ObjectiveResource(PlanResource):
    kind = "objectives"
    label = "Objectives"
    description = "Numbered objectives of each workstream, with an optional target quarter."

    workstream = Col(
        "workstream",
        "Workstream",
        Ref("workstream", required="Give the workstream's code or name"),
        aliases=("workstream code", "code"),
        required_column=True,
        example="DE",
    )
    number = Col(
        "number",
        "Number",
        Number(required="Enter the objective's number", minimum=1, maximum=999),
        aliases=("no", "objective number"),
        required_column=True,
        example="1",
    )
    text = Col(
        "text",
        "Objective",
        Text(required="Enter the objective"),
        aliases=("text", "objective text", "description"),
        required_column=True,
        example="Set Strategic Intent. Core vision and Agree Priorities",
    )
    target = TargetQuarterCol(
        "Target quarter", aliases=("target", "by quarter"), example="Q1 2021/22"
    )
    active = Col("active", "Active", YesNo(default=True))

    class Meta(PlanResource.Meta):
        model = Objective
        fields = import_order = export_order = ("workstream", "number", "text", "target", "active")

    def key_queryset(self):
        return Objective.objects.select_related("workstream")

    def export_queryset(self):
        return self.key_queryset().order_by(
            "workstream__theme__order", "workstream__order", "workstream__name", "number"
        )

    def instance_keys(self, obj):
        return [(obj.workstream_id, obj.number)]

    def row_keys(self, row):
        try:
            workstream = self.lookups.find("workstream", cell_text(row.get("Workstream")).strip())
            number = int(cell_text(row.get("Number")).strip())
        except ValueError:
            return []
        return [(workstream.pk, number)]

    def describe(self, obj):
        return f"{obj.workstream.code} objective {obj.number}"


class MilestoneResource(PlanResource):
    kind = "milestones"
    label = "Milestones"
    description = (
        "Key milestones with their delivery-by date as written (\u201cSept 2021\u201d, \u201cby "
        "end of Sept\u201d, \u201cQ2 2021/22\u201d) and the workstreams they sit in."
    )

    title = Col(
        "title",
        "Milestone",
        Text(required="Enter the milestone", max_length=500),
        aliases=("title", "key milestone", "milestone title"),
        required_column=True,
        example="Agreement on organisational form at each level",
    )
    delivery_by = DeliveryByCol(
        "Delivery by",
        aliases=("due", "due date", "delivery date", "deadline", "timeline"),
        hint="A month (Sept 2021), day, quarter (Q2 2021/22) or financial year (2021/22).",
        example="Sept 2021",
    )
    critical_path = Col(
        "critical_path", "Critical path", YesNo(default=True), aliases=("on critical path",)
    )
    workstreams = ManyCol(
        "workstreams",
        "Workstreams",
        Refs("workstream"),
        aliases=("workstream", "workstream codes"),
        hint="Codes separated by semicolons; a shared milestone lists every workstream.",
        example="DE; FS; PCP",
    )

    class Meta(PlanResource.Meta):
        model = Milestone
        fields = import_order = export_order = (
            "title",
            "delivery_by",
            "critical_path",
            "workstreams",
        )

    def key_queryset(self):
        return Milestone.objects.prefetch_related(
            Prefetch("workstreams", queryset=Workstream.objects.order_by("theme__order", "order"))
        )

    def instance_keys(self, obj):
        return [normalise_key(obj.title)]

    def row_keys(self, row):
        title = normalise_key(row.get("Milestone"))
        return [title] if title else []


# --- quarterly updates --------------------------------------------------------------------------

WORKSTREAM, GOLDEN_THREAD = "Workstream", "Golden thread"
# Columns only a workstream update has.
WORKSTREAM_ONLY = ("Forecast status", "Date of update")


def _update_type(update) -> str:
    return GOLDEN_THREAD if isinstance(update, GoldenThreadUpdate) else WORKSTREAM


def _update_code(update) -> str:
    if isinstance(update, GoldenThreadUpdate):
        return str(update.golden_thread.number)
    return update.workstream.code


class UpdateResource(PlanResource):
    kind = "updates"
    label = "Update statuses"
    description = (
        "Overall and forecast status of workstream and golden-thread updates in a cycle "
        "(the updates CSV export, edited). Status words as in the papers: \u201cOn Track\u201d, "
        "\u201cOn-Track\u201d, \u201cWork not started\u201d \u2026 Approved updates cannot change."
    )
    informational = (
        "Theme",
        "Name",
        "Leads",
        "Workflow state",
        "Submitted",
        "Approved",
        "Next quarter plans",
        "Key risks",
        "BAF risks",
        "Nothing to escalate",
        "Milestones due",
    )

    cycle = KeyCol(
        "Cycle",
        lambda u: u.cycle.label,
        aliases=("quarter", "reporting cycle"),
        required_column=True,
        example="Q3 2021/22",
    )
    type_ = KeyCol(
        "Type",
        _update_type,
        aliases=("kind",),
        hint="Workstream (the default) or Golden thread.",
    )
    code = KeyCol(
        "Code",
        _update_code,
        aliases=("workstream code", "workstream", "thread number"),
        required_column=True,
        hint="Workstream code, or golden-thread number.",
        example="DE",
    )
    overall_status = Col(
        "overall_status",
        "Overall status",
        Status(),
        aliases=("status", "rag", "overall"),
        example="On Track",
    )
    forecast_status = Col(
        "forecast_status",
        "Forecast status",
        Status(),
        aliases=("forecast", "forecast next quarter"),
        example="At risk",
    )
    status_explanation = Col(
        "status_explanation",
        "Status explanation",
        Text(),
        aliases=("explanation", "reason"),
    )
    date_of_update = Col(
        "date_of_update",
        "Date of update",
        Day(),
        aliases=("updated on", "update date"),
    )

    class Meta(PlanResource.Meta):
        model = WorkstreamUpdate
        clean_model_instances = False  # save_update validates
        fields = import_order = export_order = (
            "cycle",
            "type_",
            "code",
            "overall_status",
            "forecast_status",
            "status_explanation",
            "date_of_update",
        )

    def key_queryset(self):
        return [
            *WorkstreamUpdate.objects.select_related("cycle", "workstream"),
            *GoldenThreadUpdate.objects.select_related("cycle", "golden_thread"),
        ]

    def instance_keys(self, obj):
        return [
            (
                _update_type(obj),
                obj.cycle.fy_start_year,
                obj.cycle.quarter,
                _update_code(obj).lower(),
            )
        ]

    def _row_type(self, row) -> str | None:
        text = normalise_key(row.get("Type"))
        if text in ("", "workstream", "ws"):
            return WORKSTREAM
        if text in ("golden thread", "thread", "gt"):
            return GOLDEN_THREAD
        return None

    def row_keys(self, row):
        kind = self._row_type(row)
        try:
            quarter = Quarter.parse(cell_text(row.get("Cycle")))
        except ValueError:
            return []
        code = cell_text(row.get("Code")).strip().lower()
        if kind == GOLDEN_THREAD:
            code = code.split(":", 1)[0].strip().lstrip("0")
        return [(kind, quarter.fy_start_year, quarter.number, code)] if kind and code else []

    def key_header(self):
        return "Code"

    def init_instance(self, row=None):
        """Imports never create updates (opening a cycle does); say why the row has none."""
        raise ValidationError(self._missing_update(row))

    def _missing_update(self, row) -> dict:
        kind = self._row_type(row)
        if kind is None:
            return {"column:Type": f'"{row.get("Type")}" is not Workstream or Golden thread'}
        try:
            quarter = Quarter.parse(cell_text(row.get("Cycle")))
        except ValueError as error:
            return {"column:Cycle": str(error).rstrip(".")}
        code = cell_text(row.get("Code")).strip()
        if not code:
            return {"column:Code": "Give the workstream code or golden-thread number"}
        if not ReportingCycle.objects.filter(
            fy_start_year=quarter.fy_start_year, quarter=quarter.number
        ).exists():
            return {"column:Cycle": f"there is no {quarter.label} reporting cycle"}
        try:
            subject = self.lookups.find(
                "workstream" if kind == WORKSTREAM else "golden_thread", code
            )
        except ValueError as error:
            return {"column:Code": str(error)}
        return {
            "column:Code": f"the {quarter.label} cycle has no update for {subject}: updates "
            "are made when a cycle is opened"
        }

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        if isinstance(instance, GoldenThreadUpdate):
            for header in WORKSTREAM_ONLY:
                if not is_blank(row.get(header)):
                    errors[f"column:{header}"] = ValidationError(
                        "golden-thread updates do not have this; leave it blank"
                    )
            row = {k: v for k, v in row.items() if k not in WORKSTREAM_ONLY}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if isinstance(instance, GoldenThreadUpdate):
            row = {k: v for k, v in row.items() if k not in WORKSTREAM_ONLY}
        return super().skip_row(instance, original, row, import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through save_update: the same locks, versioning and audit as the page."""
        attributes = {
            f.attribute: getattr(instance, f.attribute)
            for f in self.columns()
            if f.attribute and f.column_name in self._changes
        }
        try:
            reporting_actions.save_update(
                update=instance, base_version=instance.version, by=self.by, fields=attributes
            )
        except reporting_actions.ActionError as error:
            raise ValidationError(str(error)) from None

    def save_m2m(self, instance, row, **kwargs):
        """Updates have no list columns here."""

    def export_queryset(self):
        return self.key_queryset()

    def describe(self, obj):
        return f"{_update_code(obj)} – {obj.cycle.label}"


RESOURCES: dict[str, type[PlanResource]] = {
    resource.kind: resource
    for resource in (
        OrganisationResource,
        PersonResource,
        ThemeResource,
        GoldenThreadResource,
        RiskResource,
        WorkstreamResource,
        ObjectiveResource,
        MilestoneResource,
        UpdateResource,
    )
}
