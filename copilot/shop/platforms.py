"""Order exports of shop platforms (Shopify, WooCommerce) turned into the shop's order lines.

Both write one row per line item. Shopify fills its order-level fields (status, currency,
discount code, addresses) on an order's first row only; WooCommerce repeats them. Cancelled and
unpaid orders are not sales; refunds become return lines; the customer is the platform's
customer id where there is one, else the e-mail address, stored as a keyed hash (the key is the
shop's own, kept in its database) unless the user asks to keep addresses.

Column names follow the platforms' public documentation: Shopify's orders export, and the
"one row per item" CSV of WooCommerce's Customer/Order/Coupon Export.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from copilot.core.errors import InputError
from copilot.shop.fields import FieldSpec, FieldType
from copilot.shop.parse import Plausible, typed_frame
from copilot.shop.readers import RawTable
from copilot.shop.remarks import Remark

_TYPES: dict[str, FieldType] = {
    "order_id": "id",
    "timestamp": "datetime",
    "quantity": "int",
    "unit_price": "float",
    "line_total": "float",
    "line_subtotal": "float",
    "line_discount": "float",
    "refunded_qty": "int",
    "sku": "id",
    "product_id": "id",
    "customer_id": "id",
}
"""Field types (every other field is text)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SALT_KEY = "customer_key_salt"
"""The meta key holding the shop's secret for hashing e-mail addresses into customer keys."""


@dataclass(frozen=True)
class Platform:
    """One platform's order export: which column holds each field, and what it means."""

    name: str
    fields: dict[str, str]
    """Field -> the export's column."""
    required: tuple[str, ...]
    """Fields whose column must be present and filled on every row."""
    order_level: tuple[str, ...]
    """Fields an export may leave blank on an order's later rows (filled from its first)."""
    cancelled: frozenset[str]
    """Statuses of orders that were cancelled."""
    unpaid: frozenset[str]
    """Statuses of orders that were never paid."""
    refunded: str
    """The status of a wholly refunded order."""
    partly_refunded: str = ""
    """The status of a partly refunded order whose lines do not say what was refunded."""

    @property
    def signature(self) -> tuple[str, ...]:
        """Columns that identify the export when no format is named."""
        return tuple(self.fields[f] for f in self.required)

    def specs(self, present: set[str]) -> tuple[FieldSpec, ...]:
        """The typed fields whose columns the file has."""
        return tuple(
            FieldSpec(name, _TYPES.get(name, "text"), name in self.required)
            for name, column in self.fields.items()
            if column in present
        )


SHOPIFY = Platform(
    name="shopify",
    fields={
        "order_id": "Name",
        "email": "Email",
        "status": "Financial Status",
        "currency": "Currency",
        "discount_code": "Discount Code",
        "timestamp": "Created at",
        "quantity": "Lineitem quantity",
        "description": "Lineitem name",
        "unit_price": "Lineitem price",
        "sku": "Lineitem sku",
        "line_discount": "Lineitem discount",
        "country": "Billing Country",
        "cancelled_at": "Cancelled at",
    },
    required=("order_id", "timestamp", "quantity", "description", "unit_price"),
    order_level=(
        "email",
        "status",
        "currency",
        "discount_code",
        "timestamp",
        "country",
        "cancelled_at",
    ),
    cancelled=frozenset(),  # Shopify says so in "Cancelled at"
    unpaid=frozenset({"pending", "voided", "expired"}),
    refunded="refunded",
    partly_refunded="partially_refunded",
)

WOOCOMMERCE = Platform(
    name="woocommerce",
    fields={
        "order_id": "order_number",
        "timestamp": "order_date",
        "status": "status",
        "currency": "order_currency",
        "customer_id": "customer_id",
        "email": "billing_email",
        "country": "billing_country",
        "sku": "item_sku",
        "product_id": "item_product_id",
        "description": "item_name",
        "quantity": "item_quantity",
        "line_subtotal": "item_subtotal",
        "line_total": "item_total",
        "refunded_qty": "item_refunded_qty",
        "discount_code": "coupon_items",
    },
    required=("order_id", "timestamp", "status", "description", "quantity", "line_total"),
    order_level=("timestamp", "status", "currency", "customer_id", "email", "country"),
    cancelled=frozenset({"cancelled"}),
    unpaid=frozenset({"pending", "failed", "checkout-draft", "draft"}),
    refunded="refunded",
)

PLATFORMS = {p.name: p for p in (SHOPIFY, WOOCOMMERCE)}


@dataclass
class PlatformLines:
    """An export as order-line rows (the fields ``shape_orders`` reads), plus its bookkeeping."""

    rows: pd.DataFrame
    emails: pd.DataFrame
    """customer_id -> email, for every customer the export gives an address for."""
    currency: str | None
    dropped: dict[Remark, int] = field(default_factory=dict)
    notes: dict[Remark, int] = field(default_factory=dict)


