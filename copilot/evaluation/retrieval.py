"""The ``retrieval`` suite kind: a labelled query set scored by ``knowledge.evaluate``."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from tqdm import tqdm

from copilot.evaluation.cases import Case, Expect, Suite
from copilot.evaluation.results import Attempt, CaseResult, SuiteResult, Turn, suite_metrics
from copilot.evaluation.results import threshold_verdicts as common_thresholds
from copilot.evaluation.scorers import Verdict
from knowledge.evaluate import evaluate_retrieval, load_queries
from tools import ToolContext


def retrieval_units(suite: Suite) -> int:
    """How many queries the suite runs (for the progress bar)."""
    return len(load_queries(suite.queries)) if suite.queries else 0


def _case(query: dict[str, Any]) -> Case:
    # Ids come from the text, so inserting a query does not renumber the baseline.
    digest = hashlib.sha1(query["q"].encode("utf-8")).hexdigest()[:8]
    language = str(query.get("lang", "en"))
    tags = (language, *(["cross-lingual"] if query.get("cross") else []))
    return Case(f"{language}-{digest}", (query["q"],), Expect(), tags, language, "evaluator")


def run_retrieval_suite(
    suite: Suite, ctx: ToolContext, bar: tqdm[Any] | None = None
) -> SuiteResult:
    """Each query is a case that passes when an expected id ranks within ``suite.k``; the
    suite's hit@1/hit@3/MRR thresholds apply to its mode on all queries."""
    from tools.knowledge_search import knowledge_store

    if suite.queries is None:  # pragma: no cover - the schema requires queries
        raise ValueError(f"retrieval suite {suite.name} has no query set")
    started = time.perf_counter()
    store = knowledge_store(ctx)
    queries = load_queries(suite.queries)
    results = []
    for query in queries:
        began = time.perf_counter()
        scores = evaluate_retrieval(store, [query])
        one = next(s for s in scores if s.mode == suite.mode and s.slice == "all")
        seconds = time.perf_counter() - began
        rank = round(1 / one.mrr) if one.mrr > 0 else None
        found = f"rank {rank}" if rank else "not in the top 10"
        verdict = Verdict(
            f"hit@{suite.k}",
            rank is not None and rank <= suite.k,
            f"{found} ({suite.mode}); expected {', '.join(query['expect'])}",
            {"hit1": one.hit1, "hit3": one.hit3, "mrr": one.mrr},
        )
        turn = Turn(query["q"], found, seconds, str(query.get("lang", "")))
        results.append(CaseResult(_case(query), [Attempt([verdict], [turn])]))
        if bar is not None:
            bar.update(1)
    metrics = suite_metrics(results)
    for score in evaluate_retrieval(store, queries):
        key = f"{score.mode}_{score.slice}".replace("-", "_")
        metrics |= {f"{key}_hit1": score.hit1, f"{key}_hit3": score.hit3, f"{key}_mrr": score.mrr}
    verdicts = common_thresholds(suite, results)
    t = suite.thresholds
    for name, minimum in (("hit1", t.min_hit1), ("hit3", t.min_hit3), ("mrr", t.min_mrr)):
        if minimum is not None:
            value = metrics[f"{suite.mode}_all_{name}"]
            verdicts.append(
                Verdict(
                    f"min_{name}",
                    value >= minimum,
                    f"{suite.mode} {name} {value:.3f} (minimum {minimum:.3f})",
                )
            )
    return SuiteResult(suite, results, metrics, verdicts, time.perf_counter() - started)
