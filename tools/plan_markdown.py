"""A campaign plan as Markdown in English or Chinese, every number as the tools computed it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.planning import CampaignPlan

_EN = {
    "title": "Campaign plan: {goal}",
    "summary": "Summary",
    "objective": "**Objective.** Grow incremental profit from {label} customers over {weeks} "
    "weeks, measured against a random holdout.",
    "audience": "**Audience.** {label} ({definition}): {customers:,} customers, average churn "
    "risk {churn:.0%}, average 12-month CLV {clv:,.2f}.",
    "offer_yes": "**Offer.** {summary}",
    "offer_no": "**Offer.** {summary}",
    "products": "**Products to feature.**",
    "product": "- {title} ({sku}): suits {n:,} customers",
    "channel": "**Channel and timing.** {channel} ({why}); from {start} for {weeks} weeks.",
    "why_past": "best past revenue per 1 spent: {roas:.2f} over {n} campaigns",
    "why_user": "chosen by the user",
    "budget": "**Budget.** offer cost {offer:,.2f}; channel cost {channel:,.2f}; unallocated "
    "{rest:,.2f}; total {total:,.2f}.",
    "expected": "**Expected (incremental, vs. no campaign).** revenue {rev:,.0f} (range "
    "{rev_lo:,.0f} to {rev_hi:,.0f}), profit {profit:,.0f} (range {p_lo:,.0f} to {p_hi:,.0f}).",
    "ab": "**A/B design.** Random holdout of {share:.0%} ({holdout:,} customers, {treated:,} "
    "treated) for {weeks} weeks; baseline purchase rate in the window {rate:.1%}; the test can "
    "detect a lift of {lift:.1f} percentage points.",
    "kpis": "**KPIs.**",
    "risks": "**Risks.**",
    "assumptions": "**Assumptions.**",
}
_ZH = {
    "title": "活动方案：{goal}",
    "summary": "摘要",
    "objective": "**目标。** 在 {weeks} 周内提升「{label}」分群带来的增量利润，以随机对照组衡量。",
    "audience": "**目标人群。** {label}（{definition}）：{customers:,} 位客户，平均流失风险 "
    "{churn:.0%}，平均 12 个月客户终身价值 {clv:,.2f}。",
    "offer_yes": "**优惠。** {depth:.0f}% 折扣：预计增量利润 {profit:,.0f}，折扣成本 {cost:,.0f}。",
    "offer_no": "**优惠。** {summary}",
    "products": "**主推商品。**",
    "product": "- {title}（{sku}）：适合 {n:,} 位客户",
    "channel": "**渠道与时间。** {channel}（{why}）；从 {start} 开始，持续 {weeks} 周。",
    "why_past": "过去每投入 1 元带来的收入最高：{roas:.2f}（{n} 次活动）",
    "why_user": "由用户指定",
    "budget": "**预算。** 优惠成本 {offer:,.2f}；渠道成本 {channel:,.2f}；未分配 {rest:,.2f}；"
    "合计 {total:,.2f}。",
    "expected": "**预期（增量，相对于不做活动）。** 收入 {rev:,.0f}（区间 {rev_lo:,.0f} 至 "
    "{rev_hi:,.0f}），利润 {profit:,.0f}（区间 {p_lo:,.0f} 至 {p_hi:,.0f}）。",
    "ab": "**A/B 设计。** 随机保留 {share:.0%} 作为对照组（对照 {holdout:,} 位，实验 "
    "{treated:,} 位），持续 {weeks} 周；活动期内基线购买率 {rate:.1%}；可检测的最小提升为 "
    "{lift:.1f} 个百分点。",
    "kpis": "**关键指标。**",
    "risks": "**风险。**",
    "assumptions": "**假设（工具原文）。**",
}
_ZH_TEXT = {
    "No discount depth raises profit for this segment: the extra units do not pay for the "
    "price cut. Consider a non-price offer.": "没有任何折扣深度能提高该分群的利润：增加的销量抵不上"
    "降价的损失。建议采用非价格优惠。",
    "A profitable depth exists but its discount cost exceeds the budget; raise the budget or "
    "target fewer customers.": "存在能盈利的折扣深度，但其折扣成本超出预算；"
    "请提高预算或缩小目标人群。",
    "incremental revenue per customer vs. holdout": "相对对照组的人均增量收入",
    "purchase rate vs. holdout": "相对对照组的购买率",
    "discount cost": "折扣成本",
    "unsubscribe / opt-out rate": "退订率",
    "promotion pull-forward: purchases may move into the campaign window": "促销提前消费："
    "原本之后的购买可能提前到活动期内",
    "the holdout must stay untouched for the whole campaign": "对照组在整个活动期间不得触达",
}


def _zh(text: str, language: str) -> str:
    return _ZH_TEXT.get(text, text) if language == "zh" else text


def plan_markdown(plan: CampaignPlan, language: str = "en", narrative: str | None = None) -> str:
    """The plan as Markdown; ``narrative`` (the model's summary) goes first when given."""
    t = _ZH if language == "zh" else _EN
    a, o, c, x, b, e = (
        plan.audience,
        plan.offer,
        plan.channel,
        plan.ab_test,
        plan.budget,
        plan.expected,
    )
    label = a.get("label_zh") if language == "zh" and a.get("label_zh") else a["label"]
    weeks = plan.timing["weeks"]
    why = (
        t["why_past"].format(roas=c["roas"], n=c["past_campaigns"])
        if c.get("roas") is not None
        else t["why_user"]
    )
    offer: dict[str, Any] = {"summary": _zh(str(o["summary"]), language)}
    lines = [f"# {t['title'].format(goal=plan.goal)}", ""]
    if narrative:
        lines += [f"## {t['summary']}", "", narrative.strip(), ""]
    lines += [
        t["objective"].format(label=label, weeks=weeks),
        "",
        t["audience"].format(
            label=label,
            definition=a["definition"],
            customers=a["customers"],
            churn=a["avg_churn_risk"],
            clv=a["avg_clv_12m"],
        ),
        "",
        (
            t["offer_yes"].format(
                depth=o["depth_pct"],
                profit=o["incremental_profit"],
                cost=o["discount_cost"],
                **offer,
            )
            if o["depth_pct"]
            else t["offer_no"].format(**offer)
        ),
        "",
        t["products"],
        *[
            t["product"].format(
                title=(p.get("title_zh") if language == "zh" else None) or p["title"],
                sku=p["sku"],
                n=p["customers_suited"],
            )
            for p in plan.products
        ],
        "",
        t["channel"].format(channel=c["name"], why=why, start=plan.timing["start"], weeks=weeks),
        "",
        t["budget"].format(
            offer=b["offer_cost"],
            channel=b["channel_cost"],
            rest=b["unallocated"],
            total=b["total"],
        ),
        "",
        t["expected"].format(
            rev=e["revenue"],
            rev_lo=e["revenue_range"][0],
            rev_hi=e["revenue_range"][1],
            profit=e["profit"],
            p_lo=e["profit_range"][0],
            p_hi=e["profit_range"][1],
        ),
        "",
        t["ab"].format(
            share=x["holdout_share"],
            holdout=x["holdout"],
            treated=x["treated"],
            weeks=x["weeks"],
            rate=x["baseline_rate"],
            lift=x["detectable_lift_pct"],
        ),
        "",
        t["kpis"],
        *[f"- {_zh(k, language)}" for k in plan.kpis],
        "",
        t["risks"],
        *[f"- {_zh(r, language)}" for r in plan.risks],
        "",
        t["assumptions"],
        *[f"- {s}" for s in plan.assumptions],
    ]
    return "\n".join(lines) + "\n"
