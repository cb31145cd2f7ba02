"""``campaign_performance`` against the campaigns table by hand and the demo's planted truths:
the channels' response rates and a welcome series planted with 2.5 times its channel's clicks
(issue 19)."""

from __future__ import annotations

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from copilot.core.errors import ToolError
from copilot.demo.campaigns import CHANNEL_RATES, PLANTED_CLICK_LIFT
from tools import ToolContext
from tools.campaigns.api import campaign_performance
from tools.campaigns.rates import poisson_interval, two_rates_p, wilson
from tools.findings import describe


def _margin(ctx: ToolContext) -> float:
    """Gross margin of merchandise sales whose product cost is known, by hand."""
    lines, products = ctx.shop.order_lines(), ctx.shop.products().set_index("sku")
    lines = lines[~lines["sku"].isin(products.index[products["category"] == "non-merchandise"])]
    sold = lines[(lines["quantity"] * lines["unit_price"] > 0)]
    sold = sold[sold["sku"].map(products["unit_cost"]).notna()]  # some demo costs are unknown
    value = (sold["quantity"] * sold["unit_price"]).sum()
    cost = (sold["quantity"] * sold["sku"].map(products["unit_cost"])).sum()
    return float((value - cost) / value)


def test_every_figure_equals_the_campaigns_table(demo_ctx: ToolContext) -> None:
    table = demo_ctx.shop.campaigns().set_index("campaign_id")
    result = campaign_performance(demo_ctx)
    assert result.margin_rate == pytest.approx(_margin(demo_ctx), abs=1e-4)
    assert [r.campaign_id for r in result.campaigns] == list(table.sort_values("start_date").index)
    for row in result.campaigns:
        raw, f = table.loc[row.campaign_id], row.funnel
        assert (f.sends, f.clicks, f.conversions) == (raw.sends, raw.clicks, raw.conversions)
        assert (f.revenue, f.cost) == (pytest.approx(raw.revenue), pytest.approx(raw.spend))
        assert f.click_rate == pytest.approx(raw.clicks / raw.sends, abs=1e-4)
        assert f.roas == pytest.approx(raw.revenue / raw.spend, abs=0.005)
        assert f.profit == pytest.approx(raw.revenue * result.margin_rate - raw.spend, abs=0.01)
        assert (f.opens is None) == pd.isna(raw.opens)
    assert result.revenue == pytest.approx(table["revenue"].sum(), abs=0.01)
    by_channel = table.groupby("channel")
    for channel in result.channels:
        sums = by_channel.get_group(channel.channel)
        assert channel.campaigns == len(sums)
        assert channel.funnel.conversions == sums["conversions"].sum()
        assert channel.funnel.roas == pytest.approx(
            sums["revenue"].sum() / sums["spend"].sum(), abs=0.005
        )


def test_channel_rates_hold_the_planted_ones(demo_ctx: ToolContext) -> None:
    """Each channel's 95% interval holds the click rate it was drawn with (the sends-weighted
    planted rate, the welcome series' lift included)."""
    table = demo_ctx.shop.campaigns()
    result = campaign_performance(demo_ctx, rank_by="conversions_per_send")
    for channel in result.channels:
        rows = table[table["channel"] == channel.channel]
        lift = rows["campaign_id"].map(PLANTED_CLICK_LIFT).fillna(1.0)
        planted = CHANNEL_RATES[channel.channel].click_rate
        expected = float((rows["sends"] * planted * lift).sum() / rows["sends"].sum())
        low, high = channel.click_rate_interval or (0.0, 0.0)
        assert low <= expected <= high, channel.channel
    # Social was planted with 0.6 conversions per 1,000 sends, the others with 7 to 8.
    social = next(c for c in result.channels if c.channel == "social")
    assert result.channels[-1] is social
    others = [c for c in result.channels if c is not social]
    assert all(
        (social.conversions_per_send_interval or (1, 1))[1]
        < (c.conversions_per_send_interval or (0, 0))[0]
        for c in others
    )


def test_the_planted_lift_is_found_and_nothing_else_stands_out(demo_ctx: ToolContext) -> None:
    result = campaign_performance(demo_ctx)
    welcome = next(r for r in result.campaigns if r.campaign_id in PLANTED_CLICK_LIFT)
    assert welcome.standing == "above"
    assert welcome.click_lift is not None and welcome.click_lift > 1.5
    assert welcome.click_lift_p is not None and welcome.click_lift_p < 0.01
    rest = {r.standing for r in result.campaigns if r is not welcome}
    assert rest <= {"in_line", "only_one"}
    found = describe(result, "en").text()
    assert "New customer welcome series stands out" in found
    assert "clearly above" not in found  # that is the one-campaign wording


