"""Operators' actions on incidents, from the store to the running analyzer.

Issue 13: ``Analyzer.acknowledge`` and ``resolve`` were never called, so the analyzer
could renew measures on an incident an operator had closed. The API commits every
action to the store (``store.incidents.act``, with its audit record) before it answers;
between two scans the pipeline reads the actions committed since the last scan and
applies them to the analyzer, at the scan's time. Reading the store rather than a
message keeps it durable and the same for every deployment: after a restart the
rebuilt analyzer hears every stored action again (one it already applied is refused by
the transition table and skipped), and a sector worker on another machine reads the
same table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from skywarden.lifecycle import InvalidTransition, OperatorAction, parse_action
from skywarden.stages import OperatedAnalyzer
from skywarden.store import Database
from skywarden.store import incidents as store_incidents

log = logging.getLogger("skywarden.pipeline")


class OperatorFeed:
    """Applies stored operator actions to an analyzer that hears them (``OperatedAnalyzer``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.last_id = 0  # the newest action applied (or skipped)
        self.applied = 0
        # told of each action that reached the analyzer, at its scan time (the evidence
        # chain records it, so a replay applies it before the same scan)
        self.on_applied: Callable[[float, dict[str, str]], None] | None = None

    def apply(self, analyzer: object, t: float) -> int:
        """Apply the actions stored since the last call at scan time ``t``; returns how many
        reached the analyzer. Actions on incidents it does not know (another run's) and
        actions its state already reflects are skipped."""
        if not isinstance(analyzer, OperatedAnalyzer):
            return 0
        with self.db.session() as s:
            rows = store_incidents.actions_after(s, self.last_id)
        n = 0
        for row_id, incident, _t_wall, user, action, comment in rows:
            self.last_id = row_id
            try:
                _apply(analyzer, incident, t, user, parse_action(action), comment)
                n += 1
                if self.on_applied is not None:
                    who = {"incident": incident, "user": user, "action": action}
                    self.on_applied(t, {**who, "comment": comment})
            except (KeyError, InvalidTransition) as e:  # UnknownIncident is a KeyError
                log.debug("pipeline: operator %s on %s skipped: %s", action, incident, e)
        self.applied += n
        return n


def _apply(
    an: OperatedAnalyzer, incident: str, t: float, who: str, what: OperatorAction, comment: str
) -> None:
    if what is OperatorAction.ACKNOWLEDGE:
        an.acknowledge(incident, t, who)
    elif what is OperatorAction.RESOLVE:
        an.resolve(incident, t, who)
    else:
        an.annotate(incident, t, who, f"{what.value}: {comment}" if comment else what.value)
