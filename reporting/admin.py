"""Admin for reporting cycles and quarterly updates.

Workflow changes are made by the actions (reporting/actions.py and the workflow's,
ics_portal/workflow/actions.py), never by hand here: state fields are read-only; edits to an
update's content go through `save_update` (so they are versioned, audited and refused when
stale); approving is an admin action that calls the workflow's `approve`; opening and
closing a cycle call `open_cycle` / `close_cycle`.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q

from ics_portal.admin import (
    ADMIN_EDITABLE_STATES,
    HistoryAdmin,
    PortalModelAdmin,
    ReadOnlyAdminMixin,
    WorkflowAdmin,
    run_action_for_each,
)
from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from reporting import kinds as update_kinds
from workstreams.models import Milestone, Objective

from . import actions
from .models import (
    GoldenThreadUpdate,
    MilestoneProgress,
    ObjectiveProgress,
    ReminderSent,
    SearchDocument,
    WorkstreamUpdate,
)


class UpdateAdmin(WorkflowAdmin):
    """A workstream or golden-thread update: content, rows and links saved by save_update."""

    def save_content(self, request, obj, *, base_version, fields, m2m, formsets):
        rows = {}
        for formset in formsets:
            rows.update(getattr(formset, "action_rows", lambda: {})())
        return actions.save_update(
            update=obj, base_version=base_version, by=request.user, fields=fields, **m2m, **rows
        )


class _ProgressFormSet(forms.BaseInlineFormSet):
    """Inline rows of an update, handed to `save_update` rather than saved directly.

    `key` is the row's subject (the objective or the milestone); an existing row keeps it.
    """

    key: str = ""
    values: tuple[str, ...] = ()
    argument: str = ""

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.instance.pk and self.key in form.changed_data:
                form.add_error(
                    self.key, "Add a new row rather than changing the subject of an existing one."
                )

    def action_rows(self) -> dict:
        rows = {}
        for form in self.forms:
            if not form.has_changed() or not form.cleaned_data:
                continue
            key = form.cleaned_data[self.key].pk
            if len(self.values) == 1:
                rows[key] = form.cleaned_data[self.values[0]]
            else:
                rows[key] = {name: form.cleaned_data[name] for name in self.values}
        return {self.argument: rows} if rows else {}


class ObjectiveProgressFormSet(_ProgressFormSet):
    key = "objective"
    values = ("progress",)
    argument = "objective_progress"


class MilestoneProgressFormSet(_ProgressFormSet):
    key = "milestone"
    values = ("status", "revised_date", "note")
    argument = "milestone_rows"


class _UpdateRowInlineMixin:
    extra = 0
    can_delete = False

    def _subject_queryset(self, obj):
        raise NotImplementedError

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            field = formset.form.base_fields[self.formset.key]
            field.queryset = self._subject_queryset(obj)
        return formset

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state not in ADMIN_EDITABLE_STATES:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.state not in ADMIN_EDITABLE_STATES:
            return False
        return super().has_add_permission(request, obj)


class ObjectiveProgressInline(_UpdateRowInlineMixin, admin.StackedInline):
    model = ObjectiveProgress
    formset = ObjectiveProgressFormSet
    fields = ("objective", "progress")
    verbose_name_plural = "progress against objectives"

    def _subject_queryset(self, obj):
        # The workstream's objectives, and any already reported on.
        return Objective.objects.filter(
            Q(workstream=obj.workstream_id) | Q(pk__in=obj.objective_progress.values("objective"))
        ).distinct()


class MilestoneProgressInline(_UpdateRowInlineMixin, admin.TabularInline):
    model = MilestoneProgress
    formset = MilestoneProgressFormSet
    fields = ("milestone", "status", "revised_date", "note")
    verbose_name_plural = "key milestones"

    def _subject_queryset(self, obj):
        return Milestone.objects.filter(
            Q(workstreams=obj.workstream_id) | Q(pk__in=obj.milestone_progress.values("milestone"))
        ).distinct()


# --- updates ----------------------------------------------------------------------------------


@admin.register(WorkstreamUpdate)
class WorkstreamUpdateAdmin(UpdateAdmin):
    subject_fields = ("cycle", "workstream")
    content_fields = update_kinds.WORKSTREAM_UPDATE_FIELDS
    m2m_fields = ("baf_risks",)
    list_display = (
        "workstream",
        "cycle",
        "overall_status",
        "forecast_status",
        "state",
        "updated_at",
        "updated_by",
    )
    list_filter = ("cycle", "state", "overall_status", "forecast_status", "workstream__theme")
    list_select_related = ("workstream", "cycle", "updated_by__organisation")
    search_fields = ("workstream__name", "workstream__code", "workstream__leads__full_name")
    autocomplete_fields = ("cycle", "workstream", "baf_risks")
    inlines = (ObjectiveProgressInline, MilestoneProgressInline)
    actions = ("approve_selected",)


@admin.register(GoldenThreadUpdate)
class GoldenThreadUpdateAdmin(UpdateAdmin):
    subject_fields = ("cycle", "golden_thread")
    content_fields = update_kinds.GOLDEN_THREAD_UPDATE_FIELDS
    m2m_fields = ("objectives", "baf_risks")
    list_display = ("golden_thread", "cycle", "overall_status", "state", "updated_at", "updated_by")
    list_filter = ("cycle", "state", "overall_status")
    list_select_related = ("golden_thread", "cycle", "updated_by__organisation")
    search_fields = ("golden_thread__name", "golden_thread__system_leads__full_name")
    autocomplete_fields = ("cycle", "golden_thread", "objectives", "baf_risks")
    actions = ("approve_selected",)


class _UpdateRowAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """Rows of a workstream update: read here, edited in their update (through save_update)."""

    list_select_related = ("update__workstream", "update__cycle")
    list_filter = ("update__cycle", "update__workstream__theme")


@admin.register(ObjectiveProgress)
class ObjectiveProgressAdmin(_UpdateRowAdmin):
    list_display = ("__str__", "update")
    search_fields = ("update__workstream__name", "objective__text", "progress")


@admin.register(MilestoneProgress)
class MilestoneProgressAdmin(_UpdateRowAdmin):
    list_display = ("milestone", "update", "status", "revised_date")
    list_filter = ("status", *_UpdateRowAdmin.list_filter)
    list_select_related = ("milestone", *_UpdateRowAdmin.list_select_related)
    search_fields = ("milestone__title", "update__workstream__name", "note")


# --- cycles -----------------------------------------------------------------------------------


@admin.register(ReportingCycle)
class ReportingCycleAdmin(PortalModelAdmin):
    list_display = (
        "label",
        "status",
        "opens_on",
        "submission_deadline",
        "review_deadline",
        "board_forum",
        "board_meeting_date",
    )
    list_filter = ("status", "fy_start_year")
    search_fields = ("board_forum",)
    actions = ("open_selected", "close_selected")

    @admin.display(description="quarter", ordering="fy_start_year")
    def label(self, obj) -> str:
        return obj.label

    def delete_refused(self, request, obj) -> str:
        """A draft cycle made by mistake may be deleted (audited); once opened, a cycle has
        updates, reminders and packs, and is closed, never deleted."""
        if obj.status != ReportingCycle.Status.DRAFT:
            return (
                "A cycle that has been opened is not deleted: its updates, reviews and packs "
                "belong to it. Close it instead."
            )
        return ""

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "created_at"]
        if obj is not None:
            readonly += ["fy_start_year", "quarter"]  # a cycle's quarter is what it is
        return readonly

    def get_search_results(self, request, queryset, search_term):
        """Also find a cycle by its quarter as written ("Q2 2021/22", "Q2 21/22")."""
        try:
            quarter = Quarter.parse(search_term)
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(fy_start_year=quarter.fy_start_year, quarter=quarter.number), False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        cycle = actions.create_cycle(
            by=request.user,
            **{
                name: form.cleaned_data[name]
                for name in (
                    "fy_start_year",
                    "quarter",
                    "opens_on",
                    "submission_deadline",
                    "review_deadline",
                    "board_forum",
                    "board_meeting_date",
                )
            },
        )
        obj.pk, obj._state, obj.created_at = cycle.pk, cycle._state, cycle.created_at

    @admin.action(description="Open selected draft cycles (creates the updates and emails leads)")
    def open_selected(self, request, queryset):
        run_action_for_each(
            self, request, queryset, actions.open_cycle, keyword="cycle", done="Opened"
        )

    @admin.action(description="Close selected open cycles to submissions")
    def close_selected(self, request, queryset):
        run_action_for_each(
            self, request, queryset, actions.close_cycle, keyword="cycle", done="Closed"
        )


# --- reminders --------------------------------------------------------------------------------


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Who was chased about which cycle, and when: written by the reminder run."""

    list_display = ("person", "cycle", "kind", "sent_on")
    list_filter = ("kind", "cycle", "sent_on")
    list_select_related = ("person__organisation", "cycle")
    search_fields = ("person__full_name", "person__email")
    date_hierarchy = "sent_on"


# --- the search index ----------------------------------------------------------------------------


class NamedBlankFilter(admin.AllValuesFieldListFilter):
    """Every value of a field as a filter link, the blank one named "None": a link with no
    text cannot be told apart by a screen reader (WCAG 2.4.4; the admin's axe run)."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": "None"} if choice["display"] == "" else choice


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """What the search box searches (issue 15): derived from the updates, plan and BAF, kept by
    signal and rebuilt by `manage.py rebuild_search_index`; looked at here, never edited."""

    list_display = ("title", "kind", "subject", "status", "state")
    # Plan texts (objectives, milestones) have no workflow state, and some no status.
    list_filter = ("kind", ("status", NamedBlankFilter), ("state", NamedBlankFilter))
    search_fields = ("title", "subject")
