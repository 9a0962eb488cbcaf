"""Admin for the plan's structure: themes, golden threads, workstreams, objectives, milestones."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count

from ics_portal.admin import HistoryAdmin, PortalModelAdmin

from .models import GoldenThread, Milestone, Objective, Theme, Workstream, WorkstreamMilestone


def _people(people) -> str:
    return ", ".join(person.full_name or person.email for person in people)


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ("number", "text", "target_fy_start_year", "target_quarter", "active")
    formfield_overrides = {
        # The numbered objectives are a sentence or two; a small box keeps the table readable.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
    }


class WorkstreamMilestoneInline(admin.TabularInline):
    """The workstream's key milestones (shared with other workstreams)."""

    model = WorkstreamMilestone
    extra = 0
    autocomplete_fields = ("milestone",)
    fields = ("milestone", "due_label", "due_date", "due_precision", "order")
    verbose_name = "key milestone"
    verbose_name_plural = (
        "key milestones (a milestone can be shared with other workstreams; give a delivery date "
        "here only where this workstream's differs from the milestone's)"
    )


class MilestoneWorkstreamInline(admin.TabularInline):
    """The workstreams a milestone sits in."""

    model = WorkstreamMilestone
    extra = 0
    autocomplete_fields = ("workstream",)
    fields = ("workstream", "due_label", "due_date", "due_precision", "order")
    verbose_name = "workstream"
    verbose_name_plural = "workstreams this milestone sits in"


@admin.register(Theme)
class ThemeAdmin(PortalModelAdmin):
    list_display = ("number", "name", "leads_list", "workstream_count", "order", "active")
    list_display_links = ("number", "name")
    list_filter = ("active",)
    search_fields = ("name", "leads__full_name")
    autocomplete_fields = ("leads",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_workstreams=Count("workstreams", distinct=True))
            .prefetch_related("leads")
            # A grouped query loses the model's ordering: the autocomplete pages it.
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="leads")
    def leads_list(self, obj) -> str:
        return _people(obj.leads.all())

    @admin.display(description="workstreams", ordering="_workstreams")
    def workstream_count(self, obj) -> int:
        return obj._workstreams


@admin.register(GoldenThread)
class GoldenThreadAdmin(HistoryAdmin):
    access_fields = ("system_leads",)  # they write the thread's updates
    list_display = ("number", "name", "system_leads_list", "is_cross_referenced", "active")
    list_display_links = ("number", "name")
    list_filter = ("active", "is_cross_referenced")
    search_fields = ("name", "system_leads__full_name")
    autocomplete_fields = ("system_leads", "cross_references")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("system_leads")

    @admin.display(description="system leads")
    def system_leads_list(self, obj) -> str:
        return _people(obj.system_leads.all())


@admin.register(Workstream)
class WorkstreamAdmin(HistoryAdmin):
    access_fields = ("leads", "deputies")  # they see and write the workstream's updates
    list_display = ("name", "code", "theme", "leads_list", "deputies_list", "order", "active")
    list_filter = ("theme", "active", "golden_threads", "baf_risks")
    list_select_related = ("theme",)
    search_fields = ("name", "code", "theme__name", "leads__full_name", "deputies__full_name")
    autocomplete_fields = ("theme", "leads", "deputies", "golden_threads", "baf_risks")
    # Milestones are edited in the inline below (they are shared, so each is picked, not typed).
    exclude = ("milestones",)
    inlines = (ObjectiveInline, WorkstreamMilestoneInline)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("leads", "deputies")

    @admin.display(description="leads")
    def leads_list(self, obj) -> str:
        return _people(obj.leads.all())

    @admin.display(description="deputies")
    def deputies_list(self, obj) -> str:
        return _people(obj.deputies.all())


@admin.register(Objective)
class ObjectiveAdmin(PortalModelAdmin):
    list_display = ("number", "text", "workstream", "target_label", "active")
    list_display_links = ("number", "text")
    list_filter = ("active", "workstream__theme", "target_fy_start_year", "target_quarter")
    list_select_related = ("workstream",)
    search_fields = ("text", "workstream__name", "workstream__code")
    autocomplete_fields = ("workstream",)

    @admin.display(description="target quarter")
    def target_label(self, obj) -> str:
        return obj.target_label


@admin.register(Milestone)
class MilestoneAdmin(PortalModelAdmin):
    list_display = ("title", "due_label", "due_date", "due_precision", "critical_path", "shared")
    list_filter = ("critical_path", "due_precision")
    search_fields = ("title", "due_label")
    date_hierarchy = "due_date"
    inlines = (MilestoneWorkstreamInline,)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(_workstreams=Count("workstreams", distinct=True))
        )

    @admin.display(description="workstreams", ordering="_workstreams")
    def shared(self, obj) -> int:
        return obj._workstreams


@admin.register(WorkstreamMilestone)
class WorkstreamMilestoneAdmin(PortalModelAdmin):
    """A milestone in one workstream, with that workstream's own delivery date where it differs."""

    list_display = ("milestone", "workstream", "delivery", "order")
    list_filter = ("workstream__theme",)
    list_select_related = ("milestone", "workstream")
    search_fields = ("milestone__title", "workstream__name", "workstream__code", "due_label")
    autocomplete_fields = ("workstream", "milestone")
    fields = ("workstream", "milestone", "due_label", "due_date", "due_precision", "order")

    @admin.display(description="delivery by (this workstream)")
    def delivery(self, obj) -> str:
        return obj.delivery_label or (f"{obj.delivery_date:%-d %B %Y}" if obj.delivery_date else "")
