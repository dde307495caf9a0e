"""Who may see and change what. Every view asks here; nothing else decides.

Roles: an *admin* and the *centre* see the whole county; a *facilitator* runs the networks they
facilitate; a *team member* works in the teams of the units they belong to; a *viewer* reads the
teams of their units and the county overview with small numbers suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from flask import abort
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from learnnet.extensions import db
from learnnet.models import Network, Team, UnitMembership, User, network_facilitator
from learnnet.models.types import MAX_INTEGER

T = TypeVar("T")

COUNTY_ROLES = {"admin", "centre"}


def sees_whole_county(user: User) -> bool:
    return user.role in COUNTY_ROLES


def facilitates(user: User, network: Network) -> bool:
    return user.role == "facilitator" and any(f.id == user.id for f in network.facilitators)


def is_member_of_team(user: User, team: Team) -> bool:
    return team.unit_id in user.unit_ids


def is_team_lead(user: User, team: Team) -> bool:
    return any(m.unit_id == team.unit_id and m.is_lead for m in user.memberships)


def can_view_team(user: User, team: Team) -> bool:
    return sees_whole_county(user) or facilitates(user, team.network) or is_member_of_team(user, team)


def can_enter_data(user: User, team: Team) -> bool:
    if user.role == "viewer":
        return False
    return (
        user.role == "admin"
        or facilitates(user, team.network)
        or (user.role == "team_member" and is_member_of_team(user, team))
    )


def can_import_team(user: User, team: Team) -> bool:
    """Importing a file of the team's months is entering data, so the same people may."""
    return can_enter_data(user, team)


def can_import_network(user: User, network: Network) -> bool:
    """A file for every team of a network: the network's facilitators and administrators."""
    return user.role == "admin" or facilitates(user, network)


def can_change_chart_settings(user: User, team: Team) -> bool:
    return (
        user.role == "admin"
        or facilitates(user, team.network)
        or (user.role == "team_member" and is_team_lead(user, team))
    )


def can_view_network(user: User, network: Network) -> bool:
    return sees_whole_county(user) or facilitates(user, network)


def can_manage_network(user: User, network: Network | None = None) -> bool:
    if user.role in COUNTY_ROLES:
        return True
    return network is not None and facilitates(user, network)


def can_create_network(user: User) -> bool:
    """The centre and administrators set up networks, and so do facilitators (who then run them)."""
    return user.role in COUNTY_ROLES or user.role == "facilitator"


def can_view_county(user: User) -> bool:
    return user.role in COUNTY_ROLES or user.role == "viewer"


def visible_teams(user: User) -> Select:
    """The teams ``user`` may see, as a query a view can order and paginate."""
    query = select(Team).join(Team.network)
    if sees_whole_county(user):
        return query
    facilitated = select(network_facilitator.c.network_id).where(network_facilitator.c.user_id == user.id)
    member_units = select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)
    if user.role == "facilitator":
        return query.where(Team.network_id.in_(facilitated) | Team.unit_id.in_(member_units))
    return query.where(Team.unit_id.in_(member_units))


def visible_networks(user: User) -> Select:
    query = select(Network)
    if sees_whole_county(user):
        return query
    facilitated = select(network_facilitator.c.network_id).where(network_facilitator.c.user_id == user.id)
    return query.where(Network.id.in_(facilitated))


def one_or_404(model: type[T], object_id: int, *, options: Sequence = (), **owner: int) -> T:
    """The ``model`` row with ``object_id`` (loaded with ``options``), or 404 when there is none,
    when the id cannot be one (beyond what an id column holds), or when it does not belong where
    the address puts it (``owner``: ``team_id=3`` means the row's ``team_id`` must be 3)."""
    found = db.session.get(model, object_id, options=options) if 0 < object_id <= MAX_INTEGER else None
    if found is None or any(getattr(found, name) != value for name, value in owner.items()):
        abort(404)
    return found


def team_or_abort(team_id: int, user: User, *, edit: bool = False) -> Team:
    """The team, or 404 when there is none, or 403 when ``user`` may not see (or edit) it."""
    team = one_or_404(Team, team_id, options=[joinedload(Team.network)])
    if not (can_enter_data(user, team) if edit else can_view_team(user, team)):
        abort(403)
    return team


def network_or_abort(network_id: int, user: User, *, manage: bool = False) -> Network:
    """The network, or 404 when there is none, or 403 when ``user`` may not see (or manage) it."""
    network = one_or_404(Network, network_id)
    allowed = can_manage_network(user, network) if manage else can_view_network(user, network)
    if not allowed:
        abort(403)
    return network


def require_county(user: User) -> None:
    if not can_view_county(user):
        abort(403)


def can_build_pack(user: User, network: Network) -> bool:
    """Learning-session packs are made by those who run the network."""
    return can_manage_network(user, network)


def can_send_reminder(user: User, network: Network) -> bool:
    """Reminders are sent by hand by those who run the network."""
    return can_manage_network(user, network)


def can_compare(user: User, network: Network) -> bool:
    """The county comparison of a network's units: the centre, admins and viewers (with small
    numbers suppressed), and the network's facilitators."""
    return can_view_county(user) or facilitates(user, network)


def comparable_networks(user: User) -> Select:
    if can_view_county(user):
        return select(Network)
    return visible_networks(user)
