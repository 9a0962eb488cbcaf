"""The admin site: Django's own, except that a change list's filter value that cannot be
applied is answered as Django answers other bad filters (the list again, unfiltered, at
"?e=1"), never with a server error. This covers every registered model admin, the portal's
and the third-party ones (sign-in attempts, task results) alike.

Installed in place of "django.contrib.admin" in INSTALLED_APPS.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


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
            # A date or time at the very ends of the calendar (?created_at__year=1,
            # ?attempt_time__gte=0001-01-01) filters well but overflows when the query turns
            # it into UTC for the database.
            raise IncorrectLookupParameters(error) from error


class PortalChangeListMixin:
    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        return PortalChangeList if changelist is ChangeList else changelist


class PortalAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PortalChangeListMixin):
            admin_class = type(
                admin_class.__name__,
                (PortalChangeListMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class PortalAdminConfig(AdminConfig):
    default_site = "ics_portal.admin_site.PortalAdminSite"
