"""A/B test figures as marketers write them: "control converted 2.4% of 9,000, treatment 3.1% of
9,100", "A 组转化率 3.0%（8000 人），B 组 3.3%（8000 人）", "(sd 40, n 2,000)".

The text is cut at the group words (control / treatment, 对照组 / 实验组, A 组 / B 组); in each
group's part a percentage is its rate, a number after "n", "of" or before "人/users/customers"
its size, "converted N" its conversions, "sd"/"标准差" its standard deviation, and a number after
"mean/averaged/人均/均值" (or a lone amount) its mean.
"""

from __future__ import annotations

import re

from copilot.agent.normalise import amounts

_GROUPS = re.compile(
    r"(?P<control>\bcontrol\b|对照组?|\bA\s*组|\bgroup\s*A\b|\bA:)"
    r"|(?P<treatment>\btreatment\b|\bvariant\b|实验组?|\bB\s*组|\bgroup\s*B\b|\bB:)",
    re.IGNORECASE,
)
_SIZE_BEFORE = re.compile(r"(?:\bn\s*=?|\bof|样本|共)\s*$", re.IGNORECASE)
_SIZE_AFTER = re.compile(r"^\s*(?:人|位|users?|customers?|people|visitors)", re.IGNORECASE)
_SD_BEFORE = re.compile(
    r"(?:\bsd|std|standard deviation|标准差)\s*(?:of|=|:|为)?\s*$", re.IGNORECASE
)
_MEAN_BEFORE = re.compile(
    r"(?:mean|average|averaged|avg|人均|均值|平均)[^\d]{0,12}$", re.IGNORECASE
)
_CONVERTED_BEFORE = re.compile(r"(?:converted|conversions?|转化了?)\s*$", re.IGNORECASE)
_CONVERTED_AFTER = re.compile(
    r"^\s*(?:conversions|converted|人?(?:下单|购买|买了|转化))(?!\s*了?\s*\d)", re.IGNORECASE
)
"""After the number: "180 人下单", "250 conversions" (but "4000 人转化 200 人" is a size)."""


def _parts(text: str) -> dict[str, str]:
    """The text of each group, from its word to the next group's word."""
    marks = [
        (m.start(), "control" if m.group("control") else "treatment")
        for m in _GROUPS.finditer(text)
    ]
    out: dict[str, str] = {}
    for i, (start, group) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        out.setdefault(group, text[start:end])
    return out


def _figures(part: str) -> dict[str, float]:
    found: dict[str, float] = {}
    loose: list[float] = []
    for a in amounts(part):
        before, after = part[max(0, a.start - 24) : a.start], part[a.end :]
        if a.percent:
            found.setdefault("rate", a.value)
        elif _SD_BEFORE.search(before):
            found.setdefault("sd", a.value)
        elif _CONVERTED_BEFORE.search(before) or _CONVERTED_AFTER.match(after):
            found.setdefault("conversions", a.value)
        elif _SIZE_BEFORE.search(before) or _SIZE_AFTER.match(after):
            found.setdefault("n", a.value)
        elif _MEAN_BEFORE.search(before):
            found.setdefault("mean", a.value)
        else:
            loose.append(a.value)
    if "mean" not in found and "sd" in found and loose:
        found["mean"] = loose[0]  # "treatment 55.10 (sd 42, n 2,050)"
    return found


def ab_figures(text: str) -> dict[str, float]:
    """``control_rate``, ``treatment_n``, ``control_sd``, ... found in the user's words."""
    out: dict[str, float] = {}
    for group, part in _parts(text).items():
        for key, value in _figures(part).items():
            out[f"{group}_{key}"] = value
    return out
