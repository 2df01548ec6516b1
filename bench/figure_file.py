"""Writing a benchmark's figure: laid out, its folder made, the file written, the figure
freed (a bench that draws many must not keep them all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save(fig: Any, path: Path) -> None:
    """Lay ``fig`` out, write it to ``path`` (folders made) and close it."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
