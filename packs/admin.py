"""Admin for board packs and their published versions. Cover sheets are edited through
packs/actions.py; generating and publishing happen on the portal's pack pages."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ics_portal.admin import PortalModelAdmin, ReadOnlyAdminMixin

from . import actions as pack_actions
from .models import BoardPack, PublishedPack


class BoardPackAdminForm(forms.ModelForm):
    def clean_sections(self):
        sections = self.cleaned_data["sections"]
        known = set(BoardPack.Section.values)
        if not isinstance(sections, list) or not set(sections) <= known:
            raise forms.ValidationError(
                "Give a list of section codes in order, from: " + ", ".join(sorted(known))
            )
        return sections


def _pdf_link(field_file, url: str):
    """A stored PDF links to the portal's own (permission-checked) view, never to the file
    storage: with S3 that would be a URL into the bucket (docs/deploy.md, File storage)."""
    if not field_file or not url:
        return "-"
    return format_html('<a href="{}">{}</a>', url, field_file.name)


class PublishedPackInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PublishedPack
    fields = ("number", "published_at", "published_by", "visibility", "withdrawn_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0


@admin.register(BoardPack)
class BoardPackAdmin(PortalModelAdmin):
    """Cover sheet and sections are edited through create_pack / edit_pack; generating and
    publishing happen on the portal's pack pages, where the PDF is previewed first."""

    form = BoardPackAdminForm
    list_display = ("title", "cycle", "date_of_meeting", "state", "visibility", "embargo_until")
    list_filter = ("state", "visibility", "purpose", "cycle")
    list_select_related = ("cycle",)
    search_fields = ("title", "meeting", "agenda_item", "lead", "author")
    date_hierarchy = "date_of_meeting"
    inlines = (PublishedPackInline,)
    generated_fields = (
        "state",
        "version",
        "progress",
        "progress_message",
        "generation_error",
        "draft_pdf_file",
        "draft_sha256",
        "draft_page_count",
        "generated_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("cycle",)}),
        ("Cover sheet", {"fields": pack_actions.COVER_FIELDS}),
        ("Generation and publication (set by the pack pages)", {"fields": generated_fields}),
    )

    @admin.display(description="draft PDF")
    def draft_pdf_file(self, obj):
        return _pdf_link(obj.draft_pdf, reverse("packs:draft_pdf", args=[obj.pk]) if obj.pk else "")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.generated_fields)
        if obj is not None:
            readonly.append("cycle")
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # see delete_refused

    def delete_refused(self, request, obj) -> str:
        return (
            "Board packs are not deleted: a pack keeps the record of what was prepared and "
            "published for the board. Edit its cover sheet, or withdraw a published version on "
            "the portal's pack page."
        )

    def save_model(self, request, obj, form, change):
        cover = {name: form.cleaned_data[name] for name in pack_actions.COVER_FIELDS}
        if change:
            if form.has_changed():
                pack_actions.edit_pack(pack=obj, by=request.user, **cover)
            return
        pack = pack_actions.create_pack(cycle=form.cleaned_data["cycle"], by=request.user, **cover)
        obj.pk, obj._state = pack.pk, pack._state


@admin.register(PublishedPack)
class PublishedPackAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """What the board read, for ever: nothing here can be changed (withdraw on the pack pages)."""

    list_display = (
        "title",
        "number",
        "published_at",
        "published_by",
        "visibility",
        "page_count",
        "withdrawn_at",
    )
    list_filter = ("visibility", ("withdrawn_at", admin.EmptyFieldListFilter), "pack__cycle")
    list_select_related = ("published_by__organisation",)
    search_fields = ("title", "sha256", "pack__meeting")
    date_hierarchy = "published_at"
    exclude = ("html", "pdf")
    readonly_fields = ("pdf_file",)

    @admin.display(description="PDF")
    def pdf_file(self, obj):
        return _pdf_link(obj.pdf, reverse("packs:published_pdf", args=[obj.pk]))
