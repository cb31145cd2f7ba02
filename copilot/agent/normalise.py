"""Numbers and units as a marketer writes them, in English and Chinese.

"5,000", "5k", "五千", "5千元", "1.5万" are 5000 / 5000 / 5000 / 5000 / 15000; "25%", "百分之二十五"
are 25 percent; "两周", "2 weeks", "14 days" are two weeks. The argument check compares what a
model filled in with these values, and fills in what the user stated and the model left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(万|千|k\b|K\b|m\b|M\b)?\s*(%|percent|％)?"
)
_SCALE = {"万": 10_000, "千": 1000, "k": 1000, "K": 1000, "m": 1e6, "M": 1e6}
_PERCENT_WORDS = re.compile(r"百分之\s*([零〇一二两三四五六七八九十百千\d.]+)")


@dataclass(frozen=True)
class Amount:
    """A number the user wrote, where it stands in the text, and whether it is a percentage."""

    value: float
    start: int
    end: int
    percent: bool = False


def chinese_number(text: str) -> float | None:
    """五千 -> 5000, 一万五 -> 15000, 三千五 -> 3500, 一百零五 -> 105, 两 -> 2; None if ``text``
    is not a number."""
    if not text or any(c not in _DIGITS and c not in _UNITS and c not in _BIG for c in text):
        return None
    total, section = 0.0, 0.0
    digit: int | None = None
    next_scale = 1  # what a trailing digit counts: 一万五 is 15000, 三千五 is 3500
    for char in text:
        if char in ("零", "〇"):
            digit, next_scale = None, 1
        elif char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[char]
            digit, next_scale = None, _UNITS[char] // 10
        else:
            section += digit or 0
            total += (section or 1) * _BIG[char]
            section, digit, next_scale = 0.0, None, _BIG[char] // 10
    if digit is not None:
        section += digit * next_scale
    return total + section


def amounts(text: str) -> list[Amount]:
    """Every number in ``text``, with Chinese numerals, 千/万/k scales and percentages."""
    found: list[Amount] = []
    for m in _NUMBER.finditer(text):
        value = float(m.group(1).replace(",", "") + (f".{m.group(2)}" if m.group(2) else ""))
        if m.group(3):
            value *= _SCALE[m.group(3)]
        found.append(Amount(value, m.start(), m.end(), bool(m.group(4))))
    for m in _PERCENT_WORDS.finditer(text):
        raw = m.group(1)
        words = chinese_number(raw) if not raw[0].isdigit() else float(raw)
        if words is not None:
            found.append(Amount(words, m.start(), m.end(), True))
    for m in _CN_NUMBER.finditer(text):
        if text[max(0, m.start() - 3) : m.start()].endswith("百分之"):
            continue
        spelled = chinese_number(m.group(0))
        # A lone 一 is mostly "a/one" (一个活动, 一起买), not a figure someone stated.
        if spelled is not None and m.group(0) not in ("万", "亿", "千", "百", "一"):
            found.append(Amount(spelled, m.start(), m.end()))
    return sorted(found, key=lambda a: a.start)


def values(text: str) -> set[float]:
    """The numbers of ``text`` in every form they may be meant: 25% is 25 and 0.25."""
    out: set[float] = set()
    for a in amounts(text):
        out.add(a.value)
        if a.percent:
            out.add(a.value / 100)
    return out


def mentions(value: float, text: str, fraction: bool = False) -> bool:
    """Whether ``value`` is a number the user wrote in ``text``: 25 for "25%" or "25", 0.25 for
    "0.25" or "25%". With ``fraction`` (a rate or a probability) a whole number counts only
    when written as a percentage: "90 days" does not justify a churn risk of 0.9."""
    for a in amounts(text):
        if fraction:
            candidates = [a.value / 100] if a.percent else [a.value] if a.value <= 1 else []
        else:
            candidates = [a.value, *([a.value * 100] if a.value < 1 else [])]
            candidates += [a.value / 100] if a.percent else []
        if any(abs(c - value) <= 1e-6 * max(1.0, abs(value)) for c in candidates):
            return True
    return False


_WEEKS = re.compile(
    r"(\d+|[一二两三四五六七八九十]+)\s*(?:-|\s)?(weeks?|wks?|周|个星期|星期|礼拜)"
    r"|(\d+|[一二两三四五六七八九十]+)\s*(days?|天|日)"
    r"|(?:(\d+|[一二两三四五六七八九十]+|a|one)\s*(?:-|\s)?(months?|个月|月))",
    re.IGNORECASE,
)


def _num(token: str) -> float | None:
    if token.lower() in ("a", "one"):
        return 1.0
    return float(token) if token[0].isdigit() else chinese_number(token)


def durations_in_weeks(text: str) -> list[float]:
    """Durations such as "2 weeks", "两周", "14 days", "一个月" as weeks (days / 7, a month as
    four weeks)."""
    out = []
    for m in _WEEKS.finditer(text):
        if m.group(1):
            n = _num(m.group(1))
            out += [n] if n is not None else []
        elif m.group(3):
            n = _num(m.group(3))
            out += [n / 7] if n is not None else []
        elif m.group(6):
            n = _num(m.group(5) or "1")
            out += [4 * n] if n is not None else []
    return out


def durations_in_days(text: str) -> list[float]:
    """Durations such as "90 days", "三个月", "6 months", "两周" as days (a month as 30 days)."""
    out = []
    for m in _WEEKS.finditer(text):
        if m.group(1):
            n = _num(m.group(1))
            out += [7 * n] if n is not None else []
        elif m.group(3):
            n = _num(m.group(3))
            out += [n] if n is not None else []
        elif m.group(6):
            n = _num(m.group(5) or "1")
            out += [30 * n] if n is not None else []
    return out
