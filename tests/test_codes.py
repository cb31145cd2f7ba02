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
