"""The learned profile score P(u) = sum_i w_i f_i(u) and churn risk, with hold-out evaluation.

Weights come from an L2-regularised logistic regression on standardised features that predicts
"purchases within the next H days". Hold-out protocol: fit on features at end - 2H (label: the
window end - 2H .. end - H), evaluate on features at end - H (label: the last H days). The
reported weights are refitted on the latest window and used to score every customer at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from copilot.core.errors import ToolError
from tools.profiling.features import customer_features

LOG_FEATURES = frozenset(
    {
        "tenure_days",
        "recency_days",
        "frequency",
        "monetary",
        "aov",
        "basket_size",
        "ipt_mean_days",
        "orders_90d",
        "spend_90d",
        "views_90d",
        "searches_90d",
        "carts_90d",
    }
)
EXCLUDED = frozenset({"country", "channel", "purchase_days"})
RFM = ("recency_days", "frequency", "monetary")
MIN_CUSTOMERS = 50
C = 0.5
"""Inverse L2 strength of the score's logistic regression (scikit-learn's ``C``)."""


@dataclass(frozen=True)
class ScoreModel:
    """A fitted profile score with its hold-out evaluation."""

    pipeline: Pipeline
    features: tuple[str, ...]
    horizon_days: int
    train_cutoff: pd.Timestamp
    test_cutoff: pd.Timestamp
    auc: dict[str, float]
    """Hold-out AUC of the profile score, the RFM-only model and the recency-only rule."""
    brier: float
    base_rate: float
    """Share of hold-out customers who purchased within the horizon."""
    n_train: int
    n_test: int

    @property
    def weights(self) -> dict[str, float]:
        """w_i per feature, on standardised (log where heavy-tailed) features."""
        coef = self.pipeline[-1].coef_[0]
        return dict(zip(self.features, (float(c) for c in coef), strict=True))

    @property
    def intercept(self) -> float:
        """The logistic intercept (P = 0 means the average customer)."""
        return float(self.pipeline[-1].intercept_[0])

    def standardised(self, features: pd.DataFrame) -> pd.DataFrame:
        """The z-scored design matrix the weights apply to."""
        z = self.pipeline[:-1].transform(design(features, self.features))
        return pd.DataFrame(z, index=features.index, columns=list(self.features))

    def score(self, features: pd.DataFrame) -> pd.DataFrame:
        """Profile score P(u), purchase probability and churn risk per customer."""
        z = self.standardised(features)
        p_score = z.to_numpy() @ np.array(list(self.weights.values()))
        prob = 1 / (1 + np.exp(-(p_score + self.intercept)))
        return pd.DataFrame(
            {"profile_score": p_score, "purchase_prob": prob, "churn_risk": 1 - prob},
            index=features.index,
        )


def design(features: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Model inputs: heavy-tailed features log-transformed, missing columns as zeros."""
    out = features.reindex(columns=list(columns), fill_value=0.0).astype(float)
    logs = [c for c in columns if c in LOG_FEATURES]
    out[logs] = np.log1p(out[logs].clip(lower=0))
    return out


def labelled(
    lines: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame,
    events: pd.DataFrame | None,
    cutoff: pd.Timestamp,
    horizon_days: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Features at ``cutoff`` and whether each customer bought in the following horizon."""
    feats = customer_features(lines, products, customers, events, cutoff)
    window = lines[
        (lines["ts"] >= cutoff)
        & (lines["ts"] < cutoff + pd.Timedelta(days=horizon_days))
        & ~lines["is_return"].astype(bool)
    ]
    buyers = set(window["customer_id"].dropna())
    return feats, feats.index.isin(list(buyers)).astype(int)


def fit_score(
    lines: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame,
    events: pd.DataFrame | None,
    end: pd.Timestamp,
    horizon_days: int = 90,
) -> ScoreModel:
    """Fit, evaluate on the later window, refit on the latest window."""
    start = lines.loc[lines["customer_id"].notna(), "ts"].min()
    train_cut = end - pd.Timedelta(days=2 * horizon_days)
    test_cut = end - pd.Timedelta(days=horizon_days)
    check_history(start, end, horizon_days)
    x_train, y_train = labelled(lines, products, customers, events, train_cut, horizon_days)
    x_test, y_test = labelled(lines, products, customers, events, test_cut, horizon_days)
    check_labels(train_cut, len(y_train), int(y_train.sum()), horizon_days)
    check_labels(test_cut, len(y_test), int(y_test.sum()), horizon_days)
    columns = tuple(c for c in x_train.columns if c not in EXCLUDED)
    profile = _logistic().fit(design(x_train, columns), y_train)
    prob = profile.predict_proba(design(x_test, columns))[:, 1]
    rfm = _logistic().fit(design(x_train, RFM), y_train)
    auc = {
        "profile_score": float(roc_auc_score(y_test, prob)),
        "rfm_model": float(roc_auc_score(y_test, rfm.predict_proba(design(x_test, RFM))[:, 1])),
        "recency_rule": float(roc_auc_score(y_test, -x_test["recency_days"])),
    }
    final = _logistic().fit(design(x_test, columns), y_test)
    return ScoreModel(
        final,
        columns,
        horizon_days,
        train_cut,
        test_cut,
        auc,
        float(brier_score_loss(y_test, prob)),
        float(y_test.mean()),
        len(y_train),
        len(y_test),
    )


def check_history(start: pd.Timestamp, end: pd.Timestamp, horizon_days: int) -> None:
    """Refuse a score when the customers' history (first purchase ``start``) is too short for
    its two windows."""
    have = (end - start).days if not pd.isna(start) else 0
    train_cut = end - pd.Timedelta(days=2 * horizon_days)
    if pd.isna(start) or train_cut - start < pd.Timedelta(days=30):
        need = 2 * horizon_days + 30
        raise ToolError(
            f"the shop has {have} days of customer history; a {horizon_days}-day score needs at "
            f"least {need} days, so more order history must be loaded first.",
            key="refusal.short_history",
            values={"days": have, "horizon": horizon_days, "need": need},
        )


def check_labels(cut: pd.Timestamp, n: int, bought: int, horizon_days: int) -> None:
    """Refuse a score whose window at ``cut`` has too few customers (``n``) or one outcome
    only (``bought`` of them bought in the horizon)."""
    day = cut.date().isoformat()
    if n < MIN_CUSTOMERS:
        raise ToolError(
            f"customer scores need at least {MIN_CUSTOMERS} customers who bought before "
            f"{day}; the shop has {n}, so more customers' orders must be loaded first.",
            key="refusal.too_few_customers",
            values={"need": MIN_CUSTOMERS, "day": day, "have": n},
        )
    if bought in (0, n):
        raise ToolError(
            f"customer scores learn from customers who bought in the {horizon_days} days "
            f"after {day} and customers who did not, but the shop's {n} customers are "
            "all of one kind; more order history must be loaded first.",
            key="refusal.one_outcome",
            values={"horizon": horizon_days, "day": day, "n": n},
        )


def _logistic() -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
