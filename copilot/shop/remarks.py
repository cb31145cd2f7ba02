"""What an ingest says about rows it dropped or read with a caveat, as codes with their words
in English (the CLI) and Chinese (a Chinese page): nothing is translated from English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RemarkCode = Literal[
    "price_not_positive",
    "quantity_zero",
    "duplicate_line",
    "repeated_key",
    "no_customer_id",
    "returns_kept",
    "encoding",
    "delimiter",
    "decimal_comma",
    "dates_day_month",
    "dates_month_day",
    "order_cancelled",
    "order_not_paid",
    "email_keyed",
    "emails_kept",
    "emails_not_kept",
    "refund_lines",
    "partial_refund",
]

_WORDS: dict[str, tuple[str, str]] = {
    "price_not_positive": ("unit price <= 0", "单价 <= 0"),
    "quantity_zero": ("quantity = 0", "数量 = 0"),
    "duplicate_line": (
        "exact duplicate of an earlier line in the same order",
        "与同一订单中前面的一行完全相同",
    ),
    "repeated_key": (
        "repeated {column} (the last occurrence is kept)",
        "{column} 重复（保留最后一次出现的行）",
    ),
    "no_customer_id": (
        "kept without a customer id (product and price statistics only)",
        "没有客户编号，仍保留（仅用于商品和价格统计）",
    ),
    "returns_kept": ("returns/cancellations kept as negative lines", "退货/取消按负数行保留"),
    "encoding": ("rows read as {value} text (not UTF-8)", "按 {value} 编码读取（不是 UTF-8）"),
    "delimiter": ("columns separated by {value}", "列分隔符为 {value}"),
    "decimal_comma": (
        "numbers in column {column} read with a decimal comma (2,55 is 2.55)",
        "{column} 列的数字按小数逗号读取（2,55 即 2.55）",
    ),
    "dates_day_month": (
        "dates in column {column} read as day/month (no day above 12 decides it; "
        "use --monthfirst if that is wrong)",
        "{column} 列的日期按“日/月”读取（没有大于 12 的日可以判定；如有误请用 --monthfirst）",
    ),
    "dates_month_day": (
        "dates in column {column} read as month/day (no day above 12 decides it; "
        "use --dayfirst if that is wrong)",
        "{column} 列的日期按“月/日”读取（没有大于 12 的日可以判定；如有误请用 --dayfirst）",
    ),
    "order_cancelled": ("line of a cancelled order", "已取消订单的行"),
    "order_not_paid": ("line of an order never paid", "从未付款订单的行"),
    "email_keyed": (
        "lines whose customer is known by e-mail only, keyed by a hash of the address",
        "客户仅以电子邮箱识别的行，按邮箱的散列值作为客户编号",
    ),
    "emails_kept": (
        "customers whose e-mail address is kept (--keep-email)",
        "保存了电子邮箱的客户（--keep-email）",
    ),
    "emails_not_kept": (
        "e-mail addresses in column {column} not stored (--keep-email stores them)",
        "{column} 列的电子邮箱未保存（用 --keep-email 可保存）",
    ),
    "refund_lines": (
        "refunded lines kept as returns (negative lines in order NAME-R)",
        "已退款的行按退货保留（订单 编号-R 中的负数行）",
    ),
    "partial_refund": (
        "partly refunded orders kept whole (the export does not say which lines were refunded)",
        "部分退款的订单按全额保留（导出文件没有说明退款对应哪些行）",
    ),
}


@dataclass(frozen=True)
class Remark:
    """Why rows were dropped, or how they were read: a code, plus the column or value it
    names (a file's column, an encoding, a separator)."""

    code: RemarkCode
    column: str = ""
    value: str = ""

    def text(self, lang: str = "en") -> str:
        """The remark in English or Chinese (``zh``)."""
        en, zh = _WORDS[self.code]
        return (zh if lang == "zh" else en).format(column=repr(self.column), value=self.value)
