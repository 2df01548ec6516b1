"""Global track ids: minted at birth without coordination, adopted, never stolen, and
kept across a failover through the worker's snapshot."""

from __future__ import annotations

import json

import pytest

from skywarden.cluster.global_ids import GlobalIdError, GlobalIds, birth_sector, mint
from skywarden.model import TrackStatus, TrackUpdate


def update(track: str, status: TrackStatus = TrackStatus.CONFIRMED) -> TrackUpdate:
    probs = {"drone": 0.7, "manned": 0.1, "bird": 0.1, "unknown": 0.1}
    return TrackUpdate(1.8e9, track, status, 31.3, -110.5, 1300.0, (1, 0, 0), (), None, probs)


def test_two_sectors_minting_the_same_local_id_get_different_global_ids() -> None:
    a, b = GlobalIds("laredo"), GlobalIds("yuma")
    assert a.resolve("T000001") == "laredo:T000001"
    assert b.resolve("T000001") == "yuma:T000001"
    assert birth_sector("yuma:T000001") == "yuma"
    # An epoch (the store's run prefix, the lease revision) keeps a restarted sector's
    # ids apart from its earlier ones.
    assert mint("laredo", "T000001", epoch="7-") == "laredo:7-T000001"


def test_rename_uses_the_adopted_id_and_forgets_an_ended_track() -> None:
    ids = GlobalIds("centre")
    ids.adopt("T000004", "west:T000001")
    out = ids.rename([update("T000004"), update("T000009")])
    assert [u.track for u in out] == ["west:T000001", "centre:T000009"]
    ended = ids.rename([update("T000004", TrackStatus.ENDED)])
    assert ended[0].track == "west:T000001"
    assert "T000004" not in ids and ids.local("west:T000001") is None


def test_adoption_never_steals_an_identity() -> None:
    ids = GlobalIds("centre")
    ids.adopt("T000004", "west:T000001")
    ids.adopt("T000004", "west:T000001")  # the same adoption again is a no-op
    with pytest.raises(GlobalIdError, match="already carried by T000004"):
        ids.adopt("T000005", "west:T000001")
    with pytest.raises(GlobalIdError, match="already carries west:T000001"):
        ids.adopt("T000004", "east:T000002")


@pytest.mark.parametrize(
    ("sector", "local"),
    [("la.redo", "T1"), ("", "T1"), ("a b", "T1"), ("x" * 65, "T1"), ("ok", ""), ("ok", "a:b")],
)
def test_bad_sector_or_local_ids_are_refused(sector: str, local: str) -> None:
    with pytest.raises(GlobalIdError):
        mint(sector, local)


def test_the_mapping_survives_a_snapshot_through_json() -> None:
    ids = GlobalIds("centre", epoch="3-")
    ids.adopt("T000004", "west:T000001")
    ids.resolve("T000009")
    back = GlobalIds.from_snapshot(json.loads(json.dumps(ids.to_snapshot())))
    assert back.get("T000004") == "west:T000001"
    assert back.resolve("T000009") == "centre:3-T000009"
    assert back.local("west:T000001") == "T000004"


@pytest.mark.parametrize(
    ("snap", "match"),
    [
        ([], "expected an object"),
        ({"ids": {}}, "missing 'sector'"),
        ({"sector": "c", "ids": []}, "'ids' must map"),
        ({"sector": "c", "ids": {"T1": 5}}, "not a string pair"),
        ({"sector": "c", "ids": {"T1": "nosector"}}, r"ids\['T1'\]"),
        ({"sector": "c", "ids": {"T1": "w:T1", "T2": "w:T1"}}, "already carried"),
    ],
)
def test_a_bad_snapshot_is_refused_naming_the_field(snap: object, match: str) -> None:
    with pytest.raises(GlobalIdError, match=match):
        GlobalIds.from_snapshot(snap)  # type: ignore[arg-type]
