"""learnnet's charts: matplotlib (Agg) rendering of ``measures`` results.

Knows nothing of Flask or the database: the app passes plain, frozen data objects with every
visible word already translated, and gets bytes back (PNG, SVG or PDF; the same input always
gives the same bytes, so a content hash makes a good ETag).

Entry points, one per figure (``size`` is "web", "tablet", "slide" or "a4"):

* :func:`charts.spc.render_spc` — run and SPC charts (:class:`charts.spc.SpcFigureData`,
  built with :func:`charts.spc.from_measures` from ``measures.spc.compute`` and
  ``measures.rules.evaluate``; the data lives in :mod:`charts.spcdata`, the drawing in
  :mod:`charts.spcdraw`);
* :func:`charts.multiples.render_small_multiples` — one measure across teams, or all
  measures of a team;
* :func:`charts.funnel.render_funnel` — funnel plot (:func:`charts.funnel.from_measures`);
* :func:`charts.matrix.render_matrix` — teams × measures with MDC variation and assurance
  icons (:func:`charts.matrix.cell_from_measures`);
* :func:`charts.pack.render_pack` — the learning-session pack: a multi-page PDF and a ZIP of
  PNGs, on several processes (:func:`~charts.pack.render_pack_pdf` and
  :func:`~charts.pack.render_pack_zip` do one each in the calling process).

Month names and numbers come as text from the app, in the reader's language (Babel's names).

Style (colours, fonts, sizes) lives in :mod:`charts.style` only. Figures get their canvas
and bytes from :mod:`charts.render`; PNGs are drawn by :mod:`charts.agg`, matplotlib's Agg
renderer with text layouts and glyph bitmaps kept between figures.
"""
