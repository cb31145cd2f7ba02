"""Does any passage answer the question, and which sentence? Calibration of the coverage rule.

Usage: .venv/bin/python benchmarks/bench_coverage.py [--home DIR]

Reads evals/retrieval/coverage.yaml (covered and not-covered marketer questions with the
substring the answering sentence must contain), runs the knowledge search the agent uses on
the indexed demo shop, and compares decision rules on the dev split: the best sentence's
similarity (with and without a word-overlap bonus), the top passage's hybrid score, and both.
It prints accuracy on dev and test for each rule at its dev-best threshold, the quote hit rate
(the chosen quote contains the expected substring), and the naive baselines (always "covered",
always "not covered").
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import yaml

from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.shop import ShopData
from knowledge.quotes import Sentence, best_quotes, rank_sentences
from knowledge.sources import file_sources, shop_sources
from knowledge.store import KnowledgeStore

ROOT = Path(__file__).resolve().parents[1]


def indexed(home: Path | None) -> KnowledgeStore:
    if home is not None:
        return KnowledgeStore(Settings(home=home))
    settings = Settings(home=Path(tempfile.mkdtemp()))
    shop = ShopData.open(settings.effective_database_url)
    store_demo(shop, generate_demo(seed=7), settings, force=True)
    store = KnowledgeStore(settings)
    docs = ROOT / "knowledge" / "demo"
    store.index([*file_sources(docs), *shop_sources(shop)], {str(docs), "shop"})
    return store


def features(store: KnowledgeStore, q: str) -> tuple[dict[str, float], list[Sentence]]:
    hits = store.search(q, limit=4)
    ranked = rank_sentences(store.embedder, q, [(h.citation, h.text, h.title) for h in hits])
    top_sentence = ranked[0].score if ranked else 0.0
    top_passage = hits[0].score if hits else 0.0
    return {
        "sentence": top_sentence,
        "passage": top_passage,
        "mean": (top_sentence + top_passage) / 2,
    }, ranked


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    grid = np.unique(np.round(scores, 3))
    accuracy = [((scores >= t) == labels).mean() for t in grid]
    i = int(np.argmax(accuracy))
    return float(grid[i]), float(accuracy[i])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="an indexed copilot home (default: build one)")
    args = parser.parse_args()
    data = yaml.safe_load((ROOT / "evals/retrieval/coverage.yaml").read_text(encoding="utf-8"))
    queries = data["queries"]
    store = indexed(args.home)
    rows = []
    for item in queries:
        feats, ranked = features(store, item["q"])
        quotes = best_quotes(ranked)
        quoted = item.get("quote")
        hit = bool(quoted) and any(quoted in s.text for s in quotes)
        rows.append((item, feats, hit))
    split = np.array([r[0]["split"] for r in rows])
    covered = np.array([bool(r[0]["covered"]) for r in rows])
    print(f"{len(rows)} questions: {covered.sum()} covered, {(~covered).sum()} not covered")
    for name in ("sentence", "passage", "mean"):
        scores = np.array([r[1][name] for r in rows])
        dev, test = split == "dev", split == "test"
        threshold, dev_acc = best_threshold(scores[dev], covered[dev])
        test_acc = float(((scores[test] >= threshold) == covered[test]).mean())
        missed = float((scores[test & covered] < threshold).mean())
        false = float((scores[test & ~covered] >= threshold).mean())
        print(
            f"rule {name:8s}: threshold {threshold:.3f}  dev acc {dev_acc:.3f}  test acc "
            f"{test_acc:.3f} (covered called not covered {missed:.2f}, not covered called "
            f"covered {false:.2f})"
        )
    for label, always in (("always covered", True), ("always not covered", False)):
        dev_acc = float((covered[split == "dev"] == always).mean())
        test_acc = float((covered[split == "test"] == always).mean())
        print(f"baseline {label}: dev acc {dev_acc:.3f}  test acc {test_acc:.3f}")
    quote_rows = [r for r in rows if r[0]["covered"]]
    for part in ("dev", "test"):
        part_rows = [r for r in quote_rows if r[0]["split"] == part]
        print(
            f"quote hit ({part}): {sum(r[2] for r in part_rows)}/{len(part_rows)} covered "
            "questions quote the answering sentence"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
