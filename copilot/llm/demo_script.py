"""``COPILOT_LLM=scripted``: an offline stand-in that routes by keywords (no model needed).

It exists so the UI and CLI can be demonstrated and tested without a model; its answers are
the deterministic rendering of the tool results.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from copilot.llm.types import Message, ModelTurn, ToolCall
from tools import Tool

_RULES: tuple[tuple[str, str], ...] = (
    (r"recommend|推荐", "recommend_products"),
    (r"similar|相似", "similar_products"),
    (r"bought (together|with)|一起买", "frequently_bought_with"),
    (r"elastic|sensitiv|弹性|敏感", "price_elasticity"),
    (r"price|定价|价格", "optimize_price"),
    (r"discount|coupon|折扣|优惠券", "recommend_discount"),
    (r"sample size|a/b|样本量", "ab_test_sample_size"),
    (r"churn|流失|at risk", "find_customers"),
    (r"segment|分群|best customers|最好的客户", "segment_overview"),
    (
        r"[A-Z]{2}-\d{4}.*(sell|sold|perform|卖|表现)|categor.*(sell|sold)|品类.*卖",
        "product_performance",
    ),
    (r"(plan|方案)\s*#?\s*\d+|read-?out", "campaign_readout"),
    (r"roas|channel|click rate|perform|渠道|点击率|投产比|活动.*效果", "campaign_performance"),
    (r"trend|over time|monthly|weekly|走势|趋势|每月|每周", "sales_trend"),
    (r"policy|return|campaign|活动|政策|退货", "search_knowledge"),
    (r"sales|revenue|orders\b|销售|营业额|订单|客单价", "sales_summary"),
)
_CATEGORY = re.compile(r"\b([A-Z][\w']*(?: (?:&|[A-Z][\w']*))*)\s*(?:category|品类)")
"""A capitalised category name before "category" ("the Coffee & Tea category")."""
_CUSTOMER = re.compile(r"\b(C?\d{4,6})\b")
_PLAN = re.compile(r"(?:plan|方案)\s*#?\s*(\d+)", re.IGNORECASE)
_SKU = re.compile(r"\b([A-Z]{2}-\d{4}|\d{5}[A-Z]?)\b")


@dataclass
class KeywordModel:
    """Picks at most one tool from keywords, then answers with the rendered results."""

    name: str = "scripted"
    remote: bool = False

    def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
        """First step: a keyword-chosen tool; afterwards: answer."""
        if any(m.role == "user" and m.content.startswith("Tool result") for m in messages):
            return ModelTurn(text="")
        question = messages[-1].content
        names = {t.name for t in tools}
        for pattern, tool in _RULES:
            if re.search(pattern, question, re.IGNORECASE) and tool in names:
                return ModelTurn(tool_call=ToolCall(tool, self._arguments(tool, question)))
        return ModelTurn(
            text="I can help with customers, recommendations, prices, "
            "experiments and the shop's documents."
        )

    def _arguments(self, tool: str, question: str) -> dict[str, object]:
        customer = _CUSTOMER.search(question)
        sku = _SKU.search(question)
        plan = _PLAN.search(question)
        if tool == "campaign_readout":
            return {"plan_id": int(plan.group(1))} if plan else {}
        if tool in ("recommend_products",) and customer:
            return {"customer_id": customer.group(1)}
        if (
            tool
            in (
                "similar_products",
                "frequently_bought_with",
                "price_elasticity",
                "optimize_price",
                "product_performance",
            )
            and sku
        ):
            return {"sku": sku.group(1)}
        if tool == "find_customers":
            return {"churn_risk_above": 0.5, "sort_by": "clv"}
        if tool == "recommend_discount":
            return {"segment": "at_risk", "budget": 2000.0}
        if tool == "ab_test_sample_size":
            return {"metric": "conversion", "baseline": 0.05, "mde_pct": 10.0}
        if tool == "product_performance":
            named = re.search(
                r"\b([A-Z][\w']*(?: (?:&|[A-Z][\w']*))*)\s*(?:category|品类)", question
            )
            return {"category": named.group(1).strip()} if named else {}
        if tool == "search_knowledge":
            return {"query": question[:200]}
        if tool == "sales_summary":
            return self._sales_arguments(question)
        return {}

    def _sales_arguments(self, question: str) -> dict[str, object]:
        arguments: dict[str, object] = {}
        if re.search(r"year (before|ago|earlier)|last year|\d{4}.*\d{4}|去年|同比", question):
            arguments["compare_to"] = "last_year"
        if re.search(r"categor|品类", question, re.IGNORECASE):
            arguments["by"] = "category"
        return arguments

    def answer(self, messages: Sequence[Message]) -> Iterator[str]:
        """Nothing to add: the loop renders the tool results when the text is empty."""
        yield ""

    def count_tokens(self, text: str) -> int:
        """About four characters per token."""
        return len(text) // 4 + 1

    def read_prompt(self, messages: Sequence[Message]) -> None:
        """Nothing to read: it has no prompt."""


def demo_model() -> KeywordModel:
    """The offline keyword model."""
    return KeywordModel()
