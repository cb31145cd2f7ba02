"""How a campaign goal's words were read: the audience it names, the products or category it
is about, and whether it asks for repeat purchases from past buyers.

The reading is literal and stated in the plan ("read 'coffee' as 9 products whose names contain
it"), so a manager sees at once when a word was missed or read the wrong way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd

AudienceBasis = Literal["user", "goal", "default", "list"]

_SEGMENT_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("win", "back", "lapsed", "churn", "retain", "召回", "流失", "挽回"), "at_risk"),
    (("vip", "loyal", "best", "champion", "忠诚", "冠军"), "champions"),
    (("new", "welcome", "first", "新客", "欢迎"), "new"),
    (("sleep", "reactivat", "沉睡", "唤醒"), "about_to_sleep"),
)
DEFAULT_SEGMENT = "at_risk"
_REPEAT = ("repeat", "again", "replenish", "rebuy", "re-buy", "reorder", "复购", "回购", "再次购买")
_BUYERS = ("buyers", "who bought", "who buy", "purchasers", "买过", "购买过", "的老客")
_STOP = frozenset(
    "plan campaign campaigns customer customers budget grow growth repeat purchase purchases "
    "sales sell more with from that this their them they have make want week weeks month "
    "months offer offers discount promote promotion products product shop store buyers "
    "bought again".split()
)
_MAX_CATEGORIES = 2
"""A word whose matching titles span more categories is a modifier ("premium", "mini")."""


@dataclass(frozen=True, kw_only=True)
class GoalReading:
    """What the goal's words selected."""

    segment: str
    audience_basis: AudienceBasis
    word: str | None
    """The goal's word that named products or a category (None: the whole catalogue)."""
    skus: tuple[str, ...]
    """The products the plan is about (empty: the whole catalogue)."""
    category: str | None
    """The category those products belong to, when they share one."""
    by_title: bool
    """The word matched product names (else it named the category)."""
    repeat: bool
    """The goal asks for repeat purchases: featured products may be ones bought before."""
    buyers_only: bool
    """The audience is the segment's past buyers of those products."""

    @property
    def products(self) -> int:
        """How many products the goal named."""
        return len(self.skus)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z'-]{3,}", text.lower()) if w not in _STOP]


def _cjk_pairs(text: str) -> list[str]:
    runs = re.findall(r"[\u4e00-\u9fff]+", text)
    return [run[i : i + 2] for run in runs for i in range(len(run) - 1)]


def _title_hits(word: str, catalog: pd.DataFrame) -> pd.Index:
    if re.match(r"[\u4e00-\u9fff]", word):
        titles = catalog.get("title_zh", pd.Series(dtype=str)).fillna("")
        return catalog.index[titles.str.contains(word, regex=False)]
    pattern = rf"\b{re.escape(_singular(word))}(?:e?s)?\b"
    titles = catalog["title"].fillna("")
    return catalog.index[titles.str.contains(pattern, case=False, regex=True)]


def _category_hit(word: str, catalog: pd.DataFrame) -> str | None:
    names = catalog.get("category", pd.Series(dtype=str)).dropna().unique()
    for name in names:
        if str(name) == "non-merchandise":
            continue
        tokens = {_singular(t) for t in re.findall(r"[a-z]{3,}", str(name).lower())}
        if _singular(word) in tokens or str(name).lower() == word:
            return str(name)
    return None


def _products(goal: str, catalog: pd.DataFrame) -> tuple[str | None, pd.Index, str | None, bool]:
    """The first goal word that names a few products (by title) or a category."""
    categories = catalog.get("category", pd.Series(index=catalog.index, dtype=str))
    for word in [*_words(goal), *_cjk_pairs(goal)]:
        hits = _title_hits(word, catalog)
        spanned = categories.reindex(hits).dropna().unique()
        if 0 < len(hits) <= len(catalog) // 3 and len(spanned) <= _MAX_CATEGORIES:
            return word, hits, str(spanned[0]) if len(spanned) == 1 else None, True
        named = _category_hit(word, catalog)
        if named is not None:
            return word, catalog.index[categories == named], named, False
    return None, pd.Index([]), None, False


def read_goal(goal: str, catalog: pd.DataFrame, audience: str | None) -> GoalReading:
    """The segment, products and buyer restriction ``goal`` asks for (``audience`` wins)."""
    text = goal.lower()
    segment: str = DEFAULT_SEGMENT
    basis: AudienceBasis = "default"
    if audience:
        segment, basis = audience, "user"
    else:
        for words, key in _SEGMENT_WORDS:
            if any(w in text for w in words):
                segment, basis = key, "goal"
                break
    word, skus, category, by_title = _products(goal, catalog)
    repeat = any(w in text for w in _REPEAT)
    return GoalReading(
        segment=segment,
        audience_basis=basis,
        word=word,
        skus=tuple(str(s) for s in skus),
        category=category,
        by_title=by_title,
        repeat=repeat,
        buyers_only=bool(word) and (repeat or any(w in text for w in _BUYERS)),
    )


def buyers_of(lines: pd.DataFrame, skus: tuple[str, ...], members: pd.Index) -> pd.Index:
    """The ``members`` with a purchase in ``lines`` of one of ``skus`` (of anything when
    ``skus`` is empty; returns excluded)."""
    bought = lines[lines["quantity"] > 0]
    if skus:
        bought = bought[bought["sku"].isin(skus)]
    return members[members.astype(str).isin(set(bought["customer_id"].astype(str)))]
