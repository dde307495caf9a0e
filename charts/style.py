"""The one place that decides how learnnet's charts look.

Colours, fonts, line widths, marker shapes and output sizes live here; figure modules ask
this module and never pick a colour of their own.

Palette: Okabe & Ito (2008), "Color Universal Design", which stays distinguishable for the
common colour-vision deficiencies. Improvement is blue and concern is orange, as in NHS
England's "Making Data Count" icons; the two also differ strongly in lightness, so they
still separate when a chart is printed in greyscale. Every signal also has its own marker
shape, so colour is never the only carrier of meaning.

Fonts: DejaVu Sans, which ships with matplotlib, so output does not depend on the fonts
installed on the server (and image baselines stay stable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

# --- Okabe–Ito colours -------------------------------------------------------------------
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

# --- roles ---------------------------------------------------------------------------------
INK = "#222222"  # titles and important text
TEXT = "#333333"  # ordinary text
MUTED = "#666666"  # subtitles, footnotes, tick labels
DATA = "#3C3C3C"  # the data line and ordinary points
GRID = "#E6E6E6"
AXIS = "#9A9A9A"
CENTRE = "#3C3C3C"  # centre line
LIMIT = "#8A8A8A"  # 3-sigma limits
LIMIT_BAND = "#EDEDED"  # shaded band between the 3-sigma limits
LIMIT_INNER = "#B5B5B5"  # 2-sigma limits
PHASE_BREAK = "#7A7A7A"
ANNOTATION = "#444444"  # intervention and PDSA markers
TARGET = BLUISH_GREEN
COUNTERFACTUAL = REDDISH_PURPLE
FITTED = SKY_BLUE  # a model's line (segmented regression), lighter than the data in greyscale
IMPACT_WINDOW = "#F3E6EE"  # the months an effect is averaged over, a light counterfactual tint
BACKGROUND = "#FFFFFF"

SIGNAL_COLOURS: Mapping[str, str] = {
    "improvement": BLUE,
    "concern": ORANGE,
    "neutral": REDDISH_PURPLE,
}
# Text drawn on a filled icon of that class (contrast ≥ 4.5:1 on each).
ON_SIGNAL_COLOURS: Mapping[str, str] = {
    "improvement": "#FFFFFF",
    "concern": "#000000",
    "neutral": "#000000",
    "common": "#FFFFFF",
}
COMMON_CAUSE = "#7F7F7F"  # grey icons for common-cause variation / hit-and-miss

# The bars of the count of teams with a signal, bottom up: improvement, concern, neither, no value.
# In greyscale they read dark, middle, light and white (outlined), in that order.
SIGNAL_GROUP_COLOURS: Mapping[str, str] = {
    "improvement": BLUE,
    "concern": ORANGE,
    "neither": "#D0D0D0",
    "missing": BACKGROUND,
}
ON_SIGNAL_GROUP_COLOURS: Mapping[str, str] = {
    "improvement": "#FFFFFF",
    "concern": "#000000",
    "neither": "#000000",
    "missing": TEXT,
}
SIGNAL_GROUP_EDGE = AXIS  # the outline of the "no value" bars

# Marker shape per signal kind (the shape names the kind, the colour names the class).
SIGNAL_MARKERS: Mapping[str, str] = {
    "outside": "D",  # a point outside the 3-sigma limits
    "shift": "s",  # part of a shift / unusually long run
    "trend": "^",  # part of a trend
    "two_of_three": "p",  # two of three beyond 2 sigma
    "run": "s",  # synonym used by some rule sets
}
SIGNAL_PRIORITY = ("outside", "two_of_three", "shift", "run", "trend")

ANNOTATION_MARKERS: Mapping[str, str] = {"intervention": "v", "pdsa": "d", "event": "o"}
ANNOTATION_LINESTYLES: Mapping[str, tuple] = {
    "intervention": (0, (4, 2)),
    "pdsa": (0, (1, 2)),
    "event": (0, (1, 2)),
}

# --- fonts and lines -----------------------------------------------------------------------
FONT_FAMILY = "DejaVu Sans"


@dataclass(frozen=True)
class Size:
    """An output size: inches, dots per inch and a base font size in points.

    Font sizes scale with the base so a slide is readable from the back of a room
    (tick labels on a 1920×1080 slide are about 27 px high, 2.5 % of the screen).
    """

    name: str
    width: float
    height: float
    dpi: float
    base_pt: float

    @property
    def pixels(self) -> tuple[int, int]:
        # matplotlib truncates the canvas size to whole pixels
        return int(self.width * self.dpi + 1e-9), int(self.height * self.dpi + 1e-9)

    def pt(self, role: str) -> float:
        """Font size in points for a text role."""
        return self.base_pt * FONT_SCALE[role]

    def lw(self, role: str) -> float:
        """Line width in points for a line role."""
        return self.base_pt / 10.0 * LINE_SCALE[role]

    def ms(self, role: str) -> float:
        """Marker size in points for a marker role."""
        return self.base_pt / 10.0 * MARKER_SCALE[role]


FONT_SCALE: Mapping[str, float] = {
    "title": 1.45,
    "subtitle": 1.05,
    "axis": 1.0,
    "tick": 1.0,
    "value": 1.0,  # centre-line, limit and target labels
    "phase": 1.0,
    "annotation": 0.95,
    "legend": 0.95,
    "footnote": 0.85,
    "panel": 1.0,
    "body": 1.0,
}
LINE_SCALE: Mapping[str, float] = {
    "data": 1.6,
    "centre": 1.5,
    "limit": 1.2,
    "limit_inner": 0.9,
    "target": 1.6,
    "phase": 1.1,
    "annotation": 1.0,
    "counterfactual": 1.6,
    "fitted": 2.2,
    "axis": 0.8,
    "highlight": 7.0,
}
MARKER_SCALE: Mapping[str, float] = {
    "point": 4.2,
    "signal": 7.5,
    "annotation": 6.0,
    "funnel": 6.5,
}

SIZES: Mapping[str, Size] = {
    # a chart in a web page column (800 × 450 px)
    "web": Size("web", 8.0, 4.5, 100, 11.0),
    # a 4:3 tablet held on the ward (1024 × 768 px)
    "tablet": Size("tablet", 8.0, 6.0, 128, 12.0),
    # a full-screen 16:9 slide for the projector (1920 × 1080 px)
    "slide": Size("slide", 1920 / 144, 7.5, 144, 17.0),
    # an A4 landscape page (also the pack's page size)
    "a4": Size("a4", 11.69, 8.27, 150, 13.0),
}

HIGHLIGHT_ALPHA = 0.22


def size(name_or_size: str | Size) -> Size:
    """Look up a named size (web, tablet, slide, a4) or pass a Size through."""
    if isinstance(name_or_size, Size):
        return name_or_size
    try:
        return SIZES[name_or_size]
    except KeyError:
        raise ValueError(f"unknown size {name_or_size!r}; choose one of {', '.join(SIZES)}") from None


def rc(sz: Size) -> dict:
    """matplotlib rcParams for every learnnet figure (use inside ``rc_context``)."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY],
        "font.size": sz.base_pt,
        "text.color": TEXT,
        "axes.edgecolor": AXIS,
        "axes.labelcolor": TEXT,
        "axes.linewidth": sz.lw("axis"),
        "axes.titlesize": sz.pt("panel"),
        "axes.unicode_minus": True,
        "xtick.color": AXIS,
        "ytick.color": AXIS,
        "xtick.labelcolor": MUTED,
        "ytick.labelcolor": MUTED,
        "xtick.labelsize": sz.pt("tick"),
        "ytick.labelsize": sz.pt("tick"),
        "xtick.major.width": sz.lw("axis"),
        "ytick.major.width": sz.lw("axis"),
        "xtick.major.size": sz.base_pt * 0.3,
        "ytick.major.size": 0,
        "xtick.minor.size": sz.base_pt * 0.15,
        "figure.facecolor": BACKGROUND,
        "savefig.facecolor": BACKGROUND,
        "lines.solid_capstyle": "butt",
        "lines.dash_capstyle": "butt",
        "svg.hashsalt": "learnnet",
        "svg.fonttype": "path",
        # Type 3 (matplotlib's default): a chart PDF in ~80 ms; Type 42 embedding costs
        # ~0.3 s more per file in font subsetting. Text stays extractable (ToUnicode).
        "pdf.fonttype": 3,
        "pdf.compression": 6,
        "path.simplify": True,
        "hatch.linewidth": 0.8,
    }
