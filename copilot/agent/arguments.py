"""Grounded arguments: every value a model fills in must come from the user's words.

Small models copy values from examples ("segment: loyal") and invent filters nobody asked for.
Before a tool runs, each argument the model set (other than a default) is traced to what the
user said in this or an earlier turn, after normalising numbers and units in both languages
(``copilot.agent.normalise``) and naming words (``lexicon.yaml``). An untraceable filter is
dropped and the drop is shown; an untraceable required value makes the copilot ask for it.
Values the user stated that the model left out are filled in the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from copilot.agent.ab_figures import ab_figures
from copilot.agent.events import ArgumentsChanged
from copilot.agent.lexicon import id_in_words, in_words, lexicon, named, said_in, shares_a_word
from copilot.agent.normalise import amounts, durations_in_days, durations_in_weeks, mentions
from copilot.agent.period_words import compare_to_said, period_said, period_traced
from copilot.agent.prompts import argument_labels, render
from tools import Tool

FREE = {"query", "goal"}
"""Text the model composes (a search query, a campaign goal) or a choice it must make."""
FRACTIONS = {"baseline", "control_rate", "treatment_rate", "alpha", "power", "treatment_share"}
"""Rates and probabilities: a whole number justifies them only when written as a percentage."""
CHURN_DEFAULT = 0.5
"""The churn-risk threshold that "about to churn" means when the user gives no number."""


_NEAR = 24
"""How far (characters) a number may stand from the word that says what it is."""


def _number_after(text: str, words: str, percent: bool | None = None) -> float | None:
    """The first number within a few characters after one of ``words`` (a regex)."""
    for m in re.finditer(words, text, re.IGNORECASE):
        for a in amounts(text[m.end() : m.end() + _NEAR]):
            if percent is None or a.percent == percent:
                return a.value
    return None


_BUDGET = r"budget|预算|经费|spend up to|花费"
_MONEY = re.compile(
    r"[£$¥€]\s*(\d[\d,.]*\s*[kK万千]?)|(\d[\d,.]*\s*[kK万千]?|[一二两三四五六七八九十百千万]+)\s*(?:元|块|rmb|yuan|dollars|pounds|euros)",
    re.IGNORECASE,
)


def _number_before(text: str, words: str) -> float | None:
    """The number right before one of ``words`` (a regex): "1,200 visitors a day"."""
    for m in re.finditer(words, text, re.IGNORECASE):
        found = amounts(text[max(0, m.start() - _NEAR) : m.start()])
        if found:
            return found[-1].value
    return None


def _budget(text: str) -> float | None:
    found = _number_after(text, _BUDGET)
    if found is not None:
        return found
    for m in _MONEY.finditer(text):
        values = amounts(m.group(0))
        if values:
            return values[0].value
    return None


def _churn(text: str) -> float | None:
    value = _number_after(text, r"churn(?: risk| probability)?|流失(?:风险|概率)")
    if value is not None:
        return value / 100 if value > 1 else value
    return CHURN_DEFAULT if named("churn", text) else None


def _count(text: str) -> float | None:
    m = re.search(
        r"(?:top|first|best)\s+(\d+)|(\d+|[一二两三四五六七八九十]+)\s*(?:个(?!月|星期|小时|工作日|百分点)|款|件|位|名|种)"
        r"|(\d+)\s+(?:\w+\s+)?(?:products|items|customers|recommendations|ideas)"
        r"|前\s*(\d+|[一二三四五六七八九十]+)",
        text,
        re.IGNORECASE,
    )
    if not m:
        return None
    token = next(g for g in m.groups() if g)
    values = amounts(token)
    return values[0].value if values else None


def _weeks(text: str) -> float | None:
    whole = [w for w in durations_in_weeks(text) if float(w).is_integer() and 1 <= w <= 12]
    return whole[0] if whole else None


def _inactive(text: str) -> float | None:
    if not re.search(
        r"not (?:bought|purchased|ordered)|no (?:purchase|order)|haven't|hasn't|"
        r"inactive|没(?:有)?(?:买|购买|下单)|未(?:购买|下单)",
        text,
        re.IGNORECASE,
    ):
        return None
    days = durations_in_days(text)
    return days[0] if days else None


_CUSTOMER = re.compile(r"\b(C\d{4,6}|\d{5})\b")
_SKU = re.compile(r"\b([A-Z]{2}-\d{4}|\d{5}[A-Z]?)\b")


def _first(pattern: re.Pattern[str]) -> Callable[[str], str | None]:
    def find(text: str) -> str | None:
        m = pattern.search(text)
        return m.group(1) if m else None

    return find


def _ab(key: str) -> Callable[[str], float | None]:
    def find(text: str) -> float | None:
        return ab_figures(text).get(key)

    return find


def _lexical(kind: str, only: bool = False) -> Callable[[str], str | None]:
    """The first value of ``kind`` the words name; with ``only``, None when they name several
    ("email or SMS, which works best?" is a comparison, not a filter)."""

    def find(text: str) -> str | None:
        hits = list(dict.fromkeys(named(kind, text)))
        return hits[0] if hits and (len(hits) == 1 or not only) else None

    return find


FILL: dict[str, Callable[[str], Any]] = {
    "budget": _budget,
    "weeks": _weeks,
    "min_margin_pct": lambda t: _number_after(t, r"margin|毛利率?|利润率", percent=True),
    "max_change_pct": lambda t: _number_after(
        t, r"(?:price )?change|move|adjust|调价|涨跌|变动|幅度", percent=True
    ),
    "min_clv": lambda t: _number_after(t, r"clv|lifetime value|终身价值"),
    "churn_risk_above": _churn,
    "inactive_days_over": _inactive,
    "n": _count,
    "limit": _count,
    "channel": _lexical("channel", only=True),
    "country": _lexical("country"),
    # Sales of one country or segment the user named ("中国客户", "at-risk customers"); a
    # category is the model's to fill (its names are the shop's, not the lexicon's).
    "where": lambda t: _lexical("country", only=True)(t) or _lexical("segment", only=True)(t),
    "segment": _lexical("segment"),
    "audience": _lexical("segment"),
    "customer_id": _first(_CUSTOMER),
    "sku": _first(_SKU),
    "exclude_purchased": lambda t: False if "false" in named("exclude_purchased", t) else None,
    "daily_customers": lambda t: (
        _number_after(
            t, r"每天(?:大概|大约|约)?(?:有)?|每日|一天|per day|a day|daily", percent=False
        )
        or _number_before(t, r"(?:visitors|customers|users|people)?\s*(?:per|a) day|人/天")
    ),
    "sd": lambda t: _number_after(t, r"standard deviation|\bsd\b|\bstd\b|标准差"),
    "metric": lambda t: named("metric", t),  # candidates: the first the tool takes
    "period": period_said,
    "compare_to": compare_to_said,
    "by": _lexical("by"),
    "grain": _lexical("grain"),
    "rank_by": _lexical("rank_by"),
    **{
        f"{group}_{key}": _ab(f"{group}_{key}")
        for group in ("control", "treatment")
        for key in ("n", "rate", "conversions", "mean", "sd")
    },
}
"""Arguments read from the user's words when the model left them out (or contradicted them)."""


