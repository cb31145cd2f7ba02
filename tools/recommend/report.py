"""Offline comparison of every backend and the tuned hybrid on one temporal split."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import pandas as pd

from tools.recommend.base import Recommender
from tools.recommend.components import catalogue, make_components, non_merchandise, product_texts
from tools.recommend.content import TextEncoder
from tools.recommend.evaluate import Metrics, evaluate, temporal_split
from tools.recommend.hybrid import HybridRecommender, family
from tools.recommend.pipeline import shipped_weights, tune


@dataclass(frozen=True)
class EvalRow:
    """One model, one mode, one customer group."""

    model: str
    mode: str
    group: str
    metrics: Metrics
    fit_seconds: float


def evaluate_all(
    lines: pd.DataFrame,
    events: pd.DataFrame | None,
    products: pd.DataFrame,
    test_days: int = 60,
    k: int = 10,
    extra: dict[str, Recommender] | None = None,
    encoder: TextEncoder | None = None,
) -> tuple[list[EvalRow], dict[str, str]]:
    """Test window = the last ``test_days``; hybrid weights tuned on the window before it.

    Every catalogue product is a column (products first sold in the test window can be
    recommended). Returns the rows and, per mode, what the tuning ships and why.
    """
    end = lines["ts"].max() + pd.Timedelta(seconds=1)
    cutoff = end - pd.Timedelta(days=test_days)
    texts, exclude = product_texts(products), non_merchandise(products)
    items = catalogue(products, lines, exclude)
    tuning = tune(lines, events, texts, cutoff, test_days, exclude, items=items, encoder=encoder)
    split = temporal_split(lines, events, cutoff, test_days, exclude, items=items)
    weights = {mode: shipped_weights(t, split.train) for mode, t in tuning.items()}
    models: dict[str, Recommender] = dict(make_components(texts, encoder))
    models.update(extra or {})
    rows: list[EvalRow] = []
    fit_time: dict[str, float] = {}
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(split.train)
        fit_time[name] = time.perf_counter() - start
    components = {n: m for n, m in models.items() if n not in (extra or {})}
    for mode in ("all", "new"):
        hybrid = HybridRecommender(components, weights[mode])
        hybrid.data = split.train
        candidates = {**models, "hybrid": hybrid}
        fit_time["hybrid"] = sum(fit_time[n] for n, w in weights[mode].items() if w > 0)
        for name, model in candidates.items():
            if mode == "new" and family(name) == "buy_again":
                continue  # only re-buys: meaningless for new items
            for group, metrics in evaluate(model, split, mode, k).items():
                rows.append(EvalRow(name, mode, group, metrics, fit_time[name]))
    notes = {mode: t.note() if t.singles else "nothing to tune on" for mode, t in tuning.items()}
    return rows, notes


def as_table(rows: list[EvalRow], group: str = "all") -> str:
    """A Markdown table of the rows for one customer group."""
    out = [
        "| model | mode | customers | HR@10 | NDCG@10 | recall@10 | recall@10 capped | "
        "MAP@10 | coverage | novelty | fit s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.group != group:
            continue
        m = r.metrics
        out.append(
            f"| {r.model} | {r.mode} | {m.customers:,} | {m.hr:.3f} | {m.ndcg:.3f} | "
            f"{m.recall:.3f} | {m.recall_capped:.3f} | {m.map:.3f} | {m.coverage:.3f} | "
            f"{m.novelty:.2f} | "
            f"{r.fit_seconds:.2f} |"
        )
    return "\n".join(out)


def as_json(rows: list[EvalRow]) -> list[dict[str, object]]:
    """Rows as JSON-ready dicts."""
    return [
        {
            "model": r.model,
            "mode": r.mode,
            "group": r.group,
            "fit_seconds": r.fit_seconds,
            **asdict(r.metrics),
        }
        for r in rows
    ]
