"""Issue 23: ``copilot batch`` on synthetic shops of growing size (the demo generator at scale),
and what serving one customer from the batch tables costs against computing it in-process.

For each size: the demo generator writes a shop of N order lines (40 lines per customer, 300
products) to a fresh SQLite home, then ``copilot batch --engine ENGINE`` runs in a subprocess
(wall time; memory sampled from /proc every half second: the batch process's own peak, and the
largest sum over it and its children, which for Spark are the JVM and its Python workers). A
batch still running after ``--limit`` seconds is stopped and reported as such. Then, in this
process: ``profile_customer`` and ``recommend_products`` for 50 customers, served from the
batch tables, and (up to ``--in-process-up-to`` lines, since it fits every model here first)
computed in-process with the run's tables taken away, p50 each.

Both engines on the same shop: ``--engine pandas,spark`` (the Spark engine on
``COPILOT_SPARK_MASTER``, default ``local[2]``, sized by ``SPARK_DRIVER_MEMORY``). The last
column is lines per second per core (2 cores), for a cluster projection.

Usage: .venv/bin/python benchmarks/bench_batch.py [--lines 200000,1000000]
    [--engine pandas,spark] [--limit SECONDS | --limit spark=S,pandas=S]
    [--in-process-up-to LINES] [--generate-up-to LINES] [--keep DIR]

``--keep DIR`` keeps each generated shop in ``DIR/<lines>`` and reuses it on the next run
(generating 30M lines takes about 21 minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import delete, select

from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.shop import ShopData, schema
from tools import ToolContext
from tools.profiling import profile_customer
from tools.recommend import recommend_products

LINES_PER_CUSTOMER = 40


def _shop(home: Path, lines: int, generated: int) -> Settings:
    """A demo shop of about ``lines`` order lines. The generator holds a whole shop in memory,
    so above ``generated`` lines it makes one shop of ``lines / copies`` lines and writes its
    customers, orders and events again under new ids: ``copies`` times the customers, each
    copy buying as the first did."""
    settings = Settings(home=home)
    shop = ShopData.open(settings.effective_database_url)
    copies = max(1, -(-lines // generated))
    customers = max(lines // LINES_PER_CUSTOMER // copies, 100)
    demo = generate_demo(seed=7, n_customers=customers)
    store_demo(shop, demo, settings, force=True)
    del demo
    with shop.transaction() as conn:  # in SQL: row by row through pandas took 21 min at 30M
        for copy in range(2, copies + 1):
            for name, ids in _COPIED.items():
                table = schema.DATA_TABLES[name]
                renamed = (c + f"-{copy}" if c.name in ids else c for c in table.c)
                first = select(*renamed).where(table.c[ids[0]].not_like("%-%"))  # not a copy
                conn.execute(table.insert().from_select(list(table.c), first))
    return settings


_COPIED = {
    "customers": ("customer_id",),
    "order_lines": ("order_id", "customer_id"),
    "events": ("event_id", "customer_id"),
}
"""The tables a copy of the shop writes again, and their columns that get the copy's suffix
(the first is never empty; the generator's ids have no "-")."""


def _tree(root: int) -> list[int]:
    """``root`` and every process below it (from /proc: Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The parent is the fourth field after the command's closing parenthesis.
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Run:
    """One batch run: wall seconds, exit status, and peaks in MB."""

    seconds: float
    status: int | None
    """None: stopped at the time limit."""
    driver_mb: float
    """The batch process's own peak (VmHWM): for Spark, the Python driver."""
    tree_mb: float
    """The largest sum of resident memory over the batch and its children (JVM, workers)."""


def _batch(home: Path, engine: str, limit: float) -> Run:
    """``copilot batch`` in a subprocess, its memory sampled every half second."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_") or "SPARK" in k}
    env["COPILOT_HOME"] = str(home)
    log = home / f"batch-{engine}.log"  # a file, not a pipe: progress never blocks the child
    start = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "copilot.cli", "batch", "--engine", engine],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    driver = tree = 0
    while proc.poll() is None:
        if time.perf_counter() - start > limit:
            for pid in reversed(_tree(proc.pid)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            proc.wait()
            return Run(time.perf_counter() - start, None, driver / 1024, tree / 1024)
        driver = max(driver, _status_kb(proc.pid, "VmHWM"))
        tree = max(tree, sum(_status_kb(pid, "VmRSS") for pid in _tree(proc.pid)))
        time.sleep(0.5)
    seconds = time.perf_counter() - start
    if proc.returncode:
        print(log.read_text(errors="replace")[-2000:], file=sys.stderr)
    return Run(seconds, proc.returncode, driver / 1024, tree / 1024)


def _serving(
    settings: Settings, in_process: bool, n: int = 50
) -> dict[str, tuple[float, float | None]]:
    """p50 ms per tool: (from the tables, computed in-process; None when not measured)."""
    shop = ShopData.open(settings.effective_database_url)
    ctx = ToolContext(shop, settings)
    with shop.engine.connect() as conn:  # not every order line: 30M of them do not fit
        ids = sorted(conn.execute(select(schema.batch_customers.c.customer_id)).scalars())
    sample = random.Random(7).sample(ids, min(n, len(ids)))
    calls = {
        "profile_customer": lambda c: profile_customer(ctx, customer_id=c),
        "recommend_products": lambda c: recommend_products(ctx, customer_id=c, n=5),
    }
    served: dict[str, list[float]] = {k: [] for k in calls}
    for name, call in calls.items():
        for cid in sample:
            start = time.perf_counter()
            assert call(cid).source.startswith("precomputed")
            served[name].append(time.perf_counter() - start)
    if not in_process:
        return {k: (float(np.median(served[k]) * 1e3), None) for k in calls}
    # In-process: the same calls once the run's rows are gone (models fitted first).
    with shop.engine.begin() as conn:
        conn.execute(delete(schema.batch_runs))
    computed: dict[str, list[float]] = {k: [] for k in calls}
    for name, call in calls.items():
        call(sample[0])  # fit
        for cid in sample:
            start = time.perf_counter()
            call(cid)
            computed[name].append(time.perf_counter() - start)
    return {
        k: (float(np.median(served[k]) * 1e3), float(np.median(computed[k]) * 1e3)) for k in calls
    }


@contextlib.contextmanager
def _folder(keep: Path | None, lines: int) -> Iterator[Path]:
    """Where the shop of ``lines`` lines lives: ``keep/lines`` (kept), or a temporary folder."""
    if keep is not None:
        folder = keep / str(lines)
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def _limit(spec: str, engine: str) -> float:
    """The time limit for ``engine`` from ``--limit``: "3600" or "spark=4000,pandas=1800"."""
    if "=" not in spec:
        return float(spec)
    limits = dict(part.split("=", 1) for part in spec.split(","))
    if engine not in limits:
        raise SystemExit(f"--limit {spec} gives no limit for engine {engine!r}")
    return float(limits[engine])


def _ms(pair: tuple[float, float | None]) -> str:
    served, computed = pair
    return f"{served:>6.1f} / " + ("     -" if computed is None else f"{computed:>6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", default="200000,1000000")
    parser.add_argument("--engine", default="pandas")
    parser.add_argument(
        "--limit",
        default=str(3 * 3600),
        help="seconds a batch may run before it is stopped: one figure, or per engine "
        "(spark=4000,pandas=1800)",
    )
    parser.add_argument(
        "--in-process-up-to",
        type=int,
        default=2_000_000,
        help="measure in-process serving (a full fit in this process) only up to this many lines",
    )
    parser.add_argument(
        "--keep", type=Path, help="keep each generated shop under this folder and reuse it"
    )
    parser.add_argument(
        "--generate-up-to",
        type=int,
        default=12_000_000,
        help="a larger shop is this size's shop written again under new customer ids",
    )
    args = parser.parse_args()
    print(f"# bench_batch {date.today()} on {platform.machine()}, {os.cpu_count()} cores")
    print(
        f"{'lines':>10} {'customers':>9} {'engine':>7} {'batch s':>8} {'driver MB':>9} "
        f"{'tree MB':>8} {'card tab/in ms':>15} {'recs tab/in ms':>15} {'lines/s/core':>12}"
    )
    for lines in (int(x) for x in args.lines.split(",")):
        with _folder(args.keep, lines) as folder:
            made = time.perf_counter()
            done = folder / "generated"  # written once the shop is complete
            kept = done.exists()
            if kept:
                settings = Settings(home=folder / "home")
            else:
                settings = _shop(folder / "home", lines, args.generate_up_to)
                done.write_text(f"{time.perf_counter() - made:.0f} s\n")
            shop = ShopData.open(settings.effective_database_url)
            real = shop.counts()["order_lines"]
            customers = shop.counts()["customers"]
            when = "kept from a run that generated it" if kept else "generated"
            print(f"# {real:,} lines {when} in {done.read_text().strip()}", flush=True)
            for engine in args.engine.split(","):
                run = _batch(settings.home_dir, engine, _limit(args.limit, engine))
                head = f"{real:>10,} {customers:>9,} {engine:>7}"
                peaks = f"{run.driver_mb:>9.0f} {run.tree_mb:>8.0f}"
                if run.status is None:
                    print(f"{head} stopped at {run.seconds:.0f} s {peaks}", flush=True)
                    continue
                if run.status:
                    print(
                        f"{head} failed (exit {run.status}) at {run.seconds:.0f} s {peaks}",
                        flush=True,
                    )
                    continue
                serve = _serving(settings, real <= args.in_process_up_to)
                per_core = real / run.seconds / (os.cpu_count() or 1)
                print(
                    f"{head} {run.seconds:>8.1f} {peaks} {_ms(serve['profile_customer'])} "
                    f"{_ms(serve['recommend_products'])} {per_core:>10,.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
