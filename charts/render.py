"""Figure → bytes, deterministically.

The same data must give the same bytes, so the app can cache an image by a content hash and
answer ``If-None-Match`` with 304. matplotlib writes a creation date and its version into
PDF and SVG metadata and a "Software" key into PNG; all of those are removed here, the SVG
id salt is fixed (``svg.hashsalt`` in :func:`charts.style.rc`), and every figure is drawn
inside ``matplotlib.rc_context`` so no process-wide rcParams leak in or out.

Figures are always ``matplotlib.figure.Figure`` objects with an Agg canvas, never pyplot's
global state, which is not thread-safe. The canvas is :class:`charts.agg.FigureCanvas`,
which keeps text layouts and glyph bitmaps between figures (same pixels, less work).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape

import matplotlib
import numpy as np

matplotlib.use("Agg", force=False)

from matplotlib.figure import Figure  # noqa: E402

from charts import agg, style  # noqa: E402

FORMATS = ("png", "svg", "pdf")
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


@dataclass(frozen=True)
class AltText:
    """What a screen reader says: a short title and the chart's plain reading."""

    title: str = ""
    description: str = ""


# rc_context swaps matplotlib's process-wide rcParams in and out; two threads of a web server
# inside it at once would restore each other's values mid-render (e.g. the SVG id salt, which
# breaks byte-for-byte determinism). One re-entrant lock serialises the blocks; the GIL
# serialises most of the work anyway, so threads lose no throughput.
_RC_LOCK = threading.RLock()


@contextlib.contextmanager
def context(sz: style.Size) -> Iterator[None]:
    """learnnet's rcParams while a figure is built or saved (nothing global changes after
    the block ends; safe to use from several threads)."""
    with _RC_LOCK, matplotlib.rc_context(style.rc(sz)):
        yield


def new_figure(sz: style.Size) -> Figure:
    """A blank figure of the given size with an Agg canvas (for text measurement)."""
    fig = Figure(figsize=(sz.width, sz.height), dpi=sz.dpi)
    agg.FigureCanvas(fig)
    return fig


def metadata(fmt: str, alt: AltText | None) -> dict:
    """Metadata for ``savefig``: no dates, no software versions; the alt text where the
    format has a place for it."""
    alt = alt or AltText()
    if fmt == "png":
        md = {"Software": None}
        if alt.title:
            md["Title"] = alt.title
        if alt.description:
            md["Description"] = alt.description
        return md
    if fmt == "svg":
        # <title>/<desc> are inserted by _svg_accessible; the RDF block stays minimal.
        return {"Date": None, "Creator": None, "Format": None, "Type": None}
    if fmt == "pdf":
        md = {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None}
        if alt.title:
            md["Title"] = alt.title
        if alt.description:
            md["Subject"] = alt.description
        return md
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def figure_bytes(fig: Figure, fmt: str, sz: style.Size, alt: AltText | None = None) -> bytes:
    """Save ``fig`` as PNG, SVG or PDF and return the bytes.

    PNG is written at the size's dpi; SVG and PDF are vector (their dpi only affects
    rasterised parts, of which learnnet draws none).
    """
    fmt = fmt.lower()
    md = metadata(fmt, alt)
    buf = io.BytesIO()
    with context(sz):
        if fmt == "png":
            _save_png(fig, buf, sz, md)
        else:
            fig.savefig(buf, format=fmt, dpi=sz.dpi, metadata=md)
    data = buf.getvalue()
    if fmt == "svg":
        data = _svg_accessible(data, alt)
    return data


def _save_png(fig: Figure, buf: io.BytesIO, sz: style.Size, md: dict) -> None:
    """PNG as opaque RGB, every row unfiltered, zlib level 3.

    The figure is opaque, so the alpha channel matplotlib writes is dead weight. Charts are
    mostly flat colour, which deflate packs well as it is: unfiltered rows give files about
    12 % smaller than Pillow's adaptive per-row filters and take a third of the time (and
    level 3 is about 30 % faster than matplotlib's level 6 for about the same size). An
    8-bit palette would be 3× smaller, but PIL's fast quantiser shifts white to off-white
    and the exact one costs more than it saves."""
    if fig.dpi != sz.dpi:
        fig.set_dpi(sz.dpi)
    fig.canvas.draw()
    buf.write(png_bytes(np.asarray(fig.canvas.buffer_rgba()), sz.dpi, md))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_text(key: str, value: str) -> bytes:
    """A tEXt chunk, or iTXt (UTF-8) when the value is not Latin-1, as Pillow writes them."""
    try:
        return _png_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1"))
    except UnicodeEncodeError:
        # keyword, no compression (flag, method), no language tag, no translated keyword
        return _png_chunk(b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + value.encode("utf-8"))


def png_bytes(rgba: np.ndarray, dpi: float, md: dict | None = None) -> bytes:
    """An 8-bit RGB PNG of an (height, width, 4) RGBA array, alpha dropped; ``md`` gives
    text chunks (None values are left out) and ``dpi`` the pHYs chunk."""
    h, w = rgba.shape[:2]
    rows = np.empty((h, 1 + 3 * w), np.uint8)
    rows[:, 0] = 0  # filter type None
    rgb = rows[:, 1:].reshape(h, w, 3)  # a view
    for c in range(3):  # channel by channel: ~4× faster than [..., :3]
        rgb[..., c] = rgba[..., c]
    ppm = int(dpi / 0.0254 + 0.5)  # pixels per metre
    parts = [
        b"\x89PNG\r\n\x1a\n",
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)),
        _png_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
    ]
    parts += [_png_text(k, v) for k, v in (md or {}).items() if v is not None]
    parts += [_png_chunk(b"IDAT", zlib.compress(rows, 3)), _png_chunk(b"IEND", b"")]
    return b"".join(parts)


def _svg_accessible(data: bytes, alt: AltText | None) -> bytes:
    """Insert ``<title>`` and ``<desc>`` as the first children of ``<svg>`` and point
    ``aria-labelledby`` at them (WAI-ARIA graphics: role="img")."""
    if alt is None or not (alt.title or alt.description):
        return data
    text = data.decode("utf-8")
    start = text.find("<svg")
    end = text.find(">", start)
    if start < 0 or end < 0:
        return data
    # ids derived from the content keep output deterministic and unique when several
    # charts are inlined in one page
    key = hashlib.sha1(f"{alt.title}\x00{alt.description}".encode()).hexdigest()[:10]
    ids = []
    children = []
    if alt.title:
        ids.append(f"t{key}")
        children.append(f'<title id="t{key}">{escape(alt.title)}</title>')
    if alt.description:
        ids.append(f"d{key}")
        children.append(f'<desc id="d{key}">{escape(alt.description)}</desc>')
    tag = text[start:end]
    if tag.endswith("/"):
        return data
    tag += f' role="img" aria-labelledby="{" ".join(ids)}"'
    text = text[:start] + tag + ">\n " + "\n ".join(children) + text[end + 1 :]
    return text.encode("utf-8")


def content_hash(data: bytes) -> str:
    """A strong ETag value for rendered bytes."""
    return hashlib.sha256(data).hexdigest()


@functools.cache
def drawing_version() -> str:
    """Changes whenever the drawing does: a hash of this package's source and matplotlib's
    version. A cache tag made from a chart's data alone would outlive a new look of the chart."""
    h = hashlib.sha256(matplotlib.__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
