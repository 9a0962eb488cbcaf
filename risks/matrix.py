"""The 5×5 scoring grid: the words for each level of likelihood and consequence, and how a
band's colour key is drawn. The bands themselves (names, score ranges, colour keys) are data in
RiskMatrix / RiskBand; nothing here names a band."""

from ics_portal import palette

from .models import SCALE

# NHS/NPSA "A risk matrix for risk managers" descriptors.
LIKELIHOOD_WORDS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
CONSEQUENCE_WORDS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}

LIKELIHOOD_CHOICES = [(n, f"{n} – {LIKELIHOOD_WORDS[n]}") for n in SCALE]
CONSEQUENCE_CHOICES = [(n, f"{n} – {CONSEQUENCE_WORDS[n]}") for n in SCALE]


# How a band's colour key is drawn (tag modifier, solid fill, light tint) comes from the one
# palette, which holds every hex value; an unknown key is drawn grey.
ColourStyle = palette.Colour
colour_style = palette.colour
