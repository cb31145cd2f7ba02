"""Findings against the demo shop's planted truths: the words say what the numbers mean.

Every figure a finding states must be a field of its tool's result (the number check passes on
the result alone), in both languages; the wording names no tools or settings.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from copilot.agent.grounding import evidence_numbers, parse_numbers, unsupported_numbers
from copilot.core.errors import ToolError
from tools import TOOLS, ToolContext, to_jsonable
from tools.findings import describe
from tools.findings.say import Say, catalogue

T = {t.name: t for t in TOOLS}
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("segment_overview", {}),
    ("segment_overview", {"kind": "cluster"}),
    ("find_customers", {"churn_risk_above": 0.5, "limit": 3}),
    ("find_customers", {"segment": "loyal", "churn_risk_above": 0.8}),
    ("find_customers", {"segment": "champions", "country": "Germany", "limit": 3}),
    ("profile_customer", {"customer_id": "C10001"}),
    ("profile_weights", {}),
    ("recommend_products", {"customer_id": "C10001", "n": 3}),
    ("recommend_products", {"customer_id": "C10031", "n": 3}),
    ("recommend_for_segment", {"segment": "at_risk", "n": 3}),
    ("similar_products", {"sku": "CT-0001", "n": 3}),
    ("frequently_bought_with", {"sku": "TY-0010", "n": 3}),
    ("price_elasticity", {"sku": "CT-0001"}),
    ("price_elasticity", {"category": "Kitchen"}),
    ("price_elasticity", {}),
    ("optimize_price", {"sku": "CT-0001"}),
    ("optimize_price", {"category": "Kitchen", "min_margin_pct": 25}),
    ("recommend_discount", {"segment": "at_risk", "budget": 2000}),
    ("ab_test_sample_size", {"metric": "conversion", "baseline": 0.02, "mde_pct": 20}),
    (
        "ab_test_readout",
        {
            "metric": "conversion",
            "control_n": 9000,
            "treatment_n": 9100,
            "control_rate": 2.4,
            "treatment_rate": 3.1,
        },
    ),
    ("plan_campaign", {"goal": "win back lapsed customers", "budget": 5000, "channel": "email"}),
]
_TOOL_WORDS = re.compile(
    r"\b(?:" + "|".join(t.name for t in TOOLS) + r")\b|COPILOT_|\bsku\b|_pct\b|\bkwargs\b"
)


@pytest.fixture(scope="module")
def results(demo_ctx: ToolContext) -> list[tuple[str, dict[str, Any], Any]]:
    return [(name, args, T[name](demo_ctx, **args)) for name, args in CALLS]


def test_the_catalogue_has_both_languages_with_the_same_placeholders() -> None:
    entries = catalogue()
    assert len(entries) > 100
    assert all(set(v) == {"en", "zh"} and v["en"] and v["zh"] for v in entries.values())


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_figure_a_finding_states_is_in_its_result(
    results: list[tuple[str, dict[str, Any], Any]], language: str
) -> None:
    for name, args, result in results:
        text = describe(result, language, "£").text()
        assert text, (name, args)
        # Evidence is the result alone (full precision): a finding cannot invent a figure.
        evidence = evidence_numbers([to_jsonable(result, 12)])
        assert unsupported_numbers(text, evidence) == [], (name, args, text)
        assert not _TOOL_WORDS.search(text), (name, text)
        if language == "zh":
            assert re.search(r"[\u4e00-\u9fff]", text), (name, text)


def test_the_elasticity_sentence_names_the_planted_sign_and_size(demo_ctx: ToolContext) -> None:
    truth = demo_ctx.truths["elasticity"]["CT-0001"]  # type: ignore[attr-defined]
    report = T["price_elasticity"](demo_ctx, sku="CT-0001")
    p = report.products[0]
    assert p.ci90[0] <= truth <= p.ci90[1]
    text = describe(report, "en").text()
    assert f"price elasticity {p.elasticity:.2f}" in text
    # The meaning: a 10% price rise loses units, about as many as the planted elasticity says.
    planted_change = 100 * (1.1**truth - 1)
    low, high = p.units_change_10pct_ci90
    assert low <= planted_change <= high < 0
    assert f"by about {p.units_change_10pct:+.0f}%" in text
    # Never a verdict on the price from the elasticity alone.
    assert "does not say whether a price is too high or too low" in text
    assert not re.search(r"overpriced|underpriced|too expensive", text, re.IGNORECASE)
    assert "仅凭弹性无法判断价格是偏高还是偏低" in describe(report, "zh").text()


def test_the_category_ranking_follows_the_planted_elasticities(demo_ctx: ToolContext) -> None:
    ranking = T["price_elasticity"](demo_ctx).categories
    planted: dict[str, list[float]] = {}
    catalog = demo_ctx.catalog()
    for sku, e in demo_ctx.truths["elasticity"].items():  # type: ignore[attr-defined]
        planted.setdefault(str(catalog.loc[sku, "category"]), []).append(e)
    means = {c: sum(v) / len(v) for c, v in planted.items()}
    ranked = [c.category for c in ranking]
    assert ranked[0] == min(means, key=means.__getitem__)  # the most price-sensitive planted
    assert ranked[-1] == max(means, key=means.__getitem__)


def test_cluster_descriptions_match_the_cluster_means(demo_ctx: ToolContext) -> None:
    from tools.profiling.api import profiles

    overview = T["segment_overview"](demo_ctx, kind="cluster")
    table = profiles(demo_ctx).table
    for row in overview.segments:
        members = table[table["cluster"] == int(row.segment.split()[1])]
        for trait in row.traits:
            assert members[trait.feature].mean() == pytest.approx(trait.mean)
            assert (trait.mean > table[trait.feature].mean()) == trait.high
    text = describe(overview, "en").text()
    first = overview.segments[0].traits[0]
    assert ("higher " if first.high else "lower ") in text
    # One description per cluster, each naming only what sets it apart: no cluster is called
    # both higher and lower in the same feature.
    for line in text.splitlines()[1:]:
        highs = set(re.findall(r"higher ([a-z ]+?) \(", line))
        lows = set(re.findall(r"lower ([a-z ]+?) \(", line))
        assert not highs & lows, line


def test_a_readout_from_rates_equals_the_readout_from_counts(demo_ctx: ToolContext) -> None:
    counts = T["ab_test_readout"](
        demo_ctx,
        metric="conversion",
        control_n=9000,
        treatment_n=9100,
        control_conversions=216,
        treatment_conversions=282,
    )
    for rates in (
        {"control_rate": 2.4, "treatment_rate": 3.1},
        {"control_rate": 0.024, "treatment_rate": 0.031},
    ):
        from_rates = T["ab_test_readout"](
            demo_ctx, metric="conversion", control_n=9000, treatment_n=9100, **rates
        )
        assert from_rates == counts
    text = describe(counts, "en").text()
    assert "statistically significant" in text and "percentage points" in text
    with pytest.raises(ToolError, match="conversion rate with the group size"):
        T["ab_test_readout"](demo_ctx, metric="conversion", control_n=10, treatment_n=10)


def test_an_empty_list_says_which_condition_emptied_it(demo_ctx: ToolContext) -> None:
    from tools.profiling.api import profiles

    table = profiles(demo_ctx).table
    result = T["find_customers"](demo_ctx, segment="loyal", churn_risk_above=0.8)
    assert result.count == 0
    loyal = int((table["rfm_segment"] == "loyal").sum())
    risky = int((table["churn_risk"] > 0.8).sum())
    text = describe(result, "en").text()
    assert f'without "in the Loyal segment": {risky:,} customers' in text
    assert f'without "with churn risk above 80%": {loyal:,} customers' in text
    assert "not because the groups are empty" in text
    assert f"{loyal:,}" in describe(result, "zh").text()


def test_the_planted_co_purchase_pair_leads_with_its_lift(demo_ctx: ToolContext) -> None:
    result = T["frequently_bought_with"](demo_ctx, sku="TY-0010", n=3)
    assert result.items[0].sku == "KT-0018"
    text = describe(result, "en").text()
    assert "Eco Cutting Board (KT-0018)" in text.splitlines()[1]
    assert "times as often as by chance" in text


def test_recommendation_reasons_are_the_recommender_s_own(demo_ctx: ToolContext) -> None:
    result = T["recommend_products"](demo_ctx, customer_id="C10001", n=5)
    text = describe(result, "en").text()
    owned = {s for item in result.items for s in item.because}
    assert owned, "the item-based reasons name the customer's own purchases"
    assert all(re.search(re.escape(s), text) for s in owned)
    cold = describe(T["recommend_products"](demo_ctx, customer_id="C10031", n=3), "en").text()
    assert "no purchase history yet" in cold and "not personal picks" in cold


def test_an_assumed_cost_is_said_and_a_bound_is_named(demo_ctx: ToolContext) -> None:
    text = describe(T["optimize_price"](demo_ctx, sku="CT-0001"), "en").text()
    assert "from the catalogue" in text and "The demand curve decides this price" in text
    capped = T["optimize_price"](demo_ctx, sku="CT-0002", max_change_pct=5)
    words = describe(capped, "en").text()
    assert "A limit decides this price, not the demand curve" in words
    assert "maximum change of 5%" in words


def test_auc_is_stated_as_a_ranking_measure(demo_ctx: ToolContext) -> None:
    weights = T["profile_weights"](demo_ctx)
    text = describe(weights, "en").text()
    auc = weights.holdout_auc["profile_score"]
    assert f"AUC is {auc:.2f}" in text and "not the share of correct predictions" in text
    assert f"{auc * 100:.0f}% of the time" in text
    assert "accuracy" not in text.lower() and "准确率" not in describe(weights, "zh").text()


def test_money_takes_the_configured_currency_and_people_formats() -> None:
    say = Say("en", "£")
    assert say.money(1234.567) == "£1,235" and say.money(19.99) == "£19.99"
    assert say.money(-602.3) == "-£602" and say.pct(0.243) == "24%" and say.pct(0.003) == "0.3%"
    assert say.change(-17.2) == "-17%" and say.days(1) == "1 day"
    assert [v for _, v in parse_numbers(say.money(1234.567))] == [1235.0]
