"""The campaign plan's types: the JSON schema generated from them, and the words of its codes."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any, get_args

import jsonschema
import pytest

from tools.findings.say import Say, catalogue
from tools.plan_markdown import channel_reason, outcome_text
from tools.plan_types import (
    CampaignPlan,
    ChannelBasis,
    KpiCode,
    OfferOutcome,
    PlanAbTest,
    PlanAssumption,
    PlanAudience,
    PlanBudget,
    PlanChannel,
    PlanExpected,
    PlanOffer,
    PlanProduct,
    PlanReading,
    PlanRisk,
    PlanTiming,
    PlanVerdict,
    RiskCode,
    plan_json_schema,
)

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{4,}")


def _plan(outcome: OfferOutcome = "offer") -> CampaignPlan:
    """A small valid plan (the demo shop's plans are checked in test_planning)."""
    return CampaignPlan(
        goal="Win back lapsed customers",
        verdict=PlanVerdict(code="run", reason="profitable", text="run it"),
        reading=PlanReading(
            audience_basis="goal",
            word=None,
            by_title=False,
            products=0,
            category=None,
            repeat=False,
            buyers_only=False,
            text="the whole catalogue",
        ),
        objective="Grow incremental profit from At risk customers over 4 weeks.",
        audience=PlanAudience(
            segment="at_risk",
            label="At risk",
            label_zh="有流失风险",
            definition="R 1-2 and F 3-4",
            customers=500,
            avg_churn_risk=0.54,
            avg_clv_12m=236.4,
            bought_skus=[],
            filters={},
        ),
        offer=PlanOffer(
            outcome=outcome,
            depth_pct=10.0 if outcome == "offer" else None,
            chosen_by="analysis",
            summary="an offer",
            promo_response=1.0,
            discount_cost=900.0 if outcome == "offer" else 0.0,
            incremental_profit=120.0 if outcome == "offer" else 0.0,
            baseline_weeks=12,
        ),
        products=[
            PlanProduct(sku="SN-0026", title="Dried Mango", title_zh="芒果干", customers_suited=41),
            PlanProduct(sku="KT-0018", title="Cutting Board", title_zh=None, customers_suited=3),
        ],
        channel=PlanChannel(
            name="sms",
            basis="best_past_return",
            rationale="best past return",
            roas=3.58,
            past_campaigns=3,
            cost_per_send=0.05,
        ),
        timing=PlanTiming(start="2026-12-07", weeks=4),
        budget=PlanBudget(
            offer_cost=900.0,
            channel_cost=90.0,
            unallocated=4010.0,
            total=5000.0,
            needed=990.0,
            remainder="best_depth_cheaper",
            text="needs 990",
        ),
        expected=PlanExpected(
            revenue=2000.0,
            profit=30.0,
            revenue_range=(1000.0, 3000.0),
            profit_range=(15.0, 45.0),
            break_even_revenue=None,
            model_revenue=2000.0,
            model_profit=30.0,
            measured_plans=[],
            measured_revenue_week=None,
            measured_revenue_week_se=None,
            history=None,
        ),
        ab_test=PlanAbTest(
            holdout_share=0.1,
            holdout=50,
            treated=450,
            weeks=4,
            baseline_rate=0.17,
            detectable_lift_pct=12.5,
            effect_basis="forecast",
            effect_per_customer=4.0,
            detectable_per_customer=9.0,
            underpowered=True,
            needed_holdout=None,
            needed_weeks=None,
            needed_customers=2600,
            text="underpowered",
        ),
        alternatives=[],
        kpis=list(get_args(KpiCode)),
        risks=[PlanRisk(code="pull_forward", text="pull-forward")],
        assumptions=[
            PlanAssumption(code="no_halo", values={}, text="no halo on other products"),
        ],
    )


def _errors(data: Any) -> list[jsonschema.ValidationError]:
    return list(jsonschema.Draft202012Validator(plan_json_schema()).iter_errors(data))


def _as_json(plan: CampaignPlan) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(plan.to_json_dict()))
    return data


