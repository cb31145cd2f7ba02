"""Builds the agent the CLI, the UI and the evaluations share, from the settings."""

from __future__ import annotations

from copilot.agent.loop import Agent
from copilot.agent.prompts import check_prompts
from copilot.agent.scope import ScopeGuard
from copilot.core.settings import Settings
from copilot.llm.model import Model
from copilot.shop import ShopData
from tools import ToolContext


def build_agent(
    settings: Settings, model: Model | None = None, ctx: ToolContext | None = None
) -> Agent:
    """The configured backend (or ``model``), the shop's tools (over ``ctx`` when given, to
    share fitted models) and, if on, the scope guard."""
    from copilot.llm import make_model
    from tools.knowledge_search import shared_embedder

    check_prompts()
    ctx = ctx or ToolContext(ShopData.open(settings.effective_database_url), settings)
    scope = ScopeGuard(shared_embedder(ctx)) if settings.scope_guard else None
    name = settings.shop_name or ctx.shop.name() or "the shop"
    return Agent(model or make_model(settings), ctx, shop_name=name, scope=scope)
