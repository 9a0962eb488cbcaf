"""The portal's colours: the hex values of each colour key, and the key each delivery status,
workflow state and risk band is drawn with. This is the only place they are written.

They reach every surface from here:
- pages: `static/portal/palette.css` is generated from `stylesheet()` (`python manage.py
  write_palette_css`; a test fails when the file differs), as CSS custom properties and the
  classes that draw bars. Nothing is rendered into a page's own `<style>` (docs/adr/0004);
- NHS.UK tags on pages: `Colour.tag`, the frontend's modifier (it has no "amber");
- Excel: `Colour.fill`, `Colour.tint` and `Colour.on_fill` (dataio/exporters.py);
- the board pack: `pack_stylesheet()` inside the pack's self-contained document, and the status
  bar's SVG fills.

The bottom layer imports no app, so statuses and states are named by their codes here;
ics_portal.status maps its enums onto these keys.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Colour:
    """One colour key: a solid fill (bars, chart points, Excel headings), a light tint (tags
    in the pack, heat-map cells, Excel status cells), dark ink that passes WCAG AA on the tint,
    the text colour that passes on the solid fill, and the NHS.UK tag modifier."""

    key: str
    tag: str
    fill: str
    tint: str
    ink: str
    on_fill: str

    @property
    def edge(self) -> str:
        """A border that shows on a white page: the fill, or the ink where the fill is white."""
        return self.ink if self.fill == "#ffffff" else self.fill


_WHITE_TEXT, _DARK_TEXT = "#ffffff", "#212b32"

# NHS identity colours (https://www.england.nhs.uk/nhsidentity/identity-guidelines/colours/).
COLOURS: dict[str, Colour] = {
    colour.key: colour
    for colour in (
        Colour("green", "green", "#007f3b", "#cce5d8", "#005a2b", _WHITE_TEXT),
        Colour("aqua-green", "aqua-green", "#00a499", "#ccede9", "#00403b", _DARK_TEXT),
        Colour("yellow", "yellow", "#ffeb3b", "#fff59d", "#4d4500", _DARK_TEXT),
        Colour("amber", "orange", "#ed8b00", "#ffdc8e", "#5a3a00", _DARK_TEXT),
        Colour("orange", "orange", "#ed8b00", "#ffdc8e", "#5a3a00", _DARK_TEXT),
        Colour("red", "red", "#d5281b", "#f7d4d1", "#6b140e", _WHITE_TEXT),
        Colour("blue", "blue", "#005eb8", "#bbd4ea", "#002f5c", _WHITE_TEXT),
        Colour("grey", "grey", "#768692", "#dbe0e3", "#384853", _WHITE_TEXT),
        Colour("pale-grey", "grey", "#d8dde0", "#e8edee", "#384853", _DARK_TEXT),
        Colour("white", "white", "#ffffff", "#ffffff", "#212b32", _DARK_TEXT),
    )
}

# The thin rules between table cells (Excel exports; the pack's tables use the same grey).
TABLE_BORDER = "#aeb7bd"

# The colour key of each delivery status code (ics_portal.status.DeliveryStatus).
DELIVERY_STATUS_COLOURS = {
    "NOT_STARTED": "grey",
    "ON_TRACK": "green",
    "AT_RISK": "amber",
    "DELAYED": "red",
    "COMPLETE": "blue",
    "PAUSED": "grey",
}
NO_STATUS_COLOUR = "white"  # an approved update that chose no status
NOT_APPROVED_COLOUR = "pale-grey"  # counted apart: reporting/numbers.py

# Workflow state codes (ics_portal.status.WorkflowState): the tag on a page and the segment of
# a progress bar are the same colour, so "Approved" is green wherever it shows.
WORKFLOW_STATE_COLOURS = {
    "NOT_STARTED": "grey",
    "DRAFT": "yellow",
    "SUBMITTED": "blue",
    "RETURNED": "orange",
    "APPROVED": "green",
    "PUBLISHED": "aqua-green",
}


def colour(key: str | None) -> Colour:
    """The colour of a key (a risk band's colour is data, so any case); unknown keys are grey."""
    return COLOURS.get((key or "").strip().lower(), COLOURS["grey"])


def stylesheet() -> str:
    """static/portal/palette.css: a custom property per colour (its solid fill), and the
    classes that colour the progress bars' segments."""
    lines = [
        "/* Generated from ics_portal/palette.py by `python manage.py write_palette_css`.",
        "   Do not edit: change the palette module and generate again. */",
        ":root {",
    ]
    lines += [f"  --app-colour-{c.key}: {c.fill};" for c in COLOURS.values()]
    lines.append("}")
    for state, key in WORKFLOW_STATE_COLOURS.items():
        lines.append(
            f".app-progress__segment--{state.lower()} {{ fill: var(--app-colour-{key}); }}"
        )
    return "\n".join(lines) + "\n"


def pack_stylesheet() -> str:
    """The board pack's colour rules: a tag and a heat-map cell per colour key. The pack is one
    self-contained document (its PDF is made from it and its HTML is frozen when published),
    so these go inside it rather than in a linked file."""
    rules = []
    for c in COLOURS.values():
        rules.append(
            f".tag--{c.key} {{ color: {c.ink}; border-color: {c.edge}; background: {c.tint}; }}"
        )
        rules.append(f".cell--{c.key} {{ background: {c.tint}; }}")
    return "\n".join(rules) + "\n"
