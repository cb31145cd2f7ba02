"""Flags and verdicts are codes with figures, said in English or Chinese only by the wording
catalogue (issue 18): code decides, words never are read back."""

from __future__ import annotations

import re
from typing import get_args

import numpy as np
import pytest

import tools.pricing.demand as demand
from copilot.agent.grounding import evidence_numbers, parse_numbers, unsupported_numbers
from tools import to_jsonable, to_llm_brief
from tools.findings import describe
from tools.findings.experiments import readout_verdict
from tools.findings.pricing import flag_words
from tools.findings.say import Say, catalogue
from tools.pricing.demand import (
    UNUSABLE,
    DemandFlag,
    FlagCode,
    ProductDemand,
    estimate_flags,
    sample_flags,
)
from tools.pricing.discount import DiscountOption, DiscountPlan, Outcome
from tools.pricing.experiments import (
    ReadoutMetric,
    ReadoutVerdict,
    readout_means,
    readout_proportions,
)
from tools.pricing.optimize import optimize_prices
from tools.pricing.results import PriceOptimization
from tools.pricing.sensitivity import product_elasticity

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _every_flag() -> list[DemandFlag]:
    """One flag of each code, raised the way a fit raises it."""
    return [
        *sample_flags(weeks=5, cv=0.012, moved=0),
        *sample_flags(weeks=50, cv=0.2, moved=2),
        *estimate_flags(elasticity=0.42, sd=0.9, ci90=(-1.06, 1.9)),
        *estimate_flags(elasticity=-0.74, sd=0.2, ci90=(-1.07, -0.41)),
    ]


def _demand(product: str, elasticity: float, flags: list[DemandFlag]) -> ProductDemand:
    return ProductDemand(
        product,
        None,
        elasticity,
        (elasticity - 0.3, elasticity + 0.3),
        0.2,
        elasticity,
        0.2,
        None,
        50,
        50,
        0.1,
        0.3,
        0.2,
        10.0,
        10.0,
        (8.0, 12.0),
        flags,
        [],
        np.zeros(2),
    )


def test_every_flag_code_is_raised_and_said_in_english_and_chinese() -> None:
    flags = _every_flag()
    assert sorted(f.code for f in flags) == sorted(get_args(FlagCode))
    for flag in flags:
        evidence = evidence_numbers([to_jsonable(flag, 12)])
        for language in ("en", "zh"):
            text = flag_words(flag, Say(language))
            assert "{" not in text and bool(CHINESE.search(text)) == (language == "zh"), text
            # Each figure is said, and only the flag's own figures.
            assert len(parse_numbers(text)) >= len(flag.values), text
            assert unsupported_numbers(text, evidence) == [], text
    assert flag_words(flags[0], Say("en")) == (
        "there are only 5 weeks of sales (at least 12 are needed)"
    )
    assert flag_words(flags[1], Say("zh")) == "价格几乎没有变动过（价格波动 1.2%，低于所需的 3.0%）"


