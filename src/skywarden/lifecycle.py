"""The incident lifecycle, once: which operator action moves an incident from which state.

``open`` -> ``acknowledged`` (an operator took it) -> ``resolved`` (by an operator, or by
the analyzer once its tracks are gone and its measures lifted). Sharing and notes change
no state. Two writers follow this one table: the analyzer's incident book
(``airspace.incidents``), which owns the incidents, and the store
(``store.incidents.act``), which enforces it on every operator action; both raise
:class:`InvalidTransition` for a change the table does not allow (issue 13: the book
used to ignore one silently while the store refused it).

It sits in the bottom layer with ``model.py`` so both writers can import it.
"""

from __future__ import annotations

from enum import StrEnum

from skywarden.errors import SkywardenError
from skywarden.model import IncidentState


class OperatorAction(StrEnum):
    """What an operator can do to an incident (the API's routes, the audit's names)."""

    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    SHARE = "share"
    UNSHARE = "unshare"
    NOTE = "note"


# action -> {state it applies to: state it leads to}; an action absent here keeps the state.
TRANSITIONS: dict[OperatorAction, dict[IncidentState, IncidentState]] = {
    OperatorAction.ACKNOWLEDGE: {IncidentState.OPEN: IncidentState.ACKNOWLEDGED},
    OperatorAction.RESOLVE: {
        IncidentState.OPEN: IncidentState.RESOLVED,
        IncidentState.ACKNOWLEDGED: IncidentState.RESOLVED,
    },
}

# Actions that need a comment (a resolution says why; a note is its comment).
NEEDS_COMMENT = frozenset({OperatorAction.RESOLVE, OperatorAction.NOTE})

# The order states move in: a stored state never goes back (the analyzer's later update
# cannot reopen an incident an operator resolved).
ORDER = {s: k for k, s in enumerate(IncidentState)}


class InvalidTransition(SkywardenError, ValueError):
    """The action does not apply to the incident's current state; says both."""


def parse_action(action: str) -> OperatorAction:
    """``action`` as an :class:`OperatorAction`, or :class:`InvalidTransition` naming the set."""
    try:
        return OperatorAction(action)
    except ValueError:
        names = ", ".join(a.value for a in OperatorAction)
        raise InvalidTransition(f"action {action!r} unknown; one of {names}") from None


def next_state(incident: str, state: IncidentState, action: OperatorAction) -> IncidentState:
    """The state ``action`` leads to from ``state``; raises if the table forbids it."""
    moves = TRANSITIONS.get(action)
    if moves is None:
        return state
    if state not in moves:
        if state is IncidentState.RESOLVED and action is OperatorAction.RESOLVE:
            raise InvalidTransition(f"incident {incident} is already {state}")
        allowed = " or ".join(s.value for s in moves)
        raise InvalidTransition(f"incident {incident} is {state}, not {allowed}")
    return moves[state]


def later(a: IncidentState, b: IncidentState) -> IncidentState:
    """The further of two states along the lifecycle."""
    return a if ORDER[a] >= ORDER[b] else b
