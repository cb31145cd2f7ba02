"""The tool contract: schema from signature and docstring, validation, JSON out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pytest
from pydantic import Field

from copilot.core.errors import ToolError
from copilot.core.settings import Settings
from copilot.shop import ShopData
from tools import TOOLS, ToolContext, to_jsonable, tool
from tools._schema import ToolDefinitionError, parse_docstring


def _double(
    ctx: ToolContext, n: Annotated[int, Field(ge=1, le=10)], mode: Literal["a", "b"] = "a"
) -> int:
    """Double a number.

    Args:
        n: the number, 1-10.
        mode: which mode; "a" or
            "b" (continued line).
    """
    return n * 2


def test_schema_comes_from_signature_and_docstring() -> None:
    t = tool(_double)
    schema = t.json_schema()
    assert t.name == "_double" and t.description == "Double a number."
    assert schema["required"] == ["n"]
    assert schema["properties"]["n"]["maximum"] == 10
    assert schema["properties"]["mode"]["enum"] == ["a", "b"]
    assert schema["properties"]["mode"]["description"] == 'which mode; "a" or "b" (continued line).'
    assert schema["additionalProperties"] is False
    assert "ctx" not in schema["properties"]


def test_arguments_are_validated_into_tool_errors() -> None:
    t = tool(_double)
    ctx = object()
    assert t(ctx, n=3) == 6  # type: ignore[arg-type]
    with pytest.raises(ToolError, match="n: Input should be less than or equal to 10"):
        t(ctx, n=11)  # type: ignore[arg-type]
    with pytest.raises(ToolError, match="call the tool again"):
        t(ctx, n=2, colour="red")  # type: ignore[arg-type]


def test_undocumented_or_unannotated_tools_fail_at_definition() -> None:
    def undocumented(ctx: ToolContext, n: int) -> int:
        """Does things."""
        return n

    def no_return(ctx: ToolContext, n: int):  # type: ignore[no-untyped-def]
        """Does things.

        Args:
            n: a number.
        """
        return n

    with pytest.raises(ToolDefinitionError, match="document argument 'n'"):
        tool(undocumented)
    with pytest.raises(ToolDefinitionError, match="return type"):
        tool(no_return)


def test_every_registered_tool_has_a_described_schema() -> None:
    names = [t.name for t in TOOLS]
    assert len(names) == len(set(names))
    for t in TOOLS:
        assert len(t.description) > 40
        for prop in t.json_schema().get("properties", {}).values():
            assert prop.get("description"), t.name


def test_docstring_parser_keeps_description_and_args() -> None:
    desc, args = parse_docstring("""Line one.
    Line two.

    Args:
        x (int): first.
        y: second
            wraps.

    Returns:
        nothing.
    """)
    assert desc == "Line one.\nLine two."
    assert args == {"x": "first.", "y": "second wraps."}


def test_json_values_are_compact() -> None:
    @dataclass
    class R:
        a: float
        b: list[float]
        _hidden: int = 0

    assert to_jsonable(R(1234.5678, [0.000123456, float("nan")])) == {
        "a": 1235.0,
        "b": [0.0001235, None],
    }


EMPTY_SHOP_CALLS: dict[str, dict[str, Any]] = {
    "segment_overview": {},
    "find_customers": {},
    "profile_customer": {"customer_id": "C10001"},
    "profile_weights": {},
    "recommend_products": {"customer_id": "C10001"},
    "recommend_for_segment": {"segment": "champions"},
    "similar_products": {"sku": "CT-0001"},
    "frequently_bought_with": {"sku": "CT-0001"},
    "price_elasticity": {"sku": "CT-0001"},
    "optimize_price": {"sku": "CT-0001"},
    "recommend_discount": {"segment": "at_risk", "budget": 1000},
    "plan_campaign": {"goal": "win back customers", "budget": 5000},
    "sales_summary": {"period": "last month"},
    "sales_trend": {},
    "campaign_performance": {},
    "campaign_readout": {"plan_id": 1},
    "product_performance": {"sku": "CT-0001"},
}


@pytest.mark.parametrize("name", sorted(EMPTY_SHOP_CALLS))
def test_data_tools_on_an_empty_shop_answer_with_a_tool_error(
    name: str, settings: Settings
) -> None:
    """A fresh install has no data: every data tool says so (and how to load it) instead of
    crashing the chat or calling a product unknown."""
    ctx = ToolContext(ShopData.open(settings.effective_database_url), settings)
    by_name = {t.name: t for t in TOOLS}
    with pytest.raises(ToolError, match=r"no orders yet.*copilot ingest") as refused:
        by_name[name](ctx, **EMPTY_SHOP_CALLS[name])
    assert refused.value.key == "refusal.empty_shop"


def test_empty_shop_calls_cover_every_data_tool() -> None:
    """Pure tools (sample size, readout, knowledge search) do not read shop data."""
    pure = {"ab_test_sample_size", "ab_test_readout", "search_knowledge"}
    assert set(EMPTY_SHOP_CALLS) == {t.name for t in TOOLS} - pure


def test_a_substituted_cache_entry_is_used_then_the_previous_one_comes_back(
    demo_ctx: ToolContext,
) -> None:
    original = demo_ctx.cached("probe", lambda: "built")
    with demo_ctx.substituted("probe", "private copy"):
        assert demo_ctx.cached("probe", lambda: "rebuilt") == "private copy"
    assert demo_ctx.cached("probe", lambda: "rebuilt") == original == "built"
    with demo_ctx.substituted("absent", 1):
        assert demo_ctx.cached("absent", lambda: 2) == 1
    assert demo_ctx.cached("absent", lambda: 2) == 2
