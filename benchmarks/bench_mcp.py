"""Issue 22: what does a tool call cost through the MCP server, beside a direct Python call?

The real server (`copilot mcp`, a subprocess over stdio, and `copilot mcp --http` on a
loopback port) is driven by the official SDK's client. Every tool is called once first so
that model fitting is excluded; then each tool is called N times through each transport and
N times directly (``ToolHost.call`` in this process: the same tool, findings and JSON, no
protocol), interleaved so that machine noise hits all alike. Reported: p50 and p90 per tool
and transport, and the p50 ratio to the direct call.

Usage: .venv/bin/python benchmarks/bench_mcp.py [--home DIR] [--calls 30]
(the demo shop is built in a temporary folder when --home is not given; about 3 minutes)
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import httpx
import numpy as np
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from copilot.core.settings import Settings
from copilot.integrations.calls import ToolHost
from copilot.shop import ShopData
from tools import ToolContext


def _demo_home(root: Path) -> Path:
    from copilot.core.resources import data_dir
    from copilot.demo import generate_demo
    from copilot.demo.store import store_demo
    from knowledge.sources import file_sources, shop_sources
    from knowledge.store import KnowledgeStore

    home = root / "home"
    settings = Settings(home=home)
    shop = ShopData.open(settings.effective_database_url)
    store_demo(shop, generate_demo(seed=7), settings, force=True)
    docs = data_dir("knowledge", "demo")
    KnowledgeStore(settings).index([*file_sources(docs), *shop_sources(shop)], {str(docs), "shop"})
    return home


def _calls(ctx: ToolContext) -> list[tuple[str, dict[str, Any]]]:
    customer = str(ctx.shop.order_lines()["customer_id"].dropna().iloc[0])
    return [
        ("segment_overview", {}),
        ("profile_customer", {"customer_id": customer}),
        ("recommend_products", {"customer_id": customer, "n": 5}),
        ("search_knowledge", {"query": "how long is the return window"}),
        ("sales_summary", {"period": "last month"}),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _measure(
    client: Client, host: ToolHost, calls: list[tuple[str, dict[str, Any]]], n: int
) -> dict[str, dict[str, list[float]]]:
    for name, args in calls:  # fit every model once, on both sides
        result = await client.call_tool(name, args)
        if result.is_error:
            raise SystemExit(f"{name} refused: {result.content}")
        host.call(name, args)
    times: dict[str, dict[str, list[float]]] = {n_: {"mcp": [], "direct": []} for n_, _ in calls}
    for _ in range(n):
        for name, args in calls:
            start = time.perf_counter()
            await client.call_tool(name, args)
            times[name]["mcp"].append(time.perf_counter() - start)
            start = time.perf_counter()
            host.call(name, args)
            times[name]["direct"].append(time.perf_counter() - start)
    return times


def _report(label: str, times: dict[str, dict[str, list[float]]]) -> None:
    print(f"\n{label}")
    print(f"{'tool':<20} {'direct p50':>11} {'MCP p50':>9} {'MCP p90':>9} {'ratio':>6} {'+ms':>6}")
    for name, by in times.items():
        direct, mcp = np.array(by["direct"]) * 1e3, np.array(by["mcp"]) * 1e3
        d50, m50 = float(np.median(direct)), float(np.median(mcp))
        print(
            f"{name:<20} {d50:>9.1f}ms {m50:>7.1f}ms {np.percentile(mcp, 90):>7.1f}ms "
            f"{m50 / d50:>6.2f} {m50 - d50:>6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, help="a copilot home with a shop and an index")
    parser.add_argument("--calls", type=int, default=30, help="timed calls per tool")
    args = parser.parse_args()
    print(f"# bench_mcp {date.today()} on {platform.machine()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or _demo_home(Path(tmp))
        settings = Settings(home=home)
        host = ToolHost(ToolContext(ShopData.open(settings.effective_database_url), settings))
        calls = _calls(host.ctx)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
        env["COPILOT_HOME"] = str(home)
        stdio = StdioServerParameters(
            command=sys.executable, args=["-m", "copilot.cli", "mcp"], env=env
        )

        async def over_stdio() -> dict[str, dict[str, list[float]]]:
            async with Client(stdio, read_timeout_seconds=900) as client:
                return await _measure(client, host, calls, args.calls)

        _report("stdio (subprocess)", anyio.run(over_stdio))

        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "copilot.cli", "mcp", "--http", "--port", str(port)],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/mcp"
        try:
            for _ in range(400):
                try:
                    httpx.get(url, timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.3)

            async def over_http() -> dict[str, dict[str, list[float]]]:
                async with Client(url, read_timeout_seconds=900) as client:
                    return await _measure(client, host, calls, args.calls)

            _report("streamable HTTP (127.0.0.1)", anyio.run(over_http))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
