"""Retrieval quality on a labelled query set: hit@1, hit@3 and MRR per search mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot.core.labelled import load_labelled
from knowledge.store import KnowledgeStore, Mode


@dataclass(frozen=True)
class RetrievalScore:
    """Quality of one mode on one slice of the query set."""

    mode: str
    slice: str
    queries: int
    hit1: float
    hit3: float
    mrr: float


def load_queries(path: Path) -> list[dict[str, Any]]:
    """Queries with ``q`` and a non-empty ``expect`` list (citation or document ids)."""
    return load_labelled(path, "queries", ("q", "expect"))


def _rank(store: KnowledgeStore, query: dict[str, Any], mode: Mode, depth: int) -> int | None:
    wanted = set(query["expect"])
    for rank, hit in enumerate(store.search(query["q"], limit=depth, mode=mode), 1):
        if hit.citation in wanted or hit.citation.split("#")[0] in wanted:
            return rank
    return None


def evaluate_retrieval(
    store: KnowledgeStore, queries: list[dict[str, Any]], depth: int = 10
) -> list[RetrievalScore]:
    """Scores for dense, keyword and hybrid on all queries and per language slice."""
    slices = {
        "all": lambda q: True,
        "en": lambda q: q.get("lang") == "en" and not q.get("cross"),
        "zh": lambda q: q.get("lang") == "zh" and not q.get("cross"),
        "cross-lingual": lambda q: bool(q.get("cross")),
    }
    out = []
    modes: tuple[Mode, ...] = ("dense", "keyword", "hybrid")
    for mode in modes:
        ranks = [(q, _rank(store, q, mode, depth)) for q in queries]
        for name, keep in slices.items():
            part = [r for q, r in ranks if keep(q)]
            if not part:
                continue
            out.append(
                RetrievalScore(
                    mode,
                    name,
                    len(part),
                    sum(1 for r in part if r == 1) / len(part),
                    sum(1 for r in part if r is not None and r <= 3) / len(part),
                    sum(1 / r for r in part if r is not None) / len(part),
                )
            )
    return out
