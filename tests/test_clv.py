"""Known-answer tests: BG/NBD and Gamma-Gamma recover the parameters they simulated from."""

from __future__ import annotations

import numpy as np
import pytest

from tools.profiling.clv import BGNBD, fit_bgnbd, fit_gamma_gamma


def simulate_bgnbd(
    rng: np.random.Generator, n: int, r: float, alpha: float, a: float, b: float, horizon: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) for customers who all start at 0 and are observed for ``horizon`` weeks."""
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    t_now = np.zeros(n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        step = rng.exponential(1 / lam[alive])
        t_next = t_now[alive] + step
        within = t_next < horizon
        idx = np.flatnonzero(alive)
        buy = idx[within]
        x[buy] += 1
        t_x[buy] = t_next[within]
        t_now[buy] = t_next[within]
        alive[idx[~within]] = False
        # after each purchase the customer drops out with probability p
        alive[buy[rng.random(len(buy)) < p[buy]]] = False
    return x, t_x, np.full(n, horizon)


def test_bgnbd_recovers_simulated_parameters() -> None:
    true = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)  # the CDNOW estimates
    x, t_x, t = simulate_bgnbd(
        np.random.default_rng(1), 20_000, true.r, true.alpha, true.a, true.b, horizon=39.0
    )
    fit = fit_bgnbd(x, t_x, t)
    assert fit.r == pytest.approx(true.r, rel=0.1)
    assert fit.alpha == pytest.approx(true.alpha, rel=0.15)
    assert fit.a == pytest.approx(true.a, rel=0.25)
    assert fit.b == pytest.approx(true.b, rel=0.3)


def test_bgnbd_expected_purchases_match_a_fresh_simulation() -> None:
    """Population forecast: expected purchases in weeks 39-78 vs simulated ones."""
    true = BGNBD(r=0.5, alpha=6.0, a=0.6, b=3.0)
    # Two samples of the same population: totals by week 39 and by week 78.
    x_c, tx_c, t_c = simulate_bgnbd(
        np.random.default_rng(3), 20_000, true.r, true.alpha, true.a, true.b, horizon=39.0
    )
    x_full, _, _ = simulate_bgnbd(
        np.random.default_rng(3), 20_000, true.r, true.alpha, true.a, true.b, horizon=78.0
    )
    predicted = true.expected_purchases(39.0, x_c, tx_c, t_c).sum()
    actual = (x_full - x_c).sum()
    assert predicted == pytest.approx(actual, rel=0.08)


def test_p_alive_is_one_without_repeat_purchases_and_falls_with_silence() -> None:
    m = BGNBD(r=0.5, alpha=5.0, a=0.7, b=2.5)
    x = np.array([0.0, 5.0, 5.0])
    t_x = np.array([0.0, 38.0, 5.0])
    alive = m.p_alive(x, t_x, np.full(3, 39.0))
    assert alive[0] == 1.0 and alive[1] > 0.8 > 0.5 > alive[2]


def test_gamma_gamma_recovers_simulated_parameters() -> None:
    p, q, gamma = 6.25, 3.74, 15.44  # the CDNOW estimates
    rng = np.random.default_rng(4)
    n = 20_000
    x = rng.integers(1, 8, n).astype(float)
    nu = rng.gamma(q, 1 / gamma, n)
    spends = rng.gamma(p * x, 1 / nu)  # sum of x Gamma(p, nu) spends
    fit = fit_gamma_gamma(spends / x, x)
    assert fit.p == pytest.approx(p, rel=0.15)
    assert fit.q == pytest.approx(q, rel=0.15)
    assert fit.gamma == pytest.approx(gamma, rel=0.25)
    assert fit.expected_spend(np.array([0.0]), np.array([0.0]))[0] == pytest.approx(
        p * gamma / (q - 1), rel=0.1
    )
