"""Finding the objects an import file names by their natural keys: people by email, themes and
golden threads by name (or alias or number), workstreams by code or name, BAF risks by
reference, organisations by short name or name, roles by name.

Each kind is loaded once per import (one query), so a 5,000-row file costs no query per
reference. An unknown name is an error that says what to do, never a guess.
"""

from django.contrib.auth.models import Group
from django.db.models import Model

from ics_portal.models import Organisation, User
from ics_portal.roles import ALL_ROLES
from risks.models import BAFRisk
from workstreams.models import GoldenThread, Theme, Workstream

from .parsing import normalise_key


def natural_key(obj: Model) -> str:
    """How an import file names `obj`."""
    if isinstance(obj, User):
        return obj.email
    if isinstance(obj, Workstream):
        return obj.code
    if isinstance(obj, BAFRisk):
        return obj.reference
    if isinstance(obj, GoldenThread):
        return str(obj.number)
    if isinstance(obj, Organisation):
        return obj.short_name
    if isinstance(obj, Group):
        return obj.name
    return str(obj)


class Lookups:
    def __init__(self):
        self._tables: dict[str, dict[str, Model]] = {}

    def table(self, kind: str) -> dict[str, Model]:
        if kind not in self._tables:
            self._tables[kind] = getattr(self, f"_load_{kind}")()
        return self._tables[kind]

    def find(self, kind: str, text: str) -> Model:
        key = self._key(kind, text)
        found = self.table(kind).get(key)
        if found is None:
            raise ValueError(self._unknown(kind, text))
        return found

    @staticmethod
    def _key(kind: str, text: str) -> str:
        if kind == "risk":
            return BAFRisk.canonical_reference(text)
        if kind == "golden_thread":
            # "2", "2: Clinical, care & professional leadership*" or the name alone.
            head = text.split(":", 1)[0].strip()
            if head.isdigit():
                return head.lstrip("0") or "0"
            return normalise_key(text.rstrip("*"))
        return normalise_key(text)

    @staticmethod
    def _unknown(kind: str, text: str) -> str:
        return {
            "person": f'"{text}" is not the email address of anyone in the portal. Import '
            "people first, or check the spelling",
            "theme": f'"{text}" is not a theme. Import themes first, or check the spelling',
            "golden_thread": f'"{text}" is not a golden thread. Give its number or its name',
            "workstream": f'"{text}" is not the code or name of a workstream',
            "risk": f'"{text}" is not the reference of a BAF risk',
            "organisation": f'"{text}" is not an organisation in the portal. Import '
            "organisations first, or give the short name (for example CUH)",
            "role": f'"{text}" is not a role. Use '
            + ", ".join(f'"{role.group_name}"' for role in ALL_ROLES),
        }[kind]

    # --- tables -------------------------------------------------------------------------------

    def _load_person(self):
        return {normalise_key(u.email): u for u in User.objects.select_related("organisation")}

    def _load_theme(self):
        table, themes = {}, list(Theme.objects.all())
        for theme in themes:
            for alias in theme.aliases or []:
                table.setdefault(normalise_key(alias), theme)
            table[str(theme.number)] = theme
        for theme in themes:  # a name wins over another theme's alias
            table[normalise_key(theme.name)] = theme
        return table

    def _load_golden_thread(self):
        table = {}
        for thread in GoldenThread.objects.all():
            for alias in thread.aliases or []:
                table.setdefault(normalise_key(alias), thread)
            table[normalise_key(thread.name)] = thread
            table[str(thread.number)] = thread
        return table

    def _load_workstream(self):
        table, workstreams = {}, list(Workstream.objects.all())
        for workstream in workstreams:
            table[normalise_key(workstream.name)] = workstream
        for workstream in workstreams:  # a code wins over another workstream's name
            table[normalise_key(workstream.code)] = workstream
        return table

    def _load_risk(self):
        return {risk.reference: risk for risk in BAFRisk.objects.all()}

    def _load_organisation(self):
        table = {}
        for org in Organisation.objects.all():
            table[normalise_key(org.name)] = org
            table[normalise_key(org.short_name)] = org
        return table

    def _load_role(self):
        groups = {
            g.name: g for g in Group.objects.filter(name__in=[r.group_name for r in ALL_ROLES])
        }
        table = {}
        for role in ALL_ROLES:
            group = groups.get(role.group_name)
            if group is not None:
                table[normalise_key(role.group_name)] = group
                table[normalise_key(role.key.replace("_", " "))] = group
        return table
