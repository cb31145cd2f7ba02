"""Periods as people say them, resolved against the data's last day (issue 19): a table of
expressions in English and Chinese with the dates they must give, comparisons that never set a
partial period against a whole one, and festival dates read from the same table the tool uses."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from copilot.core.errors import ToolError
from tools.periods import (
    FESTIVALS,
    Period,
    cn_number,
    compare_period,
    periods_in,
    resolve_period,
)

END = date(2011, 12, 9)  # Online Retail's last day, a Friday
D = date.fromisoformat

EXPRESSIONS = {
    # relative to the data's last day
    "last month": ("2011-11-01", "2011-11-30"),
    "上个月": ("2011-11-01", "2011-11-30"),
    "上月": ("2011-11-01", "2011-11-30"),
    "this month": ("2011-12-01", "2011-12-31"),
    "本月": ("2011-12-01", "2011-12-31"),
    "这个月": ("2011-12-01", "2011-12-31"),
    "this quarter": ("2011-10-01", "2011-12-31"),
    "last quarter": ("2011-07-01", "2011-09-30"),
    "上季度": ("2011-07-01", "2011-09-30"),
    "this year": ("2011-01-01", "2011-12-31"),
    "今年": ("2011-01-01", "2011-12-31"),
    "YTD": ("2011-01-01", "2011-12-31"),
    "last year": ("2010-01-01", "2010-12-31"),
    "去年": ("2010-01-01", "2010-12-31"),
    "前年": ("2009-01-01", "2009-12-31"),
    "today": ("2011-12-09", "2011-12-09"),
    "昨天": ("2011-12-08", "2011-12-08"),
    "this week": ("2011-12-05", "2011-12-11"),
    "last week": ("2011-11-28", "2011-12-04"),
    "上周": ("2011-11-28", "2011-12-04"),
    "last 30 days": ("2011-11-10", "2011-12-09"),
    "最近30天": ("2011-11-10", "2011-12-09"),
    "近三十天": ("2011-11-10", "2011-12-09"),
    "过去30天": ("2011-11-10", "2011-12-09"),
    "the past 7 days": ("2011-12-03", "2011-12-09"),
    "最近两周": ("2011-11-26", "2011-12-09"),
    "last 3 months": ("2011-09-10", "2011-12-09"),
    "近3个月": ("2011-09-10", "2011-12-09"),
    "last 12 months": ("2010-12-10", "2011-12-09"),
    # calendar
    "2011-11": ("2011-11-01", "2011-11-30"),
    "2011/11": ("2011-11-01", "2011-11-30"),
    "2011年11月": ("2011-11-01", "2011-11-30"),
    "November 2011": ("2011-11-01", "2011-11-30"),
    "Nov 2011": ("2011-11-01", "2011-11-30"),
    "November": ("2011-11-01", "2011-11-30"),
    "11月": ("2011-11-01", "2011-11-30"),
    "十一月份": ("2011-11-01", "2011-11-30"),
    "in March": ("2011-03-01", "2011-03-31"),
    "2011-Q3": ("2011-07-01", "2011-09-30"),
    "Q3 2011": ("2011-07-01", "2011-09-30"),
    "2011年第三季度": ("2011-07-01", "2011-09-30"),
    "Q4": ("2011-10-01", "2011-12-31"),
    "第一季度": ("2011-01-01", "2011-03-31"),
    "2010": ("2010-01-01", "2010-12-31"),
    "2010年": ("2010-01-01", "2010-12-31"),
    "2011-11-25": ("2011-11-25", "2011-11-25"),
    "2011年11月25日": ("2011-11-25", "2011-11-25"),
    "2011-11-01 to 2011-11-15": ("2011-11-01", "2011-11-15"),
    "from 2011-11-01 to 2011-11-15": ("2011-11-01", "2011-11-15"),
    "2011-11-01至2011-11-15": ("2011-11-01", "2011-11-15"),
    # festivals (the latest that had begun by the data's last day, or the year given)
    "双十一期间": ("2011-11-01", "2011-11-11"),
    "双11": ("2011-11-01", "2011-11-11"),
    "2010双十一": ("2010-11-01", "2010-11-11"),
    "去年双十一": ("2010-11-01", "2010-11-11"),
    "Singles' Day": ("2011-11-01", "2011-11-11"),
    "双十二": ("2010-12-10", "2010-12-12"),  # 2011's starts after the data ends
    "Black Friday": ("2011-11-25", "2011-11-25"),
    "黑五": ("2011-11-25", "2011-11-25"),
    "Cyber Monday": ("2011-11-28", "2011-11-28"),
    "during Christmas": ("2011-12-01", "2011-12-25"),
    "春节": ("2011-01-20", "2011-02-09"),
    "Chinese New Year 2010": ("2010-01-31", "2010-02-20"),
    "中秋": ("2011-09-02", "2011-09-12"),
    "国庆期间": ("2011-10-01", "2011-10-07"),
    "618": ("2011-06-01", "2011-06-18"),
    "情人节": ("2011-02-07", "2011-02-14"),
    "Mother's Day": ("2011-05-01", "2011-05-08"),
    "父亲节": ("2011-06-12", "2011-06-19"),
}


@pytest.mark.parametrize("said", list(EXPRESSIONS))
def test_an_expression_names_its_dates(said: str) -> None:
    period = resolve_period(said, END)
    assert (period.start, period.end) == tuple(map(D, EXPRESSIONS[said]))
    assert period.said == said and period.data_end == END
    assert period.partial == (period.end > END)


def test_there_are_enough_expressions_in_both_languages() -> None:
    chinese = [s for s in EXPRESSIONS if any("\u4e00" <= c <= "\u9fff" for c in s)]
    assert len(EXPRESSIONS) >= 40 and len(chinese) >= 20


@pytest.mark.parametrize("said", ["sometime soon", "2011-13", "last -3 days", "next month", ""])
def test_words_that_name_no_period_are_refused_with_examples(said: str) -> None:
    with pytest.raises(ToolError, match="as a period.*上个月") as refused:
        resolve_period(said, END)
    assert refused.value.key == "refusal.unknown_period"


def test_a_partial_period_covers_only_the_days_with_data() -> None:
    month = resolve_period("this month", END)
    assert month.partial and month.days == 9 and month.label == "2011-12-01 to 2011-12-09"
    assert not resolve_period("last month", END).partial


COMPARISONS = [
    ("last month", "previous_period", "2011-10-01", "2011-10-31"),
    ("last month", "last_year", "2010-11-01", "2010-11-30"),
    # month to date against the same days, never against a whole month
    ("this month", "previous_period", "2011-11-01", "2011-11-09"),
    ("this month", "last_year", "2010-12-01", "2010-12-09"),
    ("this year", "previous_period", "2010-01-01", "2010-12-09"),
    ("this week", "previous_period", "2011-11-28", "2011-12-02"),
    ("last 30 days", "previous_period", "2011-10-11", "2011-11-09"),
    ("Q3 2011", "previous_period", "2011-04-01", "2011-06-30"),
    ("2011-11-01 to 2011-11-15", "previous_period", "2011-10-17", "2011-10-31"),
    ("双十一", "last_year", "2010-11-01", "2010-11-11"),
    ("春节", "last_year", "2010-01-31", "2010-02-20"),  # the festival moves with the moon
    ("2012-02-29", "last_year", "2011-02-28", "2011-02-28"),
]


@pytest.mark.parametrize(("said", "to", "start", "end"), COMPARISONS)
def test_the_comparison_period(said: str, to: str, start: str, end: str) -> None:
    data_end = date(2012, 3, 1) if said.startswith("2012") else END
    base = resolve_period(said, data_end)
    other = compare_period(base, to)  # type: ignore[arg-type]
    assert (other.start, other.end) == (D(start), D(end))
    assert other.days == base.days or not base.partial


def test_festival_dates_follow_the_table() -> None:
    table = yaml.safe_load(FESTIVALS.read_text(encoding="utf-8"))["festivals"]
    for year, day in table["spring_festival"]["lunar"].items():
        period = resolve_period(f"春节 {year}", date(2030, 12, 31))
        assert period.start.toordinal() == D(day).toordinal() - 14
        assert period.end.toordinal() == D(day).toordinal() + 6
    # Thanksgiving is the fourth Thursday of November: Black Friday follows it.
    for year, friday in [(2010, 26), (2011, 25), (2024, 29), (2025, 28)]:
        assert resolve_period(f"black friday {year}", date(2030, 1, 1)).start == date(
            year, 11, friday
        )


@pytest.mark.parametrize(
    ("text", "number"), [("30", 30), ("三十", 30), ("十五", 15), ("两", 2), ("九十九", 99)]
)
def test_chinese_numerals(text: str, number: int) -> None:
    assert cn_number(text) == number


def test_a_period_is_a_value() -> None:
    period = resolve_period("last month", END)
    assert isinstance(period, Period) and period == resolve_period("last month", END)


@pytest.mark.parametrize(
    ("question", "spans"),
    [
        ("What were total sales last month?", [("2011-11-01", "2011-11-30")]),
        (
            "How did revenue in October 2011 compare with October 2010?",
            [("2011-10-01", "2011-10-31"), ("2010-10-01", "2010-10-31")],
        ),
        (
            "2011年10月的销售额和去年同期相比怎么样？",
            [("2011-10-01", "2011-10-31"), ("2010-01-01", "2010-12-31")],
        ),
        ("最近30天的订单数", [("2011-11-10", "2011-12-09")]),
        ("Sales in Q3 2011 by country?", [("2011-07-01", "2011-09-30")]),
        ("Sales in May 2011?", [("2011-05-01", "2011-05-31")]),
        # Not periods: the verb "may", a budget, a count of weeks.
        ("May we text customers on Sundays?", []),
        ("A budget of 2000 for 4 weeks", []),
    ],
)
def test_periods_named_in_a_question(question: str, spans: list[tuple[str, str]]) -> None:
    found = periods_in(question, END)
    assert [(p.start.isoformat(), p.end.isoformat()) for p in found] == spans


def test_a_period_written_as_an_identifier_is_read() -> None:
    assert resolve_period("last_month", END).label == "2011-11-01 to 2011-11-30"
