"""Issue 23 part 3: PostgreSQL for real. A PostgreSQL server from the Debian package (which
``make install`` installs when missing) is started on a free loopback port; ingest, the tools
and ``copilot batch --engine pandas`` run against it, and it is stopped."""

from __future__ import annotations

import csv
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from copilot.cli import main
from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.shop import ShopData
from copilot.shop.batch import current_run
from tools import ToolContext, to_jsonable
from tools.pricing import price_elasticity
from tools.profiling import find_customers, profile_customer, segment_overview
from tools.recommend import recommend_products

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("no PostgreSQL server (Debian package postgresql): run `make install`")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server on loopback; yields its base URL (no database name)."""
    bin_dir = _binaries()
    root = Path(tempfile.mkdtemp(prefix="copilot-pg-"))
    # PostgreSQL refuses to run as root: run it as the package's own user then.
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k {root}"
    ctl = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log")]
    subprocess.run([*ctl, "-o", options, "-w", "start"], check=True, capture_output=True)
    try:
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres", autocommit=True) as c:
            for name in ("shop", "demo"):
                c.execute(f"CREATE DATABASE {name}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*ctl, "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=url)


def test_ingest_on_postgresql_validates_writes_once_and_refuses_bad_rows(
    postgres: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"{postgres}/shop"
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COPILOT_DATABASE_URL", url)
    shop = ShopData.open(url)
    assert main(["ingest", "--no-progress", str(EXAMPLES / "shopify_orders_export.csv")]) == 0
    assert shop.counts()["order_lines"] == 15 and shop.counts()["customers"] == 4
    before = (shop.counts(), shop.version())
    assert main(["ingest", "--no-progress", str(EXAMPLES / "shopify_orders_export.csv")]) == 0
    assert "already ingested" in capsys.readouterr().out
    with (EXAMPLES / "shopify_orders_export.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[4]["Lineitem price"] = "twelve"
    bad = tmp_path / "orders.csv"
    with bad.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["ingest", "--format", "shopify", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "row 5 (line 6)" in err and "'Lineitem price'" in err
    assert (shop.counts(), shop.version()) == before


def test_the_tools_and_the_batch_run_on_postgresql_as_on_sqlite(
    postgres: str, tmp_path: Path, demo_ctx: ToolContext
) -> None:
    settings = _settings(tmp_path, f"{postgres}/demo")
    shop = ShopData.open(settings.effective_database_url)
    store_demo(shop, generate_demo(seed=7), settings, force=True)
    assert shop.counts() == {name: n for name, n in demo_ctx.shop.counts().items()}, (
        "the demo on PostgreSQL holds what it holds on SQLite"
    )
    # A fresh context: every model is fitted from what PostgreSQL returns.
    ctx = ToolContext(shop, settings)
    cid = str(demo_ctx.shop.order_lines()["customer_id"].dropna().iloc[0])
    for tool, arguments in (
        (segment_overview, {}),
        (find_customers, {"segment": "at_risk", "limit": 5}),
        (profile_customer, {"customer_id": cid}),
        (recommend_products, {"customer_id": cid, "n": 5}),
        (price_elasticity, {}),
    ):
        assert to_jsonable(tool(ctx, **arguments)) == to_jsonable(tool(demo_ctx, **arguments)), (
            tool.name
        )
    assert main(["batch", "--top-n", "5"], context=ctx) == 0
    run = current_run(shop.engine, shop.version())
    assert run is not None and run.meta["customers"] == 4945
    served = profile_customer(ctx, customer_id=cid)
    assert served.source.startswith("precomputed by batch run")
    computed = to_jsonable(profile_customer(demo_ctx, customer_id=cid))
    assert {**to_jsonable(served), "source": computed["source"]} == computed
