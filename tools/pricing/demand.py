"""Log-log demand model per product with controls and empirical-Bayes shrinkage by category.

log(units) = a + e * log(regular price) + d * log(price / regular price) + flags
             + seasonality (two yearly harmonics) + unit (store) effects
Forecasts add each unit's recent level (the mean residual of the last 13 weeks, shrunk by
n / (n + 13)) instead of a linear trend: a fitted trend extrapolated half a year raised the
Breakfast WAPE from 0.354 to 0.369; the damped level lowers it to 0.347 (BENCHMARKS.md).
When the regular price never changes for a product, e is the coefficient of log(paid price)
and the depth term is dropped (it would be collinear). Standard errors are cluster-robust by
unit (store) when there are several units, HC1 otherwise. Each product's e is then shrunk
toward its category mean: e* = (e/s^2 + m/t^2) / (1/s^2 + 1/t^2), where t^2 is the
between-product variance (method of moments). Only weeks with sales enter (log units).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from tools._brief import BRIEF_OFF
from tools.pricing.panel import FLAGS

Z90 = 1.6448536269514722
MIN_WEEKS = 12
MIN_PRICE_CV = 0.03
MIN_PRICE_WEEKS = 4
"""Weeks whose price differs from the usual one by over 2%: fewer, and a handful of weeks
would decide the slope."""
MAX_SD = 0.6
"""Largest usable standard error of the (shrunk) elasticity: a 90% interval about 2 wide."""


@dataclass(frozen=True)
class Support:
    """What a product's fit has seen; predictions never leave it.

    Continuous design columns (log price, promotion depth) are clamped to their training
    range, so a price outside it is predicted as at the nearest seen one, and log units are
    clipped to their training range. Yearly seasonality enters only when the training spans a
    full year: fitted on part of a year, it extrapolates to the unseen months.
    """

    columns: dict[str, tuple[float, float]]
    log_units: tuple[float, float]
    seasonal: bool
    level: dict[str, float]
    """Unit -> damped mean log residual of the last weeks (0 for a unit not seen lately)."""

    def clamp(self, x: np.ndarray, names: list[str]) -> np.ndarray:
        """The design with every continuous column inside its training range."""
        x = x.copy()
        for i, name in enumerate(names):
            if name in self.columns:
                lo, hi = self.columns[name]
                x[:, i] = np.clip(x[:, i], lo, hi)
        return x


FULL_YEAR_WEEKS = 52
LEVEL_WEEKS = 13
CONTINUOUS = ("log_price", "depth")

FlagCode = Literal[
    "too_few_weeks",
    "too_little_variation",
    "too_few_price_changes",
    "too_uncertain",
    "positive_slope",
    "inelastic",
]
UNUSABLE: frozenset[FlagCode] = frozenset(
    {
        "too_few_weeks",
        "too_little_variation",
        "too_few_price_changes",
        "too_uncertain",
        "positive_slope",
    }
)
"""Flags that make an estimate unusable for pricing ("inelastic" only asks for care)."""


@dataclass(frozen=True, kw_only=True)
class DemandFlag:
    """Why an estimate needs care: a code and the figures behind it.

    Code decides (reliability, refusals); words come only from the wording catalogue
    (``flag.<code>``), in the reader's language, so nothing ever reads a flag's words back.
    """

    code: FlagCode
    values: dict[str, float] = field(default_factory=dict, metadata=BRIEF_OFF)
    """The figures the flag states, unformatted, under the names its wording uses."""


def sample_flags(weeks: int, cv: float, moved: int) -> list[DemandFlag]:
    """Flags of the data a fit stands on: ``weeks`` with sales, the price's coefficient of
    variation ``cv`` and the weeks it ``moved`` away from the usual price."""
    flags = []
    if weeks < MIN_WEEKS:
        flags.append(
            DemandFlag(code="too_few_weeks", values={"weeks": weeks, "min_weeks": MIN_WEEKS})
        )
    if cv < MIN_PRICE_CV:
        flags.append(
            DemandFlag(code="too_little_variation", values={"cv": cv, "min_cv": MIN_PRICE_CV})
        )
    elif moved < MIN_PRICE_WEEKS:
        # Only when the price varies at all: "barely changed" already says it otherwise.
        flags.append(
            DemandFlag(
                code="too_few_price_changes", values={"weeks": moved, "min_weeks": MIN_PRICE_WEEKS}
            )
        )
    return flags


def estimate_flags(elasticity: float, sd: float, ci90: tuple[float, float]) -> list[DemandFlag]:
    """Flags of the (shrunk) estimate itself: too wide, the wrong sign, or inelastic."""
    flags = []
    if sd > MAX_SD:
        interval = {"level": 0.9, "low": ci90[0], "high": ci90[1]}
        flags.append(DemandFlag(code="too_uncertain", values=interval))
    if elasticity >= 0:
        flags.append(DemandFlag(code="positive_slope", values={"elasticity": elasticity}))
    elif elasticity > -1:
        flags.append(DemandFlag(code="inelastic", values={"elasticity": elasticity}))
    return flags


@dataclass(frozen=True)
class ProductDemand:
    """The fitted demand of one product."""

    product: str
    category: str | None
    elasticity: float
    """Shrunk own-price elasticity (the one used for pricing)."""
    ci90: tuple[float, float]
    sd: float
    raw_elasticity: float
    raw_se: float
    depth_elasticity: float | None
    """Response to a temporary cut below the regular price (promotion depth), where known."""
    n_obs: int
    n_weeks: int
    price_cv: float
    r2: float
    loo_rmse_log: float
    """Leave-one-out error of log units (out-of-sample fit quality)."""
    current_price: float
    baseline_units: float
    """Expected weekly units at the current price (mean of the last 8 weeks with sales)."""
    price_range: tuple[float, float]
    flags: list[DemandFlag]
    columns: list[str] = field(repr=False)
    beta: np.ndarray = field(repr=False)
    smearing: float = 1.0
    units: list[str] = field(default_factory=list, repr=False)
    support: Support | None = field(default=None, repr=False)
    """None only for a hand-made demand (no fit behind it): it cannot predict."""

    @property
    def reliable(self) -> bool:
        """No flag that makes the estimate unusable for pricing."""
        return not any(f.code in UNUSABLE for f in self.flags)


def _design(
    rows: pd.DataFrame,
    use_depth: bool,
    flags: list[str],
    units: list[str],
    seasonal: bool,
) -> tuple[np.ndarray, list[str]]:
    base = rows["base_price"].to_numpy(float) if use_depth else rows["price"].to_numpy(float)
    cols = [np.ones(len(rows)), np.log(base)]
    names = ["const", "log_price"]
    if use_depth:
        cols.append(np.log(rows["price"].to_numpy(float) / base))
        names.append("depth")
    for f in flags:
        cols.append(rows[f].to_numpy(float))
        names.append(f)
    if seasonal:
        doy = rows["week"].dt.day_of_year.to_numpy(float) / 365.25 * 2 * np.pi
        for k in (1, 2):
            cols += [np.sin(k * doy), np.cos(k * doy)]
            names += [f"sin{k}", f"cos{k}"]
    unit = rows["unit"].astype(str).to_numpy()
    for u in units[1:]:
        cols.append((unit == u).astype(float))
        names.append(f"unit:{u}")
    return np.column_stack(cols), names


def _ols(
    x: np.ndarray, y: np.ndarray, clusters: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, robust covariance, residuals and leverages."""
    xtx_inv = np.linalg.pinv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    resid = y - x @ beta
    n, k = x.shape
    if clusters is not None and len(np.unique(clusters)) > 1:
        codes, groups = np.unique(clusters, return_inverse=True)
        scores = np.zeros((len(codes), k))
        np.add.at(scores, groups, x * resid[:, None])
        g = len(codes)
        meat = scores.T @ scores * (g / max(g - 1, 1)) * ((n - 1) / max(n - k, 1))
    else:
        meat = (x * resid[:, None] ** 2).T @ x * n / max(n - k, 1)
    cov = xtx_inv @ meat @ xtx_inv
    leverage = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    return beta, cov, resid, leverage


