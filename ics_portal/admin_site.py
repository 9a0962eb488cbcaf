"""The admin site: Django's own, except that a value in a URL or query string that the admin
cannot use is never a server error. A change list's filter that cannot be applied is
answered as Django answers other bad filters (the list again, unfiltered, at "?e=1"); an
add page's initial value (?embargo_until=..., ?leads=1,2) that its field cannot read is left
out; a posted key that is not one (a person "abc") is not looked up to redisplay the choice
in an autocomplete box; "?_to_field=" (empty) is no field. This covers every registered
model admin and its inlines, the portal's and the third-party ones (sign-in attempts, task
results) alike.

Every model admin also leaves an audit trail (issue 13; docs/adr/0012-admin-least-privilege.md):
each add, change and delete made in the admin writes ADMIN_ADD / ADMIN_CHANGE / ADMIN_DELETE
in the same transaction, with the changed fields before and after as plain values (never a
password hash or other secret); a change to a field that decides who can see or do what (a
model admin's `access_fields`) also writes ACCESS_CHANGE, and a password set here writes
PASSWORD_SET_BY_ADMIN. A model admin that says why something may not be deleted
(`delete_refused`) refuses it with that reason, on its delete page and in "delete selected".

It is part of the service (issue 14): branded with the service's name, its lists named in the
governance team's words (the third-party models' names are set in PortalAdminConfig.ready, as
they cannot be set in their Meta here), and its widgets named for assistive technology
(tabular inline fields and split date-and-time boxes here; autocomplete boxes by
static/portal/admin.js, loaded with static/portal/admin.css by templates/admin/base_site.html).

Installed in place of "django.contrib.admin" in INSTALLED_APPS.
"""

