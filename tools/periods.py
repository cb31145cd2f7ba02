"""Periods the way people say them ("last month", "2011-11", "上个月", "最近30天", "双十一期间"),
resolved against the last day of the shop's data, not the wall clock: a shop whose orders end in
December 2011 asking for "last month" means November 2011.

One module for every tool that takes a period, so "this quarter" means the same everywhere. A
period that the data ends inside is *partial*; comparisons then use the same number of days of
the other period (month-to-date against the same days of last month), never a whole month
against part of one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

import yaml

from copilot.core.errors import ToolError
from copilot.core.resources import data_dir

Unit = Literal["day", "week", "month", "quarter", "year", "days", "festival", "range"]
Compare = Literal["previous_period", "last_year"]

FESTIVALS = data_dir("tools", "festivals.yaml")
_MONTHS = {
    **{calendar.month_name[m].lower(): m for m in range(1, 13)},
    **{calendar.month_abbr[m].lower(): m for m in range(1, 13)},
    "sept": 9,
}
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}  # fmt: skip
_UNIT_WORDS = {
    "day": "days", "days": "days", "天": "days", "日": "days",
    "week": "weeks", "weeks": "weeks", "周": "weeks", "星期": "weeks", "个星期": "weeks",
    "month": "months", "months": "months", "个月": "months", "月": "months",
    "year": "years", "years": "years", "年": "years",
}  # fmt: skip
EXAMPLES = "last month, this quarter, 2026-10, last 30 days, 上个月, 最近30天, 双十一期间"

_NAMED: dict[str, tuple[Unit, int]] = {
    "today": ("day", 0), "今天": ("day", 0), "yesterday": ("day", -1), "昨天": ("day", -1),
    "this week": ("week", 0), "本周": ("week", 0), "这周": ("week", 0), "这个星期": ("week", 0),
    "last week": ("week", -1), "上周": ("week", -1), "上个星期": ("week", -1),
    "this month": ("month", 0), "本月": ("month", 0), "这个月": ("month", 0),
    "month to date": ("month", 0), "mtd": ("month", 0),
    "last month": ("month", -1), "上个月": ("month", -1), "上月": ("month", -1),
    "this quarter": ("quarter", 0), "本季度": ("quarter", 0), "这个季度": ("quarter", 0),
    "last quarter": ("quarter", -1), "上季度": ("quarter", -1), "上个季度": ("quarter", -1),
    "this year": ("year", 0), "今年": ("year", 0), "year to date": ("year", 0),
    "ytd": ("year", 0), "last year": ("year", -1), "去年": ("year", -1),
    "前年": ("year", -2),
}  # fmt: skip
"""Named relative periods: the calendar unit and how many of them back from the data's end."""


@dataclass(frozen=True)
class Period:
    """A span of days (both ends included) and what it was read from."""

    start: date
    end: date
    """The period's last day as named (may lie after the data's last day: see ``partial``)."""
    unit: Unit
    said: str
    data_end: date
    """The last day with data: "today" for relative periods."""
    festival: str | None = None

    @property
    def partial(self) -> bool:
        """The data ends before the period does (this month, this year)."""
        return self.end > self.data_end

    @property
    def covered_end(self) -> date:
        """The last day of the period that has data."""
        return min(self.end, self.data_end)

    @property
    def days(self) -> int:
        """Days of the period that have data."""
        return max((self.covered_end - self.start).days + 1, 0)

    @property
    def label(self) -> str:
        """ISO dates of the covered span, e.g. ``2011-11-01 to 2011-11-30``."""
        if self.start == self.covered_end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} to {self.covered_end.isoformat()}"


