"""Columns of import files: django-import-export fields and widgets that read the words people
type in plan spreadsheets and write the same words back on export.

A widget's `clean` returns the value or raises ValueError with a message that completes
"Row 7, Column: ..."; `render` writes a value the way `clean` reads it, so an exported file
re-imports unchanged.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from import_export import fields, widgets

from ics_portal.periods import Quarter
from ics_portal.richtext import html_to_text, sanitise_html
from ics_portal.status import DeliveryStatus, status_from_word

from . import parsing
from .safety import cell_text


class ColumnError(ValueError):
    """A problem in a column other than the field's own (a score's likelihood column)."""

    def __init__(self, column: str, message: str):
        self.column = column
        super().__init__(message)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- widgets ------------------------------------------------------------------------------------


class Text(widgets.Widget):
    def __init__(self, *, required: str = "", max_length: int | None = None, lower=False):
        super().__init__()
        self.required = required
        self.max_length = max_length
        self.lower = lower

    def clean(self, value, row=None, **kwargs):
        raw = cell_text(value).strip()
        if "\n" in raw:
            text = "\n".join(line.strip() for line in raw.splitlines())
        else:
            text = " ".join(raw.split())
        if not text and self.required:
            raise ValueError(self.required)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                f"the text is {len(text)} characters long; the most this column takes is "
                f"{self.max_length}"
            )
        return text.lower() if self.lower else text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class Email(Text):
    def __init__(self, **kwargs):
        super().__init__(lower=True, **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row=row, **kwargs)
        if text:
            try:
                validate_email(text)
            except ValidationError:
                raise ValueError(f'"{text}" is not an email address') from None
        return text


class Number(widgets.Widget):
    def __init__(self, *, required: str = "", minimum: int = 0, maximum: int | None = None):
        super().__init__()
        self.required = required
        self.minimum = minimum
        self.maximum = maximum

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.required:
                raise ValueError(self.required)
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = cell_text(value).strip()
        if not text.lstrip("+-").isdigit():
            raise ValueError(f'"{text}" is not a whole number')
        number = int(text)
        if number < self.minimum or (self.maximum is not None and number > self.maximum):
            if self.maximum is None:
                raise ValueError(f"{number} is less than {self.minimum}")
            raise ValueError(f"{number} is not between {self.minimum} and {self.maximum}")
        return number

    def render(self, value, obj=None, **kwargs):
        return value if value is not None else ""


class YesNo(widgets.Widget):
    def __init__(self, *, default: bool):
        super().__init__()
        self.default = default

    def clean(self, value, row=None, **kwargs):
        return parsing.parse_bool(value, default=self.default)

    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"


class Day(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parsing.parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value if value else ""


class Choice(widgets.Widget):
    """A code from a TextChoices, written as its label or its code."""

    def __init__(self, choices, *, what: str, required: str = "", default=None):
        super().__init__()
        self.choices = choices
        self.what = what
        self.required = required
        self.default = default
        self.by_word = {}
        for code, label in choices.choices:
            self.by_word[parsing.normalise_key(code.replace("_", " "))] = code
            self.by_word[parsing.normalise_key(label)] = code
            self.by_word[parsing.normalise_key(label.replace("/", " "))] = code

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.required:
                raise ValueError(self.required)
            return self.default
        text = cell_text(value).strip()
        for key in (
            parsing.normalise_key(text),
            parsing.normalise_key(text.replace("/", " ")),
            parsing.normalise_key(text.replace("_", " ")),
        ):
            if key in self.by_word:
                return self.by_word[key]
        known = ", ".join(f'"{label}"' for _, label in self.choices.choices)
        raise ValueError(f'"{text}" is not a {self.what}. Use one of {known}')

    def render(self, value, obj=None, **kwargs):
        return self.choices(value).label if value else ""


class Status(widgets.Widget):
    """A delivery status as written in the papers ("On Track", "On-Track", "Work not
    started"); an unknown word is an error, not a guess."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return ""
        return status_from_word(cell_text(value)).value

    def render(self, value, obj=None, **kwargs):
        return DeliveryStatus(value).label if value else ""


class TextList(widgets.Widget):
    """Several short texts in one cell, separated by semicolons or new lines."""

    def clean(self, value, row=None, **kwargs):
        return parsing.split_list(value, commas=False)

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value or [])


class RichText(widgets.Widget):
    """Rich text as a spreadsheet holds it: one paragraph per line, "• " for list items."""

    def clean(self, value, row=None, **kwargs):
        return text_to_html(cell_text(value))

    def render(self, value, obj=None, **kwargs):
        return html_to_cell_text(value)


def text_to_html(text: str) -> str:
    from django.utils.html import escape

    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    parts, items = [], []
    for line in lines:
        if line[0] in "•●▪◦*":
            items.append(f"<li>{escape(line[1:].strip())}</li>")
            continue
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
            items = []
        parts.append(f"<p>{escape(line)}</p>")
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return sanitise_html("".join(parts))


