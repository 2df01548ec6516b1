"""``track --enu`` output text: byte for byte what ``json.dumps`` writes, fast path or not."""

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.tracking.enu import format_enu_scan

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=200, deadline=None)
@given(
    t=st.one_of(st.integers(0, 10**6).map(float), finite),
    rows=st.lists(st.tuples(st.integers(1, 10**7), finite, finite, finite, finite), max_size=8),
)
def test_scan_text_is_json_dumps_of_each_row(
    t: float, rows: list[tuple[int, float, float, float, float]]
) -> None:
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    x = np.array([[r[1], r[2], r[3], r[4]] for r in rows], dtype=float).reshape(-1, 4)
    text = format_enu_scan(t, {"id": ids, "x": x}, dims=2)
    want = "".join(
        json.dumps(
            {"t": t, "track": f"T{r[0]:06d}", "x": r[1], "y": r[2], "vx": r[3], "vy": r[4]},
            separators=(",", ":"),
        )
        + "\n"
        for r in rows
    )
    assert text == want


def test_tiny_and_huge_numbers_keep_pythons_exponent_form() -> None:
    ids = np.array([1, 2])
    x = np.array([[1234.5, 2.5e-05, 1e16, -3.0], [0.0, -0.0, 0.0001, 7.25]])
    text = format_enu_scan(3.0, {"id": ids, "x": x}, dims=2)
    assert '"y":2.5e-05' in text and '"vx":1e+16' in text
    assert [json.loads(line)["x"] for line in text.splitlines()] == [1234.5, 0.0]
