"""The words of a plan's verdict, goal reading, budget note, test power and alternatives, in
the reader's language (``plan.*`` keys of the wording catalogue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.findings.say import Say
from tools.plan_history import Z95

if TYPE_CHECKING:
    from tools.plan_types import (
        BudgetNote,
        PlanAbTest,
        PlanAlternative,
        PlanExpected,
        PlanReading,
    )
    from tools.plan_verdict import Verdict, VerdictReason


def space(say: Say) -> str:
    """What separates two sentences: a space in English, nothing in Chinese."""
    return "" if say.lang == "zh" else " "


def _channel(name: str, say: Say) -> str:
    return say(f"channel.{name}")


def reading_text(
    reading: PlanReading,
    label: str,
    customers: int,
    filters: dict[str, float | str],
    say: Say,
) -> str:
    """How the goal was read: products or category, repeat purchases, audience, and the
    customer list's filters it was narrowed by."""
    parts = []
    if reading.word:
        key = "plan.read.title" if reading.by_title else "plan.read.category"
        parts.append(
            say(
                key,
                word=reading.word,
                n=say.count(reading.products),
                category=reading.category or say("plan.read.several_categories"),
            )
        )
    else:
        parts.append(say("plan.read.no_products"))
    if reading.repeat:
        parts.append(say("plan.read.repeat"))
    parts.append(say(f"plan.read.audience.{reading.audience_basis}", label=label))
    if reading.buyers_only:
        parts.append(say("plan.read.buyers_only", n=say.count(customers)))
    if filters:
        shown = say.join([filter_text(k, v, say) for k, v in filters.items()])
        parts.append(say("plan.read.list", filters=shown, n=say.count(customers)))
    return say("plan.read.sep").join(parts)


def filter_text(key: str, value: float | str, say: Say) -> str:
    """One customer-list filter in words ("churn risk above 60%")."""
    if key == "churn_risk_above" and not isinstance(value, str):
        return say("plan.filter.churn_risk_above", v=say.pct(value))
    if key == "min_clv" and not isinstance(value, str):
        return say("plan.filter.min_clv", v=say.money(value))
    if key == "inactive_days_over" and not isinstance(value, str):
        return say("plan.filter.inactive_days_over", v=say.count(value))
    return say("plan.filter.country", v=str(value))


def alternative_text(v: PlanAlternative, history_weeks: int, say: Say) -> str:
    """One priced alternative."""
    who = (
        say("plan.alt.recent", n=say.count(v.customers), weeks=history_weeks)
        if v.recent_only
        else say("plan.alt.all", n=say.count(v.customers))
    )
    offer = (
        say("plan.alt.depth", depth=say.num(v.depth_pct, 0))
        if v.depth_pct is not None
        else say("plan.alt.no_offer")
    )
    return say(
        "plan.alt.text",
        channel=_channel(v.channel, say),
        who=who,
        weeks=say("plan.alt.one_week") if v.weeks == 1 else say("plan.alt.weeks", n=v.weeks),
        offer=offer,
        cost=say.money(v.cost),
        profit=say.money(v.profit),
    )


def verdict_text(
    code: Verdict,
    reason: VerdictReason,
    *,
    profit: float,
    offer_profit: float,
    channel_cost: float,
    offer_cost: float,
    break_even: float | None,
    treated: int,
    history_weeks: int,
    best: PlanAlternative | None,
    say: Say,
) -> str:
    """The verdict, its reason in the plan's numbers, and the best alternative when the plan
    does not make money."""
    text = say(
        f"plan.verdict.{reason}",
        profit=say.money(profit),
        loss=say.money(-profit),
        offer_profit=say.money(offer_profit),
        channel=say.money(channel_cost),
        cost=say.money(offer_cost + channel_cost),
        break_even=say.money(break_even or 0.0),
        per_customer=say.money((break_even or 0.0) / max(treated, 1)),
        weeks=history_weeks,
    )
    if code != "run" and best is not None:
        key = "plan.verdict.smaller" if code == "run_smaller" else "plan.verdict.best_alternative"
        text += space(say) + say(key, alternative=alternative_text(best, history_weeks, say))
    return text


def history_text(expected: PlanExpected, say: Say) -> str | None:
    """How measured campaigns moved the forecast (None when nothing was measured)."""
    rev, se = expected.measured_revenue_week, expected.measured_revenue_week_se
    if not expected.measured_plans or rev is None or se is None:
        return None
    return say(
        "plan.history",
        plans=", ".join(str(p) for p in expected.measured_plans),
        rev=say.money(rev),
        low=say.money(rev - Z95 * se),
        high=say.money(rev + Z95 * se),
        model_rev=say.money(expected.model_revenue),
        model_profit=say.money(expected.model_profit),
    )


def budget_text(note: BudgetNote, needed: float, say: Say) -> str:
    """Why part of the budget is left, and what a different budget would change."""
    return say(f"plan.remainder.{note}", needed=say.money(needed))


def power_text(test: PlanAbTest, customers: int, say: Say) -> str:
    """What the holdout can detect, against the effect the plan needs it to."""
    detectable = say.money(test.detectable_per_customer)
    if test.effect_basis == "none":
        return say("plan.power.none", detectable=detectable)
    effect = say.money(test.effect_per_customer)
    text = say(f"plan.power.{test.effect_basis}", effect=effect, detectable=detectable)
    if not test.underpowered:
        return text + space(say) + say("plan.power.enough")
    if test.needed_holdout is not None:
        fix = say(
            "plan.power.fix_holdout",
            n=say.count(test.needed_holdout),
            share=say.pct(test.needed_holdout / customers),
        )
    elif test.needed_weeks is not None:
        fix = say("plan.power.fix_weeks", weeks=test.needed_weeks)
    elif test.needed_customers is not None:
        fix = say("plan.power.fix_customers", n=say.count(test.needed_customers), weeks=test.weeks)
    else:
        fix = say("plan.power.fix_none")
    return text + space(say) + say("plan.power.under", fix=fix)