_NAMED = (
    *("kind", "sort_by", "objective", "channel", "type", "price_ending", "by", "grain"),
    "rank_by",
)
"""Options a lexicon group names: the value must be one the user's words name."""


def traceable(name: str, value: Any, text: str, tool: Tool) -> bool:  # noqa: C901 - one flat rule per argument name
    """Whether the user's words (``text``) support ``value`` for argument ``name``."""
    if name in FREE:
        return True
    if name in ("segment", "audience"):
        if str(value).startswith("cluster"):
            return in_words(str(value), text) or str(value).split()[-1] in text
        return value in named("segment", text) + named("segment_described", text)
    if name == "sku" and not re.search(r"\d", str(value)) and not str(value).isupper():
        return False  # a word like "Kitchen" is no stock code ("85123A", "KT-0030", "POST")
    if name in ("customer_id", "sku"):
        return id_in_words(str(value), text)
    if name in ("category", "country") and _means_any(value):
        return False  # "all categories", "any country": no filter
    if name in ("category", "start"):
        return in_words(str(value), text) or (
            name == "category" and _category_named(str(value), text, tool)
        )
    if name == "country":
        return in_words(str(value), text) or value in named("country", text)
    if name == "where":  # a category, country, channel or segment the user named
        return (
            in_words(str(value), text)
            or value in named("segment", text) + named("country", text)
            or _category_named(str(value), text, tool)
        )
    if name == "metric":  # the model's choice, unless the user's words name another one
        takes = [v for v in named("metric", text) if _valid(tool, name, v)]
        return not takes or value in takes
    if name == "exclude_purchased":
        return bool(value) or "false" in named("exclude_purchased", text)
    if name == "period":
        return in_words(str(value), text) or period_traced(value, text)
    if name == "compare_to":
        return value == compare_to_said(text)
    if name == "campaign":  # "christmas email" for "Christmas gift guide": a shared word
        return shares_a_word(str(value), text)
    if name in _NAMED:
        return str(value) in named(name, text)
    if name in AB_SLOTS and ab_figures(text) and isinstance(value, int | float):
        # The question labels its figures by group: a rate is no mean, control is no treatment.
        said = ab_figures(text).get(name)
        return said is not None and any(
            abs(float(value) - v) <= 1e-6 * max(1.0, v) for v in (said, said / 100)
        )
    if name == "churn_risk_above":
        return mentions(float(value), text, fraction=True) or (
            value == CHURN_DEFAULT and bool(named("churn", text))
        )
    if name in FRACTIONS and isinstance(value, int | float):
        return mentions(float(value), text, fraction=True) or mentions(float(value), text)
    if name in ("n", "limit"):  # a count says what it counts: "top 5", "5 个商品"
        return _count(text) == value
    if name == "weeks":  # a duration says it is one: "3 weeks", "三周", "21 days"
        return float(value) in durations_in_weeks(text)
    if name == "inactive_days_over":
        return mentions(float(value), text) or float(value) in durations_in_days(text)
    if isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return mentions(float(value), text)
    return in_words(str(value), text)


