"""Customer lifetime value: BG/NBD purchase model plus Gamma-Gamma spend model, by MLE.

BG/NBD (Fader, Hardie & Lee 2005): while alive a customer buys as a Poisson process with rate
lambda ~ Gamma(r, alpha); after each purchase they drop out with probability p ~ Beta(a, b).
Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): the mean spend per repeat purchase
varies across customers as Gamma(q, gamma) around individual Gamma(p, nu) spends.
Time is measured in weeks; a purchase is a distinct purchase day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

WEEK = pd.Timedelta(days=7)


@dataclass(frozen=True)
class BGNBD:
    """Fitted BG/NBD parameters."""

    r: float
    alpha: float
    a: float
    b: float

    def p_alive(self, x: np.ndarray, t_x: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Probability that each customer is still active at the end of their window."""
        ratio = _log_term(self, x, t_x, t)
        result: np.ndarray = 1 / (1 + np.where(x > 0, np.exp(ratio), 0.0))
        return result

    def expected_purchases(
        self, horizon: float, x: np.ndarray, t_x: np.ndarray, t: np.ndarray
    ) -> np.ndarray:
        """Expected purchases in the next ``horizon`` weeks given (x, t_x, T)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = horizon / (alpha + t + horizon)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
        head = (a + b + x - 1) / (a - 1)
        body = 1 - ((alpha + t) / (alpha + t + horizon)) ** (r + x) * hyp
        result: np.ndarray = head * body * self.p_alive(x, t_x, t)
        return result


def _log_term(m: BGNBD, x: np.ndarray, t_x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log[ a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x) ] (used only where x > 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = (
            np.log(m.a)
            - np.log(np.maximum(m.b + x - 1, 1e-12))
            + (m.r + x) * (np.log(m.alpha + t) - np.log(m.alpha + t_x))
        )
    return out


def bgnbd_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, t: np.ndarray) -> float:
    """Total log-likelihood of BG/NBD at (r, alpha, a, b)."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + t)
    with np.errstate(divide="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return float(np.sum(a1 + a2 + np.logaddexp(a3, a4)))


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, t: np.ndarray, penalty: float = 0.0) -> BGNBD:
    """Maximum-likelihood BG/NBD on log-parameters (L-BFGS-B)."""

    def objective(log_params: np.ndarray) -> float:
        params = np.exp(log_params)
        return -bgnbd_loglik(params, x, t_x, t) / len(x) + penalty * float(np.sum(params**2))

    start = np.log([1.0, max(float(np.mean(t)), 1.0), 1.0, 1.0])
    res = minimize(objective, start, method="L-BFGS-B", bounds=[(-8, 8)] * 4)
    r, alpha, a, b = np.exp(res.x)
    return BGNBD(float(r), float(alpha), float(a), float(b))


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma spend parameters."""

    p: float
    q: float
    gamma: float

    def expected_spend(self, m_x: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Conditional expected spend per purchase (population mean where x = 0)."""
        mean = self.p * self.gamma / (self.q - 1) if self.q > 1 else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            cond = (self.gamma + m_x * x) * self.p / (self.p * x + self.q - 1)
        result: np.ndarray = np.where(x > 0, cond, mean)
        return result


def gamma_gamma_loglik(params: np.ndarray, m_x: np.ndarray, x: np.ndarray) -> float:
    """Total log-likelihood of Gamma-Gamma at (p, q, gamma) for customers with x >= 1."""
    p, q, g = params
    px = p * x
    return float(
        np.sum(
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(g)
            + (px - 1) * np.log(m_x)
            + px * np.log(x)
            - (px + q) * np.log(g + m_x * x)
        )
    )


