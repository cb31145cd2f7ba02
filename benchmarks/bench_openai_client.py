"""Issue 22: which client should the OpenAI-compatible backend use: langchain-openai (today) or
the plain openai SDK? Measured, not assumed.

Against the loopback stand-in endpoint (copilot.llm.stand_in: an OpenAI-compatible server that
answers at once, so only the client's own cost is left), N tool-decision turns with every
tool's schema, through:
- langchain-openai: the backend as shipped (``OpenAIModel.turn``: messages converted, tools
  bound, the reply parsed into a tool call);
- openai SDK: ``chat.completions.create`` with the same messages and tool specs, the tool
  call parsed by hand (the baseline);
and the import time of each client in a fresh interpreter (best of 5).

Usage: .venv/bin/python benchmarks/bench_openai_client.py [--turns 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from copilot.core.settings import Settings
from copilot.llm.openai_chat import OpenAIModel, tool_specs
from copilot.llm.stand_in import StandInServer
from copilot.llm.types import Message
from tools import TOOLS

REPLY = {"tool": "segment_overview", "arguments": {"kind": "rfm"}}
MESSAGES = [
    Message("system", "You are a marketing analyst."),
    Message("user", "What customer segments do I have?"),
]


def _import_seconds(module: str) -> float:
    best = float("inf")
    for _ in range(5):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t=time.perf_counter(); import {module}; "
                "print(time.perf_counter()-t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        best = min(best, float(out.stdout))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    print(f"# bench_openai_client {date.today()} on {platform.machine()}, {os.cpu_count()} cores")
    import openai

    specs = tool_specs(TOOLS)
    with StandInServer(lambda _body: REPLY) as server:
        settings = Settings(
            home=Path("/tmp/bench-openai-client"),
            llm="openai",
            openai_base_url=server.url,
            openai_model="stand-in",
        )
        model = OpenAIModel(settings)
        # Any: the SDK's overloads want its TypedDicts; plain dicts are what goes on the wire.
        raw: Any = openai.OpenAI(base_url=server.url, api_key="unused", max_retries=1)
        plain = [{"role": m.role, "content": m.content} for m in MESSAGES]

        def via_langchain() -> str:
            call = model.turn(MESSAGES, TOOLS).tool_call
            return call.name if call else ""

        def via_sdk() -> str:
            reply = raw.chat.completions.create(
                model="stand-in", messages=plain, tools=specs, tool_choice="auto", temperature=0
            )
            call = reply.choices[0].message.tool_calls[0]
            json.loads(call.function.arguments)
            return call.function.name

        for fn in (via_langchain, via_sdk):  # warm both (connection, caches)
            if fn() != "segment_overview":
                raise SystemExit(f"{fn.__name__} did not read the tool call")
        times: dict[str, list[float]] = {"langchain-openai": [], "openai SDK": []}
        for _ in range(args.turns):
            for label, fn in (("langchain-openai", via_langchain), ("openai SDK", via_sdk)):
                start = time.perf_counter()
                fn()
                times[label].append(time.perf_counter() - start)
    print(f"{len(TOOLS)} tool schemas per turn, {args.turns} turns each, interleaved")
    print(f"{'client':<18} {'p50':>8} {'p90':>8}")
    for label, values in times.items():
        ms = np.array(values) * 1e3
        print(f"{label:<18} {np.median(ms):>6.2f}ms {np.percentile(ms, 90):>6.2f}ms")
    ratio = np.median(times["langchain-openai"]) / np.median(times["openai SDK"])
    print(f"langchain-openai / SDK p50: {ratio:.2f}")
    for module in ("openai", "langchain_openai"):
        print(f"import {module}: {_import_seconds(module):.2f} s (best of 5)")


if __name__ == "__main__":
    main()
