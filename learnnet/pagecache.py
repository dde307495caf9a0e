"""Pages kept in memory, rendered once for each state of the data they show.

Some pages are opened far more often than their data changes: a team's entry page on a tablet, a
network's dashboard on a facilitator's laptop. A view that caches its page names it by a key that
holds a *stamp* of the data shown (counts, sums of versions and the latest change times, read in
one query) and everything else that changes the page: the user, the language, the day and the
address with its query string. Any save changes a stamp, so a page from before a save is never
served after it — whichever server or worker made the save.

The stamp is read *before* the data the page is rendered from. A page can then hold data newer
than its stamp (harmless: that stamp is never current again), never data older than it.

Each worker process keeps its own bounded cache (the least recently used page goes first), so
several servers sharing one database need nothing more. A page is never cached or served from the
cache while the session holds flashed messages (a message shows once), and the CSRF token a cached
page carries is replaced by the current session's token on the way out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable

import sqlalchemy as sa
from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import orm

from learnnet import clock
from learnnet.extensions import db
from learnnet.kept import Kept
from learnnet.models import (
    ChartExclusion,
    ChartPhase,
    ChartSettings,
    Intervention,
    MeasureDefinition,
    Measurement,
    Municipality,
    Network,
    Team,
    Unit,
    User,
)

_EXTENSION = "learnnet.pagecache"


def register(app: Flask) -> None:
    megabytes = app.config["PAGE_CACHE_MB"]
    # (page, its CSRF token) by key, bounded by the pages' length (about their size in bytes)
    pages = Kept(megabytes * 2**20, lambda kept: len(kept[0])) if megabytes else None
    app.extensions[_EXTENSION] = pages


def clear() -> None:
    pages = current_app.extensions.get(_EXTENSION)
    if pages is not None:
        pages.clear()


def cached_page(key: Hashable, render: Callable[[], str]) -> str:
    """The page for ``key``: from the cache, or rendered by ``render()`` and kept.

    ``key`` must hold a stamp read before ``render`` reads its data (see the module's notes); the
    current user, language, day and address are added here.
    """
    pages: Kept | None = current_app.extensions.get(_EXTENSION)
    if pages is None or request.method != "GET" or session.get("_flashes"):
        return render()
    key = (key, request_key())
    token = generate_csrf()
    hit = pages.get(key)
    if hit is not None:
        html, its_token = hit
        return html if its_token == token else html.replace(its_token, token)
    html = render()
    pages.put(key, (html, token))
    return html


def request_key() -> tuple:
    """What a page shows of the request and its user besides the data: the address with its query,
    the language, today's date (months "not entered yet" depend on it) and the user as the
    navigation shows them."""
    user: User = current_user
    return (
        request.full_path,
        str(get_locale()),
        clock.today(),
        user.get_id(),
        user.name,
        user.role,
        frozenset(user.unit_ids),
    )


def _row(obj) -> tuple:
    """Every column of a loaded row, as a tuple (a team's or network's own fields)."""
    return tuple(getattr(obj, attr.key) for attr in sa.inspect(type(obj)).column_attrs)


def _changes(model, *where, join=None) -> sa.Select:
    """Count, sum of ids, largest id, sum of versions and latest change of the rows ``where``
    selects (the last two where the table has them): an insert, update or delete changes one of
    them, as every save raises a version and its time. Rows without either (chart phases and
    exclusions) are only added and removed, and SQLite gives a new row the id of a just-deleted
    highest one: removing and adding such rows must also touch a parent's change time (a chart's
    settings do, in learnnet/teams/measure.py)."""
    version = sa.func.sum(model.version) if hasattr(model, "version") else sa.literal(0)
    changed = (
        sa.func.max(model.updated_at)
        if hasattr(model, "updated_at")
        else sa.cast(sa.null(), sa.DateTime(timezone=True))
    )
    query = sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(model.id), 0),
        sa.func.coalesce(sa.func.max(model.id), 0),
        sa.func.coalesce(version, 0),
        changed,
    ).select_from(model)
    if join is not None:
        query = query.join(*join)
    return query.where(*where)


def _union(*queries: sa.Select) -> sa.CompoundSelect:
    """The queries as one statement (one round trip), each row tagged with its query's place."""
    return sa.union_all(*[query.add_columns(sa.literal(i)) for i, query in enumerate(queries)])