import contextlib
import functools

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import (
    AdminSplitDateTime,
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import router, transaction
from django.utils.text import capfirst

from .audit_values import snapshot


class PortalChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            # The date hierarchy makes a datetime of ?created_at__year=...: a number beyond a C
            # long overflows, and year 9999 overflows when it asks for the year after.
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            super().get_results(request)
        except (ValueError, OverflowError) as error:
            # A time at the very ends of the calendar (?attempt_time__gte=0001-01-01
            # 00:00+05:00) filters well but overflows when SQLite's adapter turns it into UTC.
            raise IncorrectLookupParameters(error) from error


def _initial_value(field, value):
    """`value` from a query string as the field's form shows it; ValidationError (or
    ValueError) if the field cannot read it, or it is out of the field's range (a key beyond
    any integer column would fail the query that shows the chosen objects)."""
    if field.many_to_many:
        return [_read(field.target_field, item) for item in value]
    if field.is_relation:
        return _read(field.target_field, value)
    # A datetime as a datetime: the split date-and-time widget cannot show a string.
    return _read(field, value)


def _read(field, value):
    value = field.to_python(value)
    field.run_validators(value)
    return value


def _readable(field, value) -> bool:
    try:
        _read(field, value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


class _ReadableChoicesMixin:
    """An autocomplete box shows the chosen objects by looking their keys up; a form posted
    with a key that is not one ("abc" for a person) made that lookup fail when the form was
    shown again with its errors. Such keys are not looked up: the box shows nothing chosen,
    beside the field's own "Select a valid choice" error."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        return super().optgroups(name, [v for v in value if _readable(target, v)], attr)


class _AutocompleteSelect(_ReadableChoicesMixin, AutocompleteSelect):
    pass


class _AutocompleteSelectMultiple(_ReadableChoicesMixin, AutocompleteSelectMultiple):
    def build_attrs(self, base_attrs, extra_attrs=None):
        # No "remove all" cross: select2 puts it inside its list of choices, where a list may
        # hold only items (WCAG 1.3.1); each choice keeps its own remove cross, and Backspace
        # in the search box removes the last.
        return {**super().build_attrs(base_attrs, extra_attrs), "data-allow-clear": "false"}


_READABLE = {
    AutocompleteSelect: _AutocompleteSelect,
    AutocompleteSelectMultiple: _AutocompleteSelectMultiple,
}


class ReadableChoicesMixin:
    """For model admins and inlines: their autocomplete boxes skip keys that are not keys, and
    boxes that Django's admin leaves without a label get an accessible name (WCAG 1.3.1, 4.1.2):
    a field in a tabular inline (whose label is only its column's heading) and the date and
    time boxes of a split date-and-time field (whose label names the pair)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        inner = getattr(widget, "widget", widget)  # inside the admin's "add another" wrapper
        if isinstance(inner, AutocompleteMixin) and type(inner) in _READABLE:
            inner.__class__ = _READABLE[type(inner)]
        if formfield is not None:
            name = capfirst(formfield.label or db_field.verbose_name)
            if isinstance(inner, AdminSplitDateTime):
                inner.widgets[0].attrs["aria-label"] = f"{name}: date"
                inner.widgets[1].attrs["aria-label"] = f"{name}: time"
            elif isinstance(self, admin.TabularInline):
                inner.attrs["aria-label"] = name
        return formfield


class TabularNamesMixin:
    """For tabular inlines: each row's "Delete?" box (labelled only by its column's heading)
    is named after the row it deletes."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not isinstance(self, admin.TabularInline):
            return formset

        def add_fields(this, form, index):
            formset.add_fields(this, form, index)
            if "DELETE" in form.fields:
                row = str(form.instance) if form.instance.pk else f"new row {(index or 0) + 1}"
                form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete {row}"

        return type(formset.__name__, (formset,), {"add_fields": add_fields})


@functools.cache
def _with_mixin(mixin: type, cls: type) -> type:
    """`cls` with `mixin` first, made once per class."""
    return type(cls.__name__, (mixin, cls), {"__module__": cls.__module__})


# --- the audit trail of admin changes ------------------------------------------------------------


def _stored(obj):
    """The object as the database now holds it (an action may have saved another copy)."""
    if obj.pk is None:
        return obj
    return type(obj)._base_manager.filter(pk=obj.pk).first() or obj


def _empty(value):
    """What a field held before the object was added: nothing, no one, off."""
    if isinstance(value, list):
        return []
    return False if isinstance(value, bool) else None


def _inline_changes(message) -> bool:
    """Django's change message names inline rows added, changed or deleted."""
    if not isinstance(message, list):
        return False
    return any("name" in part for entry in message for part in entry.values())


class AuditedAdminMixin:
    """Audit events for the admin's adds, changes and deletes (see the module's docstring).

    A model admin lists in `access_fields` the fields that decide who can see or do what; a
    change to one is also an ACCESS_CHANGE. (Read with getattr: this mixin comes first in every
    registered admin's bases, so a class attribute here would hide the admin's own.)"""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            # What the object held before the post changed it (compared in log_change).
            before = getattr(request, "_admin_before", {})
            before[(obj._meta.label, obj.pk)] = (snapshot(obj), getattr(obj, "password", None))
            request._admin_before = before
        return obj

    # Django's add, change and delete views already run in a transaction (ModelAdmin's
    # changeform_view and delete_view), so the events written by the log_* methods below are
    # in it; a bulk action's are not, hence:
    def response_action(self, request, queryset):
        # A bulk action (delete selected, approve selected...) and its audit events: together.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)

    def _record(self, request, verb, obj, **kwargs):
        from . import audit

        audit.record(by=request.user, verb=verb, obj=obj, request=request, **kwargs)

    def _record_access(self, request, obj, before, after):
        from . import audit

        audit.record_access_change(
            by=request.user,
            obj=obj,
            before=before,
            after=after,
            fields=getattr(self, "access_fields", ()),
            request=request,
        )

    def log_addition(self, request, obj, message):
        from .audit import AuditVerb

        entry = super().log_addition(request, obj, message)
        stored = _stored(obj)
        after = snapshot(stored)
        self._record(request, AuditVerb.ADMIN_ADD, stored, after=after)
        self._record_access(
            request, stored, {name: _empty(after.get(name)) for name in after}, after
        )
        if getattr(stored, "password", None) and stored.has_usable_password():
            self._record(request, AuditVerb.PASSWORD_SET_BY_ADMIN, stored)
        return entry

    def log_change(self, request, obj, message):
        from .audit import AuditVerb

        entry = super().log_change(request, obj, message)
        if getattr(obj, "_admin_not_saved", False):
            return entry  # the action refused the change: nothing was changed
        stored = _stored(obj)
        after = snapshot(stored)
        found = getattr(request, "_admin_before", {}).get((obj._meta.label, obj.pk))
        if found is None:
            # Saved without opening the object first (an editable change list): what it holds
            # now, and Django's message of what changed.
            self._record(
                request,
                AuditVerb.ADMIN_CHANGE,
                stored,
                after=after,
                comment=entry.get_change_message() if entry is not None else "",
            )
            return entry
        before, password = found
        changed = [name for name in after if before.get(name) != after[name]]
        if changed or _inline_changes(message):
            self._record(
                request,
                AuditVerb.ADMIN_CHANGE,
                stored,
                before={name: before.get(name) for name in changed},
                after={name: after[name] for name in changed},
                comment=entry.get_change_message() if entry is not None else "",
            )
        self._record_access(request, stored, before, after)
        if password != getattr(stored, "password", None):
            self._record(
                request,
                AuditVerb.PASSWORD_SET_BY_ADMIN,
                stored,
                after={"usable": stored.has_usable_password()},
            )
        return entry

    def log_deletions(self, request, queryset):
        from .audit import AuditVerb

        for obj in queryset:
            self._record(request, AuditVerb.ADMIN_DELETE, obj, before=snapshot(obj))
        return super().log_deletions(request, queryset)


# --- deletes that a workflow forbids ------------------------------------------------------------


class WorkflowDeleteMixin:
    """A model admin names why an object may not be deleted (`delete_refused`, "" when it may);
    such objects are refused on the delete page (403, with the reason) and in "delete selected"
    (nothing is deleted; each refusal is listed). Superusers too: the rule is the workflow's.
    (`delete_refused` is looked up, not defined here: this mixin comes first in the bases.)"""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _refusal(self, request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and (reason := _refusal(self, request, obj)):
            raise PermissionDenied(reason)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_selected_unless_refused, name, description)
        return actions


def _refusal(model_admin, request, obj) -> str:
    """Why `obj` may not be deleted ("" if it may)."""
    delete_refused = getattr(model_admin, "delete_refused", None)
    return delete_refused(request, obj) if delete_refused is not None else ""


def _delete_selected_unless_refused(modeladmin, request, queryset):
    refusals = [(obj, reason) for obj in queryset if (reason := _refusal(modeladmin, request, obj))]
    if not refusals:
        return delete_selected(modeladmin, request, queryset)
    for obj, reason in refusals:
        modeladmin.message_user(request, f"{obj}: {reason}", messages.ERROR)
    modeladmin.message_user(request, "Nothing was deleted.", messages.WARNING)
    return None


class PortalModelAdminMixin(WorkflowDeleteMixin, AuditedAdminMixin, ReadableChoicesMixin):
    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            for mixin in (ReadableChoicesMixin, TabularNamesMixin):
                if not isinstance(inline, mixin):
                    inline.__class__ = _with_mixin(mixin, type(inline))
        return inlines

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        return PortalChangeList if changelist is ChangeList else changelist

    def get_changeform_initial_data(self, request):
        usable = {}
        for name, value in super().get_changeform_initial_data(request).items():
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                usable[name] = value  # not a field: the form ignores it
                continue
            if not field.concrete:
                usable[name] = value
                continue
            # A value the field cannot read is left out: the page opens without it.
            with contextlib.suppress(ValidationError, ValueError, TypeError, OverflowError):
                usable[name] = _initial_value(field, value)
        return usable

    def get_object(self, request, object_id, from_field=None):
        # Django looks up a field named "" for "?_to_field=".
        return super().get_object(request, object_id, from_field or None)


class PortalAdminSite(admin.AdminSite):
    """Django's admin site, named as part of the service (SERVICE_NAME, ORGANISATION_NAME)."""

    @property
    def site_header(self) -> str:
        return f"{settings.SERVICE_NAME}: admin"

    @property
    def site_title(self) -> str:
        return f"{settings.SERVICE_NAME} admin"

    @property
    def index_title(self) -> str:
        return f"Records and settings of {settings.ORGANISATION_NAME}"

    def has_permission(self, request):
        """Django's rule (an active staff account), and for whoever must have two-step
        verification (governance officers and superusers while MFA_REQUIRED is on), a session
        that has passed it (issue 13). TwoStepMiddleware sends them to enter the code first;
        this holds even where the middleware is not in the way."""
        from ics_portal import mfa

        if not super().has_permission(request):
            return False
        return mfa.satisfied(request) or not mfa.required_for(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PortalModelAdminMixin):
            admin_class = _with_mixin(PortalModelAdminMixin, admin_class)
        super().register(model_or_iterable, admin_class, **options)

    def password_change(self, request, extra_context=None):
        """A staff member's own password, changed on the admin's page (which asks for the old
        one): PASSWORD_CHANGE, in the same transaction. (Setting someone else's password is
        the user admin's, for superusers only: PASSWORD_SET_BY_ADMIN.)"""
        from . import audit

        with transaction.atomic():
            before = getattr(request.user, "password", None)
            response = super().password_change(request, extra_context)
            if request.method == "POST" and getattr(request.user, "password", None) != before:
                audit.record(
                    by=request.user,
                    verb=audit.AuditVerb.PASSWORD_CHANGE,
                    obj=request.user,
                    request=request,
                )
        return response


# The admin's names for third-party apps and models, in the governance team's words (the
# portal's own models name themselves in their Meta). Set on the model's options at start-up:
# migrations record a model's Meta as written (`original_attrs`), so this makes none.
THIRD_PARTY_APP_NAMES = {
    "auth": "Roles and permissions",
    "axes": "Sign-in security",
    "django_tasks_database": "Background tasks",
    "otp_static": "Two-step verification: recovery codes",
    "otp_totp": "Two-step verification: authenticator apps",
}
THIRD_PARTY_MODEL_NAMES = {
    "axes.AccessAttempt": ("sign-in lockout count", "sign-in lockout counts"),
    "axes.AccessFailureLog": ("failed sign-in", "failed sign-ins"),
    "axes.AccessLog": ("sign-in", "sign-ins"),
    "django_tasks_database.DBTaskResult": ("background task", "background tasks"),
    "otp_static.StaticDevice": ("set of recovery codes", "sets of recovery codes"),
    "otp_totp.TOTPDevice": ("authenticator app", "authenticator apps"),
}


def name_third_party_models() -> None:
    for label, name in THIRD_PARTY_APP_NAMES.items():
        apps.get_app_config(label).verbose_name = name
    for label, (singular, plural) in THIRD_PARTY_MODEL_NAMES.items():
        opts = apps.get_model(label)._meta
        opts.verbose_name, opts.verbose_name_plural = singular, plural


class PortalAdminConfig(AdminConfig):
    default_site = "ics_portal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        name_third_party_models()
