"""A newcomer walks the README's "Do these seven things" on a fresh checkout's files.

The commands are read from README.md itself (its ``sh`` blocks and the inline
``skywarden serve`` of thing 1), so the README cannot drift from what runs. They run
in process from a scratch directory that sees ``scenarios/`` and ``samples/``, with
two bounds appended so the walk stays near a minute: ``--duration 120`` for
``simulate`` (the 3 h night takes minutes), and a free ``--port`` for ``serve``
(started for a few seconds as its own process). Nothing else is added or changed;
thing 6's what-if replay runs whole (its window is the file's).

Until the README's thing 3 uses the shipped samples, its text is taken from the
proposal in docs/notes/newcomer.md (between the ``readme-step-3`` markers).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from skywarden.cli import app

ROOT = Path(__file__).resolve().parents[1]
BOUNDS = {"simulate": ["--duration", "120"]}


def _things() -> dict[int, str]:
    """The text of each of the seven things, by number."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Do these seven things", 1)[1].split("\n## ", 1)[0]
    parts = re.split(r"^\*\*(\d)\. ", section, flags=re.M)
    things = {int(n): body for n, body in zip(parts[1::2], parts[2::2], strict=True)}
    if "samples/" not in things.get(3, ""):
        note = (ROOT / "docs" / "notes" / "newcomer.md").read_text()
        things[3] = note.split("<!-- readme-step-3 -->", 1)[1].split("<!-- /readme-step-3 -->")[0]
    return things


def _lines(text: str) -> list[str]:
    """The command lines of the ``sh`` blocks, without trailing comments."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                out.append(line)
    return out


THINGS = _things()


def sh(line: str) -> Result:
    """Run one ``skywarden ...`` line in process, with the walk's bounds appended."""
    argv = shlex.split(line)
    assert argv[0] == "skywarden", line
    argv += BOUNDS.get(argv[1], [])
    r = CliRunner().invoke(app, argv[1:], catch_exceptions=False)
    assert r.exit_code == 0, f"{line}\n{r.output}"
    return r


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    d = tmp_path_factory.mktemp("newcomer")
    for name in ("scenarios", "samples"):
        (d / name).symlink_to(ROOT / name)
    old = Path.cwd()
    os.chdir(d)
    try:
        yield d
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def simulated(workdir: Path) -> Path:
    """Thing 2 (simulate), which thing 5 evaluates against."""
    (line,) = _lines(THINGS[2])
    r = sh(line)
    assert "crossings" in r.output.lower()
    return workdir / "out" / "el-paso"


def test_there_are_seven_things() -> None:
    assert sorted(THINGS) == [1, 2, 3, 4, 5, 6, 7]


def test_2_simulate_a_night(simulated: Path) -> None:
    for name in ("truth.jsonl", "detections.jsonl", "sector.json", "sector_map.png"):
        assert (simulated / name).stat().st_size > 0, name
    assert json.loads((simulated / "sector.json").read_text())["seed"] == 1


def test_3_bring_your_own_file(workdir: Path) -> None:
    lines = _lines(THINGS[3])
    files = [ln for ln in lines if "tcp://" not in ln]  # the live feed: test_live_ingest
    assert [ln.split()[1] for ln in files] == ["ingest", "track", "analyze"]
    outputs = [sh(ln).output for ln in files]
    assert "accepted" in outputs[0]
    assert re.search(r"-> [1-9]\d* confirmed tracks", outputs[1].replace("\n", " "))
    doc = json.loads((workdir / "out" / "mine" / "incidents.json").read_text())
    assert doc["meta"]["updates"] > 0


def test_4_plan_a_laser_test_and_get_its_notam(workdir: Path) -> None:
    (line,) = _lines(THINGS[4])
    out = sh(line).output
    for word in ("NOHD", "SZED", "CZED", "LFED", "NOTAM"):
        assert word in out, word
    assert any((workdir / "out" / "laser").iterdir())


def test_5_evaluate_tracking(simulated: Path) -> None:
    track, evaluate = _lines(THINGS[5])
    sh(track)
    assert (simulated / "tracks.jsonl").stat().st_size > 0
    out = sh(evaluate).output
    assert "GOSPA" in out and "purity" in out.lower()


def test_6_replay_the_night(workdir: Path) -> None:
    (line,) = _lines(THINGS[6])
    out = sh(line).output
    assert "incident" in out.lower()
    assert any((workdir / "out" / "whatif").iterdir())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_1_live_map_and_7_a_user_and_the_api(workdir: Path) -> None:
    m = re.search(r"`(skywarden serve[^`]*)`", THINGS[1])
    assert m, "thing 1 names its serve command"
    port = _free_port()
    argv = [*shlex.split(" ".join(m.group(1).split()))[1:], "--port", str(port)]
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "skywarden.cli", *argv],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        page = _wait_for(base + "/", proc)
        assert page.status_code == 200 and "<html" in page.text.lower()
        printf, add, login, incidents = _lines(THINGS[7])
        subprocess.run(["bash", "-c", printf], cwd=workdir, check=True)
        assert (workdir / "alice.pw").stat().st_mode & 0o077 == 0
        sh(add)
        form = re.search(r"-d '([^']*)'", login)
        assert form and login.endswith("/api/token")
        token = httpx.post(
            base + "/api/token",
            content=form.group(1).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=60.0,  # password hashing on a busy machine
        ).json()["access_token"]
        assert incidents.endswith("/api/incidents")
        r = httpx.get(
            base + "/api/incidents", headers={"Authorization": f"Bearer {token}"}, timeout=60.0
        )
        assert r.status_code == 200 and isinstance(r.json(), list)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "first-run login" in out  # thing 1: the login's file is printed, not the password


def _wait_for(url: str, proc: subprocess.Popen[str], within_s: float = 120.0) -> httpx.Response:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"serve exited {proc.returncode}: {proc.stdout and proc.stdout.read()}"
            )
        try:
            return httpx.get(url, timeout=30.0)
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(f"serve did not answer {url} within {within_s} s")
