"""Named RFM segments (documented rules) and data-driven clusters described in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from tools.profiling.features import is_share, label
from tools.profiling.score import LOG_FEATURES

# (key, English, Chinese, rule on R and F scores 1-5). The grid is the common R x F map; every
# (R, F) cell belongs to exactly one segment.
RFM_SEGMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("champions", "Champions", "冠军客户", "R 5 and F 4-5"),
    ("loyal", "Loyal", "忠诚客户", "R 3-4 and F 4-5"),
    ("potential_loyalist", "Potential loyalist", "潜力客户", "R 4-5 and F 2-3"),
    ("new", "New", "新客户", "R 5 and F 1"),
    ("promising", "Promising", "有潜力的新客", "R 4 and F 1"),
    ("need_attention", "Need attention", "需要关注", "R 3 and F 3"),
    ("about_to_sleep", "About to sleep", "即将沉睡", "R 3 and F 1-2"),
    ("at_risk", "At risk", "有流失风险", "R 1-2 and F 3-4"),
    ("cannot_lose", "Cannot lose them", "不能失去", "R 1-2 and F 5"),
    ("hibernating", "Hibernating", "休眠客户", "R 2 and F 1-2"),
    ("lost", "Lost", "已流失", "R 1 and F 1-2"),
)
SEGMENT_LABELS = {key: (en, zh) for key, en, zh, _ in RFM_SEGMENTS}
EVERYONE = ("all", "All customers", "全部客户", "every customer")
"""The audience of a plan made for a customer list that names no segment (programs only: the
model names RFM segments)."""

SegmentName = Literal[
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cannot_lose",
    "hibernating",
    "lost",
    "cluster 0",
    "cluster 1",
    "cluster 2",
    "cluster 3",
    "cluster 4",
    "cluster 5",
    "cluster 6",
    "cluster 7",
]
"""Segment argument of the agent tools: a closed list, so constrained decoding cannot invent one
(``segment_mask`` also accepts English and Chinese labels for direct callers)."""


def _grid() -> np.ndarray:
    """6 x 6 lookup (index 1-5) from (R, F) to segment key."""
    grid = np.empty((6, 6), dtype=object)
    for r in range(1, 6):
        for f in range(1, 6):
            if r == 5 and f >= 4:
                key = "champions"
            elif r in (3, 4) and f >= 4:
                key = "loyal"
            elif r >= 4 and f in (2, 3):
                key = "potential_loyalist"
            elif r == 5:
                key = "new"
            elif r == 4:
                key = "promising"
            elif r == 3:
                key = "need_attention" if f == 3 else "about_to_sleep"
            elif f == 5:
                key = "cannot_lose"
            elif f >= 3:
                key = "at_risk"
            else:
                key = "hibernating" if r == 2 else "lost"
            grid[r, f] = key
    return grid


RFM_GRID = _grid()


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Scores 1-5 by rank quintile (ties broken by order, so every score is used)."""
    ranks = values.rank(method="first", ascending=higher_is_better)
    return pd.Series(np.ceil(ranks / len(values) * 5), index=values.index).clip(1, 5).astype(int)


def rfm_segments(features: pd.DataFrame) -> pd.DataFrame:
    """R, F, M scores and the named segment of each customer."""
    r = quintile_score(features["recency_days"], higher_is_better=False)
    f = quintile_score(features["frequency"] + features["monetary"] * 1e-9)
    m = quintile_score(features["monetary"])
    return pd.DataFrame(
        {
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "rfm_segment": RFM_GRID[r.to_numpy(), f.to_numpy()],
        },
        index=features.index,
    )


@dataclass(frozen=True)
class Trait:
    """What sets a group apart: a feature whose group mean is far from the overall mean."""

    feature: str
    z: float
    """(group mean - overall mean) / overall standard deviation."""
    mean: float
    overall: float

    @property
    def high(self) -> bool:
        """The group has more of the feature than the average customer."""
        return self.z > 0


@dataclass(frozen=True)
class Clustering:
    """Data-driven clusters with the quality of each candidate k."""

    labels: pd.Series
    k: int
    silhouette: dict[int, float]
    components: int
    traits: dict[int, list[Trait]]
    """Cluster -> its most distinguishing features."""

    def describe(self, cluster: int) -> list[str]:
        """The cluster's traits in English words."""
        return [describe_trait(t) for t in self.traits[cluster]]


def cluster_customers(
    features: pd.DataFrame, k_range: range = range(3, 9), seed: int = 0
) -> Clustering:
    """KMeans on standardised features reduced by PCA (components with eigenvalue >= 1).

    k is the silhouette-best value in ``k_range`` (silhouette on a sample of 5,000).
    """
    columns = [c for c in features.columns if c not in ("country", "channel", "purchase_days")]
    x = features[columns].astype(float)
    logs = [c for c in columns if c in LOG_FEATURES]
    x[logs] = np.log1p(x[logs].clip(lower=0))
    z = StandardScaler().fit_transform(x)
    pca = PCA(random_state=seed).fit(z)
    n_comp = max(2, int((pca.explained_variance_ >= 1.0).sum()))
    reduced = pca.transform(z)[:, :n_comp]
    scores: dict[int, float] = {}
    fits: dict[int, np.ndarray] = {}
    candidates = [k for k in k_range if k < len(features)]
    for k in candidates:
        fit = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(reduced)
        fits[k] = fit.labels_
        scores[k] = float(
            silhouette_score(
                reduced, fit.labels_, sample_size=min(5000, len(features)), random_state=seed
            )
        )
    best = max(scores, key=lambda k: scores[k])
    labels = pd.Series(fits[best], index=features.index, name="cluster")
    return Clustering(labels, best, scores, n_comp, group_traits(features[columns], labels))


def group_traits(features: pd.DataFrame, labels: pd.Series, top: int = 3) -> dict[int, list[Trait]]:
    """The features whose group mean differs most from the overall mean."""
    mean, std = features.mean(), features.std().replace(0, np.nan)
    out: dict[int, list[Trait]] = {}
    for group, rows in features.groupby(labels):
        z = ((rows.mean() - mean) / std).dropna()
        picks = z.abs().sort_values(ascending=False).index[:top]
        out[int(group)] = [
            Trait(str(c), float(z[c]), float(rows[c].mean()), float(mean[c])) for c in picks
        ]
    return out


def describe_trait(trait: Trait) -> str:
    """Why a feature stands out: "high total spend (1,234.0 vs 456.0 overall)"."""
    return (
        f"{'high' if trait.high else 'low'} {label(trait.feature)} "
        f"({_fmt(trait.feature, trait.mean)} vs {_fmt(trait.feature, trait.overall)} overall)"
    )


def _fmt(feature: str, value: float) -> str:
    return f"{value:.0%}" if is_share(feature) else f"{value:,.1f}"
