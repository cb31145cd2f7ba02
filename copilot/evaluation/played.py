"""A private demo shop where one campaign went the whole loop, for the cases that ask about it.

Cases marked ``setup: played_campaign`` run against a copy of the evaluated shop and its
knowledge base in a temporary folder, in which a win-back plan for at-risk customers was saved
as plan 1 (half the audience held out), approved, played by the demo's simulator with a planted
20-point rise in conversion, read out, and its lesson remembered. The configured shop is never
written, so the other cases (and a second run) see it as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from copilot.agent import Agent
from copilot.core.errors import InputError
from copilot.demo.campaign_sim import simulate_campaign
from copilot.shop import ShopData, schema
from copilot.shop.plans import PlanStore
from copilot.shop.store import copy_sqlite
from tools import ToolContext
from tools.campaigns.approval import approve_plan
from tools.campaigns.lessons import remember_lesson
from tools.campaigns.readout import campaign_readout
from tools.planning import plan_campaign

PLAYED: dict[str, Any] = {
    "goal": "win back at-risk customers",
    "budget": 5000.0,
    "audience": "at_risk",
    "holdout_share": 0.5,
}
UPLIFT = 0.20


def _copy_shop(ctx: ToolContext, home: Path) -> None:
    source = ctx.settings.home_dir / "shop.db"
    if ctx.settings.database_url or not source.exists():
        raise InputError(
            "the played-campaign cases copy the demo shop's SQLite file; run them on a "
            "`copilot demo` home (COPILOT_HOME), not on a database server"
        )
    copy_sqlite(source, home / "shop.db")


def _fresh_plans(shop: ShopData) -> None:
    """No saved plans in the copy, so the played one is plan 1 whatever the shop held."""
    with shop.engine.begin() as conn:
        for table in (schema.plan_assignments, schema.campaign_plans):
            table.drop(conn, checkfirst=True)
            table.create(conn)


def play(ctx: ToolContext) -> int:
    """Save, approve, simulate, read out and remember the win-back campaign; its plan id."""
    plan = plan_campaign(ctx, **PLAYED)
    store = PlanStore(ctx.shop.engine)
    plan_id = store.save(dict(PLAYED), plan.to_json_dict(), ctx.shop.version(), "eval")
    approve_plan(ctx, plan_id)
    simulate_campaign(ctx.shop, plan_id, uplift=UPLIFT)
    remember_lesson(ctx, campaign_readout(ctx, plan_id=plan_id))
    return plan_id


@contextmanager
def played_world(agent: Agent) -> Iterator[Agent]:
    """The agent's model and tools on a private copy of its shop where the campaign played."""
    from tools.knowledge_search import knowledge_store

    shared = knowledge_store(agent.ctx)
    with tempfile.TemporaryDirectory(prefix="copilot-eval-played-") as folder:
        home = Path(folder)
        _copy_shop(agent.ctx, home)
        settings = agent.settings.model_copy(update={"home": home, "chroma_url": None})
        shop = ShopData.open(settings.effective_database_url)
        try:
            _fresh_plans(shop)
            ctx = ToolContext(shop, settings)
            ctx.shared("embedder", lambda: shared.embedder)  # loaded once, not per copy
            shared.copy_into(knowledge_store(ctx))
            play(ctx)
            yield Agent(
                agent.model,
                ctx,
                tools=list(agent.tools.values()),
                shop_name=agent.shop_name,
                scope=agent.scope,
            )
        finally:
            shop.engine.dispose()
