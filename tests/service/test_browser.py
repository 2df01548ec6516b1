"""The web map in a real browser: Playwright for Python driving Debian's Chromium headless
against ``skywarden serve`` running the El Paso scenario in real time through the whole
pipeline (simulator, tracker, airspace analysis, laser hold-fire).

Chromium comes from Debian (``make sysdeps``), never from ``playwright install``.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
#: The README's map figure. The test writes it only when asked
#: (``SKYWARDEN_REFRESH_FIGURES=1``): a test run must not dirty the checkout.
SCREENSHOT = ROOT / "docs" / "img" / "map.png"
SCENARIO = ROOT / "scenarios" / "el-paso.yaml"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian chromium missing: make sysdeps installs it",
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, svc: SimpleNamespace) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("browser")
    db = f"sqlite:///{folder / 'store.db'}"
    pw = {r: svc.add_user(db, r, r, folder) for r in ("operator", "partner")}
    s = svc.Served(["--db", db, "--scenario", str(SCENARIO), "--speed", "1"], folder)
    yield SimpleNamespace(server=s, pw=pw)
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def login(browser: Any, served: Any, role: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(served.server.url + "/")
    page.fill("#username", role)
    page.fill("#password", served.pw[role])
    page.click("#login-button")
    page.wait_for_selector("#login.hidden", state="attached", timeout=15_000)
    return page


def sensor_needles() -> list[str]:
    """Sensor ids of the scenario, and site coordinates precise enough (3+ decimals) that
    they cannot be a partner's ~1 km rounded position."""
    from skywarden.sim import load_scenario

    out = []
    for s in load_scenario(str(SCENARIO)).sensors:
        out.append(s.id)
        for v in (s.site.lat, s.site.lon):
            text = repr(abs(float(v)))
            if len(text.split(".")[1]) >= 3:
                out.append(text)
    return out


def positions(page: Any) -> dict[str, list[float]]:
    got: dict[str, list[float]] = page.evaluate(
        "Object.fromEntries([...sw.tracks].map(([k, v]) => [k, [v.d.lat, v.d.lon]]))"
    )
    return got


def wait_for(cond: Any, timeout: float = 15.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.25)
    raise AssertionError("condition not met in time")


def test_operator_sees_tracks_moving_and_acknowledges(
    browser: Any, served: Any, tmp_path: Path
) -> None:
    page = login(browser, served, "operator")
    first = wait_for(lambda: positions(page))
    page.wait_for_selector(".incident[data-state=open] button.ack", timeout=20_000)
    # tracks are drawn (SVG paths of class 'track') and they move between batches
    assert page.locator("path.track").count() >= len(first) > 0
    moved = wait_for(
        lambda: [k for k, p in positions(page).items() if k in first and p != first[k]], timeout=10
    )
    assert moved
    banner = page.locator("#banner")
    assert banner.is_visible()
    open_before = int(banner.get_attribute("data-open") or 0)
    text_before = banner.inner_text()
    assert "re-evaluate in" in text_before  # the countdown to the re-evaluation

    item = page.locator(".incident[data-state=open]").first
    incident_id = item.get_attribute("data-id")
    item.locator("button.ack").click()
    page.wait_for_selector(
        f'.incident[data-id="{incident_id}"][data-state="acknowledged"]', timeout=10_000
    )
    wait_for(lambda: int(banner.get_attribute("data-open") or 0) == open_before - 1)
    assert banner.inner_text() != text_before
    # the acknowledgement is in the store, by this operator
    h = served.server.token("operator", served.pw["operator"])
    d = httpx.get(f"{served.server.url}/api/incidents/{incident_id}", headers=h).json()
    assert d["state"] == "acknowledged"
    assert d["actions"][-1]["user"] == "operator"

    shot = SCREENSHOT if os.environ.get("SKYWARDEN_REFRESH_FIGURES") else tmp_path / "map.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000

    # the time slider replays the stored past: tracks as they were, read-only incidents
    slider_min = "Number(document.getElementById('slider').min)"
    wait_for(lambda: page.evaluate(slider_min) > 0)
    t_replay = page.evaluate(slider_min) + 3
    page.evaluate(
        "t => { const s = document.getElementById('slider'); s.value = t;"
        " s.dispatchEvent(new Event('change')); }",
        t_replay,
    )
    page.wait_for_selector("path.track.replay", timeout=10_000)
    assert not page.locator("#live").is_checked()
    assert page.locator(".incident button.ack").count() == 0
    wait_for(lambda: "(replay)" in page.inner_text("#clock"), timeout=5)  # ticks at 4 Hz
    page.check("#live")
    page.wait_for_selector(".incident button", timeout=10_000)
    page.close()


def test_partner_sees_no_sensor_site_and_no_unshared_incident(
    browser: Any, served: Any, svc: SimpleNamespace
) -> None:
    h = served.server.token("operator", served.pw["operator"])
    url = served.server.url
    incidents = wait_for(lambda: httpx.get(f"{url}/api/incidents", headers=h).json())
    shared_id = incidents[-1]["id"]
    r = httpx.post(f"{url}/api/incidents/{shared_id}/share", json={"shared": True}, headers=h)
    assert r.status_code == 200

    seen: list[str] = []
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 900})

    def on_response(resp: Any) -> None:
        requests.append(resp.url)
        with contextlib.suppress(Exception):  # redirects, aborted loads: no body
            seen.append(resp.text())

    page.on("response", on_response)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: seen.append(str(f))))
    page.goto(url + "/")
    page.fill("#username", "partner")
    page.fill("#password", served.pw["partner"])
    page.click("#login-button")
    page.wait_for_selector(f'.incident[data-id="{shared_id}"]', timeout=20_000)
    wait_for(lambda: page.evaluate("sw.batches") >= 3, timeout=20)
    seen.append(page.content())
    everything = "\n".join(seen)

    unshared = [
        i["id"] for i in httpx.get(f"{url}/api/incidents", headers=h).json() if not i["shared"]
    ]
    assert unshared, "the scene must have unshared incidents for this test to mean anything"
    for iid in unshared:
        at = everything.find(iid)
        assert at < 0, f"unshared {iid} leaked: ...{everything[max(0, at - 200) : at + 50]}"
    for s in svc.SENSORS:
        for needle in (s["id"], f"{s['site']['lat']:.6f}", f"{abs(s['site']['lon']):.6f}"):
            assert needle not in everything, f"sensor site {needle} leaked to the partner"
    assert not any("/api/sensors" in u or "/api/laser" in u for u in requests)
    assert page.locator(".incident").count() == 1
    # and what the partner was sent about the shared incident is rounded to ~1 km
    rows = [json.loads(x) for x in seen if x.startswith('[{"id"')]
    for row in (r for rows_ in rows for r in rows_ if r.get("id") == shared_id):
        assert (row["lat"] == round(row["lat"], 2) and "actions" not in row) or not row["actions"]
    page.close()
