"""The development plan: themes, golden threads, workstreams, objectives and milestones."""

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch

from workstreams.models import (
    GoldenThread,
    Milestone,
    Objective,
    Theme,
    Workstream,
    WorkstreamMilestone,
)

from .. import parsing
from ..columns import (
    Col,
    DeliveryByCol,
    ManyCol,
    Number,
    Ref,
    Refs,
    RichCol,
    TargetQuarterCol,
    Text,
    TextList,
    YesNo,
    is_blank,
)
from ..parsing import normalise_key
from ..safety import cell_text
from .base import PlanResource


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
    access_fields = ("system_leads",)  # they write the thread's updates (as its admin says)

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
        super().after_import(dataset, result, **kwargs)
        # Threads a row refers to may come later in the file, so links are made at the end.
        if not self._pending_references:
            return
        threads = {t.number: t for t in GoldenThread.objects.all()}
        for thread, numbers in self._pending_references:
            thread.cross_references.set([threads[n] for n in numbers if n != thread.number])

    def describe(self, obj):
        return f"{obj.number}: {obj.name}"


class WorkstreamResource(PlanResource):
    kind = "workstreams"
    label = "Workstreams"
    description = (
        "Workstreams with their theme, leads and deputies (by email), golden threads and BAF "
        "risks (by reference)."
    )
    access_fields = ("leads", "deputies")  # they see and write the workstream's updates

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


class WorkstreamDatesCol(Col):
    """The workstreams where a shared milestone is due at another time than the milestone's:
    "CRM: Delivery by July 2021; DIG: Q3 2021/22" (code, colon, delivery-by as written). A
    workstream left out uses the milestone's date. As with "Delivery by", text that matches the
    stored label keeps the date it was first read as."""

    def __init__(self, header, **kwargs):
        super().__init__("workstream_dates", header, Text(), **kwargs)

    def clean(self, row, **kwargs):
        wanted, problems = {}, []
        for item in parsing.split_list(row.get(self.column_name), commas=False):
            code, sep, text = item.partition(":")
            if not sep or not text.strip():
                problems.append(
                    f'"{item}" is not a workstream code, a colon and a delivery date '
                    '("CRM: July 2021")'
                )
                continue
            try:
                workstream = self.resource.lookups.find("workstream", code.strip())
                parsed = parsing.parse_delivery_by(
                    text.strip(), reference=self.resource.reference_date
                )
            except ValueError as error:
                problems.append(str(error).rstrip("."))
                continue
            wanted[workstream.pk] = (workstream, parsed)
        listed = self._listed_workstreams(row)
        for workstream, _ in wanted.values():
            if listed is not None and workstream.pk not in listed:
                problems.append(f"{workstream.code} is not in the Workstreams column")
        if problems:
            raise ValueError("; ".join(problems))
        return wanted

    def _listed_workstreams(self, row) -> set[int] | None:
        if "Workstreams" not in row:
            return None
        try:
            return {w.pk for w in self.resource.fields["workstreams"].clean(row)}
        except ValueError:
            return None  # reported by that column

    def save(self, instance, row, is_m2m=False, **kwargs):
        stored = {link.workstream_id: link for link in self._own_links(instance)}
        wanted = {}
        for pk, (_workstream, parsed) in self.clean(row).items():
            link = stored.get(pk)
            if link is not None and link.due_label and link.due_label == parsed.label:
                wanted[pk] = (link.due_date, link.due_precision, link.due_label)
            else:
                wanted[pk] = (parsed.due_date, parsed.precision, parsed.label)
        instance._wanted_workstream_dates = wanted

    @staticmethod
    def _own_links(instance):
        if instance.pk is None:
            return []
        return [link for link in instance.workstream_links.all() if link.has_own_date]

    def model_attributes(self):
        return []

    def comparable(self, instance):
        if hasattr(instance, "_wanted_workstream_dates"):
            return tuple(sorted(instance._wanted_workstream_dates.items()))
        return tuple(
            sorted(
                (link.workstream_id, (link.due_date, link.due_precision, link.due_label))
                for link in self._own_links(instance)
            )
        )

    def export(self, instance, **kwargs):
        return "; ".join(
            f"{link.workstream.code}: "
            + (link.due_label or parsing.delivery_label(link.due_date, link.due_precision))
            for link in self._own_links(instance)
        )


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
    workstream_dates = WorkstreamDatesCol(
        "Workstream dates",
        aliases=("own delivery dates", "delivery by per workstream", "workstream delivery by"),
        hint="Only where a workstream's delivery date differs from the milestone's: code, colon, "
        "date, separated by semicolons.",
        example="CRM: Delivery by July 2021",
    )

    class Meta(PlanResource.Meta):
        model = Milestone
        fields = import_order = export_order = (
            "title",
            "delivery_by",
            "critical_path",
            "workstreams",
            "workstream_dates",
        )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pending_dates: list[tuple[Milestone, dict]] = []

    def key_queryset(self):
        return Milestone.objects.prefetch_related(
            Prefetch("workstreams", queryset=Workstream.objects.order_by("theme__order", "order")),
            Prefetch(
                "workstream_links",
                queryset=WorkstreamMilestone.objects.select_related("workstream").order_by(
                    "workstream__theme__order", "workstream__order", "workstream__name"
                ),
            ),
        )

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if "Workstream dates" in self._changes:
            self._pending_dates.append((instance, instance._wanted_workstream_dates))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)  # new milestones' links are made here
        # Each workstream's own date goes on its link; the others use the milestone's.
        changed = []
        for milestone, wanted in self._pending_dates:
            for link in WorkstreamMilestone.objects.filter(milestone=milestone):
                own = wanted.get(link.workstream_id, (None, "", ""))
                if (link.due_date, link.due_precision, link.due_label) != own:
                    link.due_date, link.due_precision, link.due_label = own
                    changed.append(link)
        WorkstreamMilestone.objects.bulk_update(
            changed, ["due_date", "due_precision", "due_label"], batch_size=500
        )
        self._pending_dates = []

    def instance_keys(self, obj):
        return [normalise_key(obj.title)]

    def row_keys(self, row):
        title = normalise_key(row.get("Milestone"))
        return [title] if title else []
