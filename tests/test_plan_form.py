"""The plan form's checks in the page's language (issue 20): one line naming the field, no
pattern, no tool instruction; dates written the ways people write them."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.core.errors import ToolError
from copilot.ui.plan_form import AUTO, audience_choices, error_text, form_error, start_date
from tools import ToolContext
from tools.profiling.api import segment_overview


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2026-12-07", date(2026, 12, 7)),
        ("2026/12/7", date(2026, 12, 7)),
        ("2026年12月7日", date(2026, 12, 7)),
        (" 2026.1.05 ", date(2026, 1, 5)),
        ("", None),
        (None, None),
    ],
)
def test_start_dates_are_read_as_people_write_them(written: str | None, day: date | None) -> None:
    assert start_date(written) == day


@pytest.mark.parametrize("written", ["12/07", "2026-02-30", "next monday", "2026-13-01"])
def test_what_is_not_a_calendar_day_is_refused(written: str) -> None:
    with pytest.raises(ValueError, match="."):
        start_date(written)


def test_each_field_is_named_in_the_page_s_language() -> None:
    assert form_error("Win back lapsed customers", 5000, "2026-12-07", "en") is None
    assert form_error("", 5000, None, "en") == (
        "✖ Goal: say what the campaign should achieve (at least 3 characters)."
    )
    assert form_error("复购活动", -5, None, "zh") == "✖ 预算：请输入大于 0 的金额。"
    assert form_error("goal", float("nan"), None, "en") == "✖ Budget: enter an amount above 0."
    said = form_error("goal", 100, "12/07", "zh")
    assert said is not None and said.startswith("✖ 开始日期：'12/07' 不是日期")
    assert "YYYY" not in said and "\\d" not in said


def test_a_tool_refusal_is_said_in_the_page_s_language() -> None:
    error = ToolError(
        "the budget 10 does not cover ...",
        "call the tool again",
        key="refusal.budget_too_small",
        values={"budget": "10", "customers": "412", "channel": "email", "weeks": 4, "cost": "80"},
    )
    assert error_text(error, "zh").startswith("预算 10 不足以在 4 周内")
    assert "call the tool" not in error_text(error, "en")
    assert error_text(ToolError("no such thing", "use another tool"), "en") == "no such thing"


def test_the_audience_list_names_segments_with_their_sizes(demo_ctx: ToolContext) -> None:
    overview = segment_overview(demo_ctx)
    zh = dict((key, label) for label, key in audience_choices(overview, "zh"))
    at_risk = next(s for s in overview.segments if s.segment == "at_risk")
    assert zh[AUTO] == "根据目标自动选择"
    assert zh["at_risk"] == f"有流失风险 · {at_risk.customers:,} 位客户"
    en = dict((key, label) for label, key in audience_choices(overview, "en"))
    assert en["at_risk"] == f"At risk · {at_risk.customers:,} customers"
    assert audience_choices(None, "en") == [("Chosen from the goal", AUTO)]
