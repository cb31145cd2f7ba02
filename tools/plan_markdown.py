"""A campaign plan's words: the Markdown a manager reads, and the English texts its JSON carries.

Every word comes from the wording catalogue (``plan.*`` and ``plan_md.*`` keys), rendered from
the plan's codes and numbers in the reader's language; nothing is translated from English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from copilot.core.vocabulary import CHANNELS
from tools.findings.say import Say
from tools.plan_words import (
    alternative_text,
    budget_text,
    history_text,
    power_text,
    reading_text,
    space,
    verdict_text,
)

if TYPE_CHECKING:
    from tools.plan_types import CampaignPlan, ChannelBasis, OfferOutcome


_FORMATS = {
    "weeks": lambda say, v: say.count(v),
    "products": lambda say, v: say.count(v),
    "units": lambda say, v: say.num(v, 1),
    "level": lambda say, v: say.pct(v),
    "margin": lambda say, v: say.pct(v),
    "cost_share": lambda say, v: say.pct(v),
}
"""How each number of a discount assumption is written (the rest: two decimals)."""


def assumption_text(code: str, values: dict[str, float], say: Say) -> str:
    """One assumption of the discount analysis in the reader's language."""
    shown = {k: _FORMATS.get(k, lambda s, x: s.num(x, 2))(say, v) for k, v in values.items()}
    return say(f"discount.assume.{code}", **shown)


def objective_text(label: str, weeks: int, say: Say) -> str:
    """What the campaign is for."""
    return say("plan.objective", label=label, weeks=weeks)


def outcome_text(
    outcome: OfferOutcome,
    say: Say,
    *,
    depth: float | None = None,
    profit: float = 0.0,
    cost: float = 0.0,
    weeks: int = 0,
    chosen_by: str = "analysis",
) -> str:
    """The offer, or why there is none; ``weeks`` is the discount's baseline. A depth the
    manager chose is stated as theirs, with what it earns or loses."""
    key = f"plan.outcome.{outcome}"
    if chosen_by == "manager":
        key = "plan.chosen.offer" if depth is not None else "plan.chosen.none"
    return say(
        key,
        depth=say.num(depth or 0.0, 0),
        profit=say.num(profit, 0),
        cost=say.num(cost, 0),
        weeks=weeks,
    )


def channel_reason(basis: ChannelBasis, roas: float | None, campaigns: int, say: Say) -> str:
    """Why this channel."""
    return say(f"plan.why.{basis}", roas=say.num(roas or 0.0), n=campaigns)


def _channel_name(name: str, say: Say) -> str:
    return say(f"channel.{name}") if name in CHANNELS else name


def plan_verdict_text(plan: CampaignPlan, say: Say) -> str:
    """The plan's verdict with its reason and best alternative, in ``say``'s language."""
    v, b = plan.verdict, plan.budget
    return verdict_text(
        v.code,
        v.reason,
        profit=plan.expected.profit,
        offer_profit=plan.offer.incremental_profit,
        channel_cost=b.channel_cost,
        offer_cost=b.offer_cost,
        break_even=plan.expected.break_even_revenue,
        treated=plan.ab_test.treated,
        history_weeks=plan.offer.baseline_weeks,
        best=plan.alternatives[0] if plan.alternatives else None,
        say=say,
    )


def plan_reading_text(plan: CampaignPlan, say: Say) -> str:
    """How the plan read its goal, in ``say``'s language."""
    a = plan.audience
    label = a.label_zh if say.lang == "zh" and a.label_zh else a.label
    return reading_text(plan.reading, label, a.customers, a.filters, say)


def plan_power_text(plan: CampaignPlan, say: Say) -> str:
    """What the plan's holdout can detect, in ``say``'s language."""
    return power_text(plan.ab_test, plan.audience.customers, say)


