"""The admin site: Django's own, except that a value in a URL or query string that the admin
cannot use is never a server error. A change list's filter that cannot be applied is
answered as Django answers other bad filters (the list again, unfiltered, at "?e=1"); an
add page's initial value (?embargo_until=..., ?leads=1,2) that its field cannot read is left
out; a posted key that is not one (a person "abc") is not looked up to redisplay the choice
in an autocomplete box; "?_to_field=" (empty) is no field. This covers every registered
model admin and its inlines, the portal's and the third-party ones (sign-in attempts, task
results) alike.

Installed in place of "django.contrib.admin" in INSTALLED_APPS.
"""

import contextlib
import functools

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import FieldDoesNotExist, ValidationError


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
    pass


_READABLE = {
    AutocompleteSelect: _AutocompleteSelect,
    AutocompleteSelectMultiple: _AutocompleteSelectMultiple,
}


class ReadableChoicesMixin:
    """For model admins and inlines: their autocomplete boxes skip keys that are not keys."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        inner = getattr(widget, "widget", widget)  # inside the admin's "add another" wrapper
        if isinstance(inner, AutocompleteMixin) and type(inner) in _READABLE:
            inner.__class__ = _READABLE[type(inner)]
        return formfield


@functools.cache
def _with_mixin(mixin: type, cls: type) -> type:
    """`cls` with `mixin` first, made once per class."""
    return type(cls.__name__, (mixin, cls), {"__module__": cls.__module__})


class PortalModelAdminMixin(ReadableChoicesMixin):
    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if not isinstance(inline, ReadableChoicesMixin):
                inline.__class__ = _with_mixin(ReadableChoicesMixin, type(inline))
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


class PortalAdminConfig(AdminConfig):
    default_site = "ics_portal.admin_site.PortalAdminSite"