def html_to_cell_text(html: str | None) -> str:
    """Plain text of rich text for a cell, list items marked "• " (read back by RichText)."""
    import re

    if not html:
        return ""
    marked = re.sub(r"<li(\s[^>]*)?>", "<li>• ", html)
    return html_to_text(marked)


class Ref(widgets.Widget):
    """Another object named by its natural key (email, theme name, code, reference)."""

    def __init__(self, finder: str, *, required: str = ""):
        super().__init__()
        self.finder = finder
        self.required = required

    def clean(self, value, row=None, resource=None, **kwargs):
        if is_blank(value):
            if self.required:
                raise ValueError(self.required)
            return None
        return resource.lookups.find(self.finder, cell_text(value).strip())

    def render(self, value, obj=None, **kwargs):
        from .lookups import natural_key

        return natural_key(value) if value is not None else ""


class Refs(widgets.Widget):
    """Several objects named by natural key in one cell."""

    def __init__(self, finder: str, *, commas: bool = True):
        super().__init__()
        self.finder = finder
        self.commas = commas

    def clean(self, value, row=None, resource=None, **kwargs):
        found, problems = [], []
        for item in parsing.split_list(value, commas=self.commas):
            try:
                obj = resource.lookups.find(self.finder, item)
            except ValueError as error:
                problems.append(str(error))
                continue
            if obj not in found:
                found.append(obj)
        if problems:
            raise ValueError("; ".join(problems))
        return found

    def render(self, value, obj=None, **kwargs):
        from .lookups import natural_key

        return "; ".join(natural_key(item) for item in value)


# --- fields -------------------------------------------------------------------------------------


