"""An uploaded file whose columns were not recognised: the page asks which of its columns holds
each missing field (what ``copilot ingest --map COLUMN=FIELD`` does on the command line)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from copilot.core.errors import InputError, MissingColumns
from copilot.shop.fields import KINDS
from copilot.ui.i18n import Language, text

MAX_FIELDS = max(sum(spec.required for spec in specs) for specs in KINDS.values())
"""Pickers the page holds: the most required fields any kind of file has."""

_LABELS: dict[str, tuple[str, str]] = {
    "order_id": ("order id", "订单号"),
    "sku": ("product code (SKU)", "商品编码（SKU）"),
    "quantity": ("quantity", "数量"),
    "unit_price": ("unit price", "单价"),
    "timestamp": ("order date and time", "下单时间"),
    "title": ("product title", "商品名称"),
    "customer_id": ("customer id", "客户编号"),
    "campaign_id": ("campaign id", "活动编号"),
    "name": ("campaign name", "活动名称"),
    "type": ("event type (view, search, cart)", "事件类型（浏览、搜索、加购）"),
    "ts": ("event date and time", "事件时间"),
}
_KINDS: dict[str, tuple[str, str]] = {
    "orders": ("orders", "订单"),
    "products": ("products", "商品"),
    "customers": ("customers", "客户"),
    "campaigns": ("campaigns", "营销活动"),
    "events": ("events", "行为事件"),
}


def field_label(name: str, lang: Language) -> str:
    """A field's name for people in ``lang`` (its own name when no label is written)."""
    en, zh = _LABELS.get(name, (name.replace("_", " "), name))
    return zh if lang == "zh" else en


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9\u4e00-\u9fff]", "", name.lower())


def guess(field: str, kind: str, columns: list[str]) -> str | None:
    """The file's column most like the field's name or one of its synonyms, if any is close."""
    spec = next(s for s in KINDS[kind] if s.name == field)
    names = [_key(n) for n in (spec.name, *spec.synonyms)]
    by_key = {_key(c): c for c in columns}
    best, score = None, 0.6  # below this, a guess misleads more than it helps
    for key, column in by_key.items():
        for name in names:
            ratio = difflib.SequenceMatcher(None, key, name).ratio()
            short, long = sorted((key, name), key=len)
            if len(short) >= 3 and short in long:  # "Price (EUR)" holds "price"
                ratio = max(ratio, 0.6 + 0.4 * len(short) / len(long))
            if ratio > score:
                best, score = column, ratio
    return best


@dataclass(frozen=True)
class ColumnQuestion:
    """What to ask the user: the file, its kind, the fields without a column, its columns."""

    file: str
    kind: str
    missing: list[str]
    columns: list[str]

    @classmethod
    def of(cls, error: MissingColumns, file: str) -> ColumnQuestion:
        """The question for a file ``ingest`` refused for missing columns."""
        return cls(file, error.kind, error.missing, error.columns)

    def message(self, lang: Language) -> str:
        """One line: which fields were not found and what to do."""
        fields = ("、" if lang == "zh" else ", ").join(field_label(m, lang) for m in self.missing)
        kind = _KINDS.get(self.kind, (self.kind, self.kind))[1 if lang == "zh" else 0]
        return text("map_columns", lang, file=self.file, kind=kind, fields=fields)

    def mapping(self, chosen: list[str | None], lang: Language) -> list[str]:
        """``COLUMN=FIELD`` pairs for the picks; an InputError (in ``lang``) for a field left
        without a column or a column picked twice."""
        picks = dict(zip(self.missing, chosen, strict=False))
        empty = [field_label(f, lang) for f in self.missing if not picks.get(f)]
        if empty:
            raise InputError(text("map_pick_all", lang, fields=", ".join(empty)))
        used = [picks[f] for f in self.missing]
        twice = sorted({c for c in used if used.count(c) > 1 and c is not None})
        if twice:
            raise InputError(text("map_twice", lang, column=twice[0]))
        return [f"{picks[f]}={f}" for f in self.missing]
