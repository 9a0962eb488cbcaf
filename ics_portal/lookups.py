"""Query lookups the portal adds to Django's.

Django (since 5.0, ticket #27397) answers `id=99999999999999999999` with no rows instead of
an OverflowError from SQLite, but not `id__in=[...]`: every ModelMultipleChoiceField checks
the chosen keys with `__in`, so a form posting `themes=99999999999999999999` (or an admin
page asked for such an initial value) was a server error on SQLite. Values no integer
column can hold match no row; `IntegerFieldIn` leaves them out, as Django's own lookups do.
Registered on IntegerField (and so on every auto and foreign key column) by
ics_portal.apps.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        # An empty list is Django's EmptyResultSet: no rows.
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