def test_a_campaign_is_found_by_id_words_or_festival(demo_ctx: ToolContext) -> None:
    for said, campaign_id in [
        ("CMP-2512-XMAS", "CMP-2512-XMAS"),
        ("cmp-2512-xmas", "CMP-2512-XMAS"),
        ("christmas email", "CMP-2512-XMAS"),
        ("Christmas gift guide", "CMP-2512-XMAS"),
        ("圣诞", "CMP-2512-XMAS"),
        ("双十一", "CMP-2511-DOUBLE11"),
        ("singles day", "CMP-2511-DOUBLE11"),
        ("welcome series", "CMP-2608-WELCOME"),
    ]:
        result = campaign_performance(demo_ctx, campaign=said)
        assert [r.campaign_id for r in result.campaigns] == [campaign_id], said
    # A name that matches nothing gets the overview, saying so.
    other = campaign_performance(demo_ctx, campaign="best return on ad spend")
    assert other.unmatched == "best return on ad spend" and other.asked is None
    assert len(other.campaigns) == len(demo_ctx.shop.campaigns())
    said = describe(other, "en").sentences[0]
    assert said.startswith('No campaign is called "best return on ad spend" (closest:')
    with pytest.raises(ToolError, match="no campaign ran on the channel 'fax'"):
        campaign_performance(demo_ctx, channel="fax")


def test_a_period_keeps_the_campaigns_running_in_it(demo_ctx: ToolContext) -> None:
    table = demo_ctx.shop.campaigns()
    result = campaign_performance(demo_ctx, period="2025", channel="email")
    running = table[
        (table["start_date"] <= "2025-12-31")
        & (table["end_date"] >= "2025-01-01")
        & (table["channel"] == "email")
    ]
    assert {r.campaign_id for r in result.campaigns} == set(running["campaign_id"])
    assert result.span is not None and result.span[0].isoformat() == "2025-01-01"
    none = campaign_performance(demo_ctx, period="2020")
    assert none.campaigns == [] and none.channels == []
    assert describe(none, "zh").sentences[0].startswith("2020（2020-01-01 – 2020-12-31）期间没有")


def test_the_ranking_says_whether_the_best_is_clearly_ahead(demo_ctx: ToolContext) -> None:
    for rank_by in ("roas", "conversions_per_send", "click_rate"):
        result = campaign_performance(demo_ctx, rank_by=rank_by)
        values = [getattr(c.funnel, rank_by) for c in result.channels]
        assert values == sorted(values, reverse=True)
        first, second = result.channels[0], result.channels[1]
        a = {"roas": first.roas_interval, "click_rate": first.click_rate_interval}.get(
            rank_by, first.conversions_per_send_interval
        )
        b = {"roas": second.roas_interval, "click_rate": second.click_rate_interval}.get(
            rank_by, second.conversions_per_send_interval
        )
        assert a is not None and b is not None
        assert result.best_separated == (a[0] > b[1])
        en = describe(result, "en").text()
        assert ("clearly ahead" in en) == result.best_separated
        assert ("cannot tell these two apart" in en) == (not result.best_separated)


def test_one_campaign_in_chinese_states_its_figures(demo_ctx: ToolContext) -> None:
    result = campaign_performance(demo_ctx, campaign="CMP-2512-XMAS")
    row = result.campaigns[0]
    zh = describe(result, "zh").text()
    assert f"ROAS {row.funnel.roas:.2f}" in zh
    assert f"转化 {row.funnel.conversions} 单" in zh
    assert "邮件" in zh and "校正后 p" in zh


def test_intervals_match_the_references() -> None:
    for successes, trials in [(0, 50), (3, 40), (127, 2216), (666, 59004)]:
        low, high = wilson(successes, trials) or (0.0, 0.0)
        ref = proportion_confint(successes, trials, alpha=0.05, method="wilson")
        assert (low, high) == pytest.approx(ref, abs=1e-9)
    assert wilson(0, 0) is None
    # Exact Poisson (Garwood) bounds from published tables.
    assert poisson_interval(0) == pytest.approx((0.0, 3.689), abs=1e-3)
    assert poisson_interval(10) == pytest.approx((4.795, 18.390), abs=1e-3)
    assert two_rates_p(50, 1000, 50, 1000) == pytest.approx(1.0)
    for a, n_a, b, n_b in [(80, 1000, 40, 1000), (56, 551, 523, 9577), (3, 40, 127, 2216)]:
        _, ref_p = proportions_ztest([a, b], [n_a, n_b])
        assert two_rates_p(a, n_a, b, n_b) == pytest.approx(ref_p, rel=1e-9)
    assert two_rates_p(0, 100, 0, 100) is None
