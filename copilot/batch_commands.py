"""``copilot batch``: score every customer and product for the current data version and write
the results to the batch tables the tools serve from (all or nothing)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from copilot.core.errors import ConfigError, InputError
from copilot.core.settings import Settings
from copilot.shop.batch import write_batch
from copilot.shop.store import utc_now

Command = Callable[[argparse.Namespace, Settings], int]
ENGINES = ("pandas", "spark")


def add_parsers(sub: Any) -> None:
    """Add ``batch`` to ``sub`` (the CLI's subparsers); COMMANDS has its handler."""
    batch = sub.add_parser(
        "batch", help="score every customer and product now; the tools then serve from tables"
    )
    batch.add_argument("--engine", choices=ENGINES, default="pandas")
    batch.add_argument(
        "--top-n", type=int, default=10, help="recommendations and neighbours kept (default 10)"
    )


def _cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.top_n <= 50:
        raise InputError(f"--top-n {args.top_n}: expected 1 to 50")
    ctx = args.tools.open(settings)
    version = ctx.shop.version()
    started, clock = utc_now(), time.perf_counter()

    def step(name: str) -> None:
        print(f"  {name} ... ({time.perf_counter() - clock:.1f} s so far)", file=sys.stderr)

    print(f"batch ({args.engine} engine) for data version {version}:", file=sys.stderr)
    if args.engine == "spark":
        try:
            from tools.batch import spark_engine
        except ModuleNotFoundError as missing:
            raise ConfigError(
                f"the Spark engine needs {missing.name}: run make install, or pip install "
                "'marketing-copilot[spark]'"
            ) from missing

        print(f"  Spark master {settings.spark_master}", file=sys.stderr)
        frames, meta = spark_engine.compute(ctx, args.top_n, settings.spark_master, step)
    else:
        from tools.batch import pandas_engine

        frames, meta = pandas_engine.compute(ctx, args.top_n, step)
    if ctx.shop.version() != version:
        raise InputError(
            "the shop's data changed while the batch ran (an ingest finished); nothing was "
            "written: run copilot batch again"
        )
    seconds = time.perf_counter() - clock
    run = {
        "data_version": version,
        "engine": args.engine,
        "started_at": started,
        "seconds": seconds,
        "top_n": args.top_n,
        "meta": meta,
    }
    run_id = write_batch(ctx.shop.engine, run, frames)
    counts = ", ".join(f"{len(f):,} {name.removeprefix('batch_')}" for name, f in frames.items())
    print(
        f"batch run {run_id} ({args.engine}) for data version {version} in "
        f"{time.perf_counter() - clock:.1f} s: {counts}; customer and product answers are "
        "read from these tables until the data changes"
    )
    return 0


COMMANDS: dict[str, Command] = {"batch": _cmd_batch}
