"""Analytics tools: deterministic functions over the shop data; they never call an LLM.

``TOOLS`` is the one registry the agent reads; a new tool is added here and nowhere else.
"""

from tools._brief import to_llm_brief
from tools._tool import Tool, ToolContext, to_jsonable, to_llm_json, tool
from tools.campaigns.api import campaign_performance
from tools.campaigns.readout import campaign_readout
from tools.knowledge_search import knowledge_store, search_knowledge
from tools.planning import plan_campaign
from tools.pricing import (
    ab_test_readout,
    ab_test_sample_size,
    optimize_price,
    price_elasticity,
    recommend_discount,
)
from tools.pricing.api import demand_model
from tools.profiling import find_customers, profile_customer, profile_weights, segment_overview
from tools.profiling.api import profiles
from tools.recommend import (
    frequently_bought_with,
    recommend_for_segment,
    recommend_products,
    similar_products,
)
from tools.recommend.api import recommender
from tools.sales.api import sales_summary
from tools.sales.product import product_performance
from tools.sales.trend_tool import sales_trend

TOOLS: tuple[Tool, ...] = (
    segment_overview,
    find_customers,
    profile_customer,
    profile_weights,
    recommend_products,
    recommend_for_segment,
    similar_products,
    frequently_bought_with,
    price_elasticity,
    optimize_price,
    recommend_discount,
    ab_test_sample_size,
    ab_test_readout,
    sales_summary,
    sales_trend,
    product_performance,
    campaign_performance,
    search_knowledge,
    plan_campaign,
    campaign_readout,
)


def warm_up(ctx: ToolContext) -> None:
    """Fit the models the tools cache for this data version and open the knowledge base, so
    a first question does not pay for them."""
    profiles(ctx)
    recommender(ctx)
    demand_model(ctx)
    knowledge_store(ctx)


__all__ = [
    "warm_up",
    "TOOLS",
    "Tool",
    "ToolContext",
    "to_jsonable",
    "to_llm_brief",
    "to_llm_json",
    "tool",
]
