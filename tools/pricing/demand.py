"""Log-log demand model per product with controls and empirical-Bayes shrinkage by category.

log(units) = a + e * log(regular price) + d * log(price / regular price) + flags
             + seasonality (two yearly harmonics) + trend + unit (store) effects
When the regular price never changes for a product, e is the coefficient of log(paid price)
and the depth term is dropped (it would be collinear). Standard errors are cluster-robust by
unit (store) when there are several units, HC1 otherwise. Each product's e is then shrunk
toward its category mean: e* = (e/s^2 + m/t^2) / (1/s^2 + 1/t^2), where t^2 is the
between-product variance (method of moments). Only weeks with sales enter (log units).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tools.pricing.panel import FLAGS

Z90 = 1.6448536269514722
MIN_WEEKS = 12
MIN_PRICE_CV = 0.03


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
    flags: list[str]
    columns: list[str] = field(repr=False)
    beta: np.ndarray = field(repr=False)
    smearing: float = 1.0
    units: list[str] = field(default_factory=list, repr=False)
    t0: pd.Timestamp = field(default=pd.Timestamp("2000-01-03"), repr=False)
    log_units_range: tuple[float, float] = field(default=(-np.inf, np.inf), repr=False)

    @property
    def reliable(self) -> bool:
        """No flag that makes the estimate unusable for pricing."""
        return not any(flag_kind(f) in UNUSABLE for f in self.flags)


UNUSABLE = ("positive_slope", "too_little_variation", "too_few_weeks")


def flag_kind(flag: str) -> str:
    """The kind of a reliability flag (the flags are written in this module)."""
    for prefix, kind in (
        ("positive", "positive_slope"),
        ("too little", "too_little_variation"),
        ("too few", "too_few_weeks"),
        ("inelastic", "inelastic"),
    ):
        if flag.startswith(prefix):
            return kind
    return "other"


def _design(
    rows: pd.DataFrame, use_depth: bool, flags: list[str], units: list[str], t0: pd.Timestamp
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
    doy = rows["week"].dt.day_of_year.to_numpy(float) / 365.25 * 2 * np.pi
    for k in (1, 2):
        cols += [np.sin(k * doy), np.cos(k * doy)]
        names += [f"sin{k}", f"cos{k}"]
    cols.append((rows["week"] - t0).dt.days.to_numpy(float) / 365.25)
    names.append("trend")
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
    t0 = rows["week"].min()
    x, names = _design(rows, use_depth, flags, units, t0)
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
    flag_list = []
    if weeks < MIN_WEEKS:
        flag_list.append(f"too few weeks with sales ({weeks} < {MIN_WEEKS})")
    if cv < MIN_PRICE_CV:
        flag_list.append(f"too little price variation (CV {cv:.3f} < {MIN_PRICE_CV})")
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
        flags=flag_list,
        columns=names,
        beta=beta,
        smearing=float(np.mean(np.exp(resid))),
        units=units,
        t0=t0,
    )


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
            if fit is None:
                continue
            use_depth = "depth" in fit.columns
            flags = [c for c in fit.columns if c in FLAGS]
            x, _ = _design(part, use_depth, flags, fit.units, fit.t0)
            # The raw fit predicts; shrinkage serves pricing decisions. Predictions stay near the
            # training range: thin fits with collinear price terms can explode out of sample.
            lo, hi = fit.log_units_range
            log_q = np.clip(x @ fit.beta, lo - 0.5, hi + 0.5)
            out[rows.index.get_indexer(part.index)] = np.exp(log_q) * fit.smearing
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per product."""
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
                    "flags": "; ".join(p.flags),
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
    flags = list(fit.flags)
    if fit.elasticity >= 0:
        flags.append(
            f"positive price slope ({fit.elasticity:+.2f}): demand data contradicts "
            "a price response; do not price from it"
        )
    elif fit.elasticity > -1:
        flags.append(
            f"inelastic (|e| = {abs(fit.elasticity):.2f} < 1): no interior profit "
            "optimum; a price bound will decide"
        )
    return ProductDemand(**{**fit.__dict__, "flags": flags})
