"""Admin for people, organisations and the audit trail, and the pieces every app's admin shares.

The admin is the governance team's first tool, but it is not a back door: workflow changes
(approving an update, opening a cycle, closing a risk, publishing a pack) go through the actions
modules, state fields are read-only here, the audit trail and published packs cannot be changed,
and field history can be read but not reverted.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from .models import AuditEvent, Organisation, User
from .permissions import Perm, has_permission
from .richtext import media_with_nonce

# --- shared by every app's admin --------------------------------------------------------------


class NonceMediaMixin:
    """Give the change form's media the request's CSP nonce.

    The rich-text editor's widget media includes an inline import map; under the portal's
    Content-Security-Policy an inline script runs only with the request's nonce (the portal's
    own pages add it with the `form_media` tag; this does the same for the admin).
    """

    def render_change_form(self, request, context, *args, **kwargs):
        if context.get("media") is not None:
            context["media"] = media_with_nonce(context["media"], request)
        return super().render_change_form(request, context, *args, **kwargs)


class SpreadsheetLinksMixin:
    """Import from / export to a spreadsheet from the changelist of every model the portal
    imports. The links lead to the one import pipeline (ics_portal/dataio: dry run, row errors,
    file checks, confirmation), so the admin never writes rows past those checks."""

    change_list_template = "admin/portal_change_list.html"

    def changelist_view(self, request, extra_context=None):
        from .dataio.exporters import EXPORT_KINDS
        from .dataio.resources import RESOURCES

        extra_context = extra_context or {}
        for kind, resource in RESOURCES.items():
            if resource._meta.model is self.model and has_permission(
                request.user, Perm.DATA_IMPORT
            ):
                extra_context["spreadsheet_import_url"] = (
                    f"{reverse('dataio:index')}?kind={kind}#import"
                )
                if kind in EXPORT_KINDS and has_permission(request.user, Perm.DATA_EXPORT):
                    extra_context["spreadsheet_export_url"] = reverse("dataio:export", args=[kind])
        return super().changelist_view(request, extra_context)


class PortalModelAdmin(SpreadsheetLinksMixin, NonceMediaMixin, admin.ModelAdmin):
    pass


class HistoryAdmin(SpreadsheetLinksMixin, NonceMediaMixin, SimpleHistoryAdmin):
    """Field history (django-simple-history) to read, never to revert.

    Reverting would restore old values without the actions' checks, versions and audit events
    (it could even put an approved update back to draft), so the history form is view-only.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        _known_key(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("History can be read, not reverted.")
        _known_key(self.model, object_id)
        _known_key(self.model.history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def _known_key(model, value) -> None:
    """404 for a URL's object id that cannot be a primary key of `model` ("abc" where a
    number goes): django-simple-history's views would pass it to the query and fail."""
    try:
        model._meta.pk.to_python(unquote(value))
    except ValidationError:
        raise Http404 from None


class ReadOnlyAdminMixin:
    """Rows that can be looked at and searched but never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def run_action_for_each(
    modeladmin, request, queryset, action, *, keyword: str, done: str, **kwargs
) -> None:
    """Call `action(<keyword>=obj, by=request.user, **kwargs)` for each selected object,
    reporting each refusal (an ActionError's message) and a count of the successes."""
    from reporting.actions import ActionError

    succeeded = 0
    for obj in queryset:
        try:
            action(**{keyword: obj}, by=request.user, **kwargs)
        except ActionError as error:
            modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        noun = "item" if succeeded == 1 else "items"
        modeladmin.message_user(request, f"{done} {succeeded} {noun}.", messages.SUCCESS)


# --- people and organisations -----------------------------------------------------------------


class _EmailFieldMixin:
    def clean_email(self):
        """Emails are stored lower-case (the manager does the same), and are unique however
        they are typed."""
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        clash = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A person with this email address already exists.")
        return email


class PortalUserCreationForm(_EmailFieldMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    class Media:
        # What Django's add-user template loads: hides the password boxes when password
        # sign-in is disabled.
        css = {"all": ["admin/css/unusable_password_field.css"]}
        js = ["admin/js/unusable_password_field.js"]


class PortalUserChangeForm(_EmailFieldMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(SpreadsheetLinksMixin, NonceMediaMixin, DjangoUserAdmin):
    """Django's user admin, for people who sign in with their email address."""

    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    # Django's add-user template talks about usernames; the plain change form does not.
    add_form_template = "admin/change_form.html"
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "organisation")}),
        (
            "Roles and permissions",
            {
                "description": "Roles are groups: system lead, governance officer, board "
                "member. Administrators are superusers.",
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "description": "Enter the person's email address (they sign in with it), "
                "their name and a password.",
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "full_name", "job_title", "organisation", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("email", "full_name", "job_title", "organisation__name")
    ordering = ("full_name", "email")
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined")


@admin.register(Organisation)
class OrganisationAdmin(PortalModelAdmin):
    list_display = ("name", "short_name", "kind", "people_count")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_people=Count("people"))

    @admin.display(description="people", ordering="_people")
    def people_count(self, obj) -> int:
        return obj._people


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """The audit trail: written by the actions, never edited."""

    list_display = ("created_at", "actor_name", "verb", "object_type", "object_label")
    list_filter = ("verb", "object_type")
    search_fields = ("actor_name", "verb", "object_type", "object_id", "object_label", "comment")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