def test_the_schema_is_generated_from_the_types_and_strict() -> None:
    schema = plan_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    objects = [schema, *schema["$defs"].values()]
    assert {o["title"] for o in objects} >= {"CampaignPlan", "PlanOffer", "PlanRisk"}
    for o in objects:  # every key is required and no other key is allowed
        assert o["additionalProperties"] is False, o["title"]
        assert set(o["required"]) == set(o["properties"]), o["title"]
    assert _errors(_as_json(_plan())) == []


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.pop(key)


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def mutate(d: dict[str, Any]) -> None:
        for p in parents:
            d = d[p]
        d[last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (_drop("offer"), ""),
        (_set("surprise", 1), ""),
        (_set("budget/bonus", 10.0), "budget"),
        (_set("audience/customers", -5), "audience/customers"),
        (_set("timing/weeks", 13), "timing/weeks"),
        (_set("timing/start", "07/12/2026"), "timing/start"),
        (_set("channel/name", "fax"), "channel/name"),
        (_set("expected/revenue_range", [1.0, 2.0, 3.0]), "expected/revenue_range"),
        (_set("offer/outcome", "maybe"), "offer/outcome"),
        (_set("offer/depth_pct", 120.0), "offer/depth_pct"),
        (_set("ab_test/holdout_share", 1.0), "ab_test/holdout_share"),
        (_set("budget/total", 0.0), "budget/total"),
        (_set("kpis", []), "kpis"),
        (_set("kpis", ["happiness"]), "kpis/0"),
        (_set("risks", [{"text": "no code"}]), "risks/0"),
        (_set("assumptions", []), "assumptions"),
        (
            _set("assumptions", [{"code": "guess", "values": {}, "text": "a guess"}]),
            "assumptions/0/code",
        ),
    ],
)
def test_the_schema_rejects_a_broken_plan(
    mutate: Callable[[dict[str, Any]], None], where: str
) -> None:
    data = copy.deepcopy(_as_json(_plan()))
    mutate(data)
    errors = _errors(data)
    assert errors
    assert {"/".join(str(p) for p in e.absolute_path) for e in errors} == {where}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_code_has_words_in_both_languages(language: str) -> None:
    say = Say(language)
    texts = [
        *(say(f"plan.kpi.{code}") for code in get_args(KpiCode)),
        *(say(f"plan.risk.{code}") for code in get_args(RiskCode)),
        *(outcome_text(code, say, depth=10, weeks=12) for code in get_args(OfferOutcome)),
        *(channel_reason(code, 3.58, 3, say) for code in get_args(ChannelBasis)),
    ]
    for text in texts:
        assert text and ("{" not in text)
        assert bool(_CJK.search(text)) == (language == "zh"), text


def test_the_catalogue_has_no_plan_words_without_a_code() -> None:
    codes = {
        "plan.kpi": set(get_args(KpiCode)),
        "plan.risk": set(get_args(RiskCode)),
        "plan.outcome": set(get_args(OfferOutcome)),
        "plan.why": set(get_args(ChannelBasis)),
    }
    for prefix, known in codes.items():
        keys = {k.rsplit(".", 1)[1] for k in catalogue() if k.rsplit(".", 1)[0] == prefix}
        assert keys == known, prefix


def _english_words(plan: CampaignPlan, markdown: str) -> list[str]:
    """ASCII words of four letters or more in ``markdown`` that are not the plan's data (the
    goal, product titles and codes, the segment's rule)."""
    data = [plan.goal, plan.audience.definition, plan.channel.name]
    data += [text for p in plan.products for text in (p.title, p.title_zh or "", p.sku)]
    text = markdown
    for value in sorted(filter(None, data), key=len, reverse=True):
        text = text.replace(value, "")
    return _WORD.findall(text)


@pytest.mark.parametrize("outcome", get_args(OfferOutcome))
def test_the_chinese_markdown_is_rendered_from_codes_not_english(outcome: OfferOutcome) -> None:
    plan = _plan(outcome)
    if outcome != "offer":
        plan = dataclasses.replace(plan, risks=[PlanRisk(code=outcome, text="x"), *plan.risks])
    zh = plan.to_markdown("zh")
    assert _english_words(plan, zh) == [], zh
    assert "SN-0026" in zh and "芒果干" in zh and "Cutting Board" in zh  # no Chinese title
    assert "短信" in zh and "1 元" in zh  # the channel and why, in Chinese
    en = plan.to_markdown("en")
    assert not _CJK.search(en) and _english_words(plan, en)  # the check does see English