def plan_markdown(plan: CampaignPlan, language: str = "en", narrative: str | None = None) -> str:
    """The plan as Markdown; ``narrative`` (the model's summary) goes first when given."""
    say = Say(language)
    zh = say.lang == "zh"
    a, o, c, t = plan.audience, plan.offer, plan.channel, plan.timing
    b, e, x = plan.budget, plan.expected, plan.ab_test
    label = a.label_zh if zh and a.label_zh else a.label

    def para(head: str, body: str) -> list[str]:
        return [f"{say(f'plan_md.head.{head}')} {body}", ""]

    lines = [f"# {say('plan_md.title', goal=plan.goal)}", ""]
    if narrative:
        lines += [f"## {say('plan_md.summary')}", "", narrative.strip(), ""]
    lines += para("verdict", plan_verdict_text(plan, say))
    lines += para("reading", plan_reading_text(plan, say))
    lines += para("objective", objective_text(label, t.weeks, say))
    lines += para(
        "audience",
        say(
            "plan_md.audience",
            label=label,
            definition=a.definition,
            customers=say.count(a.customers),
            churn=say.pct(a.avg_churn_risk),
            clv=say.num(a.avg_clv_12m, 2),
        ),
    )
    offer = outcome_text(
        o.outcome,
        say,
        depth=o.depth_pct,
        profit=o.incremental_profit,
        cost=o.discount_cost,
        weeks=o.baseline_weeks,
        chosen_by=o.chosen_by,
    )
    lines += para("offer", offer)
    lines += [say("plan_md.head.products")]
    lines += [
        "- "
        + say(
            "plan_md.product",
            title=(p.title_zh if zh else None) or p.title,
            sku=p.sku,
            n=say.count(p.customers_suited),
        )
        for p in plan.products
    ]
    lines.append("")
    why = channel_reason(c.basis, c.roas, c.past_campaigns, say)
    channel = _channel_name(c.name, say)
    lines += para(
        "channel",
        say("plan_md.channel", channel=channel, why=why, start=t.start, weeks=t.weeks),
    )
    lines += para(
        "budget",
        say(
            "plan_md.budget",
            offer=say.num(b.offer_cost),
            channel=say.num(b.channel_cost),
            rest=say.num(b.unallocated),
            total=say.num(b.total),
        )
        + space(say)
        + budget_text(b.remainder, b.needed, say),
    )
    lines += para(
        "expected",
        say(
            "plan_md.expected",
            rev=say.num(e.revenue, 0),
            rev_lo=say.num(e.revenue_range[0], 0),
            rev_hi=say.num(e.revenue_range[1], 0),
            profit=say.num(e.profit, 0),
            p_lo=say.num(e.profit_range[0], 0),
            p_hi=say.num(e.profit_range[1], 0),
        )
        + (space(say) + history if (history := history_text(e, say)) else ""),
    )
    lines += para(
        "ab",
        say(
            "plan_md.ab",
            share=say.pct(x.holdout_share),
            holdout=say.count(x.holdout),
            treated=say.count(x.treated),
            weeks=x.weeks,
            rate=say.pct(x.baseline_rate, 1),
            lift=say.num(x.detectable_lift_pct, 1),
        )
        + space(say)
        + plan_power_text(plan, say),
    )
    if plan.alternatives:
        lines += [say("plan_md.head.alternatives")]
        lines += [f"- {alternative_text(v, o.baseline_weeks, say)}" for v in plan.alternatives]
        lines.append("")
    lines += [say("plan_md.head.kpis"), *[f"- {say(f'plan.kpi.{k}')}" for k in plan.kpis], ""]
    lines += [say("plan_md.head.risks"), *[f"- {say(f'plan.risk.{r.code}')}" for r in plan.risks]]
    cost = say("plan.assume.channel_cost", channel=channel, cost=say.num(c.cost_per_send, 4))
    lines += [
        "",
        say("plan_md.head.assumptions"),
        f"- {cost}",
        f"- {say('plan.assume.ranges')}",
        f"- {say('plan_md.discount_assumptions')}",
        *[f"  - {assumption_text(a.code, a.values, say)}" for a in plan.assumptions],
    ]
    return "\n".join(lines) + "\n"
