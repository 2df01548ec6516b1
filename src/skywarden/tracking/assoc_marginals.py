"""How likely each track is to have taken one of a sensor's measurements, when a track
makes at most one measurement and a measurement comes from at most one track.

These are the marginal association probabilities of JPDA, approximated by loopy belief
propagation (Williams and Lau 2014, "Approximate evaluation of marginal association
probabilities with belief propagation", IEEE Trans. Aerospace and Electronic Systems
50(4)): exact when one measurement or one track is involved, close elsewhere, and a few
array operations on the small clusters a direction finder's bearings make. The bearing
association asks it of *another* site: a track that site's bearings fit is heard there
only as far as no other track explains the same bearing, and two tracks that two
bearings both fit are both heard (each takes one).
"""

from __future__ import annotations

import numpy as np

from skywarden.geo import FloatArray


def taken_odds(psi: FloatArray, iterations: int = 20) -> FloatArray:
    """For each row (track) of ``psi`` (tracks x measurements), the odds that it took
    some measurement against none, ``P(taken) / P(missed)``.

    ``psi[r, j]`` is the likelihood ratio of "track r made measurement j" against "r was
    missed and j came from elsewhere" (``Pd L_rj / ((1 - Pd) lambda)``), 0 where j does
    not fit r. A track alone on its measurements gets ``sum_j psi[r, j]`` exactly.
    """
    if psi.size == 0:
        return np.zeros(psi.shape[0])
    if psi.shape[0] == 1:  # one track: it took one of them unless all were missed
        return np.asarray(psi.sum(axis=1))
    if psi.shape[1] == 1:  # one measurement: exact, the propagation's fixed point
        col = psi[:, 0]
        return np.asarray(col * (1.0 / (1.0 + (psi.sum(axis=0) - col))))
    if ((psi > 0).sum(axis=0) <= 1).all() and ((psi > 0).sum(axis=1) <= 1).all():
        return np.asarray(psi.sum(axis=1))  # no measurement shared, no track torn: exact
    nu = np.ones_like(psi)  # measurement -> track messages
    for _ in range(iterations):
        s = psi * nu
        mu = psi / (1.0 + s.sum(axis=1, keepdims=True) - s)  # track -> measurement
        nu = 1.0 / (1.0 + mu.sum(axis=0, keepdims=True) - mu)
    return np.asarray((psi * nu).sum(axis=1))
