"""The month's rate model: weekday and hour factors applied, weights per km, seeded draws."""

from __future__ import annotations

import numpy as np
import pytest

from skywarden.sim import rates
from skywarden.sim.rates import RateModel, RateModelError, Stretch

#: 2026-02-01 00:00 UTC, a Sunday.
T0 = 1769904000.0


def _stretches() -> list[Stretch]:
    # a plain stretch at lon -105 (local solar time = UTC - 7 h) and an RGV-like one
    return [Stretch("A", 0.0, 100.0, 1.0, -105.0), Stretch("B", 100.0, 200.0, 4.0, -105.0)]


def test_hour_factor_peaks_at_night_and_averages_one() -> None:
    m = RateModel()
    h = np.arange(24, dtype=float)
    f = m.hour_factor(h)
    assert f.mean() == pytest.approx(1.0)
    assert int(np.argmax(f)) == int(m.hour_peak)
    assert f[int(m.hour_peak)] / f[(int(m.hour_peak) + 12) % 24] == pytest.approx(
        (1 + m.hour_amplitude) / (1 - m.hour_amplitude)
    )


def test_weekday_factor_averages_one_and_keeps_the_order() -> None:
    m = RateModel()
    w = m.weekday_factor(np.arange(7))
    assert w.mean() == pytest.approx(1.0)
    assert int(np.argmax(w)) == int(np.argmax(m.weekday))


def test_expected_totals_the_monthly_figure_split_by_weight_per_km() -> None:
    m = RateModel(per_month=1300.0, weekday=(1.0,) * 7)
    lam = rates.expected(_stretches(), m, T0, 30.0)
    assert lam.shape == (2, 720)
    assert lam.sum() == pytest.approx(1300.0, rel=1e-3)
    assert lam[1].sum() / lam[0].sum() == pytest.approx(4.0)


def test_expected_applies_the_hour_of_day_in_local_time() -> None:
    m = RateModel(weekday=(1.0,) * 7)
    lam = rates.expected(_stretches(), m, T0, 1.0)[0]
    # column k is UTC hour k (+0.5); lon -105 is UTC - 7 h: local 01:00 is UTC 08:00
    local = (np.arange(24) + 0.5 - 7.0) % 24
    np.testing.assert_allclose(lam / lam.mean(), m.hour_factor(local) / m.hour_factor(local).mean())
    assert int(np.argmax(lam)) in (7, 8)  # 00:30 and 01:30 local straddle the peak


def test_expected_applies_the_weekday() -> None:
    m = RateModel(hour_amplitude=0.0)
    lam = rates.expected(_stretches(), m, T0, 7.0)[0]
    per_day = lam.reshape(7, 24).sum(axis=1)
    # day 0 is Sunday (index 6 in Monday-first order), day 6 Saturday (index 5)
    order = [6, 0, 1, 2, 3, 4, 5]
    np.testing.assert_allclose(
        per_day / per_day.mean(), np.array(m.weekday)[order] / np.mean(m.weekday)
    )


def test_draws_are_deterministic_per_seed_and_whole_days_are_a_prefix() -> None:
    m = RateModel(per_month=3000.0)
    a = rates.draw(7, _stretches(), m, T0, 3.0)
    b = rates.draw(7, _stretches(), m, T0, 3.0)
    two = rates.draw(7, _stretches(), m, T0, 2.0)
    other = rates.draw(8, _stretches(), m, T0, 3.0)
    assert a == b
    assert a[: len(two)] == two and all(d.t < T0 + 2 * 86400 for d in two)
    assert a != other


def test_drawn_launches_follow_the_night_and_the_weights() -> None:
    m = RateModel(per_month=60000.0)
    ds = rates.draw(3, _stretches(), m, T0, 10.0)
    local = ((np.array([d.t for d in ds]) / 3600.0) - 7.0) % 24.0
    night = np.sum((local >= 22) | (local < 4))
    midday = np.sum((local >= 10) & (local < 16))
    assert night > 3 * midday
    in_b = sum(d.stretch == 1 for d in ds)
    assert 3.0 < in_b / (len(ds) - in_b) < 5.0
    assert all(_stretches()[d.stretch].km0 <= d.km <= _stretches()[d.stretch].km1 for d in ds)


def test_corridors_make_hot_spots() -> None:
    m = RateModel(per_month=60000.0, corridor_share=1.0, corridor_sigma_km=0.5)
    ds = rates.draw(3, _stretches(), m, T0, 5.0)
    cors = rates.corridors(3, _stretches(), m)
    for d in ds[:200]:
        assert np.min(np.abs(cors[d.stretch] - d.km)) < 3.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("per_month", -1.0),
        ("hour_amplitude", 1.5),
        ("weekday", (1.0, 2.0)),
        ("recross_fraction", 2.0),
    ],
)
def test_a_bad_parameter_is_named(field: str, value: object) -> None:
    with pytest.raises(RateModelError, match=field):
        RateModel(**{field: value})  # type: ignore[arg-type]