def _category_named(category: str, text: str, tool: Tool) -> bool:
    """A category named by one of its words ("tea" for "Coffee & Tea")."""
    words = [w for w in re.findall(r"[a-z]{3,}", category.lower()) if w not in ("and",)]
    return any(said_in(w, text.lower()) for w in words)


@dataclass(frozen=True)
class GroundedArguments:
    """The arguments a tool runs with, and what the check changed."""

    tool: str
    arguments: dict[str, Any]
    dropped: dict[str, Any] = field(default_factory=dict)
    filled: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Something was dropped, filled or is missing."""
        return bool(self.dropped or self.filled or self.missing)

    def event(self) -> ArgumentsChanged:
        """What the UI shows about the change."""
        return ArgumentsChanged(
            tool=self.tool, dropped=self.dropped, filled=self.filled, missing=self.missing
        )

    def need(self, language: str) -> str:
        """A question to the user for the values the request did not give."""
        lang = "zh" if language == "zh" else "en"
        names = [argument_labels().get(n, {}).get(lang, n) for n in self.missing]
        return render("need_values", lang, values=("、" if lang == "zh" else "; ").join(names))


def ground_arguments(  # noqa: C901 - drop, fill and ask in one pass over the schema
    tool: Tool,
    arguments: dict[str, Any],
    said: Sequence[str],
    categories: Sequence[str] = (),
) -> GroundedArguments:
    """Drop what the user did not say, fill what the user said and the model left out
    (``categories``: the shop's category names, which no lexicon knows)."""
    text = "\n".join(said)
    fields = tool.args_model.model_fields
    kept: dict[str, Any] = {}
    dropped: dict[str, Any] = {}
    for name, value in arguments.items():
        spec = fields.get(name)
        if spec is None or value is None:
            kept[name] = value  # unknown names are the schema's to reject
            continue
        if not spec.is_required() and value == spec.default:
            kept[name] = value
        elif traceable(name, value, text, tool):
            kept[name] = value
        else:
            dropped[name] = value
    filled: dict[str, Any] = {}
    for name, value in list(dropped.items()):
        # A value in the wrong slot (a category passed as the sku) moves to the right one.
        for other in _SLOTS:
            if (
                other != name
                and other in fields
                and kept.get(other) in (None, "")
                and isinstance(value, str)
                and not _means_any(value)
                and traceable(other, value, text, tool)
            ):
                filled[other] = kept[other] = value
                break
    for name, spec in fields.items():
        # A default the model repeated is no choice of its own: the user's value wins.
        repeated_default = not spec.is_required() and kept.get(name) == spec.default
        # A country written another way ("US") gives way to the name the user's words map to.
        loose = name == "country" and kept.get(name) not in (None, *lexicon()["country"])
        if (kept.get(name) is not None and not repeated_default and not loose) or name not in FILL:
            continue
        found = FILL[name](text)
        if name == "where" and found is None:
            found = _category_in(text, categories)
        if isinstance(found, list):  # several readings: the first this tool accepts
            found = next((v for v in found if _valid(tool, name, v)), None)
        if found is None:
            continue
        # "About to churn" is a churn-risk filter only when no segment says it already
        # ("有流失风险的客户" is the at-risk segment).
        if name == "churn_risk_above" and (
            tool.name != "find_customers" or kept.get("segment") or filled.get("segment")
        ):
            continue
        value = int(round(found)) if name in _WHOLE else found
        if value == spec.default and name not in dropped:
            continue  # the user's words say what the default says: nothing to change
        if value != kept.get(name) and _valid(tool, name, value):
            filled[name] = value
    result = {**kept, **filled}
    for name in RATES & set(result):
        result[name] = as_fraction(result[name], text)
    missing = [n for n, spec in fields.items() if spec.is_required() and n not in result]
    return GroundedArguments(tool.name, result, dropped, filled, missing)


def _category_in(text: str, categories: Sequence[str]) -> str | None:
    """The one shop category the text names by its whole name ("Kitchen's sales")."""
    lowered = text.lower()
    hits = [c for c in categories if said_in(c, lowered)]
    return hits[0] if len(hits) == 1 else None


def _valid(tool: Tool, name: str, value: Any) -> bool:
    """A value the tool accepts for ``name`` (a filled value must not cause a new error)."""
    try:
        tool.args_model.model_validate({name: value})
    except ValidationError as exc:
        return all(e["loc"][:1] != (name,) for e in exc.errors())
    return True


AB_SLOTS = {
    f"{group}_{key}"
    for group in ("control", "treatment")
    for key in ("n", "rate", "conversions", "mean", "sd")
}
_ANY = {"any", "all", "none", "global", "everywhere", "*", "全部", "所有", "任意"}


def _means_any(value: Any) -> bool:
    """A filter value that asks for no filter ("all", "any", "全部")."""
    return str(value).strip().lower() in _ANY


_SLOTS = ("category", "segment", "country", "customer_id", "sku")
RATES = {"baseline", "control_rate", "treatment_rate"}
"""Rates the user writes as percentages ("0.8%") and the tools read as fractions."""


def as_fraction(value: Any, text: str) -> Any:
    """A rate the user wrote with a percent sign, as a fraction: 0.8 for "0.8%" is 0.008 (the
    tool cannot tell 0.8% from 80% by the number alone)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return value
    written = [a for a in amounts(text) if abs(a.value - value) <= 1e-9 * max(1.0, value)]
    if written and all(a.percent for a in written) and value <= 100:
        return round(value / 100, 12)
    return value


_WHOLE = {
    "n",
    "limit",
    "weeks",
    "inactive_days_over",
    "daily_customers",
    "control_n",
    "treatment_n",
}
