"""Does the demand model that prices stand on forecast better than a plain average?

The optimiser and the discount planner predict units with the log-log demand model. Before
they act on it, the model is refitted without the last weeks and scored on them (WAPE: missed
units / units sold) beside the naive forecast (each store x product's own mean), overall and
per category. Thirteen weeks are few, so the difference gets an interval from resampling
weeks: a category where the model is clearly worse than naive (the whole 90% interval above
zero) is not optimised; one where it is no better is optimised with that said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from tools._brief import BRIEF_OFF
from tools.pricing.demand import fit_demand
from tools.pricing.forecast import FIT

MODEL = "log-log demand model with promotion controls"
CHECK_WEEKS = 13
BOOTSTRAP = 400
Verdict = Literal["better", "no_better", "worse"]


@dataclass(frozen=True)
class ForecastCheck:
    """How the demand model forecast the last weeks it was not fitted on."""

    model: str
    weeks: int
    wape: float
    naive_wape: float
    verdict: Verdict
    by_category: dict[str, Score] = field(metadata=BRIEF_OFF)

    def for_category(self, category: str | None) -> Score:
        """The score of a category, or the overall one when it was not scored alone."""
        overall = Score(self.wape, self.naive_wape, self.verdict, self.weeks)
        return self.by_category.get(category or "", overall)


@dataclass(frozen=True)
class Score:
    """Model and naive WAPE on the same rows, and what the difference means."""

    wape: float
    naive_wape: float
    verdict: Verdict
    weeks: int


def _score(actual: np.ndarray, model: np.ndarray, naive: np.ndarray, week: np.ndarray) -> Score:
    frame = (
        pd.DataFrame(
            {"m": np.abs(actual - model), "n": np.abs(actual - naive), "y": actual, "w": week}
        )
        .groupby("w")[["m", "n", "y"]]
        .sum()
    )
    m, n, y = (frame[c].to_numpy(float) for c in ("m", "n", "y"))
    if y.sum() <= 0:
        return Score(float("nan"), float("nan"), "better", len(y))
    picks = np.random.default_rng(0).integers(0, len(y), size=(BOOTSTRAP, len(y)))
    gap = (m[picks].sum(axis=1) - n[picks].sum(axis=1)) / np.maximum(y[picks].sum(axis=1), 1e-12)
    model_wape, naive_wape = float(m.sum() / y.sum()), float(n.sum() / y.sum())
    verdict: Verdict = (
        "worse"
        if np.quantile(gap, 0.05) > 0
        else "no_better"
        if model_wape >= naive_wape
        else "better"
    )
    return Score(model_wape, naive_wape, verdict, len(y))


def check_demand_forecast(panel: pd.DataFrame, weeks: int = CHECK_WEEKS) -> ForecastCheck | None:
    """Refit without the last ``weeks`` and score them; None with under 2 x ``weeks`` of data.

    Args:
        panel: weekly panel (see ``panel.py``), the one the tools' demand model is fitted on.
        weeks: how many final weeks are held out.
    """
    panel = panel.reset_index(drop=True)
    cut = panel["week"].max() - pd.Timedelta(weeks=weeks)
    early, late = panel[panel["week"] <= cut], panel[panel["week"] > cut]
    if early["week"].nunique() < weeks or late.empty:
        return None
    late = late[late["product"].isin(set(early["product"]))].reset_index(drop=True)
    model = fit_demand(early).predict(late)
    naive = FIT["naive"](early)(late)
    predicted = np.where(np.isnan(model), naive, model)
    actual = late["units"].to_numpy(float)
    category = (
        late["category"].astype("string").fillna("").to_numpy(str)
        if "category" in late
        else np.full(len(late), "")
    )
    week = late["week"].to_numpy()
    by_category = {
        str(c): _score(actual[m], predicted[m], naive[m], week[m])
        for c in np.unique(category)
        if c and (m := category == c).any()
    }
    overall = _score(actual, predicted, naive, week)
    return ForecastCheck(
        MODEL, weeks, overall.wape, overall.naive_wape, overall.verdict, by_category
    )