def fit_product(rows: pd.DataFrame, promo_controls: bool = True) -> ProductDemand | None:
    """Fit one product's demand; None when there are fewer observations than parameters."""
    rows = rows.sort_values("week")
    units = sorted(rows["unit"].astype(str).unique())
    has_base = "base_price" in rows and rows["base_price"].notna().all()
    log_base = np.log(rows["base_price"].to_numpy(float)) if has_base else None
    use_depth = bool(
        promo_controls
        and has_base
        and log_base is not None
        and np.std(log_base) > 1e-3
        and np.std(np.log(rows["price"] / rows["base_price"])) > 1e-3
    )
    flags = [
        f
        for f in FLAGS
        if promo_controls and f in rows and rows[f].notna().all() and rows[f].std() > 0
    ]
    seasonal = (rows["week"].max() - rows["week"].min()).days >= 7 * FULL_YEAR_WEEKS
    x, names = _design(rows, use_depth, flags, units, seasonal)
    y = np.log(rows["units"].to_numpy(float))
    if len(y) <= x.shape[1] + 2:
        return None
    beta, cov, resid, lev = _ols(x, y, rows["unit"].to_numpy() if len(units) > 1 else None)
    e, se = float(beta[1]), float(np.sqrt(max(cov[1, 1], 1e-12)))
    sst = float(((y - y.mean()) ** 2).sum())
    loo = resid / np.maximum(1 - lev, 1e-6)
    price = rows["price"].to_numpy(float)
    weeks = rows["week"].nunique()
    last = rows[rows["week"] >= rows["week"].max() - pd.Timedelta(weeks=8)]
    current = float(last["base_price"].iloc[-1] if has_base else last["price"].median())
    baseline = float(last.groupby("week")["units"].sum().mean())
    cv = float(np.std(price) / np.mean(price))
    weekly = np.log(rows.groupby("week")["price"].mean())
    moved = int((np.abs(weekly - weekly.median()) > 0.02).sum())
    return ProductDemand(
        product=str(rows["product"].iloc[0]),
        category=None if pd.isna(rows["category"].iloc[0]) else str(rows["category"].iloc[0]),
        elasticity=e,
        ci90=(e - Z90 * se, e + Z90 * se),
        sd=se,
        raw_elasticity=e,
        raw_se=se,
        depth_elasticity=float(beta[2]) if use_depth else None,
        n_obs=len(y),
        n_weeks=weeks,
        price_cv=cv,
        r2=1 - float((resid**2).sum()) / sst if sst > 0 else 0.0,
        loo_rmse_log=float(np.sqrt(np.mean(loo**2))),
        current_price=current,
        baseline_units=baseline,
        price_range=(float(price.min()), float(price.max())),
        flags=sample_flags(weeks, cv, moved),
        columns=names,
        beta=beta,
        smearing=float(np.mean(np.exp(resid))),
        units=units,
        support=Support(
            columns={
                n: (float(x[:, i].min()), float(x[:, i].max()))
                for i, n in enumerate(names)
                if n in CONTINUOUS
            },
            log_units=(float(y.min()), float(y.max())),
            seasonal=seasonal,
            level=_recent_level(rows, resid),
        ),
    )


