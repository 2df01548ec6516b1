"""``skywarden sector new``: a scenario for any border airports, at either end of the border."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from skywarden import refdata
from skywarden.cli import app
from skywarden.sim import Simulation, load_scenario
from skywarden.sim.geography import MEXICO, SEA, US, Geography
from skywarden.sim.output import RunSummary
from skywarden.sim.scenario import parse_scenario
from skywarden.sim.sector_gen import generate_sector

ROOT = Path(__file__).parents[2]


def _new(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "sector.yaml"
    res = CliRunner().invoke(app, ["sector", "new", *args, "--out", str(out)])
    return res.exit_code, res.output, out


def _side_of(geo: Geography, lat: float, lon: float) -> int:
    x, y, _ = geo.frame.to_enu(lat, lon, 0.0)
    return int(geo.side(float(x), float(y)))


def _border_end_inside(geo: Geography, end: int) -> bool:
    lon, lat = refdata.border_line().coords[end]
    x, y, _ = geo.frame.to_enu(lat, lon, 0.0)
    return max(abs(float(x)), abs(float(y))) < geo.extent_m


def _drone_traffic(path: Path, seconds: float) -> tuple[Simulation, RunSummary, dict[str, object]]:
    """A short truth-only run (sensors dropped for speed): every drone target seen."""
    doc = yaml.safe_load(path.read_text())
    doc["sensors"] = []
    sim = Simulation(parse_scenario(doc, str(path)), seed=5, duration_s=seconds)
    summary = RunSummary(sim.geo)
    targets: dict[str, object] = {}
    for step in sim.steps():
        summary.add(step)
        for tg in step.snapshot.targets:
            if tg.role in {"smuggler", "surveillance", "hobby"}:
                targets[tg.id] = tg
    return sim, summary, targets


def _check_land_traffic(sim: Simulation, summary: RunSummary, targets: dict[str, object]) -> None:
    geo = sim.geo
    smugglers = 0
    for tg in targets.values():
        xyz = tg.xyz  # type: ignore[attr-defined]
        side = geo.side(xyz[:, 0], xyz[:, 1])
        role = tg.role  # type: ignore[attr-defined]
        if role == "smuggler":
            smugglers += 1
            # launched on Mexican land, over US land at the drop, home again in Mexico
            assert side[0] == MEXICO and side[-1] == MEXICO, tg
            assert (side == US).any(), tg
        elif role == "surveillance":
            assert side[0] == MEXICO, tg
        else:  # hobby pilots stand on US land
            assert side[0] == US, tg
    assert smugglers >= 3
    assert summary.crossings_north["smuggler"] > 0
    assert summary.crossings_south["smuggler"] > 0


def test_a_sector_by_the_pacific(tmp_path: Path) -> None:
    code, output, path = _new(tmp_path, "--airport", "KSDM", "--airport", "MMTJ")
    assert code == 0, output
    scn = load_scenario(path)
    assert scn.sector.airports == ["KSDM", "MMTJ"]
    assert {f.airport for f in scn.traffic.airports} == {"KSDM", "MMTJ"}
    sim, summary, targets = _drone_traffic(path, 1500)
    geo = sim.geo
    assert _border_end_inside(geo, 0)  # the border meets the Pacific inside the sector
    assert _side_of(geo, 32.54, -116.97) == MEXICO  # Tijuana airport
    assert _side_of(geo, 32.5723, -116.9802) == US  # Brown Field
    assert _side_of(geo, 32.50, -117.20) == SEA  # off Playas de Tijuana
    _check_land_traffic(sim, summary, targets)
    towers = [s for s in scn.sensors if s.id.startswith("radar-tower-")]
    assert towers
    for t in towers:
        assert _side_of(geo, t.site.lat, t.site.lon) == US


def test_a_sector_by_the_gulf(tmp_path: Path) -> None:
    code, output, path = _new(
        tmp_path, "--airport", "KBRO", "--airport", "MMMA", "--extent-km", "40"
    )
    assert code == 0, output
    sim, summary, targets = _drone_traffic(path, 1500)
    geo = sim.geo
    assert _border_end_inside(geo, -1)  # the Rio Grande's mouth in the sector
    assert _side_of(geo, 25.9061, -97.426) == US  # KBRO
    assert _side_of(geo, 25.7699, -97.5253) == MEXICO  # MMMA
    assert _side_of(geo, 25.95, -97.05) == SEA  # the Gulf of Mexico
    _check_land_traffic(sim, summary, targets)


def test_every_generated_value_is_commented_and_the_runways_are_real(tmp_path: Path) -> None:
    plan = generate_sector(["KLRD", "MMNL"])
    doc = yaml.safe_load(plan.yaml)
    text = plan.yaml.splitlines()
    for key in ("origin:", "extent_m:", "ground_alt_m:", "start:", "airports:"):
        i = next(i for i, ln in enumerate(text) if ln.strip().startswith(key))
        assert "#" in text[i] or text[i - 1].strip().startswith("#"), key
    for flow in doc["traffic"]["airports"]:
        real = {e.ident for r in refdata.runways(flow["airport"]) for e in r.ends}
        assert set(flow["runways"]) <= real
    towers = [s for s in doc["sensors"] if s["id"].startswith("radar-tower-")]
    spacing = [
        float(np.hypot(a["site"]["lat"] - b["site"]["lat"], a["site"]["lon"] - b["site"]["lon"]))
        for a, b in itertools.pairwise(towers)
    ]
    assert len(towers) >= 4 and max(spacing) < 0.15  # about 9 km apart, in degrees
    assert plan.extent_m >= max(
        float(np.hypot(*sim_xy)) for sim_xy in _airport_xy(plan, ["KLRD", "MMNL"])
    )


def _airport_xy(plan: object, codes: list[str]) -> list[tuple[float, float]]:
    from skywarden.geo import LocalFrame

    lat0, lon0 = plan.origin  # type: ignore[attr-defined]
    f = LocalFrame(lat0, lon0, 0.0)
    out = []
    for c in codes:
        a = refdata.airport(c)
        x, y, _ = f.to_enu(a.lat, a.lon, 0.0)
        out.append((float(x), float(y)))
    return out


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("laredo", ["--airport", "KLRD", "--airport", "MMNL", "--name", "Laredo - Nuevo Laredo"]),
        (
            "nogales",
            ["--airport", "KOLS", "--airport", "MMNG", "--name", "Nogales (Arizona - Sonora)"],
        ),
    ],
)
def test_the_shipped_sectors_are_what_the_command_writes(
    tmp_path: Path, name: str, args: list[str]
) -> None:
    code, output, path = _new(tmp_path, *args)
    assert code == 0, output
    shipped = ROOT / "scenarios" / f"{name}.yaml"
    assert path.read_text() == shipped.read_text()
    scn = load_scenario(shipped)
    Simulation(scn, seed=1, duration_s=1)  # builds: the border crosses it with land both sides


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--airport", "XXQQ"], "no airport with that ICAO code"),
        (["--airport", "KTUS"], "km from the border"),
        (["--airport", "KDEN"], "no runways in the shipped border-region data"),
        (["--airport", "KSDM", "--airport", "KBRO"], "make two sectors"),
        (["--airport", "KLRD", "--tower-spacing-km", "0"], "--tower-spacing-km"),
        (["--airport", "KLRD", "--airport", "MMNL", "--extent-km", "6"], "outside the sector"),
        (["--airport", "KLRD", "--start", "2026-02-11T03:00:00"], "must be UTC"),
        (["--airport", "KLRD", "--name", "two\nlines"], "printable characters"),
    ],
)
def test_clear_errors(tmp_path: Path, args: list[str], message: str) -> None:
    code, output, path = _new(tmp_path, *args)
    assert code == 2
    assert message in output
    assert not path.exists()


def test_an_existing_file_needs_force(tmp_path: Path) -> None:
    code, _, path = _new(tmp_path, "--airport", "KLRD")
    assert code == 0 and path.exists()
    code, output, _ = _new(tmp_path, "--airport", "KLRD")
    assert code == 2 and "--force" in output
    code, _, _ = _new(tmp_path, "--airport", "KLRD", "--force")
    assert code == 0