def detect_platform(columns: list[str]) -> Platform | None:
    """The platform whose identifying columns the file has, if any."""
    have = set(columns)
    for platform in PLATFORMS.values():
        if set(platform.signature) <= have:
            return platform
    return None


def new_salt() -> str:
    """A fresh secret for a shop's e-mail keys."""
    return secrets.token_hex(16)


def email_key(emails: pd.Series, salt: str) -> pd.Series:
    """Customer keys from e-mail addresses: "e-" and a keyed hash of the lower-cased address,
    the same for the same address in every file of one shop, and not reversible without the
    shop's secret."""
    key = bytes.fromhex(salt)
    # Each distinct address once: an export repeats it on every line of every order.
    keys = {
        a: "e-" + hashlib.blake2b(a.strip().lower().encode(), key=key, digest_size=8).hexdigest()
        for a in emails.dropna().unique()
    }
    return emails.map(keys).astype("string")


def read_platform(
    raw: RawTable,
    platform: Platform,
    salt: str,
    *,
    dayfirst: bool | None,
    notes: dict[Remark, int],
    plausible: Plausible,
) -> PlatformLines:
    """Validate an export and turn it into order lines; an InputError names file, row, column."""
    columns = [str(c) for c in raw.frame.columns]
    absent = [platform.fields[f] for f in platform.required if platform.fields[f] not in columns]
    if absent:
        raise InputError(
            f"{raw.path}: missing column {absent[0]!r} of a {platform.name} order export; "
            "expected columns "
            + ", ".join(platform.fields[f] for f in platform.required)
            + " (export the orders again, or ingest with --format auto and --map)"
        )
    filled = replace(raw, frame=_fill_orders(raw.frame, platform))
    present = set(columns)
    used = {f: c for f, c in platform.fields.items() if c in present}
    typed = typed_frame(
        filled,
        used,
        platform.specs(present),
        dayfirst=dayfirst,
        notes=notes,
        plausible=plausible,
    )
    if "email" in typed:
        check_emails(raw, typed, used["email"])
    currency = _one_currency(raw, typed, used)
    return _lines(typed, platform, salt, currency)


def _fill_orders(frame: pd.DataFrame, platform: Platform) -> pd.DataFrame:
    """Order-level cells an export leaves blank on an order's later rows, filled from its first."""
    order = frame[platform.fields["order_id"]]
    out = frame.copy()
    for name in platform.order_level:
        column = platform.fields[name]
        if column in out:
            out[column] = out[column].groupby(order, sort=False, dropna=False).ffill()
    return out


def check_emails(raw: RawTable, typed: pd.DataFrame, column: str) -> None:
    """Fail on the first cell of the e-mail field that is neither empty nor an address."""
    given = typed["email"].notna()
    bad = given & ~typed["email"].fillna("").str.match(_EMAIL)
    if bad.any():
        index = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{raw.path}, {raw.where(index)}, column {column!r} (email): expected an "
            f"e-mail address or an empty cell, got {raw.frame[column].iloc[index]!r}"
        )


def _one_currency(raw: RawTable, typed: pd.DataFrame, used: dict[str, str]) -> str | None:
    """The file's one currency (amounts in two currencies cannot be added without rates)."""
    if "currency" not in typed:
        return None
    codes = typed["currency"].str.upper()
    known = codes.dropna()
    if known.empty:
        return None
    first = str(known.iloc[0])
    other = codes.notna() & (codes != first)
    if other.any():
        index = int(np.flatnonzero(other.to_numpy())[0])
        raise InputError(
            f"{raw.path}, {raw.where(index)}, column {used['currency']!r} (currency): expected "
            f"{first} like the rows before it, got {raw.frame[used['currency']].iloc[index]!r}; "
            "export one currency per file (amounts in two currencies cannot be added)"
        )
    return first


