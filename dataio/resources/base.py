"""What every import kind shares: natural-key loading, reading a row with every problem
collected, telling changed from unchanged, and writing many-to-many links."""

from datetime import date
from functools import cached_property

from django.core.exceptions import ValidationError
from import_export import resources
from import_export.instance_loaders import BaseInstanceLoader

from ics_portal import audit
from ics_portal.audit_values import plain, plain_keys
from risks.models import RiskMatrix

from ..columns import (
    Col,
    ColumnError,
    Ref,
)
from ..lookups import Lookups

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
    # Fields that decide who can see or do what (as the model's admin lists them): a row that
    # changes one writes ACCESS_CHANGE, in the import's transaction (rolled back with a dry run).
    access_fields: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        # The library deep-copies every row's object to diff it (with its prefetched
        # relations); after_init_instance keeps just the compared values instead.
        skip_diff = True
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
        self._before: dict = {}
        self._is_new = False
        self._access_before: dict = {}
        self._new_links: dict[type, list] = {}
        # Told the number of rows read so far after each row (an import's progress).
        self.on_row_done = None
        self.rows_done = 0

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
            if isinstance(field.widget, Ref):
                exclude.add(field.attribute)  # found in the database a moment ago
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

    def after_init_instance(self, instance, new, row, **kwargs):
        """What the object holds before the row is read into it, to tell what changed."""
        row = row or {}
        self._before = {
            field.column_name: field.comparable(instance)
            for field in self.columns()
            if field.column_name in row and field.attribute is not None and not field.is_m2m
        }
        self._access_before = self.access_values(instance)

    # --- who can see or do what -------------------------------------------------------------------

    def access_values(self, instance, wanted: dict | None = None) -> dict:
        """The access fields' values as the audit trail keeps them (audit_values: plain, related
        rows by key). Many-to-many links are those `wanted` gives (a row's, about to be or just
        written) or else those held (prefetched by key_queryset); none for a new object."""
        values = {}
        for name in self.access_fields:
            field = instance._meta.get_field(name)
            if field.many_to_many:
                if wanted is not None and name in wanted:
                    objs = wanted[name]
                else:
                    objs = getattr(instance, name).all() if instance.pk is not None else []
                values[name] = plain_keys(obj.pk for obj in objs)
            else:
                values[name] = plain(field.value_from_object(instance))
        return values

    def record_access(self, instance, before: dict, after: dict) -> None:
        audit.record_access_change(by=self.by, obj=instance, before=before, after=after)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        self._changes = [
            field.column_name
            for field in self.columns()
            if field.column_name in row
            and field.attribute is not None
            and self._changed(field, instance)
        ]
        return instance.pk is not None and not self._changes

    def _changed(self, field, instance) -> bool:
        if field.is_m2m:
            wanted = {obj.pk for obj in self._m2m.get(field.attribute, [])}
            if instance.pk is None:
                return bool(wanted)
            # Not yet written: the manager still gives the stored (prefetched) links.
            return wanted != {obj.pk for obj in getattr(instance, field.attribute).all()}
        return field.comparable(instance) != self._before.get(field.column_name)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        self.rows_done += 1
        if self.on_row_done is not None:
            self.on_row_done(self.rows_done)
        return row_result

    def save_instance(self, instance, is_create, row, **kwargs):
        self._is_new = is_create
        super().save_instance(instance, is_create, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        for field in self.columns():
            if field.is_m2m and field.attribute in self._m2m and field.column_name in self._changes:
                manager = getattr(instance, field.attribute)
                if self._is_new:
                    # Nothing to compare with or remove: the links are inserted in bulk after
                    # the last row, instead of set()'s three queries per list per row. (No
                    # m2m_changed signal; nothing listens for the plan's links.)
                    source, target = manager.source_field_name, manager.target_field_name
                    self._new_links.setdefault(manager.through, []).extend(
                        manager.through(**{f"{source}_id": instance.pk, f"{target}_id": obj.pk})
                        for obj in self._m2m[field.attribute]
                    )
                else:
                    manager.set(self._m2m[field.attribute])
        self.links_saved(instance)

    def links_saved(self, instance) -> None:
        """After a row's object and links are written: its access change, if any."""
        if self.access_fields:
            self.record_access(
                instance, self._access_before, self.access_values(instance, self._m2m)
            )

    def after_import(self, dataset, result, **kwargs):
        for through, links in self._new_links.items():
            through.objects.bulk_create(links, batch_size=1000)
        self._new_links = {}

    def after_import_row(self, row, row_result, **kwargs):
        row_result.sheet_row = row.get(ROW)
        row_result.changes = tuple(self._changes)
        if row_result.instance is not None:
            row_result.label = self.describe(row_result.instance)
        self._changes = []

    # --- exporting in the same layout ---------------------------------------------------------

    def export_queryset(self):
        return self.key_queryset()