def _recent_level(rows: pd.DataFrame, resid: np.ndarray) -> dict[str, float]:
    """Each unit's mean residual over the last weeks, shrunk toward 0 by n / (n + weeks)."""
    recent = (rows["week"] >= rows["week"].max() - pd.Timedelta(weeks=LEVEL_WEEKS)).to_numpy()
    frame = pd.DataFrame({"unit": rows["unit"].astype(str).to_numpy()[recent], "r": resid[recent]})
    stats = frame.groupby("unit")["r"].agg(["sum", "count"])
    return {str(u): float(r["sum"] / (r["count"] + LEVEL_WEEKS)) for u, r in stats.iterrows()}


@dataclass
class DemandModel:
    """Fitted demand of every product, with the category priors used for shrinkage."""

    products: dict[str, ProductDemand]
    priors: dict[str, tuple[float, float]]
    """Category -> (mean elasticity, between-product sd)."""

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        """Expected units (Duan-smeared back-transform) for panel rows of fitted products."""
        out = np.full(len(rows), np.nan)
        for product, part in rows.groupby("product", sort=False):
            fit = self.products.get(str(product))
            if fit is None or fit.support is None:
                continue
            s = fit.support
            flags = [c for c in fit.columns if c in FLAGS]
            x, names = _design(part, "depth" in fit.columns, flags, fit.units, s.seasonal)
            level = part["unit"].astype(str).map(s.level).fillna(0.0).to_numpy(float)
            # The raw fit predicts; shrinkage serves pricing decisions. Thin fits with
            # collinear terms explode out of sample unless held inside what they have seen.
            log_q = np.clip(s.clamp(x, names) @ fit.beta + level, *s.log_units)
            out[rows.index.get_indexer(part.index)] = np.exp(log_q) * fit.smearing
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per product, flags in English words."""
        # Imported here: the findings import this module.
        from tools.findings.pricing import flag_words
        from tools.findings.say import Say

        say = Say("en")
        return pd.DataFrame(
            [
                {
                    "product": p.product,
                    "category": p.category,
                    "elasticity": p.elasticity,
                    "ci90_low": p.ci90[0],
                    "ci90_high": p.ci90[1],
                    "raw_elasticity": p.raw_elasticity,
                    "depth_elasticity": p.depth_elasticity,
                    "n_obs": p.n_obs,
                    "n_weeks": p.n_weeks,
                    "price_cv": p.price_cv,
                    "r2": p.r2,
                    "loo_rmse_log": p.loo_rmse_log,
                    "flags": "; ".join(flag_words(f, say) for f in p.flags),
                }
                for p in self.products.values()
            ]
        )


def fit_demand(
    panel: pd.DataFrame, promo_controls: bool = True, shrink: bool = True
) -> DemandModel:
    """Fit every product of a panel, then shrink elasticities toward category means."""
    fits = {}
    for _, rows in panel.groupby("product", sort=True):
        fit = fit_product(rows, promo_controls)
        if fit is not None:
            fits[fit.product] = fit
    priors: dict[str, tuple[float, float]] = {}
    if shrink and fits:
        fits, priors = _shrink(fits)
    final = {k: _with_flags(v) for k, v in fits.items()}
    return DemandModel(final, priors)


def _shrink(
    fits: dict[str, ProductDemand],
) -> tuple[dict[str, ProductDemand], dict[str, tuple[float, float]]]:
    frame = pd.DataFrame(
        {
            "p": list(fits),
            "cat": [f.category or "(none)" for f in fits.values()],
            "e": [f.raw_elasticity for f in fits.values()],
            "s2": [f.raw_se**2 for f in fits.values()],
        }
    )
    usable = frame[frame["p"].map(lambda p: fits[p].reliable)]
    pool = usable if len(usable) >= 2 else frame
    global_mean = float(np.average(pool["e"], weights=1 / pool["s2"]))
    global_tau2 = (
        max(float(pool["e"].var(ddof=1) - pool["s2"].mean()), 0.05) if len(pool) > 1 else 1.0
    )
    priors: dict[str, tuple[float, float]] = {}
    out = {}
    for cat, part in frame.groupby("cat"):
        good = part[part["p"].isin(usable["p"])]
        if len(good) >= 3:
            mean = float(np.average(good["e"], weights=1 / good["s2"]))
            tau2 = max(float(good["e"].var(ddof=1) - good["s2"].mean()), 0.05)
        else:
            mean, tau2 = global_mean, global_tau2
        priors[str(cat)] = (mean, float(np.sqrt(tau2)))
        for p, e, s2 in zip(part["p"], part["e"], part["s2"], strict=True):
            post_var = 1 / (1 / s2 + 1 / tau2)
            shrunk = post_var * (e / s2 + mean / tau2)
            sd = float(np.sqrt(post_var))
            f = fits[p]
            out[p] = ProductDemand(
                **{
                    **f.__dict__,
                    "elasticity": float(shrunk),
                    "sd": sd,
                    "ci90": (shrunk - Z90 * sd, shrunk + Z90 * sd),
                }
            )
    return out, priors


def _with_flags(fit: ProductDemand) -> ProductDemand:
    flags = [*fit.flags, *estimate_flags(fit.elasticity, fit.sd, fit.ci90)]
    return ProductDemand(**{**fit.__dict__, "flags": flags})
