"""Weekly unit forecasts that are never worse than naive on validation and cannot explode.

Six forecasters compete on a validation window (the last weeks before the
forecast origin): the unit x product training mean (naive), the same week a year earlier
(seasonal naive), the log-log demand model without and with promotion controls, a
gradient-boosted regressor (scikit-learn ``HistGradientBoostingRegressor``, Poisson loss) over
prices, promotion flags, week of year, store and product codes and the unit x product level
(over all training weeks and over the last 13), and the geometric mean of
the last two (blend). The candidate with the lowest validation WAPE over all products ships,
except in a category where it is worse than naive on validation: that category keeps its own
best (per-category and per-product choices on request). The chosen models are refitted on all
the training weeks. Elasticities
still come from the interpretable log-log model (``demand.py``); this module only forecasts.
Every forecast is clipped to the product's training range of weekly units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from tools.pricing.demand import fit_demand
from tools.pricing.panel import FLAGS

VALIDATION_WEEKS = 13
RECENT_WEEKS = 13
"""The boosted model's "recent level" feature averages this many final training weeks."""
CANDIDATES = ("naive", "seasonal_naive", "loglog", "loglog_promo", "gbm", "blend")
CHOOSE_BY = "global"
"""Finer choices on 13 validation weeks chase noise. Test WAPE (BENCHMARKS.md) per product /
per category / global: Breakfast at the Frat 0.341 / 0.337 / 0.335, demo shop 0.304 / 0.291 /
0.286, Online Retail - / 0.610 / 0.609."""

Predict = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class Choice:
    """The forecaster a product uses and why."""

    product: str
    model: str
    validation_wape: float
    naive_wape: float


@dataclass
class Forecaster:
    """Per-product choice among the candidates, each refitted on all training weeks."""

    choices: dict[str, Choice]
    predictors: dict[str, Predict]
    support: pd.DataFrame
    """Per product: the lowest and highest weekly units seen in training (per unit row)."""

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        """Expected units for panel rows; NaN for products never seen in training."""
        out = np.full(len(rows), np.nan)
        model = rows["product"].astype(str).map({p: c.model for p, c in self.choices.items()})
        for name, part in rows.groupby(model, sort=False):
            out[rows.index.get_indexer(part.index)] = self.predictors[str(name)](part)
        lo = rows["product"].astype(str).map(self.support["lo"]).to_numpy(float)
        hi = rows["product"].astype(str).map(self.support["hi"]).to_numpy(float)
        return np.clip(out, lo, hi)

    def summary(self) -> pd.DataFrame:
        """One row per product: chosen model, its validation WAPE and the naive one."""
        return pd.DataFrame([c.__dict__ for c in self.choices.values()])


def wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |error| / sum actual."""
    total = float(np.sum(actual))
    return float(np.sum(np.abs(actual - predicted)) / total) if total > 0 else float("inf")


def fit_forecaster(
    panel: pd.DataFrame,
    validation_weeks: int = VALIDATION_WEEKS,
    candidates: tuple[str, ...] = CANDIDATES,
    choose_by: str = CHOOSE_BY,
) -> Forecaster:
    """Choose each product's (or category's) forecaster on the last weeks, refit on all weeks.

    Args:
        panel: Weekly panel (see ``panel.py``).
        validation_weeks: Weeks at the end of ``panel`` that score the candidates.
        candidates: Forecasters that compete (names of ``CANDIDATES``).
        choose_by: "product" (each its own choice), "category" (pooled over its products:
            fewer, steadier choices on short validation windows) or "global" (the candidate
            best over every product, kept by each category where it beats naive on
            validation; a category where it does not gets its own best).
    """
    panel = panel.reset_index(drop=True)
    cut = panel["week"].max() - pd.Timedelta(weeks=validation_weeks)
    early, late = panel[panel["week"] <= cut], panel[panel["week"] > cut]
    late = late[late["product"].isin(set(early["product"]))]
    group = _groups(panel, "category" if choose_by == "global" else choose_by)
    fitted = fit_candidates(early, candidates)
    y = late["units"].to_numpy(float)
    groups = late["product"].astype(str).map(group).to_numpy()
    scores: dict[str, pd.Series] = {}
    missed: dict[str, float] = {}
    for name in candidates:
        err = np.abs(y - _clean(fitted[name](late)))
        by = pd.DataFrame({"g": groups, "err": err, "y": y}).groupby("g")[["err", "y"]].sum()
        scores[name] = by["err"] / by["y"].where(by["y"] > 0)
        missed[name] = float(err.sum())
    table = pd.DataFrame(scores)
    # "global": the candidate with the lowest validation WAPE over every product together.
    overall = min(candidates, key=missed.__getitem__) if choose_by == "global" else None
    choices = {}
    for product in sorted(set(panel["product"].astype(str))):
        g = group[product]
        row = table.loc[g].dropna().to_dict() if g in table.index else {}
        if not row:
            choices[product] = Choice(product, "naive", float("nan"), float("nan"))
            continue
        best = str(min(row, key=row.__getitem__))
        if overall is not None and overall in row and row[overall] <= row.get("naive", np.inf):
            best = overall
        choices[product] = Choice(product, best, row[best], row.get("naive", float("nan")))
    predictors = fit_candidates(panel, tuple(sorted({c.model for c in choices.values()})))
    units = panel.groupby(panel["product"].astype(str))["units"]
    return Forecaster(choices, predictors, pd.DataFrame({"lo": units.min(), "hi": units.max()}))


def _groups(panel: pd.DataFrame, choose_by: str) -> dict[str, str]:
    """Product -> the group whose pooled validation error decides its forecaster."""
    products = panel.drop_duplicates("product")
    names = products["product"].astype(str)
    if choose_by == "product" or "category" not in panel:
        return dict(zip(names, names, strict=True))
    category = products["category"].astype("string").fillna("product:" + names)
    return dict(zip(names, category.astype(str), strict=True))


def fit_candidates(train: pd.DataFrame, names: tuple[str, ...]) -> dict[str, Predict]:
    """Fitted predictors; the blend reuses its two parts instead of fitting them again."""
    base = {n for n in names if n != "blend"} | (
        {"loglog_promo", "gbm"} if "blend" in names else set()
    )
    fitted = {n: FIT[n](train) for n in sorted(base)}
    if "blend" in names:
        fitted["blend"] = _blend(fitted["loglog_promo"], fitted["gbm"])
    return {n: fitted[n] for n in names}


def _blend(first: Predict, second: Predict) -> Predict:
    """Geometric mean of the interpretable model and the boosted one (errors partly cancel)."""

    def predict(rows: pd.DataFrame) -> np.ndarray:
        return np.sqrt(first(rows) * second(rows))

    return predict


def _clean(predicted: np.ndarray) -> np.ndarray:
    """Non-finite forecasts count as the worst possible (never chosen)."""
    return np.where(np.isfinite(predicted), predicted, 1e300)


def _key(rows: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([rows["unit"].astype(str), rows["product"].astype(str)])


def _naive(train: pd.DataFrame) -> Predict:
    cell = train.groupby(_key(train))["units"].mean()
    product = train.groupby(train["product"].astype(str))["units"].mean()

    def predict(rows: pd.DataFrame) -> np.ndarray:
        out = cell.reindex(_key(rows)).to_numpy(float)
        fallback = rows["product"].astype(str).map(product).to_numpy(float)
        return np.where(np.isnan(out), fallback, out)

    return predict


def _seasonal_naive(train: pd.DataFrame) -> Predict:
    """The units of the same unit and product 52 weeks earlier, else the naive mean."""
    naive = _naive(train)
    year_ago = train.assign(week=train["week"] + pd.Timedelta(weeks=52))
    index = pd.MultiIndex.from_arrays(
        [year_ago["unit"].astype(str), year_ago["product"].astype(str), year_ago["week"]]
    )
    seen = pd.Series(year_ago["units"].to_numpy(float), index=index)
    seen = seen[~seen.index.duplicated()]

    def predict(rows: pd.DataFrame) -> np.ndarray:
        key = pd.MultiIndex.from_arrays(
            [rows["unit"].astype(str), rows["product"].astype(str), rows["week"]]
        )
        out = seen.reindex(key).to_numpy(float)
        return np.where(np.isnan(out), naive(rows), out)

    return predict


def _loglog(promo_controls: bool) -> Callable[[pd.DataFrame], Predict]:
    def fit(train: pd.DataFrame) -> Predict:
        model = fit_demand(train, promo_controls=promo_controls, shrink=False)
        naive = _naive(train)

        def predict(rows: pd.DataFrame) -> np.ndarray:
            out = model.predict(rows.reset_index(drop=True))
            return np.where(np.isnan(out), naive(rows), out)

        return predict

    return fit


def _features(rows: pd.DataFrame, fitted: _Levels) -> pd.DataFrame:
    price = rows["price"].to_numpy(float)
    base = rows["base_price"].to_numpy(float) if "base_price" in rows else price
    key = _key(rows)
    out = pd.DataFrame(
        {
            "log_price": np.log(price),
            "log_base": np.log(base),
            "depth": np.log(price / base),
            "week_of_year": rows["week"].dt.isocalendar().week.to_numpy(int),
            "product": rows["product"].astype(str).map(fitted.products).fillna(-1).to_numpy(float),
            "unit": rows["unit"].astype(str).map(fitted.units).fillna(-1).to_numpy(float),
            "level": fitted.level.reindex(key).to_numpy(float),
            "recent": fitted.recent.reindex(key).to_numpy(float),
        }
    )
    for flag in FLAGS:
        out[flag] = rows[flag].to_numpy(float) if flag in rows else 0.0
    return out


@dataclass(frozen=True)
class _Levels:
    """What the boosted model knows of each unit x product from training: its mean log units
    over all weeks and over the last ``RECENT_WEEKS`` (the level it has drifted to)."""

    level: pd.Series
    recent: pd.Series
    products: dict[str, int]
    units: dict[str, int]


def _levels(train: pd.DataFrame) -> _Levels:
    logs = np.log(train["units"])
    late = train["week"] > train["week"].max() - pd.Timedelta(weeks=RECENT_WEEKS)
    return _Levels(
        logs.groupby(_key(train)).mean(),
        logs[late].groupby(_key(train[late])).mean(),
        {p: i for i, p in enumerate(sorted(set(train["product"].astype(str))))},
        {u: i for i, u in enumerate(sorted(set(train["unit"].astype(str))))},
    )


def _gbm(train: pd.DataFrame) -> Predict:
    """Poisson-loss boosting: it forecasts expected units directly (no back-transform)."""
    fitted = _levels(train)
    model = HistGradientBoostingRegressor(
        loss="poisson", max_iter=300, learning_rate=0.05, random_state=0
    )
    model.fit(_features(train, fitted), train["units"].to_numpy(float))
    naive = _naive(train)

    def predict(rows: pd.DataFrame) -> np.ndarray:
        features = _features(rows, fitted)
        out = model.predict(features)
        return np.where(features["level"].isna(), naive(rows), out)

    return predict


FIT: dict[str, Callable[[pd.DataFrame], Predict]] = {
    "naive": _naive,
    "seasonal_naive": _seasonal_naive,
    "loglog": _loglog(False),
    "loglog_promo": _loglog(True),
    "gbm": _gbm,
}