def fit_gamma_gamma(m_x: np.ndarray, x: np.ndarray) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma on customers with at least one repeat purchase."""
    keep = (x > 0) & (m_x > 0)
    m_x, x = m_x[keep], x[keep]

    def objective(log_params: np.ndarray) -> float:
        return -gamma_gamma_loglik(np.exp(log_params), m_x, x) / len(x)

    res = minimize(
        objective,
        np.log([1.0, 2.0, max(float(np.mean(m_x)), 1.0)]),
        method="L-BFGS-B",
        bounds=[(-8, 10)] * 3,
    )
    p, q, g = np.exp(res.x)
    return GammaGamma(float(p), float(q), float(g))


def rfm_summary(lines: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Per customer: x (repeat purchase days), t_x and T in weeks, m_x (mean repeat spend)."""
    sales = lines[
        (lines["ts"] < end) & lines["customer_id"].notna() & ~lines["is_return"].astype(bool)
    ]
    sales = sales.assign(
        day=sales["ts"].dt.normalize(), spend=sales["quantity"] * sales["unit_price"]
    )
    daily = sales.groupby(["customer_id", "day"], sort=True)["spend"].sum().reset_index()
    by = daily.groupby("customer_id")
    first, last = by["day"].min(), by["day"].max()
    n = by.size()
    first_spend = by["spend"].first()
    total = by["spend"].sum()
    x = (n - 1).astype(float)
    repeat_spend = (total - first_spend) / x.where(x > 0)
    return pd.DataFrame(
        {
            "x": x,
            "t_x": (last - first).dt.total_seconds() / WEEK.total_seconds(),
            "T": (end.normalize() - first).dt.total_seconds() / WEEK.total_seconds(),
            "m_x": repeat_spend.fillna(0.0).clip(lower=0.0),
        }
    )


@dataclass(frozen=True)
class CLVModel:
    """Fitted purchase and spend models with their hold-out validation."""

    bgnbd: BGNBD
    spend: GammaGamma
    holdout_weeks: float
    holdout: dict[str, float]
    """Per-customer MAE and correlation of predicted vs actual hold-out purchases, and the
    aggregate error (predicted total / actual total - 1)."""

    def predict(self, summary: pd.DataFrame, weeks: float = 52.0) -> pd.DataFrame:
        """P(alive), expected purchases and CLV (revenue, undiscounted) over ``weeks``."""
        x, t_x, t = (summary[c].to_numpy() for c in ("x", "t_x", "T"))
        purchases = self.bgnbd.expected_purchases(weeks, x, t_x, t)
        value = self.spend.expected_spend(summary["m_x"].to_numpy(), x)
        return pd.DataFrame(
            {
                "p_alive": self.bgnbd.p_alive(x, t_x, t),
                "expected_purchases_12m": purchases,
                "clv_12m": purchases * value,
            },
            index=summary.index,
        )


def fit_clv(lines: pd.DataFrame, end: pd.Timestamp, holdout_weeks: float = 26.0) -> CLVModel:
    """Validate on a calibration/hold-out split, then refit on all data up to ``end``."""
    cal_end = end - holdout_weeks * WEEK
    cal = rfm_summary(lines, cal_end)
    hold = lines[
        (lines["ts"] >= cal_end)
        & (lines["ts"] < end)
        & ~lines["is_return"].astype(bool)
        & lines["customer_id"].isin(cal.index)
    ]
    actual = (
        hold.assign(day=hold["ts"].dt.normalize())
        .groupby("customer_id")["day"]
        .nunique()
        .reindex(cal.index, fill_value=0)
        .to_numpy(dtype=float)
    )
    return clv_from_summaries(cal, actual, rfm_summary(lines, end), holdout_weeks)


def clv_from_summaries(
    cal: pd.DataFrame, actual: np.ndarray, full: pd.DataFrame, holdout_weeks: float
) -> CLVModel:
    """Fit on the calibration summary ``cal``, validate against each of its customers' purchase
    days in the hold-out (``actual``, in ``cal``'s order), then refit on the ``full`` summary
    (summaries as :func:`rfm_summary` gives them; any engine may compute them)."""
    model = fit_bgnbd(*_xtt(cal))
    predicted = model.expected_purchases(
        holdout_weeks, *(cal[c].to_numpy() for c in ("x", "t_x", "T"))
    )
    holdout = {
        "customers": float(len(cal)),
        "mae": float(np.mean(np.abs(predicted - actual))),
        "correlation": float(np.corrcoef(predicted, actual)[0, 1]),
        "aggregate_error": float(predicted.sum() / max(actual.sum(), 1e-9) - 1),
        "actual_mean": float(actual.mean()),
    }
    bg = fit_bgnbd(*_xtt(full))
    gg = fit_gamma_gamma(full["m_x"].to_numpy(), full["x"].to_numpy())
    return CLVModel(bg, gg, holdout_weeks, holdout)


def _xtt(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        summary["x"].to_numpy(float),
        summary["t_x"].to_numpy(float),
        summary["T"].to_numpy(float),
    )
