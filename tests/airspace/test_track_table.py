"""Track updates to arrays: one row per track, previous positions, reused rows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from skywarden.airspace.track_table import TrackTable


def test_rows_previous_positions_and_latest_update_wins(fx):
    table = TrackTable(fx.FRAME)
    a = fx.leg("A", [(0, 0, 0, 1200), (2, 20, 0, 1200)])
    b = fx.leg("B", [(0, 500, 0, 1200), (2, 500, 40, 1200)])
    first = table.ingest([a[0], b[0]])
    assert first.rows.tolist() == [0, 1] and np.isnan(first.prev[:, 0]).all()
    # Two updates of A in one scan: only the later one counts.
    second = table.ingest([a[1], a[2], b[1]])
    assert [u.track for u in second.updates] == ["B", "A"]  # time ordered
    k = [u.track for u in second.updates].index("A")
    assert second.t[k] == a[2].t and second.rows[k] == 0
    assert second.prev[k, 1:3] == pytest.approx(first.cur[0, 1:3])
    assert second.x[k] == pytest.approx(20.0, abs=0.01)


def test_released_rows_are_reused(fx):
    table = TrackTable(fx.FRAME)
    table.ingest(fx.leg("A", [(0, 0, 0, 1200), (0, 0, 0, 1200)])[:1])
    assert table.release(np.array([0])) == ["A"]
    batch = table.ingest(fx.leg("C", [(5, 0, 0, 1200), (5, 0, 0, 1200)])[:1])
    assert batch.rows.tolist() == [0] and np.isnan(batch.prev[0, 0])
    assert table.row_of == {"C": 0}


def test_unclassified_tracks_are_treated_as_possible_drones(analyzer, fx, run):
    x, y, alt = fx.runway_point("22", 1.0 * 1852, 60.0)
    bare = [replace(u, class_probs={}) for u in fx.leg("U", [(0, x, y, alt), (60, x, y, alt)])]
    out = run(analyzer, bare)
    # A possible drone near a runway is looked at (verify), but without evidence of any
    # kind it pauses nothing within a minute.
    acts = {r.action.value for r in out["recommendations"]}
    assert "verify" in acts and "pause_arrivals" not in acts