def cn_number(text: str) -> int | None:
    """A number in digits or Chinese numerals up to 99 ("30", "三十", "十五", "两")."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _year_back(day: date) -> date:
    return _add_months(day, -12)  # 29 February becomes the 28th


def _unit_span(unit: Unit, day: date) -> tuple[date, date]:
    """The calendar day, week (Monday first), month, quarter or year containing ``day``."""
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if unit == "month":
        return day.replace(day=1), _month_end(day.year, day.month)
    if unit == "quarter":
        first = 3 * ((day.month - 1) // 3) + 1
        return date(day.year, first, 1), _month_end(day.year, first + 2)
    if unit == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


@cache
def _festivals() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(FESTIVALS.read_text(encoding="utf-8"))[
        "festivals"
    ]
    return data


def festival_span(key: str, year: int) -> tuple[date, date] | None:
    """The shopping period of festival ``key`` in ``year`` (None outside its date table)."""
    rule = _festivals()[key]
    if "window" in rule:
        (m1, d1), (m2, d2) = rule["window"]
        return date(year, m1, d1), date(year, m2, d2)
    if "fixed" in rule:
        day = date(year, *rule["fixed"])
    elif "nth_weekday" in rule:
        month, n, weekday = rule["nth_weekday"]
        first = date(year, month, 1)
        day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    else:
        given = rule["lunar"].get(year)
        if given is None:
            return None
        day = date.fromisoformat(str(given))
    day += timedelta(days=rule.get("shift", 0))
    return day - timedelta(days=rule.get("days_before", 0)), day + timedelta(
        days=rule.get("days_after", 0)
    )


@cache
def _festival_names() -> tuple[tuple[str, str], ...]:
    """Every festival name with its key, longest first ("中秋节" before "中秋")."""
    names = [(str(n).lower(), key) for key, rule in _festivals().items() for n in rule["names"]]
    return tuple(sorted(names, key=lambda item: -len(item[0])))


def _parse_date(text: str) -> date | None:
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text.strip())
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _latest(month: int, data_end: date) -> date:
    """The first day of the latest month ``month`` that begins on or before ``data_end``."""
    year = data_end.year if date(data_end.year, month, 1) <= data_end else data_end.year - 1
    return date(year, month, 1)


def _relative(text: str, end: date) -> tuple[date, date, Unit] | None:
    if text in _NAMED:
        unit, back = _NAMED[text]
        start, stop = _unit_span(unit, end)
        for _ in range(-back):
            start, stop = _unit_span(unit, start - timedelta(days=1))
        return start, stop, unit
    m = re.fullmatch(
        r"(?:the )?(?:last|past|previous|最近|近|过去|前)\s*(\d+|[零一二两三四五六七八九十]+)?\s*"
        r"(days?|weeks?|months?|years?|天|日|个星期|星期|周|个月|月|年)",
        text,
    )
    if m is None:
        return None
    n = cn_number(m[1]) if m[1] else 1
    if n is None or n < 1:
        return None
    step = _UNIT_WORDS[m[2]]
    if step == "days":
        start = end - timedelta(days=n - 1)
    elif step == "weeks":
        start = end - timedelta(days=7 * n - 1)
    else:
        start = _add_months(end, -n * (12 if step == "years" else 1)) + timedelta(days=1)
    return start, end, "days"


def _calendar(text: str, end: date) -> tuple[date, date, Unit] | None:
    day = _parse_date(text)
    if day is not None:
        return day, day, "day"
    m = re.fullmatch(r"(\d{4})\s*(?:-|/|\.|年)?\s*(?:第|q)\s*([1-4一二三四])\s*(?:季度|季)?", text)
    if m is None and (q := re.fullmatch(r"q([1-4])\s*(\d{4})", text)):
        m = re.fullmatch(r"(\d{4})q([1-4])", f"{q[2]}q{q[1]}")
    if m is not None:
        quarter = cn_number(m[2]) or 1
        start, stop = _unit_span("quarter", date(int(m[1]), 3 * quarter - 2, 1))
        return start, stop, "quarter"
    m = re.fullmatch(r"(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?", text)
    if m is not None and 1 <= int(m[2]) <= 12:
        start, stop = _unit_span("month", date(int(m[1]), int(m[2]), 1))
        return start, stop, "month"
    m = re.fullmatch(r"([a-z]+)\.?,?\s*(\d{4})?", text)
    if m is not None and m[1] in _MONTHS:
        month = _MONTHS[m[1]]
        first = date(int(m[2]), month, 1) if m[2] else _latest(month, end)
        start, stop = _unit_span("month", first)
        return start, stop, "month"
    m = re.fullmatch(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月(?:份)?", text)
    if m is not None and (numbered := cn_number(m[1])) is not None and 1 <= numbered <= 12:
        start, stop = _unit_span("month", _latest(numbered, end))
        return start, stop, "month"
    m = re.fullmatch(r"(?:q|第)([1-4一二三四])(?:季度)?", text)
    if m is not None:
        quarter = cn_number(m[1]) or 0
        start, stop = _unit_span("quarter", _latest(3 * quarter - 2, end))
        return start, stop, "quarter"
    m = re.fullmatch(r"(\d{4})\s*年?", text)
    if m is not None:
        start, stop = _unit_span("year", date(int(m[1]), 1, 1))
        return start, stop, "year"
    return None


def _range(text: str) -> tuple[date, date, Unit] | None:
    day = r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)"
    m = re.fullmatch(rf"(?:from\s+)?{day}\s*(?:to|until|through|-|–|~|至|到)\s*{day}", text)
    if m is None:
        return None
    first, last = _parse_date(m[1]), _parse_date(m[2])
    if first is None or last is None or last < first:
        return None
    return first, last, "range"


def _festival(text: str, end: date) -> tuple[date, date, str] | None:
    for name, key in _festival_names():
        if name not in text:
            continue
        rest = text.replace(name, " ").strip(" 's的")
        year: int | None = None
        if m := re.fullmatch(r"(\d{4})\s*年?", rest):
            year = int(m[1])
        elif rest in ("last year", "last year's", "去年"):
            year = end.year - 1
        elif rest in ("this year", "this year's", "今年"):
            year = end.year
        elif rest:
            continue
        if year is not None:
            span = festival_span(key, year)
            return (*span, key) if span else None
        # The latest occurrence that had begun by the data's last day.
        for candidate in (end.year, end.year - 1):
            span = festival_span(key, candidate)
            if span is not None and span[0] <= end:
                return (*span, key)
        return None
    return None


def resolve_period(said: str, data_end: date) -> Period:
    """The period ``said`` names, counted back from ``data_end`` (the last day with data).

    Raises ``ToolError`` with examples when the words name no period it knows.
    """
    # "last_month": models write the words of a period as an identifier.
    text = re.sub(r"[\s_]+", " ", said.strip().lower())
    text = re.sub(r"^(?:during|in|over|for|the)\s+|\s*(?:期间|那段时间|的时候|时期)$", "", text)
    text = text.replace("（", "(").replace("）", ")").strip()
    found = _relative(text, data_end) or _calendar(text, data_end) or _range(text)
    if found is not None:
        start, stop, unit = found
        return Period(start, stop, unit, said, data_end)
    festival = _festival(text, data_end)
    if festival is not None:
        start, stop, key = festival
        return Period(start, stop, "festival", said, data_end, key)
    raise ToolError(
        f"could not read {said!r} as a period.",
        f"Give a period such as: {EXAMPLES}.",
        key="refusal.unknown_period",
        values={"period": said, "examples": EXAMPLES},
    )


_TOKEN = re.compile(r"[A-Za-z]+|\d+(?:[-./:]\d+)*|[\u3400-\u9fff]")
_LONGEST = 7
"""Tokens in the longest period people write ("2026-10-01 to 2026-10-15", "双十一期间")."""


def periods_in(text: str, data_end: date) -> list[Period]:
    """The periods a question names, left to right, the longest reading at each place
    ("sales in October 2026 vs October 2025" names two)."""
    tokens = list(_TOKEN.finditer(text))
    found: list[Period] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + _LONGEST), i, -1):
            said = text[tokens[i].start() : tokens[j - 1].end()]
            if j - i == 1 and not _alone_a_period(said, data_end):
                continue
            try:
                found.append(resolve_period(said, data_end))
            except ToolError:
                continue
            i = j - 1
            break
        i += 1
    return found


def _alone_a_period(token: str, data_end: date) -> bool:
    """A lone number is a period only as a recent year ("2026", not a budget of 2000); a lone
    "may" is the verb ("May we ..."), "May 2026" is the month."""
    if token.isdigit():
        return len(token) == 4 and data_end.year - 10 <= int(token) <= data_end.year
    return token.lower() != "may"


def same_span(a: Period, b: Period) -> bool:
    """Both name the same days."""
    return (a.start, a.end) == (b.start, b.end)


def compare_period(period: Period, compare_to: Compare) -> Period:
    """The period to compare with: the one before (``previous_period``) or the same one a year
    earlier (``last_year``), cut to as many days as ``period`` has data for."""
    if compare_to == "last_year":
        if period.festival is not None:
            span = festival_span(period.festival, period.start.year - 1)
            start = span[0] if span else _year_back(period.start)
        else:
            start = _year_back(period.start)
    elif period.unit in ("week", "month", "quarter", "year"):
        start = _unit_span(period.unit, period.start - timedelta(days=1))[0]
    else:
        start = period.start - timedelta(days=(period.end - period.start).days + 1)
    if period.partial:
        stop = start + timedelta(days=period.days - 1)
    elif compare_to == "last_year" and period.festival is None:
        stop = _year_back(period.end)
    elif period.unit in ("week", "month", "quarter", "year"):
        stop = _unit_span(period.unit, start)[1]
    else:
        stop = start + timedelta(days=(period.end - period.start).days)
    said = f"{compare_to.replace('_', ' ')} of {period.said}"
    return replace(period, start=start, end=stop, said=said)
