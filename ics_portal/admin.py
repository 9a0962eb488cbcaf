"""Admin for people, organisations and the audit trail, and the pieces every app's admin shares.

The admin is the governance team's first tool, but it is not a back door: workflow changes
(approving an update, opening a cycle, closing a risk, publishing a pack) go through the actions
modules, state fields are read-only here, the audit trail and published packs cannot be changed,
and field history can be read but not reverted.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from ics_portal.forms import NamedErrorsMixin

from . import people_actions, roles
from .models import (
    AuditEvent,
    Feedback,
    Forum,
    ForumAlias,
    ForumMember,
    Meeting,
    Organisation,
    Post,
    PostAlias,
    User,
)
from .permissions import Perm, has_permission
from .richtext import media_with_nonce
from .status import WorkflowState
from .workflow import actions as workflow
from .workflow.errors import ActionError, StaleUpdateError
from .workflow.states import EDITABLE_STATES

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


# Model -> (import kind, whether it can be exported), filled in by the import/export app when it
# loads (dataio/apps.py), so this bottom layer never imports the app above it.
SPREADSHEET_KINDS: dict[type, tuple[str, bool]] = {}


def register_spreadsheet_kind(model, kind: str, *, exportable: bool) -> None:
    SPREADSHEET_KINDS[model] = (kind, exportable)


class SpreadsheetLinksMixin:
    """Import from / export to a spreadsheet from the changelist of every model the portal
    imports. The links lead to the one import pipeline (dataio: dry run, row errors, file
    checks, confirmation), so the admin never writes rows past those checks."""

    change_list_template = "admin/portal_change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        found = SPREADSHEET_KINDS.get(self.model)
        if found and has_permission(request.user, Perm.DATA_IMPORT):
            kind, exportable = found
            extra_context["spreadsheet_import_url"] = (
                f"{reverse('dataio:index')}?kind={kind}#import"
            )
            if exportable and has_permission(request.user, Perm.DATA_EXPORT):
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

    def delete_refused(self, request, obj) -> str:
        return "This is a record, kept as it was written: it is not deleted."


def run_action_for_each(
    modeladmin, request, queryset, action, *, keyword: str, done: str, **kwargs
) -> None:
    """Call `action(<keyword>=obj, by=request.user, **kwargs)` for each selected object,
    reporting each refusal (an ActionError's message) and a count of the successes."""

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


class PortalUserCreationForm(NamedErrorsMixin, _EmailFieldMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    class Media:
        # What Django's add-user template loads: hides the password boxes when password
        # sign-in is disabled.
        css = {"all": ["admin/css/unusable_password_field.css"]}
        js = ["admin/js/unusable_password_field.js"]


class PortalUserChangeForm(NamedErrorsMixin, _EmailFieldMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PortalUserInviteForm(NamedErrorsMixin, _EmailFieldMixin, forms.ModelForm):
    """A governance officer adds a person without a password: nobody but the person ever
    knows it. They set it themselves ("Forgotten your password?" on the sign-in page)."""

    class Meta:
        model = User
        fields = ("email", "full_name", "job_title", "organisation")

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


def _role_groups(given):
    return Group.objects.filter(name__in=[role.group_name for role in given]).order_by("name")


_ROLES_HELP = (
    "Roles are groups: system lead, governance officer, board member. Administrators are "
    "superusers. Staff (may use this admin) follows the roles: governance officers and "
    "administrators are staff, nobody else."
)
_GOVERNANCE_ROLES_HELP = (
    "A person's roles in the portal: system lead, board member. The governance officer role "
    "and administrator accounts are given by an administrator."
)


@admin.register(User)
class UserAdmin(SpreadsheetLinksMixin, NonceMediaMixin, DjangoUserAdmin):
    """Django's user admin, for people who sign in with their email address.

    Least privilege (docs/adr/0012-admin-least-privilege.md): only superusers see or change
    superuser status, permissions, any group, passwords, and staff or superuser accounts.
    A governance officer adds people (without a password), edits their details and gives or
    takes away the system lead and board member roles. `is_staff` follows the roles.
    """

    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    # Django's add-user template talks about usernames; the plain change form does not.
    add_form_template = "admin/change_form.html"
    access_fields = ("groups", "is_active", "is_staff", "is_superuser", "user_permissions")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "organisation")}),
        (
            "Roles and permissions",
            {
                "description": _ROLES_HELP,
                "fields": ("is_active", "groups", "is_staff", "is_superuser", "user_permissions"),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    governance_fieldsets = (
        (None, {"fields": ("email",)}),
        ("Person", {"fields": ("full_name", "job_title", "organisation")}),
        (
            "Roles",
            {"description": _GOVERNANCE_ROLES_HELP, "fields": ("is_active", "groups", "is_staff")},
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
    governance_add_fieldsets = (
        (
            None,
            {
                "description": "Enter the person's email address (they sign in with it) and "
                "their name. They set their own password with \u201cForgotten your "
                "password?\u201d on the sign-in page; give them a role once they are added.",
                "fields": ("email", "full_name", "job_title", "organisation"),
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
    readonly_fields = ("last_login", "date_joined", "is_staff")

    # --- who may manage whom

    @staticmethod
    def _manages(request, obj) -> bool:
        """Superusers manage everyone; others only people who are neither staff nor
        superusers (roles.manages: the people import holds to the same rule)."""
        return roles.manages(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request, obj) and super().has_delete_permission(request, obj)

    def delete_refused(self, request, obj) -> str:
        if not self._manages(request, obj):
            return "Only an administrator can delete a staff or administrator account."
        return ""

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.governance_add_fieldsets if obj is None else self.governance_fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            kwargs["form"] = PortalUserInviteForm
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser:
            # The password box (a declared field, so in every form made from the class) shows
            # how the password is stored and links to setting it: for superusers only. The
            # class is made for this request, so this changes no other.
            form.base_fields.pop("password", None)
        return form

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return tuple(name for name in self.list_filter if name != "is_superuser")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = _role_groups(roles.roles_given_by(request.user))
            kwargs["help_text"] = ""
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        offered = form.fields.get("groups")
        before = list(form.initial.get("groups") or [])
        super().save_related(request, form, formsets, change)
        user = form.instance
        if offered is not None and not request.user.is_superuser:
            # Groups this person may not give stay as they were.
            kept = [group for group in before if group not in offered.queryset]
            if kept:
                user.groups.add(*kept)
        people_actions.sync_staff_flag(user)

    def user_change_password(self, request, id, form_url=""):
        """Only an administrator sets someone's password here; everyone sets their own with
        the admin's "Change password" (which asks for the old one) or the sign-in page's
        "Forgotten your password?"."""
        if not request.user.is_superuser:
            raise PermissionDenied(
                "Only an administrator can set a password here. People set their own with "
                "\u201cForgotten your password?\u201d on the sign-in page."
            )
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().user_change_password(request, id, form_url)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Groups (the roles) and their permissions: superusers only (governance officers hold no
    permission on groups); a change to a group's permissions is an access change."""

    access_fields = ("permissions",)


@admin.register(Organisation)
class OrganisationAdmin(PortalModelAdmin):
    list_display = ("name", "short_name", "kind", "people_count")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")

    def get_queryset(self, request):
        # A grouped query loses the model's ordering: the autocomplete pages it.
        queryset = super().get_queryset(request).annotate(_people=Count("people"))
        return queryset.order_by(*self.model._meta.ordering)

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


@admin.register(Feedback)
class FeedbackAdmin(PortalModelAdmin):
    """What people sent through the feedback page: read, and deleted once dealt with (it may
    hold personal data); never added or changed here."""

    list_display = ("created_at", "trying_to_do", "page", "email", "person")
    search_fields = ("trying_to_do", "what_happened", "email", "page")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Feedback._meta.fields]
    list_select_related = ("person",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- the admin of every reviewed kind (updates, risk reviews) -----------------------------------

# The workflow columns every reviewed thing has (ics_portal/workflow/states.py); only actions set them.
WORKFLOW_FIELDS = (
    "state",
    "version",
    "updated_at",
    "updated_by",
    "submitted_at",
    "submitted_by",
    "approved_at",
    "approved_by",
    "returned_at",
    "review_comment",
    "returned_sections",
    "extended_until",
    "extension_reason",
    "extended_by",
)
# States in which governance may still change an update's content (save_update allows these).
ADMIN_EDITABLE_STATES = EDITABLE_STATES | {WorkflowState.SUBMITTED}


class WorkflowAdminForm(forms.ModelForm):
    """Carries the version the page was opened at, so a stale save is refused with a message
    (the same optimistic locking as the portal's own forms)."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            if self.instance.state not in ADMIN_EDITABLE_STATES:
                raise forms.ValidationError(
                    f"This is {self.instance.state_label.lower()} and can no longer be edited."
                )
            if cleaned.get("base_version") != self.instance.version:
                raise forms.ValidationError(
                    f"{StaleUpdateError(self.instance)} Reload the page to see the "
                    "changes before editing."
                )
        return cleaned


class WorkflowAdmin(HistoryAdmin):
    """Admin for a model with WorkflowFields (updates and risk reviews).

    Subclasses name their `subject_fields` (fixed once created) and `content_fields` (passed to
    the save action), and may override `save_content` to call a different action.
    """

    form = WorkflowAdminForm
    subject_fields: tuple[str, ...] = ()
    content_fields: tuple[str, ...] = ()
    m2m_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(WORKFLOW_FIELDS)
        if obj is not None:
            readonly += self.subject_fields
        return readonly

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": [*self.subject_fields, *self.content_fields, *self.m2m_fields]}),
            (
                "Workflow",
                {
                    "description": "Set by the workflow actions (submit, return, approve, "
                    "extend, reopen), never by hand.",
                    "fields": [*WORKFLOW_FIELDS, "base_version"],
                },
            ),
        ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state not in ADMIN_EDITABLE_STATES:
            return False  # approved and published updates are read-only for everyone
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # see delete_refused

    def delete_refused(self, request, obj) -> str:
        return (
            f"{obj._meta.verbose_name.capitalize()}s are made when a cycle opens and are never "
            "deleted: they keep the record of what was asked and answered. Withdraw, return or "
            "reopen it on its page in the portal instead."
        )

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
        # A change is saved by the action in save_related, once the inline rows are known.

    def save_related(self, request, form, formsets, change):
        if not change:
            super().save_related(request, form, formsets, change)
            return
        for formset in formsets:
            # What formset.save() would have recorded, for the admin's change message.
            formset.new_objects = [f.instance for f in formset.extra_forms if f.has_changed()]
            formset.changed_objects = [
                (f.instance, f.changed_data) for f in formset.initial_forms if f.has_changed()
            ]
            formset.deleted_objects = []
        if not form.has_changed() and not any(fs.has_changed() for fs in formsets):
            return
        fields = {
            name: form.cleaned_data[name] for name in self.content_fields if name in form.fields
        }
        m2m = {
            name: list(form.cleaned_data[name]) for name in self.m2m_fields if name in form.fields
        }
        try:
            self.save_content(
                request,
                form.instance,
                base_version=form.cleaned_data["base_version"],
                fields=fields,
                m2m=m2m,
                formsets=formsets,
            )
        except ActionError as error:
            form.instance._admin_not_saved = True  # no ADMIN_CHANGE for what was not changed
            self.message_user(request, f"Not saved: {error}", messages.ERROR)

    def save_content(self, request, obj, *, base_version, fields, m2m, formsets):
        """Save the content through the kind's save action (raises ActionError)."""
        raise NotImplementedError

    @admin.action(description="Approve selected submitted items")
    def approve_selected(self, request, queryset):
        run_action_for_each(
            self,
            request,
            queryset,
            workflow.approve,
            keyword="update",
            done="Approved",
        )


# --- Posts, forums and meetings (issue 16): governance keeps them here until the portal has
# forum pages. A post's holder answers for what the post owns: a new holder is an access change.


class PostAliasInline(admin.TabularInline):
    model = PostAlias
    extra = 0


@admin.register(Post)
class PostAdmin(PortalModelAdmin):
    list_display = ("title", "short_name", "holder", "active")
    list_filter = ("active",)
    search_fields = ("title", "short_name", "aliases__name", "holder__full_name")
    list_select_related = ("holder",)
    autocomplete_fields = ("holder",)
    inlines = [PostAliasInline]
    access_fields = ("holder",)  # the holder answers for the actions and risks the post owns


class ForumAliasInline(admin.TabularInline):
    model = ForumAlias
    extra = 0


class ForumMemberInline(admin.TabularInline):
    model = ForumMember
    extra = 0
    fields = ("order", "role_label", "post", "count", "in_attendance")


@admin.register(Forum)
class ForumAdmin(PortalModelAdmin):
    list_display = ("name", "abbreviation", "kind", "frequency", "reports_to", "meets_in")
    list_filter = ("kind", "frequency", "meets_in")
    search_fields = ("name", "abbreviation", "aliases__name")
    list_select_related = ("reports_to",)
    autocomplete_fields = ("reports_to", "chair_post", "deputy_chair_post")
    inlines = [ForumAliasInline, ForumMemberInline]


@admin.register(Meeting)
class MeetingAdmin(PortalModelAdmin):
    list_display = ("__str__", "forum", "date", "in_public", "papers_due")
    list_filter = ("in_public", "forum")
    search_fields = ("forum__name", "forum__abbreviation")
    date_hierarchy = "date"
    list_select_related = ("forum",)
    autocomplete_fields = ("forum",)


# Each alias and seat has its own list too: to find which forum answers to a name, and who
# sits where, across forums.
@admin.register(PostAlias)
class PostAliasAdmin(PortalModelAdmin):
    list_display = ("name", "post")
    search_fields = ("name", "post__title", "post__short_name")
    list_select_related = ("post",)
    autocomplete_fields = ("post",)


@admin.register(ForumAlias)
class ForumAliasAdmin(PortalModelAdmin):
    list_display = ("name", "forum")
    search_fields = ("name", "forum__name", "forum__abbreviation")
    list_select_related = ("forum",)
    autocomplete_fields = ("forum",)


@admin.register(ForumMember)
class ForumMemberAdmin(PortalModelAdmin):
    list_display = ("__str__", "forum", "post", "order")
    list_filter = ("in_attendance",)
    search_fields = ("role_label", "forum__name", "post__title")
    list_select_related = ("forum", "post")
    autocomplete_fields = ("forum", "post")
