"""The model's brief of a tool result: few tokens, the facts kept, the question's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools import TOOLS, ToolContext, to_llm_brief, to_llm_json
from tools._brief import BRIEF_OFF, MAX_ROWS


@dataclass(frozen=True)
class _Row:
    sku: str
    title: str
    title_zh: str
    price: float
    share: float


@dataclass(frozen=True)
class _Result:
    scope: str
    rows: list[_Row]
    total: float
    curve: list[float] = field(default_factory=list, metadata=BRIEF_OFF)
    note: str | None = None


def _result(n: int = 2) -> _Result:
    rows = [_Row(f"SK-{i:04d}", f"Lamp {i}", f"台灯{i}", 19.99, 0.123456) for i in range(n)]
    return _Result("all", rows, 2704012.6, curve=[1.0, 2.0])


def test_records_become_a_table_with_rounded_numbers() -> None:
    text = to_llm_brief(_result())
    assert text.splitlines() == [
        "scope: all",
        "rows:",
        "  sku | title | price | share",
        "  SK-0000 | Lamp 0 | 19.99 | 0.123",
        "  SK-0001 | Lamp 1 | 19.99 | 0.123",
        "total: 2704000",  # four significant digits, as in the JSON
    ]


def test_a_value_every_row_shares_is_said_once_above_the_table() -> None:
    lines = to_llm_brief(_result(3)).splitlines()
    assert lines[2:4] == ["  price (every row): 19.99", "  share (every row): 0.123"]
    assert lines[4] == "  sku | title"
    assert lines[5] == "  SK-0000 | Lamp 0"


def test_records_with_one_field_to_show_are_a_plain_list() -> None:
    @dataclass(frozen=True)
    class _Risk:
        text: str
        code: str = field(default="x", metadata=BRIEF_OFF)

    text = to_llm_brief({"risks": [_Risk("holdout untouched"), _Risk("pull-forward")]})
    assert text.splitlines() == ["risks: [holdout untouched, pull-forward]"]


def test_a_table_left_with_one_column_is_a_plain_list() -> None:
    rows = [{"sku": f"SK-{i}", "store": "north"} for i in (1, 2, 3)]
    lines = to_llm_brief({"rows": rows}).splitlines()
    assert lines == ["rows:", "  store (every row): north", "  - SK-1", "  - SK-2", "  - SK-3"]


def test_fields_marked_off_and_empty_values_are_left_out() -> None:
    text = to_llm_brief(_result())
    assert "curve" not in text and "note" not in text


def test_chinese_questions_get_the_chinese_names_under_the_plain_key() -> None:
    text = to_llm_brief(_result(), "zh")
    assert "SK-0000 | 台灯0 | 19.99" in text
    assert "Lamp 0" not in text and "title_zh" not in text


def test_long_lists_are_cut_with_a_count_of_the_rest() -> None:
    text = to_llm_brief(_result(MAX_ROWS + 3))
    assert f"SK-{MAX_ROWS - 1:04d}" in text and f"SK-{MAX_ROWS:04d}" not in text
    assert text.splitlines()[-2] == "  (+3 more)"


def test_nested_records_are_indented_blocks() -> None:
    text = to_llm_brief({"decisions": [{"sku": "A", "ci90": [-2.5, -1.5], "meta": {"k": 1}}]})
    assert text.splitlines() == [
        "decisions:",
        "  - sku: A",
        "    ci90: [-2.5, -1.5]",
        "    meta:",
        "      k: 1",
    ]


def test_the_brief_is_much_shorter_than_the_json_for_a_real_price_result(
    demo_ctx: ToolContext,
) -> None:
    optimize = next(t for t in TOOLS if t.name == "optimize_price")
    result = optimize(demo_ctx, sku="CT-0001")
    brief = to_llm_brief(result)
    assert len(brief) < len(to_llm_json(result)) / 3
    price = result.decisions[0].recommended_price
    assert "recommended_price" in brief and f"| {price:g} |" in brief
    assert "price | units | revenue | profit" not in brief  # the 25-point curve
