"""``LocalFrame.vectors_*`` turn vectors with the origin's cos/sin cached: the numbers
must be pymap3d's two calls', bit for bit."""

from __future__ import annotations

import numpy as np
import pymap3d

from skywarden.geo import LocalFrame


def test_vectors_turn_exactly_as_pymap3d() -> None:
    rng = np.random.default_rng(3)
    frame = LocalFrame(31.8, -106.4, 1200.0)
    for m in (1, 3, 200):
        lat, lon = rng.uniform(25, 36, m), rng.uniform(-115, -95, m)
        v = rng.normal(0, 150, (m, 3))
        u, w, z = pymap3d.enu2uvw(v[:, 0], v[:, 1], v[:, 2], lat, lon)
        to = np.stack(pymap3d.uvw2enu(u, w, z, frame.lat0, frame.lon0), axis=1)
        u, w, z = pymap3d.enu2uvw(v[:, 0], v[:, 1], v[:, 2], frame.lat0, frame.lon0)
        back = np.stack(pymap3d.uvw2enu(u, w, z, lat, lon), axis=1)
        assert np.array_equal(frame.vectors_to_frame(lat, lon, v), to)
        assert np.array_equal(frame.vectors_from_frame(lat, lon, v), back)
        # and the two are each other's inverse
        round_trip = frame.vectors_from_frame(lat, lon, frame.vectors_to_frame(lat, lon, v))
        assert np.allclose(round_trip, v, atol=1e-9)
