"""End-to-end latency of the agent with the default local model, and its routing accuracy.

Usage: .venv/bin/python benchmarks/bench_agent.py [--styles facts,narrative]
One process, as the UI runs it: the demo shop is generated and indexed, the tools' models are
fitted once (timed separately), the agent warms up as the UI does (the system prompt read into
llama.cpp's prompt cache), then every
question of evals/routing/core.yaml and dev.yaml is asked end to end (routing, tools, streamed
answer, grounding check). Time to first streamed answer token and total time, p50 and p95.
Each answer style runs the same questions in the same process (``narrative``, the model writing
the answer, is the style before findings; ``facts`` the one the local model uses now).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from copilot.agent.factory import build_agent
from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.evaluation.routing import load_cases, route
from copilot.llm.model_file import model_path
from copilot.shop import ShopData
from knowledge.sources import file_sources, shop_sources
from tools import ToolContext
from tools.knowledge_search import knowledge_store
from tools.pricing.api import demand_model
from tools.profiling.api import profiles
from tools.recommend.api import recommender

ROOT = Path(__file__).resolve().parents[1]


QUIET_READ, QUIET_WRITE = 90.0, 27.0
"""Tokens/s read and written by this model on a quiet machine of this kind (FINDINGS.md)."""


class TokenMeter:
    """What llama.cpp reads (prompt tokens past its cached prefix) and writes: unlike seconds
    on a shared machine, these counts do not depend on the neighbours."""

    def __init__(self, llm: Any) -> None:
        self.llm, self.read, self.written = llm, 0, 0
        inner = llm.create_chat_completion

        def counted(*args: Any, **kwargs: Any) -> Any:
            before = list(llm._input_ids[: llm.n_tokens])
            out = inner(*args, **kwargs)
            if kwargs.get("stream"):
                return self._stream(out, before)
            self._account(before, out["usage"]["completion_tokens"])
            return out

        llm.create_chat_completion = counted

    def _stream(self, chunks: Iterator[Any], before: list[int]) -> Iterator[Any]:
        n = 0
        for chunk in chunks:
            n += 1
            yield chunk
        self._account(before, n)

    def _account(self, before: list[int], generated: int) -> None:
        after = list(self.llm._input_ids[: self.llm.n_tokens])
        prompt = after[: max(len(after) - generated, 0)]
        same = 0
        for a, b in zip(before, prompt, strict=False):
            if a != b:
                break
            same += 1
        self.read += len(prompt) - same
        self.written += generated

    def take(self) -> tuple[int, int]:
        """Tokens read and written since the last call."""
        out = (self.read, self.written)
        self.read = self.written = 0
        return out


def calibrate(agent: object) -> str:
    """The machine's raw llama.cpp speed in this run (the targets are absolute; this says how
    fast the hardware was while they were measured)."""
    llm = agent.model._llm  # type: ignore[attr-defined]
    prompt = "Summarise the following shop notes for a marketer. " + "Sales rose in spring. " * 60
    start, first, n = time.perf_counter(), 0.0, 0
    llm.reset()
    for _ in llm.create_completion(prompt, max_tokens=64, temperature=0, stream=True):
        first = first or time.perf_counter()
        n += 1
    end = time.perf_counter()
    tokens = len(llm.tokenize(prompt.encode()))
    llm.reset()
    return (
        f"raw model speed now: prompt {tokens / (first - start):.0f} tokens/s, generation "
        f"{(n - 1) / (end - first):.1f} tokens/s (FINDINGS.md, quiet machine: 80-100 and 24-31)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="agent latency and tokens per answer style")
    parser.add_argument("--styles", default="facts,narrative")
    styles = parser.parse_args().styles.split(",")
    home = Path(tempfile.mkdtemp())
    settings = Settings(home=home, model_path=None)
    shop = ShopData.open(settings.effective_database_url)
    store_demo(shop, generate_demo(seed=7), settings, force=True)
    ctx = ToolContext(shop, settings)
    docs = ROOT / "knowledge" / "demo"
    knowledge_store(ctx).index([*file_sources(docs), *shop_sources(shop)], {str(docs), "shop"})
    t0 = time.perf_counter()
    profiles(ctx), recommender(ctx), demand_model(ctx)
    print(f"tool models fitted once per data version: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    joined = model_path(Settings(home=ROOT / ".copilot"))
    agent = build_agent(settings.model_copy(update={"model_path": joined}))
    agent.ctx = ctx  # keep the models fitted above
    print(f"agent build (model load, scope guard): {time.perf_counter() - t0:.1f} s")
    print(calibrate(agent))
    t0 = time.perf_counter()
    agent.warm_up()
    print(f"warm-up as in the UI (system prompt read once): {time.perf_counter() - t0:.1f} s")

    cases = [
        *load_cases(ROOT / "evals" / "routing" / "core.yaml"),
        *load_cases(ROOT / "evals" / "routing" / "dev.yaml"),
    ]
    meter = TokenMeter(agent.model._llm)  # type: ignore[attr-defined]
    for style in styles:
        agent.settings = agent.settings.model_copy(update={"answer_style": style})
        print(f"--- answer style: {style}")
        run_questions(agent, cases, meter)
    for name in ("core", "dev"):
        res = route(agent, load_cases(ROOT / "evals" / "routing" / f"{name}.yaml"))
        print(
            f"routing {name}: right tool {sum(r.tool_ok for r in res)}/{len(res)}, right key "
            f"arguments {sum(r.args_ok for r in res)}/{len(res)}"
        )
    print(calibrate(agent))
    return 0


def run_questions(agent: Any, cases: list[dict[str, Any]], meter: TokenMeter) -> None:
    """Ask every question end to end; print per-question and summary times and tokens."""
    meter.take()
    firsts, visible, totals, fallbacks = [], [], [], 0
    reads, writes = [], []
    for case in cases:
        start = time.perf_counter()
        first = seen = None
        answer = None
        for event in agent.run(case["q"]):
            if seen is None and event.kind in ("tool_call", "token", "guard"):
                seen = time.perf_counter() - start
            if event.kind == "token" and first is None and event.data["text"].strip():
                first = time.perf_counter() - start
            if event.kind == "answer":
                answer = event.data["answer"]
        total = time.perf_counter() - start
        totals.append(total)
        firsts.append(first if first is not None else total)
        visible.append(seen if seen is not None else total)
        fallbacks += int(answer is not None and answer.grounding.fallback)
        tools = ",".join(t.name for t in answer.tools) if answer else "-"
        read, written = meter.take()
        reads.append(read)
        writes.append(written)
        print(
            f"  {total:5.1f} s (first token {firsts[-1]:4.1f} s; read {read}, wrote {written} "
            f"tokens) [{tools}] {case['q'][:50]}"
        )
    print(
        f"{len(cases)} questions: total p50 {np.median(totals):.1f} s, p95 "
        f"{np.percentile(totals, 95):.1f} s; first token p50 {np.median(firsts):.1f} s, p95 "
        f"{np.percentile(firsts, 95):.1f} s; first visible event (tool call or token) p50 "
        f"{np.median(visible):.1f} s; answers replaced by the findings: {fallbacks}"
    )
    quiet = [r / QUIET_READ + w / QUIET_WRITE for r, w in zip(reads, writes, strict=True)]
    print(
        f"tokens per question: read p50 {np.median(reads):.0f}, written p50 "
        f"{np.median(writes):.0f}; model time at quiet-machine speed ({QUIET_READ:.0f} read, "
        f"{QUIET_WRITE:.0f} written tokens/s): p50 {np.median(quiet):.1f} s, p95 "
        f"{np.percentile(quiet, 95):.1f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
