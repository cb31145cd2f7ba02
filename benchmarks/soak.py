"""Soak and fault run: concurrent clients while an ingest writes and a model server stalls.

Usage: .venv/bin/python benchmarks/soak.py [--clients 4] [--questions 100] [--minutes 30]

Loopback only, bounded in time. A small demo shop is built in a temporary folder. ``clients - 1``
clients ask through the offline scripted backend; the last one asks through the OpenAI-compatible
backend against a stand-in server on 127.0.0.1 that stops answering for a while (longer than the
request timeout) and then recovers. Meanwhile a writer ingests three order files into the same
SQLite database (each bumps the data version, so the tools refit). Reported: questions, handled
errors by type (a server that does not answer is one), unhandled errors (must be 0), latency
percentiles, and the process's memory over time: the end vs. once the ingests were done and
the run was 60 s in (the data no longer changes; flat within 10%).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from pydantic import SecretStr

from copilot.agent import Agent
from copilot.agent.factory import build_agent
from copilot.core.errors import CopilotError
from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.llm.demo_script import KeywordModel
from copilot.llm.stand_in import StandInServer
from copilot.shop import ShopData, ingest_file
from knowledge.sources import file_sources, shop_sources
from tools import ToolContext
from tools.knowledge_search import knowledge_store

QUESTIONS = [
    "What customer segments do I have?",
    "Which customers are at risk of churning?",
    "Recommend products for customer C10007",
    "What is the price elasticity of CT-0001?",
    "What price should we set for CT-0001?",
    "What discount should we give at-risk customers?",
    "What is our returns policy?",
    "Which products are similar to CT-0001?",
    "What sample size do I need for an A/B test from 5% to 6%?",
    "我有哪些客户分群？",
    "哪些客户有流失风险？",
    "我们的退货政策是什么？",
    "CT-0001 应该定什么价格？",
]


def rss_mb() -> float:
    """Resident memory of this process (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Tally:
    """Outcomes of every question, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.handled: Counter[str] = Counter()
        self.unhandled: list[str] = []

    def ask(self, agent: Agent, question: str) -> None:
        started = time.perf_counter()
        try:
            agent.ask(question)
            outcome = None
        except CopilotError as exc:
            outcome = type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - counted: an unhandled error is the finding
            with self.lock:
                self.unhandled.append(f"{type(exc).__name__}: {exc}"[:200])
            return
        with self.lock:
            self.latencies.append(time.perf_counter() - started)
            if outcome:
                self.handled[outcome] += 1


def order_file(folder: Path, n: int, index: int) -> Path:
    """A file of new orders for existing customers and products."""
    rng = random.Random(index)
    path = folder / f"orders-{index}.csv"
    rows = ["order_id,sku,quantity,unit_price,timestamp,customer_id"]
    for i in range(n):
        rows.append(
            f"SOAK{index}-{i // 3},CT-{rng.randint(1, 30):04d},{rng.randint(1, 3)},"
            f"{rng.uniform(3, 30):.2f},2026-06-{rng.randint(1, 28):02d} 10:00,"
            f"C{rng.randint(10001, 10999)}"
        )
    path.write_text("\n".join(rows) + "\n")
    return path


def main() -> int:  # noqa: C901 - the run's threads are closures over its state
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--questions", type=int, default=100, help="per client")
    parser.add_argument("--minutes", type=float, default=30, help="stop asking after this")
    parser.add_argument("--customers", type=int, default=1000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="copilot-soak-"))
    settings = Settings(home=folder / "home", llm="scripted", request_timeout=1.0)
    shop = ShopData.open(settings.effective_database_url)
    store_demo(shop, generate_demo(seed=7, n_customers=args.customers), settings, force=True)
    ctx = ToolContext(shop, settings)
    store = knowledge_store(ctx)
    store.index([*file_sources(settings.demo_docs_dir), *shop_sources(shop)], set())
    server = StandInServer(lambda body: "Here is what the shop's data says.")
    remote = settings.model_copy(
        update={"llm": "openai", "openai_base_url": server.url, "openai_api_key": SecretStr("x")}
    )
    agents = [build_agent(settings, KeywordModel(), ctx) for _ in range(args.clients - 1)]
    agents.append(build_agent(remote, ctx=ctx))
    agents[0].warm_up()

    tally, memory = Tally(), [(0.0, rss_mb())]
    started, deadline = time.perf_counter(), time.perf_counter() + args.minutes * 60
    done = threading.Event()

    def client(agent: Agent, seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(args.questions):
            if time.perf_counter() > deadline:
                return
            tally.ask(agent, rng.choice(QUESTIONS))

    ingested = threading.Event()

    def writer() -> None:
        for index in range(3):
            time.sleep(5)
            try:
                ingest_file(shop, order_file(folder, 20_000, index), show_progress=False)
            except CopilotError as exc:
                tally.handled[f"ingest {type(exc).__name__}"] += 1
        ingested.set()

    def faults() -> None:
        time.sleep(10)
        server.stalled.set()
        time.sleep(20)
        server.stalled.clear()

    settled: list[float] = []

    def sampler() -> None:
        while not done.wait(1.0):
            memory.append((time.perf_counter() - started, rss_mb()))
            if ingested.is_set() and not settled and memory[-1][0] > 60:
                settled.append(memory[-1][1])  # the data stopped changing a while ago

    threads = [threading.Thread(target=client, args=(a, i)) for i, a in enumerate(agents)]
    extras = [threading.Thread(target=f, daemon=True) for f in (writer, faults, sampler)]
    for t in threads + extras:
        t.start()
    for t in threads:
        t.join()
    done.set()
    seconds = time.perf_counter() - started
    asked = len(tally.latencies) + sum(1 for _ in tally.unhandled)
    lat = sorted(tally.latencies)
    after = settled[0] if settled else float("nan")
    print(f"clients {args.clients}, questions asked {asked} in {seconds:.0f} s")
    print(f"handled errors: {dict(tally.handled) or 'none'}")
    print(f"unhandled errors: {len(tally.unhandled)}")
    for line in tally.unhandled[:5]:
        print(f"  {line}")
    if lat:
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        print(f"latency p50 {statistics.median(lat):.2f} s, p95 {p95:.2f} s, max {lat[-1]:.2f} s")
    print(
        f"memory (RSS): start {memory[0][1]:.0f} MB, once the ingests were done and 60 s in "
        f"{after:.0f} MB, end {memory[-1][1]:.0f} MB, max {max(m for _, m in memory):.0f} MB; "
        f"end / once settled {memory[-1][1] / after:.2f}"
    )
    for at, mb in memory[:: max(1, len(memory) // 8)]:
        print(f"  t={at:5.0f} s  {mb:6.0f} MB")
    print(f"data version at the end: {shop.version()} (three ingests ran during the soak)")
    return 1 if tally.unhandled else 0


if __name__ == "__main__":
    sys.exit(main())
