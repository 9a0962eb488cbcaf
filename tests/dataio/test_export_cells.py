"""Every cell of every export is safe to open in a spreadsheet: on data whose every text field
starts with a formula character, no cell of any sheet of any export kind (taken from the
registry, exporters.EXPORT_KINDS, so a new kind is covered without touching this file), in
any of its formats, is a formula or text that a spreadsheet would run as one. Headings,
titles and subtitles included (issue 13)."""

import csv
import io
import itertools
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.functions import Concat, Substr
from openpyxl import load_workbook

from dataio import exporters
from ics_portal.models import ReportingCycle

PREFIXES = ("=", "+", "-", "@", "\t")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
# Models that no export reads and whose rows must not be rewritten: the audit trail is
# append-only; history rows are copies.
SKIPPED = {"AuditEvent"}


def runs_as_formula(value) -> bool:
    """Text a spreadsheet would evaluate: starts with a formula character and is not just a
    number ("-5" is read as minus five, which is harmless)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value.strip())
    )


def _text_fields(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and not field.primary_key
            and field.name != "password"
        ):
            yield field


def poison_every_text_field() -> int:
    """Put a formula character before every text value in the portal's apps (each field gets
    one of =, +, -, @ and tab, in turn). Returns how many fields were changed."""
    prefixes = itertools.cycle(PREFIXES)
    changed = 0
    for app in settings.PORTAL_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__ in SKIPPED or model.__name__.startswith("Historical"):
                continue
            for field in _text_fields(model):
                prefix = next(prefixes)
                value = Concat(models.Value(prefix), models.F(field.name))
                if field.max_length:
                    value = Substr(value, 1, field.max_length)
                model.objects.exclude(**{f"{field.name}__isnull": True}).update(
                    **{field.name: value}
                )
                changed += 1
    return changed


@pytest.fixture(scope="module")
def _poisoned_once(demo_once, django_db_blocker):
    """The demo data (loaded once for the module, tests/conftest.py) with every text poisoned;
    rolled back with it after the module."""
    with django_db_blocker.unblock():
        assert poison_every_text_field() > 20
        return list(ReportingCycle.objects.order_by("fy_start_year", "quarter"))


@pytest.fixture
def poisoned(_poisoned_once, db):
    return _poisoned_once


def _exports(cycles):
    """(description, Export) for every kind in the registry, every format, and every cycle
    for the kinds that take one."""
    for kind, spec in exporters.EXPORT_KINDS.items():
        for fmt in spec.formats:
            choices = cycles if spec.needs_cycle else [None]
            if kind == "updates":
                choices = [None, *cycles]
            for cycle in choices:
                yield f"{kind} {fmt} {cycle}", exporters.export(kind, fmt=fmt, cycle=cycle)


def _cells(export):
    """(where, value, is_formula) for every cell of every sheet (or every CSV field)."""
    if export.content_type == exporters.CSV:
        text = export.content.decode("utf-8-sig")
        for r, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            for c, value in enumerate(row, start=1):
                yield f"row {r} column {c}", value, False
        return
    assert export.content_type == exporters.XLSX
    book = load_workbook(io.BytesIO(export.content))  # formulas as formulas, not values
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type == "f"


def test_every_cell_of_every_export_is_neutralised(poisoned):
    assert poisoned, "the demo data has reporting cycles"
    found, checked, kinds = [], 0, set()
    for description, export in _exports(poisoned):
        kinds.add(description.split()[0])
        for where, value, is_formula in _cells(export):
            checked += 1
            if is_formula or runs_as_formula(value):
                found.append((description, where, value))
    assert kinds == set(exporters.EXPORT_KINDS)
    assert checked > 1000
    assert found == [], "\n".join(map(repr, found[:30]))


def test_the_poisoned_data_reaches_the_exports(poisoned):
    """The walk above would pass on exports that left the text out: the neutralised text is
    there, marked as text with the apostrophe."""
    cycle = poisoned[-1]
    export = exporters.export("cycle-return", cycle=cycle)
    book = load_workbook(io.BytesIO(export.content))
    theme_headings = [
        sheet["A1"].value for sheet in book.worksheets[1:] if sheet.title != "Golden threads"
    ]
    assert theme_headings
    assert all(
        heading.startswith("'") and runs_as_formula(heading[1:]) for heading in theme_headings
    ), theme_headings
    csv_text = exporters.export("updates", fmt="csv").content.decode("utf-8-sig")
    assert "'=" in csv_text or "'+" in csv_text or "'@" in csv_text
