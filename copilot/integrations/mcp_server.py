"""``copilot mcp``: every tool, the knowledge base's passages and the campaign-plan brief over
the Model Context Protocol (stdio for desktop clients, streamable HTTP on loopback).

Built on the official SDK's low-level server so that names, descriptions and JSON schemas come
from the same registry the agent uses, not from a second set of signatures.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, unquote

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext

from copilot.agent.prompts import render
from copilot.integrations.calls import ToolHost
from tools.knowledge_search import knowledge_store

log = logging.getLogger(__name__)

SERVER_NAME = "marketing-copilot"
PASSAGE_SCHEME = "copilot://passage/"
"""Resource URI prefix of a knowledge-base passage; the rest is its citation id."""
PLAN_PROMPT = "campaign_plan"
RESOURCE_PAGE = 100
"""Passages per page of the resource list (a large catalogue is thousands of passages)."""
_PLAN_ARGS = (
    ("goal", "What the campaign should achieve, e.g. win back at-risk customers.", True),
    ("budget", "How much the campaign may cost in total (default 5000).", False),
    ("audience", "A customer segment, e.g. at_risk or loyal (default: the planner picks).", False),
    ("weeks", "How many weeks it runs (default 4).", False),
    ("language", "en or zh (default en).", False),
)


def build_server(host: ToolHost) -> Server[Any]:
    """An MCP server over ``host``'s tools and knowledge base."""

    async def list_tools(
        _: ServerRequestContext[Any], __: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=t.name,
                    description=t.description,
                    input_schema=t.json_schema(),
                    annotations=types.ToolAnnotations(read_only_hint=True),
                )
                for t in host.tools.values()
            ]
        )

    async def call_tool(
        _: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        outcome = await anyio.to_thread.run_sync(host.call, params.name, params.arguments)
        return types.CallToolResult(
            content=[types.TextContent(text=outcome.text)],
            structured_content=outcome.data,
            is_error=outcome.refused,
        )

    async def list_resources(
        _: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        start = int(params.cursor) if params and params.cursor and params.cursor.isdigit() else 0
        page, total = await anyio.to_thread.run_sync(_passages, host, start)
        more = start + RESOURCE_PAGE < total
        return types.ListResourcesResult(
            resources=page, next_cursor=str(start + RESOURCE_PAGE) if more else None
        )

    async def read_resource(
        _: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        citation = (
            unquote(uri.removeprefix(PASSAGE_SCHEME)) if uri.startswith(PASSAGE_SCHEME) else ""
        )
        hit = await anyio.to_thread.run_sync(_passage, host, citation) if citation else None
        if hit is None:
            raise ValueError(f"no passage {uri!r}; list the resources for the citation ids")
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type="text/markdown", text=hit)]
        )

    async def list_prompts(
        _: ServerRequestContext[Any], __: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(
            prompts=[
                types.Prompt(
                    name=PLAN_PROMPT,
                    title="Campaign plan",
                    description="Plan a campaign with the plan_campaign tool and summarise it "
                    "for a manager: verdict first, only the plan's numbers.",
                    arguments=[
                        types.PromptArgument(name=n, description=d, required=r)
                        for n, d, r in _PLAN_ARGS
                    ],
                )
            ]
        )

    async def get_prompt(
        _: ServerRequestContext[Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        if params.name != PLAN_PROMPT:
            raise ValueError(f"no prompt {params.name!r}; the prompt is {PLAN_PROMPT!r}")
        given = dict(params.arguments or {})
        if not given.get("goal"):
            raise ValueError("the campaign_plan prompt needs a goal")
        language = "zh" if given.get("language") == "zh" else "en"
        text = render(
            "plan_brief",
            language,
            goal=given["goal"],
            budget=given.get("budget") or "5000",
            audience=given.get("audience") or "the segment the planner finds best",
            weeks=given.get("weeks") or "4",
        )
        return types.GetPromptResult(
            description="Campaign plan brief",
            messages=[types.PromptMessage(role="user", content=types.TextContent(text=text))],
        )

    return Server(
        SERVER_NAME,
        instructions="Marketing analytics on the shop's own data: customer segments and "
        "profiles, recommendations, prices and discounts, A/B tests, campaign plans, sales, and "
        "cited search over the shop's documents. Every tool is read-only.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
    )


def _passages(host: ToolHost, start: int) -> tuple[list[types.Resource], int]:
    """One page of indexed passages from ``start`` as resources named by their citation ids,
    and how many passages there are."""
    store = knowledge_store(host.ctx)
    page = [
        types.Resource(
            uri=PASSAGE_SCHEME + quote(meta["citation"], safe="#-_."),
            name=meta["citation"],
            title=" — ".join(p for p in (meta["title"], meta["heading"]) if p),
            mime_type="text/markdown",
        )
        for meta in store.passages(start, RESOURCE_PAGE)
    ]
    return page, store.count()


def _passage(host: ToolHost, citation: str) -> str | None:
    hit = knowledge_store(host.ctx).passage(citation)
    if hit is None:
        return None
    heading = f"# {hit.title}" + (f" — {hit.heading}" if hit.heading else "")
    text = f"{heading}\n\n[{hit.citation}]\n\n{hit.text}"
    return str(host.scrub(text))


async def serve_stdio(host: ToolHost) -> None:
    """Serve over this process's stdin and stdout until the client closes them."""
    from mcp.server.stdio import stdio_server

    server = build_server(host)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def serve_http(host: ToolHost, port: int) -> None:
    """Serve streamable HTTP at http://127.0.0.1:PORT/mcp (loopback only)."""
    import uvicorn

    app = build_server(host).streamable_http_app(host="127.0.0.1")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
