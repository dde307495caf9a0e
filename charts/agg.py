"""matplotlib's Agg renderer with text work kept between figures.

Text is most of the cost of a chart PNG: per string matplotlib shapes it (``FT2Font._layout``,
``set_text``) and rasterises every glyph with FreeType, in every new figure again (its own
metrics cache belongs to one renderer). Charts repeat most of their strings (month labels,
tick values, the legend, the footnote), so :class:`Renderer` keeps, for the whole process,

* the metrics of a string (width, height, descent) and its layout (which glyph where),
  keyed by the string, the font files, size, dpi, hinting and shaping options;
* glyph bitmaps, keyed by glyph, font, size, dpi, hinting, antialiasing, rotation and the
  glyph's position within its pixel (1/64 px), which is all the bitmap depends on.

It draws the cached bitmaps exactly as matplotlib's ``RendererAgg.draw_text`` draws fresh
ones (same positions, same order, same ``draw_text_image`` calls), so the pixels are the
same to the byte; tests/charts/test_agg.py compares the two. The caches are LRU caches of
bounded size (``functools.lru_cache``, safe to share between threads; FreeType fonts stay
per thread, as matplotlib's ``get_font`` hands them out). Mathtext and TeX go the
uncached way, and so does everything when the matplotlib in use draws text differently
from the version this mirrors (then :data:`ACTIVE` is false).
"""

from __future__ import annotations

import functools
import math

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import FT2Font

try:
    from matplotlib.font_manager import FontPath
    from matplotlib.ft2font import RenderMode
except ImportError:  # matplotlib < 3.11
    FontPath = RenderMode = None

# What the cached drawing reproduces: matplotlib ≥ 3.11 draws each glyph on its own at its
# sub-pixel position (RendererAgg._draw_text_glyphs_and_boxes).
ACTIVE = (
    FontPath is not None
    and RenderMode is not None
    and all(hasattr(FT2Font, name) for name in ("_layout", "_render_glyph", "_set_transform"))
    and hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")
)

# Bounds (least recently used entries go first). A process drawing all four sizes of 30
# charts keeps ~400 strings and ~7,000 glyphs, about 6 MB in all.
STRINGS = 4096  # metrics and layouts of this many strings (≤ 1 kB each)
GLYPHS = 16384  # glyph bitmaps (≈ 0.9 kB each with their keys): ≤ 15 MB


_FAMILY_LISTS = ("font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace")
_FONTS: dict[tuple, tuple] = {}


def _fonts(prop) -> tuple:
    """The font files (with fallbacks) that matplotlib uses for ``prop``
    (``fontManager._find_fonts_by_props``), kept by the properties' values, the rcParams'
    family lists and the number of fonts known (``addfont``)."""
    key = (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size(),
        prop.get_file(),
        tuple(tuple(mpl.rcParams[k]) for k in _FAMILY_LISTS),
        len(fontManager.ttflist),
    )
    fonts = _FONTS.get(key)
    if fonts is None:
        fonts = tuple(fontManager._find_fonts_by_props(prop))
        if len(_FONTS) >= 256:
            _FONTS.clear()
        _FONTS[key] = fonts
    return fonts


def _font_options() -> tuple:
    return mpl.rcParams["text.kerning_factor"], mpl.rcParams["font.enable_last_resort"]


def _font(fonts: tuple, size: float, dpi: float) -> FT2Font:
    """This thread's FreeType font for ``fonts``, cleared and sized
    (as ``RendererAgg._prepare_font``)."""
    font = get_font(fonts)
    font.clear()
    font.set_size(size, dpi)
    return font


@functools.lru_cache(maxsize=STRINGS)
def _metrics(
    s: str, fonts: tuple, size: float, dpi: float, flags, options: tuple
) -> tuple[float, float, float]:
    """(width, height, descent) in pixels, as ``RendererAgg.get_text_width_height_descent``."""
    font = _font(fonts, size, dpi)
    font.set_text(s, 0.0, flags=flags)
    w, h = font.get_width_height()
    d = font.get_descent()
    return w / 64.0, h / 64.0, d / 64.0


