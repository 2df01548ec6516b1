"""The analytics page in a real browser (issue 16, with issue 12's injection rules).

A store whose runway pause names a hostile airport and whose incident carries a hostile
summary is served; an analyst opens ``/analytics``. The figures must load (as ``data:``
PNGs, which the policy allows), the hostile airport must show as literal text in the
pauses table, and nothing may run: no ``window.__pwned``, no dialog, no element built
from the payload, no Content-Security-Policy violation. A partner is refused (403) and
the page says so. Debian's Chromium headless through Playwright, as in test_browser.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
PAYLOAD = "<img src=x onerror=\"window.__pwned='airport';alert(1)\"><b>KELP</b>"
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, svc: SimpleNamespace) -> Iterator[Any]:
    from skywarden.model import Action, Recommendation
    from skywarden.store import Database, recommendations

    folder = tmp_path_factory.mktemp("analytics-page")
    url = f"sqlite:///{folder / 'store.db'}"
    db = Database(url)
    svc.seed_store(db, ["I-1", "I-2"], ["I-1"])
    with db.session() as s:
        recommendations.upsert(s, [Recommendation(
            "M-pause", "I-2", Action.PAUSE_DEPARTURES, 1000.0, 1900.0, 1300.0,
            ("drone near the runway",), runways=("26L",), airport=PAYLOAD,
        )])  # fmt: skip
    db.dispose()
    s = svc.Served(["--db", url], folder)
    yield SimpleNamespace(server=s, svc=svc)
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(browser: Any, served: Any, role: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    dialogs: list[str] = []

    def on_dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.add_init_script(WATCH)
    page.goto(served.server.url + "/analytics")
    page.fill("#username", role)
    page.fill("#password", served.svc.password(role))
    page.click("#login-button")
    page.wait_for_selector("#login.hidden", state="attached", timeout=15_000)
    return page, dialogs


def _wait(page: Any, script: str, what: str, seconds: float = 30.0) -> None:
    """Poll ``script`` (the page's policy refuses wait_for_function's eval)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, what
        time.sleep(0.25)


def test_analyst_sees_figures_and_the_hostile_name_as_text(browser: Any, served: Any) -> None:
    page, dialogs = _open(browser, served, "analyst")
    _wait(page, "() => window.sa && window.sa.loaded", "the statistics never loaded")
    rows = page.locator("#pauses-body td").all_inner_texts()
    assert PAYLOAD in rows, rows
    # the seeded store: two crossings near downtown El Paso, each in its H3 cell
    assert page.locator("#hotspots-body tr").count() >= 1
    counts = page.locator("#counts-body tr").count()
    assert counts == 3  # one row per counting rule, each with its method
    srcs = page.evaluate("[...document.querySelectorAll('figure img')].map((i) => i.src)")
    assert len(srcs) == 6 and all(s.startswith("data:image/png;base64,") for s in srcs)
    page.wait_for_timeout(500)  # an onerror fires once a broken image has failed
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert page.locator("img[src=x], #pauses-body b").count() == 0
    assert page.evaluate("window.__violations") == []
    assert page.evaluate("typeof token") == "undefined"  # module scope, as on the map
    page.close()


def test_partner_is_refused(browser: Any, served: Any) -> None:
    page, _ = _open(browser, served, "partner")
    _wait(page, "() => document.getElementById('status').textContent.includes('403')",
          "the page did not say the partner was refused")  # fmt: skip
    assert page.locator("#counts-body tr").count() == 0
    page.close()
