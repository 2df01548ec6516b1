"""Issue 13: no function over 60 lines, no module over 500 lines in src/, unless justified.

A function is justified by a comment ``# size: <reason>`` on the line just above its
``def`` (or its first decorator); a module by such a comment within its first 15 lines.
Lengths count from ``def`` to the last line, docstring included.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "skywarden"
MAX_FUNCTION = 60
MAX_MODULE = 500
MODULE_HEAD = 15
_SIZE = re.compile(r"^\s*#\s*size:(.*)$")


def _reason(line: str) -> str | None:
    """The reason of a ``# size:`` comment, "" when empty, None when not one."""
    m = _SIZE.match(line)
    return None if m is None else m.group(1).strip()


def offenders(root: Path = SRC) -> list[str]:
    """Each unjustified long function or module as ``file:line ...``."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        rel = path.relative_to(root.parents[1])
        if len(lines) > MAX_MODULE:
            reasons = [r for r in map(_reason, lines[:MODULE_HEAD]) if r is not None]
            if not any(reasons):
                why = "empty size reason" if reasons else "no '# size:' in first 15 lines"
                found.append(f"{rel}:1 module of {len(lines)} lines > {MAX_MODULE} ({why})")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length <= MAX_FUNCTION:
                continue
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            above = lines[first - 2] if first >= 2 else ""
            reason = _reason(above)
            if reason:
                continue
            why = "empty size reason" if reason == "" else "no '# size:' above"
            found.append(
                f"{rel}:{node.lineno} {node.name} is {length} lines > {MAX_FUNCTION} ({why})"
            )
    return found


def test_no_unjustified_long_functions_or_modules() -> None:
    bad = offenders()
    assert not bad, "unjustified sizes (issue 13):\n" + "\n".join(bad)


def test_empty_reason_fails(tmp_path: Path) -> None:
    pkg = tmp_path / "src" / "skywarden"
    pkg.mkdir(parents=True)
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION))
    (pkg / "a.py").write_text(f"# size:\ndef f():\n{body}\n", encoding="utf-8")
    (pkg / "b.py").write_text(f"# size: a table\ndef g():\n{body}\n", encoding="utf-8")
    (pkg / "c.py").write_text(f"@staticmethod\ndef h():\n{body}\n", encoding="utf-8")
    (pkg / "d.py").write_text("# size:   \n" + "x = 1\n" * (MAX_MODULE + 1), encoding="utf-8")
    bad = offenders(pkg)
    assert any(b.startswith("src/skywarden/a.py:2 f ") and "empty" in b for b in bad)
    assert not any("b.py" in b for b in bad)
    assert any(b.startswith("src/skywarden/c.py:2 h ") for b in bad)
    assert any(b.startswith("src/skywarden/d.py:1 module") and "empty" in b for b in bad)
