"""Small-number suppression: the one rule every cross-unit table, chart and export applies.

Counts from an 8-bed ward can identify residents, so a view that sets units side by side hides a
unit's numbers when a count is below ``SMALL_NUMBER_THRESHOLD`` (default 5) — unless the person
looking may read that team's own pages anyway. Suppression never hides what a user could read on
the team's page; it hides what they could not:

* a team member and a viewer see their own units' numbers, and suppressed numbers of every other;
* a facilitator sees the teams of the networks they facilitate (they enter and correct those
  numbers), and suppressed numbers of other networks' teams;
* the centre and administrators may open every team, so nothing is hidden from them — unless they
  ask for the table *as published* (``published=True``), which suppresses for everyone, so that
  what they export for a report follows the same rule as what outsiders see.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnnet import permissions
from learnnet.models import Team, User

DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class Suppression:
    """Who is looking, and the threshold: enough to decide for any team and counts."""

    threshold: int
    # Teams whose numbers this viewer may see in full; None when the viewer may see every team.
    open_team_ids: frozenset[int] | None
    published: bool = False

    def applies_to(self, team: Team) -> bool:
        if self.published:
            return True
        return self.open_team_ids is not None and team.id not in self.open_team_ids


def policy(
    user: User, teams: list[Team], threshold: int = DEFAULT_THRESHOLD, *, published: bool = False
) -> Suppression:
    """The suppression ``user`` gets in a view of ``teams``."""
    if published:
        return Suppression(threshold, frozenset(), True)
    open_ids = frozenset(t.id for t in teams if permissions.can_view_team(user, t))
    if len(open_ids) == len({t.id for t in teams}):
        return Suppression(threshold, None, False)
    return Suppression(threshold, open_ids, False)


def is_hidden(suppression: Suppression, team: Team | list[Team], *counts: float | None) -> bool:
    """True when these counts of ``team`` (or of several teams pooled) must not be shown.

    Hidden when the rule applies to the viewer for one of the teams and any count given (a
    numerator, a denominator, a count) is below the threshold. A missing count hides nothing.
    """
    teams = team if isinstance(team, list) else [team]
    if not any(suppression.applies_to(t) for t in teams):
        return False
    return any(c is not None and c < suppression.threshold for c in counts)