def _lines(
    typed: pd.DataFrame, platform: Platform, salt: str, currency: str | None
) -> PlatformLines:
    status = _status(typed)
    quantity = typed["quantity"]
    dropped: dict[Remark, int] = {}
    notes: dict[Remark, int] = {}
    cancelled = status.isin(platform.cancelled)
    if "cancelled_at" in typed:
        cancelled |= typed["cancelled_at"].notna()
    unpaid = status.isin(platform.unpaid) & ~cancelled
    for remark, mask in (
        (Remark("order_cancelled"), cancelled),
        (Remark("order_not_paid"), unpaid),
    ):
        if mask.any():
            dropped[remark] = int(mask.sum())
    keep = ~(cancelled | unpaid)

    rows = pd.DataFrame(
        {
            "order_id": typed["order_id"],
            "sku": _skus(typed),
            "description": typed["description"],
            "quantity": quantity,
            "unit_price": _paid_price(typed).round(4),
            "timestamp": typed["timestamp"],
            "promo": _promo(typed),
            "is_return": False,
        }
    )
    if "country" in typed:
        rows["country"] = typed["country"]
    customer, by_email = _customers(typed, salt)
    if customer is not None:
        rows["customer_id"] = customer
        hashed = int((by_email & keep & customer.notna()).sum())
        if hashed:
            notes[Remark("email_keyed")] = hashed
    rows = rows[keep.to_numpy()]

    refunds = _refunds(typed[keep.to_numpy()], platform, status[keep.to_numpy()])
    returned = rows.loc[refunds.index].assign(
        order_id=rows.loc[refunds.index, "order_id"] + "-R",
        quantity=-refunds,
        is_return=True,
    )
    if len(returned):
        notes[Remark("refund_lines")] = len(returned)
    if platform.partly_refunded:
        partly = (status[keep.to_numpy()] == platform.partly_refunded).to_numpy()
        if partly.any():
            notes[Remark("partial_refund")] = int(rows[partly]["order_id"].nunique())
    emails = pd.DataFrame(columns=["customer_id", "email"])
    if customer is not None and "email" in typed:
        known = keep & typed["email"].notna() & customer.notna()
        emails = (
            pd.DataFrame({"customer_id": customer[known], "email": typed["email"][known]})
            .drop_duplicates("customer_id", keep="last")
            .reset_index(drop=True)
        )
    out = pd.concat([rows, returned], ignore_index=True)
    return PlatformLines(out, emails, currency, dropped, notes)


def _customers(typed: pd.DataFrame, salt: str) -> tuple[pd.Series | None, pd.Series]:
    """Each row's customer: the platform's customer id (WooCommerce guests are customer 0),
    else the key from the e-mail address (None: the export has neither); and the rows keyed
    by address."""
    if "customer_id" in typed:
        ids = typed["customer_id"].mask(typed["customer_id"] == "0")
    else:
        ids = pd.Series(pd.NA, index=typed.index, dtype="string")
    if "email" not in typed:
        none = pd.Series(False, index=typed.index)
        return (ids if "customer_id" in typed else None), none
    return ids.fillna(email_key(typed["email"], salt)), ids.isna()


def _status(typed: pd.DataFrame) -> pd.Series:
    if "status" not in typed:
        return pd.Series("", index=typed.index, dtype="string")
    return typed["status"].str.lower().str.replace(r"^wc-", "", regex=True).fillna("")


def _skus(typed: pd.DataFrame) -> pd.Series:
    """The line's SKU, else the platform's product id, else a key from the product's name."""
    sku = typed["sku"] if "sku" in typed else pd.Series(pd.NA, index=typed.index, dtype="string")
    if "product_id" in typed:
        sku = sku.fillna("product-" + typed["product_id"])
    names = typed["description"].astype(str)
    named = {
        n: "name-" + hashlib.blake2b(n.encode(), digest_size=6).hexdigest() for n in names.unique()
    }
    return sku.fillna(names.map(named).astype("string"))


def _paid_price(typed: pd.DataFrame) -> pd.Series:
    """What a unit was sold for, after the line's discount."""
    quantity = typed["quantity"].where(typed["quantity"] != 0)
    if "line_total" in typed:
        return (typed["line_total"] / quantity).fillna(0.0)
    price = typed["unit_price"]
    if "line_discount" in typed:
        price = price - (typed["line_discount"].fillna(0.0) / quantity).fillna(0.0)
    return price


def _promo(typed: pd.DataFrame) -> pd.Series:
    """Bought with a discount code or a line discount."""
    promo = pd.Series(False, index=typed.index)
    if "discount_code" in typed:
        promo |= typed["discount_code"].notna()
    if "line_discount" in typed:
        promo |= typed["line_discount"].fillna(0.0) > 0
    if "line_subtotal" in typed and "line_total" in typed:
        promo |= (typed["line_subtotal"] - typed["line_total"]).fillna(0.0) > 0.005
    return promo


def _refunds(typed: pd.DataFrame, platform: Platform, status: pd.Series) -> pd.Series:
    """Units refunded per line (only lines with some)."""
    if "refunded_qty" in typed:
        units = typed["refunded_qty"].abs().fillna(0.0)
        whole = (status == platform.refunded) & (units == 0)
        units = units.where(~whole, typed["quantity"])
    else:
        units = typed["quantity"].where(status == platform.refunded, 0.0)
    units = units.clip(upper=typed["quantity"]).astype("int64")
    return units[units > 0]
