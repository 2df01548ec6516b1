"""Stored script injection, tried in a real browser (issue #12, finding 1).

A hostile zone name (posted by an operator through the API) and a hostile callsign (in
the track feed, as an SBS ``MSG,1`` would carry it; ingest accepts any text there) are
served to an operator's and a partner's map. Nothing may run: no ``window.__pwned``, no
dialog, no element built from the payload, and no Content-Security-Policy violation
either, which would mean the page rendered the text as HTML and only the policy saved
it. The payload must show up as literal text instead.

Debian's Chromium headless through Playwright, as in test_browser.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
ZONE_PAYLOAD = "<img src=x onerror=\"window.__pwned='zone';alert(1)\">"
CALLSIGN_PAYLOAD = (
    "<img src=y onerror=\"window.__pwned='sbs';alert(2)\"><script>window.__pwned='s'</script>"
)
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing")


def _zone(zone_id: str, name: str) -> dict[str, Any]:
    ring = [[-106.46, 31.74], [-106.40, 31.74], [-106.40, 31.78], [-106.46, 31.78]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
        "properties": {"id": zone_id, "kind": "restricted", "name": name, "floor_m": 0,
                       "ceiling_m": 3000},
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, svc: SimpleNamespace) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("inject")
    path = svc.write_scene(folder / "scene", 300, n_tracks=2)
    lines = path.read_text().splitlines()
    with path.open("w") as f:  # the first track flies with the hostile callsign
        for line in lines:
            d = json.loads(line)
            if d["track"] == "T000001":
                d["callsign"] = CALLSIGN_PAYLOAD
            f.write(json.dumps(d) + "\n")
    db = f"sqlite:///{folder / 'store.db'}"
    pw = {r: svc.add_user(db, r, r, folder) for r in ("operator", "partner")}
    s = svc.Served(["--db", db, "--source", f"tracks:{path}", "--speed", "1"], folder)
    h = s.token("operator", pw["operator"])
    r = httpx.post(f"{s.url}/api/zones", json=_zone("Z-hostile", ZONE_PAYLOAD), headers=h)
    assert r.status_code == 201, r.text
    yield SimpleNamespace(server=s, pw=pw)
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(browser: Any, served: Any, role: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    dialogs: list[str] = []

    def on_dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.add_init_script(WATCH)
    page.goto(served.server.url + "/")
    page.fill("#username", role)
    page.fill("#password", served.pw[role])
    page.click("#login-button")
    page.wait_for_selector("#login.hidden", state="attached", timeout=15_000)
    return page, dialogs


def _open_zone_tooltips(page: Any) -> list[str]:
    """Open every zone tooltip (what hovering does) and return their texts."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        texts: list[str] = page.evaluate(
            """() => { const out = [];
              // the map builds its layers after login: until then there is nothing to open
              if (!(window.sw && sw.layers && sw.layers.zones)) return out;
              sw.layers.zones.eachLayer((g) => g.eachLayer((l) => {
                l.openTooltip(); out.push(l.getTooltip().getElement().textContent); }));
              return out; }"""
        )
        if texts:
            return texts
        time.sleep(0.25)
    raise AssertionError("no zone drawn")


def _assert_nothing_ran(page: Any, dialogs: list[str]) -> None:
    page.wait_for_timeout(500)  # an onerror fires once the broken image has failed
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert page.locator("img[src=x], img[src=y]").count() == 0
    # no violation either: the text was never parsed as HTML, not just blocked
    assert page.evaluate("window.__violations") == []


def test_hostile_zone_name_is_text_for_partner_and_operator(browser: Any, served: Any) -> None:
    for role in ("partner", "operator"):
        page, dialogs = _open(browser, served, role)
        texts = _open_zone_tooltips(page)
        assert any(ZONE_PAYLOAD in t for t in texts), texts
        _assert_nothing_ran(page, dialogs)
        page.close()


def test_hostile_callsign_is_text_and_token_is_unreachable(browser: Any, served: Any) -> None:
    page, dialogs = _open(browser, served, "operator")
    # (polled from here: wait_for_function evaluates a string in the page, which the
    # page's policy rightly refuses as eval)
    deadline = time.monotonic() + 20
    while not page.evaluate("[...sw.tracks.values()].some((t) => t.d.callsign)"):
        assert time.monotonic() < deadline, "no track with a callsign drawn"
        time.sleep(0.25)
    labels = page.locator(".track-label").all_inner_texts()
    assert any(CALLSIGN_PAYLOAD in x for x in labels), labels
    _assert_nothing_ran(page, dialogs)
    # the bearer token: not in web storage, not on window, not in the page's globals
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    assert page.evaluate("typeof token") == "undefined"
    assert "token" not in page.evaluate("Object.keys(window.sw)")
    page.close()


def test_page_is_served_with_a_strict_policy(served: Any) -> None:
    for path in ("/", "/static/map.js", "/api/nope", "/openapi.json"):
        r = httpx.get(served.server.url + path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