def test_reliability_and_refusals_follow_the_code_whatever_the_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every flag worded as the words of an unusable one ("positive price slope", which the
    old prefix matching read as a kind) changes what is said and nothing that is decided."""
    for code in get_args(FlagCode):
        misleading = {"en": "positive price slope", "zh": "价格斜率为正"}
        monkeypatch.setitem(catalogue(), f"flag.{code}", misleading)
    assert not hasattr(demand, "flag_kind")
    for flag in _every_flag():
        d = _demand("P", flag.values.get("elasticity", -2.0), [flag])
        assert d.reliable == (flag.code not in UNUSABLE)
        [decision] = optimize_prices([d], {"P": (5.0, "data")})
        assert decision.flags == [flag]
        assert (decision.status == "refused") == (flag.code in UNUSABLE)
        assert product_elasticity(d, None).flags == [flag]
    # The words follow the catalogue, not the other way round.
    inelastic = DemandFlag(code="inelastic", values={"elasticity": -0.5})
    assert flag_words(inelastic, Say("en")) == "positive price slope"


def test_flags_reach_the_model_as_codes_and_people_as_words() -> None:
    flag = DemandFlag(code="too_uncertain", values={"level": 0.9, "low": -2.34, "high": 0.56})
    d = _demand("P", -0.9, [flag])
    report = product_elasticity(d, "Lamp")
    brief = to_llm_brief(report)
    assert "flags: [too_uncertain]" in brief.splitlines() and "too uncertain" not in brief
    assert to_jsonable(report)["flags"] == [
        {"code": "too_uncertain", "values": {"level": 0.9, "low": -2.34, "high": 0.56}}
    ]
    table = demand.DemandModel({"P": d}, {}).to_frame()
    assert table.loc[0, "flags"] == "the estimate is too uncertain (90% interval -2.34 to 0.56)"
    [decision] = optimize_prices([d], {"P": (5.0, "data")})
    assert decision.status == "refused" and decision.refusal == "unreliable"
    result = PriceOptimization(
        scope="P",
        objective="profit",
        decisions=[decision],
        weekly_profit_now=decision.weekly_profit_now,
        weekly_profit_new=decision.weekly_profit_new,
        cost_note="",
    )
    for language, words in (
        ("en", "too uncertain (90% interval -2.34 to 0.56)"),
        ("zh", "估计的不确定性太大"),
    ):
        assert words in describe(result, language).text()


def _plan(outcome: Outcome) -> DiscountPlan:
    paying = DiscountOption(
        depth_pct=10.0,
        discount_cost=420.0,
        incremental_units=80.0,
        incremental_revenue=1500.0,
        incremental_profit=310.0,
        within_budget=outcome == "offer",
    )
    losing = DiscountOption(
        depth_pct=20.0,
        discount_cost=900.0,
        incremental_units=120.0,
        incremental_revenue=1900.0,
        incremental_profit=-150.0,
        within_budget=False,
    )
    options = {"offer": [paying, losing], "over_budget": [paying, losing], "no_profit": [losing]}
    return DiscountPlan(
        segment="at_risk",
        customers=1234,
        weeks=4,
        budget=500.0 if outcome == "offer" else 300.0,
        recommended_depth_pct=10.0 if outcome == "offer" else None,
        promo_response=1.3,
        measured_response=None,
        options=options.get(outcome, []),
        assumptions=[],
        outcome=outcome,
        best_any_budget=paying if outcome in ("offer", "over_budget") else None,
        history_weeks=12,
    )


@pytest.mark.parametrize("outcome", get_args(Outcome))
def test_every_discount_outcome_is_said_in_english_and_chinese(outcome: Outcome) -> None:
    plan = _plan(outcome)
    evidence = evidence_numbers([to_jsonable(plan, 12)])
    heads = {
        "offer": ("offer 10% off", "建议优惠 10%"),
        "over_budget": ("no depth pays within this budget", "在这个预算内没有能盈利的折扣力度"),
        "no_profit": ("no discount depth raises profit", "任何折扣力度都不能提高利润"),
        "no_baseline": ("bought nothing in the last 12 weeks", "过去 12 周内没有任何购买"),
    }
    for language, head in zip(("en", "zh"), heads[outcome], strict=True):
        text = describe(plan, language, "£").text()
        assert head in text and bool(CHINESE.search(text)) == (language == "zh")
        assert unsupported_numbers(text, evidence) == [], text
    # The brief states the outcome's code; the words are the findings'.
    brief = to_llm_brief(plan)
    assert f"outcome: {outcome}" in brief.splitlines() and "verdict" not in brief


READOUTS = {
    ("conversion_rate", "significant_higher"): lambda: readout_proportions(100, 1000, 140, 1000),
    ("conversion_rate", "significant_lower"): lambda: readout_proportions(140, 1000, 100, 1000),
    ("conversion_rate", "no_difference"): lambda: readout_proportions(100, 1000, 104, 1000),
    ("mean_per_customer", "significant_higher"): lambda: readout_means(50, 30, 400, 58, 30, 400),
    ("mean_per_customer", "significant_lower"): lambda: readout_means(58, 30, 400, 50, 30, 400),
    ("mean_per_customer", "no_difference"): lambda: readout_means(50, 30, 400, 51, 30, 400),
}
SAID = {
    "conversion_rate": ("conversion rate", "转化率"),
    "mean_per_customer": ("mean per customer", "人均值"),
    "significant_higher": ("is higher than control's", "比对照组更高"),
    "significant_lower": ("is lower than control's", "比对照组更低"),
    "no_difference": ("not statistically significant", "不具有统计显著性"),
}


def test_every_readout_metric_and_verdict_is_covered() -> None:
    assert {m for m, _ in READOUTS} == set(get_args(ReadoutMetric))
    assert {v for _, v in READOUTS} == set(get_args(ReadoutVerdict))


@pytest.mark.parametrize(("metric", "verdict"), list(READOUTS))
def test_every_readout_verdict_is_said_in_english_and_chinese(
    metric: ReadoutMetric, verdict: ReadoutVerdict
) -> None:
    readout = READOUTS[metric, verdict]()
    assert (readout.metric, readout.verdict) == (metric, verdict)
    evidence = evidence_numbers([to_jsonable(readout, 12)])
    for i, language in enumerate(("en", "zh")):
        said = readout_verdict(readout, Say(language))
        assert SAID[metric][i] in said and SAID[verdict][i] in said, said
        assert said in describe(readout, language).text()
        assert unsupported_numbers(said, evidence) == [], said
    brief = to_llm_brief(readout).splitlines()
    assert f"verdict: {verdict}" in brief and f"metric: {metric}" in brief
