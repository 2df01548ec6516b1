"""Global track ids: one name for a track across every sector and worker it crosses.

A sector's tracker names its tracks ``T000123`` (``tracking.tracker.track_name``); two
sectors, or the same sector after a restart, can mint the same local name. A global id
is minted *at birth* by the sector that first reports the track, as
``<sector>:<epoch><local id>`` (``laredo:T000123``, ``laredo:7-T000123``), so no two
workers ever need to agree on a counter: sector ids are unique in a deployment (they
are the keys of the sector leases) and local ids are unique within a sector's epoch.
The ``epoch`` is whatever makes a sector's local ids unique forever: the store's run
prefix or the lease revision; a worker that resumes from a snapshot keeps its epoch.

A neighbour that adopts a handed-over track maps its own local id to the *offered*
global id (:meth:`GlobalIds.adopt`), so the id survives any number of hand-overs. The
mapping is part of the worker's snapshot (:meth:`GlobalIds.to_snapshot`): after a
failover the new worker names the same tracks the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from skywarden.errors import SkywardenError
from skywarden.model import TrackStatus, TrackUpdate

#: A sector id is also a NATS subject token (``sw.handover.<sector>``): no dots,
#: wildcards or spaces.
SECTOR_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: An epoch is a short token that cannot contain the separator.
EPOCH = re.compile(r"^[A-Za-z0-9_-]{0,32}$")
SEPARATOR = ":"


class GlobalIdError(SkywardenError, ValueError):
    """A sector id, global id or snapshot is malformed; the message names which."""


def check_sector_id(sector: str, where: str = "sector") -> str:
    """``sector`` if it is a valid sector id (a NATS subject token), else raise."""
    if not isinstance(sector, str) or not SECTOR_ID.match(sector):
        raise GlobalIdError(f"{where}: {sector!r} is not a sector id ([A-Za-z0-9_-], 1-64)")
    return sector


def mint(sector: str, local: str, epoch: str = "") -> str:
    """The global id a track born as ``local`` in ``sector`` keeps for life."""
    check_sector_id(sector)
    if not EPOCH.match(epoch):
        raise GlobalIdError(f"epoch {epoch!r}: up to 32 of [A-Za-z0-9_-]")
    if not local or SEPARATOR in local:
        raise GlobalIdError(f"local track id {local!r}: empty or contains {SEPARATOR!r}")
    return f"{sector}{SEPARATOR}{epoch}{local}"


def birth_sector(global_id: str) -> str:
    """The sector that minted ``global_id`` (where the track was first reported)."""
    sector, sep, rest = global_id.partition(SEPARATOR)
    if not sep or not rest:
        raise GlobalIdError(f"global track id {global_id!r}: expected <sector>:<local>")
    return check_sector_id(sector, f"global track id {global_id!r}")


class GlobalIds:
    """One sector worker's map from its tracker's local ids to global ids."""

    def __init__(self, sector: str, epoch: str = "") -> None:
        self.sector = check_sector_id(sector)
        mint(sector, "T", epoch)  # validates the epoch once
        self.epoch = epoch
        self._of: dict[str, str] = {}
        self._local_of: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._of)

    def __contains__(self, local: object) -> bool:
        return local in self._of

    def get(self, local: str) -> str | None:
        """The global id of ``local``, or None if none was minted or adopted yet."""
        return self._of.get(local)

    def local(self, global_id: str) -> str | None:
        """The local track that carries ``global_id`` here, if any."""
        return self._local_of.get(global_id)

    def resolve(self, local: str) -> str:
        """The global id of ``local``, minting this sector's own at first sight."""
        g = self._of.get(local)
        if g is None:
            g = mint(self.sector, local, self.epoch)
            self._bind(local, g)
        return g

    def adopt(self, local: str, global_id: str) -> None:
        """``local`` continues a track handed over as ``global_id``.

        Raises if ``local`` already carries another global id, or ``global_id`` is
        already carried by another local track: adoption never steals an identity.
        """
        birth_sector(global_id)
        have = self._of.get(local)
        other = self._local_of.get(global_id)
        if have == global_id and other == local:
            return
        if have is not None:
            raise GlobalIdError(f"{self.sector}: {local} already carries {have}, not {global_id}")
        if other is not None:
            raise GlobalIdError(f"{self.sector}: {global_id} is already carried by {other}")
        self._bind(local, global_id)

    def forget(self, local: str) -> None:
        """Drop ``local`` (its track ended here); its global id may live on elsewhere."""
        g = self._of.pop(local, None)
        if g is not None and self._local_of.get(g) == local:
            del self._local_of[g]

    def rename(self, updates: Iterable[TrackUpdate]) -> list[TrackUpdate]:
        """The updates under their global ids (minting where needed); an ``ENDED``
        update's local id is forgotten after it is renamed."""
        out = []
        for u in updates:
            out.append(replace(u, track=self.resolve(u.track)))
            if u.status == TrackStatus.ENDED:
                self.forget(u.track)
        return out

    def _bind(self, local: str, global_id: str) -> None:
        self._of[local] = global_id
        self._local_of[global_id] = local

    # ------------------------------------------------------------------ snapshot
    def to_snapshot(self) -> dict[str, Any]:
        """JSON-able state for the worker's snapshot."""
        return {"sector": self.sector, "epoch": self.epoch, "ids": dict(self._of)}

    @classmethod
    def from_snapshot(cls, d: Mapping[str, Any]) -> GlobalIds:
        """Rebuild from :meth:`to_snapshot`; raises naming the bad field."""
        if not isinstance(d, Mapping):
            raise GlobalIdError(f"global id snapshot: expected an object, got {type(d).__name__}")
        try:
            out = cls(str(d["sector"]), str(d.get("epoch", "")))
            ids = d["ids"]
        except KeyError as e:
            raise GlobalIdError(f"global id snapshot: missing {e.args[0]!r}") from None
        if not isinstance(ids, Mapping):
            raise GlobalIdError("global id snapshot: 'ids' must map local to global ids")
        for local, g in ids.items():
            if not isinstance(local, str) or not isinstance(g, str):
                raise GlobalIdError(f"global id snapshot: ids[{local!r}] is not a string pair")
            try:
                out.adopt(local, g)
            except GlobalIdError as e:
                raise GlobalIdError(f"global id snapshot: ids[{local!r}]: {e}") from None
        return out
