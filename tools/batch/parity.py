"""How far two batch runs' results are apart, and how the Spark engine's ALS ranks on the
temporal split the in-process recommenders are measured on (BENCHMARKS.md's protocol)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from tools.recommend.evaluate import Metrics, Split, mode_truth, ranking_metrics


def customer_gaps(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, Any]:
    """Differences between two engines' ``batch_customers`` rows (matched by customer)."""
    left, right = a.set_index("customer_id"), b.set_index("customer_id").reindex(a["customer_id"])
    out: dict[str, Any] = {
        "customers": (len(a), len(b)),
        "missing": int(right["rfm_segment"].isna().sum()),
        "segments_differ": int((left["rfm_segment"] != right["rfm_segment"]).sum()),
        "cluster_ari": float(adjusted_rand_score(left["cluster"], right["cluster"])),
    }
    for column in ("recency_days", "frequency", "monetary", "purchase_prob", "p_alive"):
        out[f"{column}_max_abs"] = float((left[column] - right[column]).abs().max())
    clv = (left["clv_12m"] - right["clv_12m"]).abs() / left["clv_12m"].abs().clip(lower=1.0)
    out["clv_12m_max_rel"] = float(clv.max())
    scores = np.corrcoef(left["profile_score"], right["profile_score"])
    out["profile_score_corr"] = float(scores[0, 1])
    return out


def ranked_metrics(recs: pd.DataFrame, split: Split, mode: str, k: int = 10) -> Metrics:
    """Metrics of batch recommendation rows (``customer_id``, ``mode``, ``rank``, ``sku``)
    fitted before ``split.cutoff``, on the split's test window."""
    train = split.train
    truth, sizes, rows = mode_truth(split, mode)
    users = pd.Index(train.users)
    items = pd.Index(train.items)
    picked = recs[(recs["mode"] == mode) & (recs["rank"] < k)]
    row = users.get_indexer(picked["customer_id"])
    col = items.get_indexer(picked["sku"])
    table = np.full((len(users), k), -1, dtype=np.int64)
    keep = row >= 0
    table[row[keep], picked["rank"].to_numpy()[keep]] = col[keep]
    share = train.buyers / max(train.shape[0], 1)
    return ranking_metrics(table[rows], truth[rows], sizes[rows], share, train.shape[1])
