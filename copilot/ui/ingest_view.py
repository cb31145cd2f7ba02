"""An ingest's summary for the page, in the page's language (the CLI keeps English)."""

from __future__ import annotations

from copilot.shop.summary import IngestSummary
from copilot.ui.i18n import Language

TABLES_ZH = {
    "order_lines": "订单明细",
    "customers": "客户",
    "products": "商品",
    "events": "行为事件",
    "campaigns": "营销活动",
    "customer_contacts": "客户邮箱",
}
KINDS_ZH = {"orders": "订单", "customers": "客户", "products": "商品"}
KINDS_ZH |= {"events": "行为事件", "campaigns": "营销活动"}


def summary_lines(summary: IngestSummary, name: str, lang: Language) -> list[str]:
    """The summary's lines with the file called ``name``: the first is the headline, the rest
    are details. English is the CLI's own wording; Chinese words the same figures."""
    if lang != "zh":
        lines = summary.lines()
        return [lines[0].replace(summary.source, name), *(line.strip() for line in lines[1:])]
    s = summary
    kind = KINDS_ZH.get(s.kind, s.kind)
    if s.already_ingested:
        head = f"{name}：已导入过（内容相同），未做任何更改"
    elif s.dry_run:
        head = f"{name} 试运行（按{kind}，格式 {s.format}）：未写入任何数据"
    else:
        head = (
            f"已导入 {name}（按{kind}，格式 {s.format}），用时 {s.seconds:.1f} 秒，"
            f"导入编号 {s.ingest_id}（可用 `copilot undo-ingest {s.ingest_id}` 撤销）"
        )
    out = [head, f"读取 {s.rows_read:,} 行", f"保留 {s.rows_kept:,} 行"]
    out += [f"已丢弃（{reason.text('zh')}）：{n:,} 行" for reason, n in s.dropped.items()]
    out += [f"{note.text('zh')}：{n:,}" for note, n in s.notes.items()]
    for table, change in s.changes.items():
        label = TABLES_ZH.get(table, table)
        verb = "将" if s.dry_run else ""
        out.append(
            f"{label}：{verb}新增 {change.added:,}，{verb}更新 {change.updated:,}，"
            f"已存在 {change.unchanged:,}"
        )
    if s.store_counts and not s.dry_run:
        held = "，".join(f"{TABLES_ZH.get(t, t)} {n:,}" for t, n in s.shown_counts().items())
        out.append(f"库中现有：{held}")
    return out
