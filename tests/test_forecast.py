"""Demand forecasts stay finite and inside what the fit has seen; the chosen forecaster is
never worse than naive on validation and beats it on a planted price response."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.pricing.demand import fit_demand
from tools.pricing.forecast import fit_forecaster, wape


def random_panel(rng: np.random.Generator, weeks: int, start: str = "2023-01-02") -> pd.DataFrame:
    """A few products in two stores with random elasticity, trend, promotions and noise."""
    week = pd.date_range(start, periods=weeks, freq="7D")
    rows = []
    for j in range(int(rng.integers(2, 5))):
        base = float(rng.uniform(0.5, 40))
        e = float(rng.uniform(-4, 1))  # some positive slopes: the data may contradict theory
        trend = float(rng.normal(0, 2))  # log units per year
        for store in ("S1", "S2"):
            regular = base * rng.choice([1.0, 1.0, 1.15], weeks)
            price = regular * rng.choice([1.0, 1.0, 0.7, 0.85], weeks)
            years = np.arange(weeks) / 52
            log_mean = 2 + e * np.log(price / base) + trend * years
            units = np.maximum(np.round(np.exp(log_mean + rng.normal(0, 0.6, weeks))), 1)
            rows.append(
                pd.DataFrame(
                    {
                        "product": f"P{j}",
                        "category": "C",
                        "unit": store,
                        "week": week,
                        "units": units,
                        "price": price,
                        "base_price": regular,
                        "feature": rng.choice([0.0, 1.0], weeks, p=[0.8, 0.2]),
                        "display": rng.choice([0.0, 1.0], weeks, p=[0.9, 0.1]),
                        "tpr": (price < regular).astype(float),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def far_away(panel: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The same products years later at prices from a tenth to ten times any seen."""
    later = panel.copy()
    later["week"] = later["week"] + pd.Timedelta(weeks=int(rng.integers(30, 300)))
    scale = rng.choice([0.1, 0.5, 2.0, 10.0], len(later))
    later["price"] = later["price"] * scale
    later["base_price"] = later["base_price"] * rng.choice([0.1, 1.0, 10.0], len(later))
    return later


def test_no_demand_prediction_leaves_the_training_support() -> None:
    """Property over 40 random panels (8 to 80 weeks): every prediction far outside the
    training prices and weeks is finite and within the product's seen log units (times its
    smearing factor, the back-transform)."""
    rng = np.random.default_rng(16)
    checked = 0
    for _ in range(40):
        panel = random_panel(rng, int(rng.integers(8, 81)))
        later = far_away(panel, rng)
        for promo in (True, False):
            model = fit_demand(panel, promo_controls=promo)
            predicted = model.predict(later)
            for product, fit in model.products.items():
                assert fit.support is not None
                rows = (later["product"] == product).to_numpy()
                values = predicted[rows]
                lo, hi = np.exp(fit.support.log_units) * fit.smearing
                assert np.isfinite(values).all(), product
                assert (values >= lo * (1 - 1e-9)).all() and (values <= hi * (1 + 1e-9)).all()
                checked += len(values)
    assert checked > 5_000


def test_a_planted_trend_fitted_on_part_of_a_year_stays_bounded() -> None:
    """39 weeks (January to September) of demand doubling every quarter: seasonality and trend
    cannot be learnt from part of a year, so a forecast two years out stays within the seen
    weekly units instead of extrapolating the growth (the unseen-data explosion of issue 16)."""
    rng = np.random.default_rng(3)
    week = pd.date_range("2024-01-01", periods=39, freq="7D")
    price = 5 * rng.choice([0.8, 1.0, 1.2], 39)
    units = np.exp(1 + np.log(2) * np.arange(39) / 13 - 2 * np.log(price / 5))
    panel = pd.DataFrame(
        {"product": "P", "category": "C", "unit": "all", "week": week, "units": units}
    ).assign(price=price)
    fit = fit_demand(panel).products["P"]
    assert fit.support is not None and not fit.support.seasonal
    later = panel.assign(week=panel["week"] + pd.Timedelta(weeks=104))
    predicted = fit_demand(panel).predict(later)
    assert np.isfinite(predicted).all()
    assert predicted.max() <= units.max() * fit.smearing * (1 + 1e-9)
    assert fit_demand(panel).products["P"].raw_elasticity < 0


def test_the_chosen_forecaster_never_loses_to_naive_on_validation() -> None:
    rng = np.random.default_rng(7)
    panel = random_panel(rng, 80)
    forecaster = fit_forecaster(panel)
    summary = forecaster.summary()
    assert set(summary["product"]) == set(panel["product"])
    assert (summary["validation_wape"] <= summary["naive_wape"] + 1e-12).all()
    later = far_away(panel, rng)
    predicted = forecaster.predict(later)
    assert np.isfinite(predicted).all()
    bounds = panel.groupby("product")["units"].agg(["min", "max"])
    lo = later["product"].map(bounds["min"]).to_numpy()
    hi = later["product"].map(bounds["max"]).to_numpy()
    assert ((predicted >= lo) & (predicted <= hi)).all()


def test_a_planted_price_response_is_forecast_better_than_naive() -> None:
    """Demand with elasticity -2.5 and 20-40% promotions: the chosen forecasters must beat the
    training mean on the next 13 weeks by a clear margin (the planted signal is strong)."""
    rng = np.random.default_rng(11)
    week = pd.date_range("2023-01-02", periods=117, freq="7D")
    rows = []
    for j in range(6):
        base = float(rng.uniform(2, 10))
        price = base * rng.choice([1.0, 1.0, 1.0, 0.8, 0.6], len(week))
        units = np.round(40 * (price / base) ** -2.5 * rng.lognormal(0, 0.15, len(week)))
        rows.append(
            pd.DataFrame({"product": f"P{j}", "category": "C", "unit": "all", "week": week}).assign(
                units=units, price=price
            )
        )
    panel = pd.concat(rows, ignore_index=True)
    cut = week[-14]
    train, test = panel[panel["week"] <= cut], panel[panel["week"] > cut].reset_index(drop=True)
    forecaster = fit_forecaster(train)
    assert set(forecaster.summary()["model"]) <= {"loglog", "loglog_promo", "gbm", "blend"}
    naive = test["product"].map(train.groupby("product")["units"].mean()).to_numpy()
    ours = wape(test["units"].to_numpy(), forecaster.predict(test))
    assert ours < 0.5 * wape(test["units"].to_numpy(), naive)
