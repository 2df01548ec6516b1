"""The web map resumes its live feed after a dropped connection: Chromium headless against
``skywarden serve`` on the El Paso scenario in real time. The map sends the cursor of the
last batch it applied and catches up on the batches it missed, with no gap."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso.yaml"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium missing: make sysdeps installs it"
)


def wait_for(cond: Any, timeout_s: float, what: str) -> Any:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout_s} s: {what}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, svc: SimpleNamespace) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("catchup-browser")
    db = f"sqlite:///{folder / 'store.db'}"
    pw = svc.add_user(db, "operator", "operator", folder)
    s = svc.Served(["--db", db, "--scenario", str(SCENARIO), "--speed", "1"], folder)
    yield SimpleNamespace(server=s, pw=pw)
    s.stop()


def test_the_map_resumes_from_its_cursor_after_a_dropped_socket(served: Any) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(served.server.url + "/")
        page.fill("#username", "operator")
        page.fill("#password", served.pw)
        page.click("#login-button")
        page.wait_for_selector("#login.hidden", state="attached", timeout=15_000)
        wait_for(lambda: page.evaluate("sw.batches") >= 3, 30, "three live batches")
        before = page.evaluate("sw.cursor")
        assert page.evaluate("sw.ws.url").endswith("/api/ws")  # first connect: no cursor
        page.evaluate("sw.ws.close()")  # the link drops; the map reconnects after 2 s
        wait_for(lambda: page.evaluate("sw.resumes") >= 1, 20, "a resume after reconnecting")
        assert f"since={before}" in page.evaluate("sw.ws.url")
        seq = int(before.split("-")[1])
        wait_for(
            lambda: int(page.evaluate("sw.cursor").split("-")[1]) >= seq + 3,
            20,
            "batches flowing again after the resume",
        )
        assert page.evaluate("sw.gaps") == 0
        assert page.evaluate("sw.tracks.size") > 0
        browser.close()