class Col(fields.Field):
    """One column of an import file, read into one attribute of the object."""

    is_m2m = False

    def __init__(
        self,
        attribute,
        header: str,
        widget=None,
        *,
        aliases=(),
        required_column: bool = False,
        hint: str = "",
        example: str = "",
        export=True,
        keep_when_blank: bool = False,
    ):
        super().__init__(attribute=attribute, column_name=header, widget=widget or Text())
        self.keep_when_blank = keep_when_blank
        self.aliases = tuple(aliases)
        self.required_column = required_column
        self.hint = hint
        self.example = example
        self.exportable = export
        self.resource = None

    def headers(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every column this field reads, with the other names that column goes by."""
        return [(self.column_name, self.aliases)]

    def clean(self, row, **kwargs):
        return self.widget.clean(row.get(self.column_name), row=row, resource=self.resource)

    def save(self, instance, row, is_m2m=False, **kwargs):
        if self.keep_when_blank and instance.pk and is_blank(row.get(self.column_name)):
            return  # a blank key cell on a row that matched by another key keeps the value
        setattr(instance, self.attribute, self.clean(row))

    def model_attributes(self) -> list[str]:
        """The model fields this column sets (not re-checked by the model once it failed)."""
        return [self.attribute] if self.attribute else []

    def comparable(self, instance):
        """The value compared to tell "changed" from "unchanged"."""
        return self.get_value(instance)

    def export(self, instance, **kwargs):
        return self.widget.render(self.get_value(instance))


class KeyCol(Col):
    """A column that only finds the object (a cycle, a code); it is never written."""

    def __init__(self, header: str, getter, **kwargs):
        super().__init__(None, header, **kwargs)
        self.getter = getter

    def save(self, instance, row, is_m2m=False, **kwargs):
        return None

    def comparable(self, instance):
        return None

    def export(self, instance, **kwargs):
        return self.getter(instance)


class ManyCol(Col):
    """A column naming several related objects (leads, BAF risks, workstreams)."""

    is_m2m = True

    def save(self, instance, row, is_m2m=False, **kwargs):
        getattr(instance, self.attribute).set(self.clean(row))

    def export(self, instance, **kwargs):
        return self.widget.render(list(getattr(instance, self.attribute).all()))


class RichCol(Col):
    """Rich text, compared as plain text: re-importing an exported cell keeps the stored HTML
    (its formatting) unless the words changed."""

    def __init__(self, attribute, header, **kwargs):
        super().__init__(attribute, header, RichText(), **kwargs)

    def save(self, instance, row, is_m2m=False, **kwargs):
        html = self.clean(row)
        if html_to_text(html) != html_to_text(getattr(instance, self.attribute)):
            setattr(instance, self.attribute, html)

    def comparable(self, instance):
        return html_to_text(getattr(instance, self.attribute))


class TargetQuarterCol(Col):
    """An objective's target quarter ("Q1 2021/22"), stored as financial year and quarter."""

    def __init__(self, header, **kwargs):
        super().__init__("target_quarter", header, **kwargs)

    def clean(self, row, **kwargs):
        value = row.get(self.column_name)
        if is_blank(value):
            return None, None
        try:
            quarter = Quarter.parse(cell_text(value))
        except ValueError as error:
            raise ValueError(str(error).rstrip(".")) from None
        return quarter.fy_start_year, quarter.number

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.target_fy_start_year, instance.target_quarter = self.clean(row)

    def model_attributes(self):
        return ["target_fy_start_year", "target_quarter"]

    def comparable(self, instance):
        return instance.target_fy_start_year, instance.target_quarter

    def export(self, instance, **kwargs):
        return instance.target_label


class DeliveryByCol(Col):
    """A milestone's delivery-by text, kept as written, with the date and precision read from
    it. Text that matches the stored label is left alone, so "by end of Sept" keeps the year
    it was first read in."""

    def __init__(self, header, **kwargs):
        super().__init__("due_date", header, **kwargs)

    def save(self, instance, row, is_m2m=False, **kwargs):
        value = row.get(self.column_name)
        if is_blank(value):
            instance.due_date, instance.due_label = None, ""
            return
        unchanged_label = (
            instance.pk
            and isinstance(value, str)
            and " ".join(value.split()).rstrip(":;.,") == instance.due_label
        )
        if unchanged_label and instance.due_label:
            return
        parsed = parsing.parse_delivery_by(value, reference=self.resource.reference_date)
        instance.due_date = parsed.due_date
        instance.due_precision = parsed.precision
        instance.due_label = parsed.label

    def model_attributes(self):
        return ["due_date", "due_precision", "due_label"]

    def comparable(self, instance):
        return instance.due_date, instance.due_precision, instance.due_label

    def export(self, instance, **kwargs):
        return instance.due_label or parsing.delivery_label(
            instance.due_date, instance.due_precision
        )


BASIS_HEADERS = {
    "initial": ("Year start risk score", "Year start likelihood", "Year start consequence"),
    "current": ("Current risk score", "Current likelihood", "Current consequence"),
    "target": ("Target risk score", "Target likelihood", "Target consequence"),
}
_BASIS_ALIASES = {
    "initial": (
        ("initial risk score", "initial score", "year start score", "year start risk score"),
        ("initial likelihood",),
        ("initial consequence",),
    ),
    "current": (("current score",), ("likelihood",), ("consequence",)),
    "target": (("target score",), (), ()),
}


class ScoreCol(Col):
    """A BAF score: "20 4x5 Red" in one column, or likelihood and consequence in two. Only
    likelihood and consequence are stored; a written score or band must agree with them."""

    def __init__(self, basis: str, **kwargs):
        score_header, self.likelihood_header, self.consequence_header = BASIS_HEADERS[basis]
        score_aliases, self.likelihood_aliases, self.consequence_aliases = _BASIS_ALIASES[basis]
        super().__init__(f"{basis}_score", score_header, aliases=score_aliases, **kwargs)
        self.basis = basis

    def headers(self):
        return [
            (self.column_name, self.aliases),
            (self.likelihood_header, self.likelihood_aliases),
            (self.consequence_header, self.consequence_aliases),
        ]

    def clean(self, row, **kwargs):
        text = row.get(self.column_name)
        likelihood = row.get(self.likelihood_header)
        consequence = row.get(self.consequence_header)
        written = None
        if not is_blank(text):
            written = parsing.parse_score(text, matrix=self.resource.matrix)
        if is_blank(likelihood) and is_blank(consequence):
            return (written.likelihood, written.consequence) if written else None
        pair = []
        for header, value in (
            (self.likelihood_header, likelihood),
            (self.consequence_header, consequence),
        ):
            try:
                pair.append(parsing.parse_scale(value))
            except ValueError as error:
                raise ColumnError(header, str(error)) from None
        if written and (written.likelihood, written.consequence) != tuple(pair):
            raise ValueError(
                f"the score says {written.likelihood}×{written.consequence} but the likelihood "
                f"and consequence columns say {pair[0]}×{pair[1]}"
            )
        return tuple(pair)

    def save(self, instance, row, is_m2m=False, **kwargs):
        pair = self.clean(row)
        if pair is None:
            if instance.pk is None:
                raise ValueError(
                    'Enter the score as likelihood × consequence, for example "20 4x5 Red"'
                )
            return
        setattr(instance, f"{self.basis}_likelihood", pair[0])
        setattr(instance, f"{self.basis}_consequence", pair[1])

    def model_attributes(self):
        return [f"{self.basis}_likelihood", f"{self.basis}_consequence"]

    def comparable(self, instance):
        return (
            getattr(instance, f"{self.basis}_likelihood"),
            getattr(instance, f"{self.basis}_consequence"),
        )

    def export(self, instance, **kwargs):
        likelihood, consequence = self.comparable(instance)
        if likelihood is None:
            return ""
        band = instance.matrix.band_for(likelihood * consequence) if instance.matrix_id else None
        return parsing.format_score(likelihood, consequence, band)
