"""A team's monthly numbers: the months they belong to (:mod:`.periods`), the value a month is
plotted at (:mod:`.values`), and recording them — the rules a month must pass and the one write
path every change goes through (:mod:`.recording`)."""
