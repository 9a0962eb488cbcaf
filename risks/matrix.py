"""The 5×5 scoring grid: the words for each level of likelihood and consequence, and how a
band's colour key is drawn. The bands themselves (names, score ranges, colour keys) are data in
RiskMatrix / RiskBand; nothing here names a band."""

from dataclasses import dataclass

from .models import SCALE

# NHS/NPSA "A risk matrix for risk managers" descriptors.
LIKELIHOOD_WORDS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
CONSEQUENCE_WORDS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}

LIKELIHOOD_CHOICES = [(n, f"{n} – {LIKELIHOOD_WORDS[n]}") for n in SCALE]
CONSEQUENCE_CHOICES = [(n, f"{n} – {CONSEQUENCE_WORDS[n]}") for n in SCALE]


@dataclass(frozen=True)
class ColourStyle:
    """How one colour key is drawn: the NHS.UK tag modifier, a solid fill for charts and a
    light tint for heat-map cells (dark text on it passes WCAG AA)."""

    tag: str
    fill: str
    tint: str


# NHS identity palette. Colour keys come from RiskBand.colour; an unknown key is drawn grey.
COLOUR_STYLES = {
    "green": ColourStyle("green", "#007f3b", "#cce5d8"),
    "yellow": ColourStyle("yellow", "#ffeb3b", "#fff59d"),
    "amber": ColourStyle("orange", "#ed8b00", "#ffdc8e"),
    "orange": ColourStyle("orange", "#ed8b00", "#ffdc8e"),
    "red": ColourStyle("red", "#d5281b", "#f7d4d1"),
    "blue": ColourStyle("blue", "#005eb8", "#bbd4ea"),
    "grey": ColourStyle("grey", "#768692", "#dbe0e3"),
}


def colour_style(key: str | None) -> ColourStyle:
    return COLOUR_STYLES.get((key or "").strip().lower(), COLOUR_STYLES["grey"])
