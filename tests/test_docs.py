"""The documents a newcomer reads: every relative link and image resolves, and the
benchmark page is the one generated from the measured results."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _relative_links(md: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", md.read_text(), flags=re.S)
    out = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        out.append(target.split("#", 1)[0])
    return out


@pytest.mark.parametrize("md", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_image_exists(md: Path) -> None:
    missing = [t for t in _relative_links(md) if not (md.parent / t).exists()]
    assert missing == [], f"{md.relative_to(ROOT)} links to missing files: {missing}"


def test_links_found_in_readme() -> None:
    # The link pattern itself works: the README shows the map and links into docs/.
    links = _relative_links(ROOT / "README.md")
    assert any(t.endswith(".png") for t in links)
    assert any(t.startswith("docs/") for t in links)


def test_no_link_leaves_the_repository() -> None:
    for md in DOCS:
        for t in _relative_links(md):
            resolved = (md.parent / t).resolve()
            assert ROOT in resolved.parents or resolved == ROOT, f"{md.name} -> {t}"


def test_benchmark_page_is_generated_from_results() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
