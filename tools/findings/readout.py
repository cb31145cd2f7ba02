"""Findings of ``campaign_readout``: what the campaign did against its holdout, whether that is
a gain, a loss or too close to call, and how it compares with the plan's forecast."""

from __future__ import annotations

from typing import Any

from tools.campaigns.readout import CampaignReadout
from tools.findings.profiling import segment_name
from tools.findings.say import Say, catalogue
from tools.findings.types import Findings, join_sentences

UNBALANCED_P = 0.01
"""Below this, the groups' pre-period spend differed more than chance usually makes them."""


def _verdict(low: float, high: float) -> str:
    return "gain" if low > 0 else "loss" if high < 0 else "unclear"


def campaign_readout(result: CampaignReadout, say: Say) -> Findings:
    """The measured effect in money and conversion, the verdict and the forecast check."""
    r = result
    conversion, revenue, profit = r.metrics
    sentences = [
        say(
            "readout.head",
            plan=r.plan_id,
            goal=r.goal,
            segment=segment_name(r.segment, say),
            treated=say.count(r.treatment),
            holdout=say.count(r.holdout),
            start=r.start,
            end=r.planned_end,
            as_of=r.as_of,
        )
    ]
    if not r.complete:
        sentences.append(say("readout.running", share=say.pct(r.elapsed_share)))
    low, high = conversion.bounds
    sentences.append(
        say(
            "readout.conversion",
            treated=say.pct(conversion.treatment_mean, 1),
            holdout=say.pct(conversion.holdout_mean, 1),
            diff=("+" if conversion.cuped_diff > 0 else "")
            + say.num(100 * conversion.cuped_diff, 1),
            range=say.interval(say.num(100 * low, 1), say.num(100 * high, 1)),
        )
    )
    for key, total, lo, hi, per in (
        (
            "readout.revenue",
            r.incremental_revenue,
            r.incremental_revenue_low,
            r.incremental_revenue_high,
            revenue.cuped_diff,
        ),
        (
            "readout.profit",
            r.incremental_profit,
            r.incremental_profit_low,
            r.incremental_profit_high,
            profit.cuped_diff,
        ),
    ):
        sentences.append(
            say(
                key,
                total=say.money(total),
                range=say.interval(say.money(lo), say.money(hi)),
                per=say.money(per),
            )
        )
    verdict = _verdict(r.incremental_profit_low, r.incremental_profit_high)
    sentences.append(say(f"readout.verdict_{verdict}"))
    reduction = say.pct(max(revenue.variance_reduction, 0.0))
    sentences.append(say("readout.cuped", share=reduction, weeks=r.pre_weeks))
    sentences.append(
        say(
            "readout.forecast_inside" if r.forecast_inside else "readout.forecast_outside",
            forecast=say.money(r.forecast_profit),
        )
    )
    if r.offer_cost is not None:
        sentences.append(say("readout.offer_cost", cost=say.money(r.offer_cost)))
    if r.balance_p < UNBALANCED_P:
        sentences.append(say("readout.unbalanced", p=say.num(r.balance_p, 3)))
    return Findings(tuple(sentences))


def lesson(result: CampaignReadout, plan: dict[str, Any], say: Say) -> str:
    """The post-mortem of a measured campaign as a short Markdown document: what was planned,
    what happened (the read-out's own sentences), and one lesson that follows from them."""
    r = result
    segment = segment_name(r.segment, say)
    depth = plan["offer"]["depth_pct"]
    offer = say("lesson.offer_depth", depth=say.num(depth, 0)) if depth else say("lesson.no_price")
    planned = say(
        "lesson.planned",
        segment=segment,
        customers=say.count(r.treatment + r.holdout),
        offer=offer,
        channel=say(f"channel.{plan['channel']['name']}"),
        start=r.start,
        end=r.planned_end,
        forecast=say.money(float(plan["expected"]["profit"])),
    )
    verdict = _verdict(r.incremental_profit_low, r.incremental_profit_high)
    # The kind of campaign the audience makes it, so "past win-back campaigns" finds it in
    # either language whatever words the goal used.
    kind = say(
        f"lesson.kind.{r.segment}"
        if f"lesson.kind.{r.segment}" in catalogue()
        else "lesson.kind.other"
    )
    lessons = [
        say(
            f"lesson.{verdict}",
            kind=kind,
            segment=segment,
            holdout=say.count(r.holdout),
            goal=r.goal,
            plan=r.plan_id,
        )
    ]
    if not r.forecast_inside:
        lessons.append(
            say(
                "lesson.forecast_off",
                segment=segment,
                forecast=say.money(r.forecast_profit),
                measured=say.money(r.incremental_profit),
            )
        )
    return "\n\n".join(
        [
            say("lesson.title", kind=kind, plan=r.plan_id, goal=r.goal),
            f"{say('lesson.head_planned')}\n\n{planned}",
            f"{say('lesson.head_happened')}\n\n{campaign_readout(r, say).text()}",
            f"{say('lesson.head_lesson')}\n\n{join_sentences(lessons)}",
        ]
    )
