"""The one place findings get their words: a bilingual catalogue and number formats for people.

Wording lives in ``wording.yaml`` under stable keys (``elasticity.headline``), each with an
English and a Chinese template using the same ``{placeholders}``; the loader refuses a
catalogue whose languages disagree, so a missing translation fails at import, not in front of
a marketer.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("en", "zh")


class WordingError(ValueError):
    """The wording catalogue is broken (a developer error, raised when it is loaded)."""


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every wording key with its templates per language (validated once)."""
    text = resources.files("tools.findings").joinpath("wording.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text) or {}
    out: dict[str, dict[str, str]] = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict) or set(entry) != set(LANGUAGES):
            raise WordingError(f"wording {key!r} needs exactly the languages {LANGUAGES}")
        if _fields(entry["en"]) != _fields(entry["zh"]):
            raise WordingError(
                f"wording {key!r}: en uses {sorted(_fields(entry['en']))}, "
                f"zh uses {sorted(_fields(entry['zh']))}"
            )
        # Leading spaces are kept: " (over budget)" is appended to an item.
        out[str(key)] = {lang: str(entry[lang]).strip("\n") for lang in LANGUAGES}
    return out


def lang_of(language: str) -> str:
    """``zh`` for Chinese, ``en`` for everything else."""
    return "zh" if language == "zh" else "en"


@dataclass(frozen=True)
class Say:
    """Words and numbers for one answer: the language and the shop's currency symbol."""

    language: str = "en"
    currency: str = ""

    @property
    def lang(self) -> str:
        """``en`` or ``zh``."""
        return lang_of(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        """The wording ``key`` in this language, filled with ``values``."""
        try:
            template = catalogue()[key][self.lang]
        except KeyError as exc:
            raise WordingError(f"no wording {key!r}") from exc
        return template.format(**values)

    def join(self, items: list[str]) -> str:
        """Items as "a, b and c" / "a、b 和 c"."""
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        if self.lang == "zh":
            return "、".join(items[:-1]) + "和" + items[-1]
        return ", ".join(items[:-1]) + " and " + items[-1]

    # Numbers: every figure a finding states is a field of the tool's result, formatted here, so
    # the grounding check can trace it (1,234.5 -> "1,235"; 0.243 -> "24%").

    def count(self, value: float) -> str:
        """A whole number with thousands separators: 12,345."""
        return f"{round(value):,d}"

    def days(self, value: float) -> str:
        """A number of days: "1 day", "12 days" / "12 天"."""
        n = round(value)
        return self("common.day") if n == 1 else self("common.days", n=f"{n:,d}")

    def money(self, value: float) -> str:
        """An amount: no cents from 100 up (1,235), cents below (19.99); currency symbol first."""
        if not math.isfinite(value):
            return "n/a"
        sign = "-" if value < 0 else ""
        shown = f"{abs(value):,.0f}" if abs(value) >= 100 else f"{abs(value):,.2f}"
        return f"{sign}{self.currency}{shown}"

    def pct(self, fraction: float, digits: int = 0) -> str:
        """A share or rate given as a fraction: 0.243 -> 24%. Below 1%, one decimal at least."""
        if not math.isfinite(fraction):
            return "n/a"
        value = 100 * fraction
        if digits == 0 and 0 < abs(value) < 1:
            digits = 1
        return f"{value:.{digits}f}%"

    def change(self, percent: float, digits: int = 0) -> str:
        """A signed change already in percent: -12.3 -> -12%, 4.56 -> +5%."""
        if not math.isfinite(percent):
            return "n/a"
        if digits == 0 and 0 < abs(percent) < 1:
            digits = 1
        return f"{percent:+.{digits}f}%"

    def num(self, value: float, digits: int = 2) -> str:
        """A plain statistic (an elasticity, a lift): -2.13, 1.8."""
        if not math.isfinite(value):
            return "n/a"
        return f"{value:,.{digits}f}"

    def interval(self, low: str, high: str) -> str:
        """A range: "-3.1 to -1.2" / "-3.1 至 -1.2"."""
        return self("common.interval", low=low, high=high)
