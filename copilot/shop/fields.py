"""What each kind of input file must and may contain, and how columns are recognised."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from copilot.core.errors import InputError

FieldType = Literal["id", "text", "int", "float", "datetime", "date", "bool"]


@dataclass(frozen=True)
class FieldSpec:
    """One logical field of an input file."""

    name: str
    type: FieldType
    required: bool
    synonyms: tuple[str, ...] = ()
    """Column names (normalised: lower case, letters and digits only) recognised as this field."""


def normalise(column: str) -> str:
    """Lower-case a column name and keep only letters and digits ("Unit Price" -> "unitprice")."""
    return re.sub(r"[^0-9a-z]", "", column.lower())


def _f(name: str, type_: FieldType, required: bool = False, *syn: str) -> FieldSpec:
    return FieldSpec(name, type_, required, (normalise(name), *syn))


KINDS: dict[str, tuple[FieldSpec, ...]] = {
    "orders": (
        _f(
            "order_id",
            "id",
            True,
            "invoiceno",
            "invoice",
            "invoiceid",
            "orderno",
            "ordernumber",
            "order",
            "transactionid",
        ),
        _f(
            "sku",
            "id",
            True,
            "stockcode",
            "productid",
            "productcode",
            "itemid",
            "itemcode",
            "article",
            "product",
        ),
        _f("quantity", "int", True, "qty", "units", "quantityordered"),
        _f("unit_price", "float", True, "unitprice", "price", "itemprice", "saleprice"),
        _f(
            "timestamp",
            "datetime",
            True,
            "invoicedate",
            "orderdate",
            "date",
            "datetime",
            "time",
            "ts",
            "orderedat",
            "createdat",
            "purchasedate",
        ),
        _f("customer_id", "id", False, "customerid", "customer", "clientid", "userid", "buyerid"),
        _f("country", "text", False, "customercountry"),
        _f("description", "text", False, "productname", "title", "itemname", "productdescription"),
        _f("category", "text", False, "productcategory"),
        _f("is_return", "bool", False, "return", "returned", "isreturn", "cancelled"),
        _f("promo", "bool", False, "onpromotion", "promotion", "ispromo"),
    ),
    "products": (
        _f("sku", "id", True, "stockcode", "productid", "productcode", "itemid", "itemcode"),
        _f("title", "text", True, "name", "productname", "title_en", "titleen"),
        _f("title_zh", "text", False, "titlezh", "namezh", "titlecn"),
        _f("description", "text", False, "descriptionen", "desc"),
        _f("description_zh", "text", False, "descriptionzh", "desczh"),
        _f("category", "text", False, "productcategory", "department"),
        _f("list_price", "float", False, "listprice", "price", "regularprice", "msrp"),
        _f("unit_cost", "float", False, "unitcost", "cost", "cogs"),
    ),
    "customers": (
        _f("customer_id", "id", True, "customerid", "customer", "clientid", "userid"),
        _f("country", "text", False),
        _f("signup_date", "date", False, "signupdate", "createdat", "registered", "joined"),
        _f("channel", "text", False, "acquisitionchannel", "source"),
        _f("email", "text", False, "emailaddress", "customeremail", "mail"),
    ),
    "campaigns": (
        _f("campaign_id", "id", True, "campaignid", "campaign", "id"),
        _f("name", "text", True, "campaignname", "title"),
        _f("channel", "text", False),
        _f("start_date", "date", False, "startdate", "start"),
        _f("end_date", "date", False, "enddate", "end"),
        _f("audience", "text", False, "segment", "target"),
        _f("offer", "text", False, "promotion"),
        _f("spend", "float", False, "cost", "budget"),
        _f("sends", "int", False, "sent", "recipients"),
        _f("opens", "int", False, "opened"),
        _f("clicks", "int", False, "clicked"),
        _f("conversions", "int", False, "orders", "purchases"),
        _f("revenue", "float", False, "sales"),
        _f("notes", "text", False, "description"),
    ),
    "events": (
        _f("type", "text", True, "eventtype", "event", "action"),
        _f("ts", "datetime", True, "timestamp", "time", "datetime", "date", "eventtime"),
        _f("customer_id", "id", False, "customerid", "userid", "customer"),
        _f("sku", "id", False, "stockcode", "productid", "itemid"),
        _f("query", "text", False, "searchquery", "searchterm", "q"),
        _f("event_id", "id", False, "eventid", "id"),
    ),
}


def parse_overrides(pairs: list[str], kind: str) -> dict[str, str]:
    """Turn ``--map column=field`` options into {field: column}."""
    names = {f.name for f in KINDS[kind]}
    out: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        if not sep or not column or not field:
            raise InputError(
                f"--map {pair!r}: expected COLUMN=FIELD, e.g. --map InvoiceNo=order_id"
            )
        if field not in names:
            raise InputError(
                f"--map {pair!r}: {field!r} is not a {kind} field; expected one of "
                + ", ".join(sorted(names))
            )
        out[field] = column
    return out


def match_columns(columns: list[str], kind: str, overrides: dict[str, str]) -> dict[str, str]:
    """Map each field of ``kind`` to a column: explicit overrides first, then synonyms."""
    found: dict[str, str] = {}
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(normalise(col), col)
    taken = set(overrides.values())
    for field, column in overrides.items():
        if column not in columns:
            raise InputError(f"--map {column}={field}: the file has no column {column!r}")
        found[field] = column
    for spec in KINDS[kind]:
        if spec.name in found:
            continue
        for syn in spec.synonyms:
            hit = by_norm.get(syn)
            if hit is not None and hit not in taken:
                found[spec.name] = hit
                taken.add(hit)
                break
    return found


def missing_required(kind: str, found: dict[str, str]) -> list[FieldSpec]:
    """Required fields of ``kind`` that no column was matched to."""
    return [f for f in KINDS[kind] if f.required and f.name not in found]


def detect_kind(columns: list[str], overrides: list[str]) -> str:
    """The kind whose fields the columns match best (most matched, then complete)."""
    best: tuple[int, int, str] = (-1, -1, "orders")
    for kind in KINDS:
        try:
            found = match_columns(columns, kind, parse_overrides(overrides, kind))
        except InputError:
            continue
        score = (len(found), int(not missing_required(kind, found)), kind)
        if score[:2] > best[:2]:
            best = score
    return best[2]
