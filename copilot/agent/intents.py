"""Correct a choice between neighbouring tools from the user's words.

A 1.5B model confuses neighbours (measured: elasticity vs optimal price, a customer's
recommendations vs a segment's, a discount vs an A/B test). Its choice stands unless the
question has none of the words that ask for the chosen tool and has words that ask for one of
its neighbours, or an argument the tool needs cannot exist in the question (no customer id,
but a segment named).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from copilot.agent.arguments import FILL
from copilot.agent.lexicon import named
from tools import Tool

NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "price_elasticity": ("optimize_price",),
    "optimize_price": ("price_elasticity",),
    "recommend_discount": ("ab_test_sample_size", "ab_test_readout"),
    "ab_test_sample_size": ("recommend_discount", "ab_test_readout"),
    "ab_test_readout": ("recommend_discount", "ab_test_sample_size", "profile_weights"),
    "recommend_products": ("recommend_for_segment",),
    # "How long do customers have to return apparel?" names customers but asks for a policy.
    "find_customers": ("search_knowledge",),
    "similar_products": ("frequently_bought_with",),
    "frequently_bought_with": ("similar_products",),
    "recommend_for_segment": ("recommend_products",),
    # "What did last year's Double 11 post-mortem conclude?" is a document, not a sales figure.
    "sales_summary": ("search_knowledge", "sales_trend", "campaign_performance"),
    "sales_trend": ("sales_summary",),
    "campaign_performance": ("search_knowledge",),
    # "Which channel has the best ROAS?" is campaign figures, not a document.
    "search_knowledge": ("campaign_performance",),
}
ID_TOOLS = (
    "profile_customer",
    "recommend_products",
    "similar_products",
    "frequently_bought_with",
    "price_elasticity",
    "optimize_price",
)
"""Tools about one customer or product: with no id in the question they cannot be meant."""
_CARRIED = ("sku", "category", "segment", "customer_id", "budget", "weeks", "n")
"""Arguments a redirected call keeps when the new tool takes them."""


def corrected(
    name: str, arguments: dict[str, object], said: Sequence[str], tools: Mapping[str, Tool]
) -> tuple[str, dict[str, object]] | None:
    """(tool, arguments) to run instead of the model's choice, or None to keep it."""
    text = "\n".join(said)
    asked = set(named("intent", text))
    no_id = FILL["customer_id"](text) is None and FILL["sku"](text) is None
    if name in ID_TOOLS and no_id and not arguments.get("category") and "search_knowledge" in asked:
        # "Can a customer buy a gift card?" sent to a customer's profile: a document question.
        if "search_knowledge" in tools:
            return "search_knowledge", {"query": (said[-1] if said else text)[:300]}
    target = None
    if (
        name == "recommend_products"
        and FILL["customer_id"](text) is None
        and named("segment", text)
    ):
        target = "recommend_for_segment"
    elif (
        name == "recommend_for_segment" and FILL["customer_id"](text) and not named("segment", text)
    ):
        target = "recommend_products"
    elif name == "find_customers" and FILL["customer_id"](text) and name not in asked:
        # "Will customer C10004 come back?" names one customer and asks for no list.
        target = "profile_customer"
    elif name in NEIGHBOURS and name not in asked:
        wanted = [t for t in NEIGHBOURS[name] if t in asked]
        target = wanted[0] if len(wanted) == 1 else None
    if target is None or target not in tools:
        return None
    if target == "search_knowledge":
        return target, {"query": (said[-1] if said else text)[:300]}
    takes = tools[target].args_model.model_fields
    return target, {k: v for k, v in arguments.items() if k in _CARRIED and k in takes}
