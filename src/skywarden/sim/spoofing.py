"""Remote ID spoofers: smugglers whose ASTM F3411 broadcast lies about who or where they are.

A Remote ID broadcast is an open, unauthenticated radio message (F3411's optional
Authentication message is rarely sent), so anyone can put any serial, position, speed
or operator location in it. A spoofer here is a smuggler that broadcasts, with ONE lie:

- ``stolen_serial``: the whole identity (serial and operator position) of an honest
  compliant drone airborne at its launch, recorded off the air; the owner may still be
  flying, so one serial is then heard at two places. With no victim airborne it makes
  up a well-formed serial and claims the operator stands at its launch.
- ``false_position``: its true track offset by a fixed ``offset_m`` in a random
  direction (speed and heading true).
- ``false_speed``: its true position, but a horizontal velocity scaled by
  ``speed_factor`` (a slow "hobby" drone).
- ``far_operator``: an operator position ``operator_offset_m`` from its take-off.
- ``malformed_serial``: a serial that breaks ANSI/CTA-2063-A.

Every draw comes from the flight's own stream ``("spoof", id)`` (``seeding.stream``),
so turning spoofing on leaves every other draw of the run, and with it every honest
target and detection, unchanged. The lie is applied where it is broadcast
(``sensors/remote_id.py``); truth records it (``TruthPoint.spoof``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from skywarden.geo import LocalFrame
from skywarden.model import Identity
from skywarden.sim.scenario import RemoteIDSpoofing
from skywarden.sim.schedule import Builder
from skywarden.sim.seeding import stream
from skywarden.sim.target import Target

SPOOF_ATTR = "spoof"
#: ANSI/CTA-2063-A serial characters: digits and upper-case letters without I and O.
SERIAL_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Spoof:
    """One spoofer's lie; ``to_dict`` is what truth.jsonl records."""

    mode: str
    offset_e_m: float = 0.0
    offset_n_m: float = 0.0
    speed_factor: float = 1.0
    takeoff_alt_m: float = 0.0
    victim: str | None = None  # stolen_serial: the target whose identity it copied
    pick: float = 0.0  # stolen_serial: uniform draw choosing the victim at launch

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k != "pick" and v}
        if self.speed_factor == 1.0:
            del d["speed_factor"]
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in d.items()}


def serial(rng: np.random.Generator) -> str:
    """A well-formed serial: manufacturer code, length character ``E`` (14), 14 chars."""
    body = "".join(SERIAL_CHARS[i] for i in rng.integers(0, len(SERIAL_CHARS), size=14))
    return f"1581E{body}"


def malformed_serial(rng: np.random.Generator) -> str:
    """A serial with one ANSI/CTA-2063-A defect: a forbidden letter, or a wrong length."""
    good = serial(rng)
    if rng.uniform() < 0.5:  # an O (or I) where the standard allows neither
        k = int(rng.integers(5, len(good)))
        return good[:k] + ("O" if rng.uniform() < 0.5 else "I") + good[k + 1 :]
    return good[:-3]  # the length character says 14, the serial has 11


def make_spoofer(
    tg: Target, cfg: RemoteIDSpoofing, rng: np.random.Generator, frame: LocalFrame
) -> None:
    """With probability ``cfg.fraction``, make ``tg`` broadcast Remote ID with a lie."""
    if not rng.uniform() < cfg.fraction:
        return
    mode = cfg.modes[int(rng.integers(len(cfg.modes)))]
    launch = tg.xyz[0]
    op = (float(launch[0]), float(launch[1]))
    sp = Spoof(mode, takeoff_alt_m=round(float(launch[2]), 2))
    own = serial(rng)
    if mode == "false_position":
        d, th = rng.uniform(*cfg.offset_m), rng.uniform(0, 2 * np.pi)
        sp = replace(sp, offset_e_m=float(d * np.cos(th)), offset_n_m=float(d * np.sin(th)))
    elif mode == "false_speed":
        sp = replace(sp, speed_factor=float(rng.uniform(*cfg.speed_factor)))
    elif mode == "far_operator":
        d, th = rng.uniform(*cfg.operator_offset_m), rng.uniform(0, 2 * np.pi)
        op = (op[0] + float(d * np.cos(th)), op[1] + float(d * np.sin(th)))
    elif mode == "malformed_serial":
        own = malformed_serial(rng)
    elif mode == "stolen_serial":
        sp = replace(sp, pick=float(rng.uniform()))
    lat, lon, _ = frame.to_geodetic(op[0], op[1], 0.0)
    tg.identity = Identity(
        rid_serial=own, operator_lat=round(float(lat), 7), operator_lon=round(float(lon), 7)
    )
    tg.remote_id = True
    tg.attrs[SPOOF_ATTR] = sp


def spoofing(build: Builder, cfg: RemoteIDSpoofing, seed: int, frame: LocalFrame) -> Builder:
    """``build`` whose targets may be spoofers; ``build`` itself when the fraction is 0."""
    if cfg.fraction <= 0:
        return build

    def wrapped(t0: float, rng: np.random.Generator, tid: str) -> Target | list[Target]:
        built = build(t0, rng, tid)
        for tg in built if isinstance(built, list) else [built]:
            make_spoofer(tg, cfg, stream(seed, SPOOF_ATTR, tg.id), frame)
        return built

    return wrapped


def steal_identities(launched: Sequence[Target], airborne: Sequence[Target]) -> None:
    """Each ``stolen_serial`` spoofer just launched copies the identity of an honest,
    Remote ID compliant drone airborne now (chosen by its own draw), if there is one."""
    honest = sorted(
        (
            tg
            for tg in airborne
            if tg.remote_id and tg.identity is not None and SPOOF_ATTR not in tg.attrs
        ),
        key=lambda tg: tg.id,
    )
    if not honest:
        return
    for tg in launched:
        sp = tg.attrs.get(SPOOF_ATTR)
        if isinstance(sp, Spoof) and sp.mode == "stolen_serial" and sp.victim is None:
            victim = honest[min(int(sp.pick * len(honest)), len(honest) - 1)]
            tg.identity = victim.identity
            tg.attrs[SPOOF_ATTR] = replace(sp, victim=victim.id)


def spoof_of(tg: Target) -> Spoof | None:
    sp = tg.attrs.get(SPOOF_ATTR)
    return sp if isinstance(sp, Spoof) else None
