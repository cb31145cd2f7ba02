"""Issue 22 part 1: the real MCP server (``copilot mcp``), started as a subprocess over stdio
and over streamable HTTP on a free loopback port, driven by the official SDK's own client."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from copilot.core.settings import Settings
from copilot.integrations.mcp_server import RESOURCE_PAGE
from copilot.shop.store import copy_sqlite
from knowledge.sources import file_sources
from knowledge.store import KnowledgeStore
from tools import TOOLS, ToolContext, to_jsonable
from tools.profiling import segment_overview

CONTACT = "Questions about an order: write to care@teahouse.example or call +44 20 7946 0958."


@pytest.fixture(scope="module")
def mcp_home(indexed_demo_ctx: ToolContext, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the indexed demo shop plus a document holding contact details."""
    root = tmp_path_factory.mktemp("mcp")
    home = root / "home"
    home.mkdir()
    source = indexed_demo_ctx.settings.home_dir
    copy_sqlite(source / "shop.db", home / "shop.db")
    shutil.copytree(source / "chroma", home / "chroma")
    docs = root / "docs"
    docs.mkdir()
    (docs / "customer-care.md").write_text(
        f"# Customer care\n\n## Contact\n\n{CONTACT}\n", encoding="utf-8"
    )
    KnowledgeStore(Settings(home=home)).index(list(file_sources(docs)), {str(docs)})
    return home


def _env(home: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    return {**keep, "COPILOT_HOME": str(home), **extra}


def _texts(result: Any) -> str:
    return "\n".join(c.text for c in result.content if hasattr(c, "text"))


async def _all_resources(client: Client) -> dict[str, str]:
    """Every resource, page by page (name -> uri)."""
    found: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = await client.list_resources(cursor=cursor)
        found.update({r.name: str(r.uri) for r in page.resources})
        if not page.next_cursor:
            return found
        cursor = page.next_cursor


async def _exercise(client: Client, direct: dict[str, Any]) -> dict[str, Any]:
    """List and call what a client would; returns what was seen."""
    seen: dict[str, Any] = {}
    listed = await client.list_tools()
    seen["tools"] = {t.name: t for t in listed.tools}
    seen["overview"] = await client.call_tool("segment_overview", {})
    seen["bad"] = await client.call_tool("profile_customer", {"customer_id": "NO-SUCH-ONE"})
    seen["typo"] = await client.call_tool("sales_summary", {"period": 42})
    seen["search"] = await client.call_tool(
        "search_knowledge", {"query": "how do I contact customer care about an order"}
    )
    seen["resources"] = await _all_resources(client)
    citation = next(n for n in seen["resources"] if n.startswith("returns-policy#"))
    seen["citation"] = citation
    seen["passage"] = await client.read_resource(seen["resources"][citation])
    seen["contact"] = await client.read_resource(
        next(u for n, u in seen["resources"].items() if n.startswith("customer-care#"))
    )
    seen["prompt"] = await client.get_prompt("campaign_plan", {"goal": "win back lapsed buyers"})
    seen["direct"] = direct
    return seen


def _check(seen: dict[str, Any]) -> None:
    tools = seen["tools"]
    assert set(tools) == {t.name for t in TOOLS}
    registry = {t.name: t for t in TOOLS}
    for name in ("plan_campaign", "find_customers", "search_knowledge"):
        assert tools[name].input_schema == registry[name].json_schema()
        assert tools[name].description == registry[name].description
    overview = seen["overview"]
    assert not overview.is_error
    # The same result as a direct Python call, as JSON.
    assert overview.structured_content == seen["direct"]
    assert "segment" in _texts(overview).lower()
    # A bad argument is a tool error with the tool's own words; the server keeps serving.
    bad = seen["bad"]
    assert bad.is_error and "NO-SUCH-ONE" in _texts(bad) and bad.structured_content is None
    assert seen["typo"].is_error and "period" in _texts(seen["typo"])
    search = seen["search"]
    assert not search.is_error
    dumped = _texts(search) + json.dumps(search.structured_content)
    assert "customer-care#" in dumped  # the contact passage was found ...
    assert "@" not in dumped and "7946" not in dumped  # ... with its contact details removed
    passage = _texts_resource(seen["passage"])
    assert f"[{seen['citation']}]" in passage and "return" in passage.lower()
    contact = _texts_resource(seen["contact"])
    assert "[email]" in contact and "@" not in contact
    prompt = seen["prompt"].messages[0].content.text
    assert "win back lapsed buyers" in prompt and "plan_campaign" in prompt


def _texts_resource(result: Any) -> str:
    return "\n".join(c.text for c in result.contents)


def test_the_stdio_server_serves_tools_documents_and_the_plan_brief(
    mcp_home: Path, indexed_demo_ctx: ToolContext
) -> None:
    direct = to_jsonable(segment_overview(indexed_demo_ctx))
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "copilot.cli", "mcp"], env=_env(mcp_home)
    )

    async def run() -> dict[str, Any]:
        async with Client(params, read_timeout_seconds=600) as client:
            return await _exercise(client, direct)

    seen = anyio.run(run)
    _check(seen)
    # Every passage, over several pages of the resource list.
    assert len(seen["resources"]) == KnowledgeStore(Settings(home=mcp_home)).count() > RESOURCE_PAGE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def http_server(mcp_home: Path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "copilot.cli", "mcp", "--http", "--port", str(port)],
        env=_env(mcp_home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                raise AssertionError(
                    f"the server exited: {proc.stderr.read() if proc.stderr else ''}"
                )
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError("the server did not start in 120 s") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_http_server_on_loopback_serves_the_same(
    http_server: str, indexed_demo_ctx: ToolContext
) -> None:
    direct = to_jsonable(segment_overview(indexed_demo_ctx))

    async def run() -> dict[str, Any]:
        async with Client(http_server, read_timeout_seconds=600) as client:
            return await _exercise(client, direct)

    _check(anyio.run(run))


def test_contact_details_reach_a_client_only_when_allowed(mcp_home: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "copilot.cli", "mcp"],
        env=_env(mcp_home, COPILOT_ALLOW_PII_REMOTE="true"),
    )

    async def run() -> str:
        async with Client(params, read_timeout_seconds=600) as client:
            resources = await _all_resources(client)
            uri = next(u for n, u in resources.items() if n.startswith("customer-care#"))
            return _texts_resource(await client.read_resource(uri))

    assert "care@teahouse.example" in anyio.run(run)