@functools.lru_cache(maxsize=256)
def _height_metrics(
    fonts: tuple, size: float, dpi: float, options: tuple
) -> tuple[float | None, float | None, float | None]:
    """(ascent, descent, line gap) of the font in pixels from its OS/2 or hhea table, as
    ``Text._get_layout`` reads them when the renderer does not give them."""
    font = get_font(fonts)
    for table_name, linegap_key, ascent_key, descent_key in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * size * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[linegap_key] * scale
    return None, None, None


@functools.lru_cache(maxsize=STRINGS)
def _layout(
    s: str, fonts: tuple, size: float, dpi: float, flags, features, language, options: tuple
) -> tuple[tuple[str, int, int, float, float], ...]:
    """(font file, face index, glyph index, x, y) of each glyph of ``s``, as
    ``FT2Font._layout`` places them."""
    items = _font(fonts, size, dpi)._layout(s, flags=flags, features=features, language=language)
    return tuple(
        (item.ft_object.fname, item.ft_object.face_index, item.glyph_index, item.x, item.y) for item in items
    )


@functools.lru_cache(maxsize=GLYPHS)
def _glyph(
    fname: str,
    face_index: int,
    size: float,
    dpi: float,
    index: int,
    flags,
    antialiased: bool,
    matrix: tuple[int, int, int, int],
    fx: int,
    fy: int,
) -> tuple[np.ndarray, int, int]:
    """A glyph's coverage bitmap and its left and top pixel, rendered with its origin at
    (fx, fy) 64ths of a pixel; at (fx + 64 i, fy + 64 j) the same bitmap lies i pixels
    further right and j pixels further up."""
    font = get_font(FontPath(fname, face_index))
    font.set_size(size, dpi)
    font._set_transform(np.array(matrix).reshape(2, 2), [fx, fy])
    bitmap = font._render_glyph(index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
    buffer = np.array(bitmap.buffer)
    if not antialiased:
        buffer *= 0xFF
    return buffer, bitmap.left, bitmap.top


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    return v


class Renderer(RendererAgg):
    """``RendererAgg`` whose text metrics, layouts and glyph bitmaps come from the
    process-wide caches above (same pixels)."""

    def _get_font_height_metrics(self, prop):
        # Text._get_layout asks the renderer first (the PDF and PS backends answer for AFM
        # fonts) and otherwise reads the font's tables itself, at the figure's dpi, which
        # is the renderer's whenever the figure is drawn on this canvas.
        if not ACTIVE:
            return None, None, None
        return _height_metrics(_fonts(prop), prop.get_size_in_points(), self.dpi, _font_options())

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath or not ACTIVE:
            return super().get_text_width_height_descent(s, prop, ismath)
        return _metrics(
            s, _fonts(prop), prop.get_size_in_points(), self.dpi, get_hinting_flag(), _font_options()
        )

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not ACTIVE:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = get_hinting_flag()
        size = prop.get_size_in_points()
        dpi = self.dpi
        items = _layout(
            s,
            _fonts(prop),
            size,
            dpi,
            flags,
            _hashable(mtext.get_fontfeatures()) if mtext is not None else None,
            _hashable(mtext.get_language()) if mtext is not None else None,
            _font_options(),
        )
        # the arithmetic of RendererAgg._draw_text_glyphs_and_boxes, term for term
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        matrix = tuple(
            (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]])
            .round()
            .astype(int)
            .ravel()
            .tolist()
        )
        antialiased = bool(gc.get_antialiased())
        height = self.height
        bottom = int(height)
        draw = self._renderer.draw_text_image
        for fname, face_index, index, dx, dy in items:
            tx = round(0x40 * (x + dx * cos - dy * sin))
            ty = round(0x40 * (height - y + dx * sin + dy * cos))
            buffer, left, top = _glyph(
                fname, face_index, size, dpi, index, flags, antialiased, matrix, tx & 63, ty & 63
            )
            draw(buffer, left + (tx >> 6), bottom - (top + (ty >> 6)) + buffer.shape[0], 0, gc)


class FigureCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with :class:`Renderer`."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = Renderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def cache_info() -> dict[str, object]:
    """Hits, misses and sizes of the three caches (for benchmarks)."""
    return {"metrics": _metrics.cache_info(), "layout": _layout.cache_info(), "glyphs": _glyph.cache_info()}


def clear_caches() -> None:
    _FONTS.clear()
    for f in (_height_metrics, _metrics, _layout, _glyph):
        f.cache_clear()
