"""Findings of the experiment tools: sizes and verdicts stated as what they mean."""

from __future__ import annotations

from tools.findings.say import Say
from tools.findings.types import Findings
from tools.pricing.experiments import Readout
from tools.pricing.results import SampleSizePlan


def ab_test_sample_size(result: SampleSizePlan, say: Say) -> Findings:
    """Customers per group to detect the change, the duration if traffic is known."""
    if result.metric == "conversion":
        change = say(
            "sample.change_rate",
            baseline=say.pct(result.baseline, 1),
            target=say.pct(result.target, 1),
            mde=say.num(result.mde_pct, 0),
        )
    else:
        change = say(
            "sample.change_mean",
            baseline=say.money(result.baseline),
            target=say.money(result.target),
            mde=say.num(result.mde_pct, 0),
        )
    sentences = [
        say(
            "sample.head",
            change=change,
            control=say.count(result.control),
            treatment=say.count(result.treatment),
            total=say.count(result.total),
            power=say.pct(result.power),
            alpha=say.pct(result.alpha),
        )
    ]
    if result.days is not None and result.daily_customers:
        sentences.append(
            say("sample.days", days=result.days, daily=say.count(result.daily_customers))
        )
    sentences.append(say("sample.peeking"))
    return Findings(tuple(sentences))


def ab_test_readout(result: Readout, say: Say) -> Findings:
    """The difference with its interval and what the p-value does and does not say."""
    rate = result.metric == "conversion_rate"
    value = (lambda v: say.pct(v, 2)) if rate else say.money
    low, high = result.ci95
    if rate:
        diff = say("readout.points", diff=say.num(100 * result.difference, 2))
        interval = say(
            "readout.points_interval", low=say.num(100 * low, 2), high=say.num(100 * high, 2)
        )
    else:
        diff = say.money(result.difference)
        interval = say.interval(say.money(low), say.money(high))
    lift = (
        say("readout.lift", lift=say.change(result.relative_lift_pct, 1))
        if result.relative_lift_pct is not None
        else ""
    )
    groups = say(
        "readout.groups_rate" if rate else "readout.groups_mean",
        control=value(result.control),
        treatment=value(result.treatment),
        control_n=say.count(result.control_n),
        treatment_n=say.count(result.treatment_n),
    )
    sentences = (
        groups,
        say("readout.difference", diff=diff, lift=lift, interval=interval),
        readout_verdict(result, say),
    )
    return Findings(sentences)


def readout_verdict(result: Readout, say: Say) -> str:
    """The verdict's code in words, with its p-value and, without a difference, what that does
    not prove: the one place a readout's verdict is said."""
    metric = say(f"readout.metric_{result.metric}")
    if result.verdict == "no_difference":
        return say("readout.not_significant", p=f"= {say.num(result.p_value, 3)}", metric=metric)
    direction = say("readout.higher" if result.verdict == "significant_higher" else "readout.lower")
    p = f"< {result.p_below:g}" if result.p_below else f"= {say.num(result.p_value, 4)}"
    return say("readout.significant", p=p, direction=direction, metric=metric)