def _stamp(statement: sa.CompoundSelect, **params) -> tuple:
    rows = db.session.execute(statement, params).all()
    return tuple(sorted((tuple(row) for row in rows), key=lambda row: row[-1]))


@functools.cache
def _team_statement() -> sa.Select:
    """The team with its network, and the changes to its measurements, its network's measure
    definitions and any user account (the names in the history), in one row: one round trip for the
    entry page's permission check and stamp.

    Every line of a measurement's history is written with a change to the measurement itself (a
    restore always updates the row; see learnnet/recording.py), so the measurements cover it."""
    team_id = sa.bindparam("team_id")
    measurements = _changes(Measurement, Measurement.team_id == team_id).subquery()
    same_network = orm.aliased(Team)
    definitions = _changes(
        MeasureDefinition,
        same_network.id == team_id,
        join=(same_network, same_network.network_id == MeasureDefinition.network_id),
    ).subquery()
    # People's names in the history lines; an administrator may rename anyone.
    people = sa.select(sa.func.max(User.changed_at)).scalar_subquery()
    return (
        sa.select(Team, *measurements.c, *definitions.c, people)
        .join(Team.network)
        .join(measurements, sa.true())
        .join(definitions, sa.true())
        .options(orm.contains_eager(Team.network))
        .where(Team.id == team_id)
    )


@functools.cache
def _network_statement() -> sa.CompoundSelect:
    in_network = Team.network_id == sa.bindparam("network_id")
    return _union(
        _changes(Measurement, in_network, join=(Team, Team.id == Measurement.team_id)),
        _changes(MeasureDefinition, MeasureDefinition.network_id == sa.bindparam("network_id")),
        _changes(ChartSettings, in_network, join=(Team, Team.id == ChartSettings.team_id)),
        _changes(
            ChartPhase, in_network, join=(ChartSettings, ChartSettings.id == ChartPhase.settings_id)
        ).join(Team, Team.id == ChartSettings.team_id),
        _changes(
            ChartExclusion, in_network, join=(ChartSettings, ChartSettings.id == ChartExclusion.settings_id)
        ).join(Team, Team.id == ChartSettings.team_id),
        _changes(Intervention, in_network, join=(Team, Team.id == Intervention.team_id)),
        # Teams are shown with their unit's municipality, which an administrator may rename.
        _changes(Unit, in_network, join=(Team, Team.unit_id == Unit.id)),
        _changes(Municipality, in_network, join=(Unit, Unit.municipality_id == Municipality.id)).join(
            Team, Team.unit_id == Unit.id
        ),
    )


def stamped_team(team_id: int) -> tuple[Team | None, tuple]:
    """The team with its network (None when there is none), and a stamp of the changes to the
    team's measurements (with their history), to its network's measure definitions, to the
    team's and network's own fields, and to user accounts."""
    row = db.session.execute(_team_statement(), {"team_id": team_id}).first()
    if row is None:
        return None, ()
    team = row[0]
    return team, (_row(team), _row(team.network), tuple(row[1:]))


def network_stamp(network: Network) -> tuple:
    """Changes to anything a network's dashboard is computed from: its own fields and its teams',
    their measurements, chart settings (with phases and exclusions) and interventions, the measure
    definitions, and the teams' units and municipalities (their names)."""
    return (
        _row(network),
        tuple(_row(team) for team in network.teams),
        _stamp(_network_statement(), network_id=network.id),
    )
