"""Shared fixtures: an isolated data directory per test and no network access."""

from __future__ import annotations

import contextlib
import hashlib
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.core.resources import data_dir
from copilot.core.settings import Settings
from copilot.shop import ShopData
from tools import ToolContext

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ONLINE_RETAIL = SHARED_DATA / "online-retail" / "online_retail.parquet"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No COPILOT_* variables or .env from the developer's shell; no outbound connections."""
    import os

    for key in list(os.environ):
        if key.startswith("COPILOT_") or key == "OPENAI_API_KEY":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            pytest.fail(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


@pytest.fixture(autouse=True)
def _no_real_models(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests must not reach a real model by accident; mark ``real_model`` to opt in."""
    if request.node.get_closest_marker("real_model"):
        return
    stand_in = request.node.get_closest_marker("endpoint") is not None

    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail("Real models should not be used in tests without @pytest.mark.real_model")

    from copilot.llm.local import LocalModel
    from copilot.llm.openai_chat import OpenAIModel

    monkeypatch.setattr(LocalModel, "__init__", refuse)
    if not stand_in:  # an endpoint test talks to its own server on 127.0.0.1
        monkeypatch.setattr(OpenAIModel, "__init__", refuse)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data directory is this test's temporary folder."""
    return Settings(home=tmp_path / "home")


@pytest.fixture
def shop(settings: Settings) -> ShopData:
    """An empty shop store in the test's data directory."""
    return ShopData.open(settings.effective_database_url)


def sha256_of(path: Path) -> str:
    """Content hash of a file (to assert it is byte-for-byte unchanged)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def db_digest(path: Path) -> str:
    """Hash of a SQLite database's content (schema and rows), whatever its write-ahead log and
    checkpoints did to the file's bytes."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


@pytest.fixture(scope="session")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory) -> ToolContext:
    """The default demo shop in a SQLite store; fitted models are cached on the context."""
    from copilot.demo import generate_demo
    from copilot.demo.store import store_demo

    home = tmp_path_factory.mktemp("demo")
    settings = Settings(home=home)
    shop = ShopData.open(settings.effective_database_url)
    demo = generate_demo(seed=7)
    store_demo(shop, demo, settings, force=True)
    ctx = ToolContext(shop, settings)
    ctx.truths = demo.truths  # type: ignore[attr-defined]
    return ctx


@pytest.fixture(scope="session")
def indexed_demo_ctx(demo_ctx: ToolContext) -> ToolContext:
    """``demo_ctx`` with its knowledge base indexed (demo documents, products, campaigns)."""
    from knowledge.sources import file_sources, shop_sources
    from knowledge.store import KnowledgeStore

    docs = data_dir("knowledge", "demo")
    KnowledgeStore(demo_ctx.settings).index(
        [*file_sources(docs), *shop_sources(demo_ctx.shop)], {str(docs), "shop"}
    )
    return demo_ctx
