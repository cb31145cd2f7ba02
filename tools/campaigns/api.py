"""``campaign_performance``: each past campaign's funnel, money and standing in its channel,
and the channels ranked with 95% intervals."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated

import pandas as pd
from pydantic import Field

from copilot.core.errors import ToolError
from tools._match import close_matches
from tools._shop import no_orders
from tools._tool import ToolContext, tool
from tools.campaigns.rates import poisson_interval, two_rates_p, wilson
from tools.campaigns.results import (
    CampaignReport,
    CampaignRow,
    ChannelRow,
    Funnel,
    RankBy,
    Standing,
)
from tools.periods import resolve_period

ALL = {"", "all", "any", "all time", "ever", "全部", "所有", "历史"}
SIGNIFICANT = 0.05


def _margin_rate(ctx: ToolContext) -> float | None:
    """Gross margin of the shop's merchandise sales where product costs are known."""
    from tools.sales.lines import sales_lines
    from tools.sales.summary import costed

    lines = sales_lines(ctx)
    found = costed(lines[lines["value"] > 0], ctx.catalog()["unit_cost"])
    if found is None:
        return None
    value, spent = found
    return round((value - spent) / value, 4)


def funnel(rows: pd.DataFrame, margin: float | None) -> Funnel:
    """Sums of ``rows`` (campaigns) and their rates."""
    sends, clicks = int(rows["sends"].sum()), int(rows["clicks"].sum())
    conversions = int(rows["conversions"].sum())
    revenue, cost = float(rows["revenue"].sum()), float(rows["spend"].sum())
    reported = rows["opens"].notna()
    opens = int(rows.loc[reported, "opens"].sum()) if reported.any() else None
    open_sends = int(rows.loc[reported, "sends"].sum())
    return Funnel(
        sends=sends,
        opens=opens,
        clicks=clicks,
        conversions=conversions,
        revenue=round(revenue, 2),
        cost=round(cost, 2),
        open_rate=round(opens / open_sends, 4) if opens is not None and open_sends else None,
        click_rate=round(clicks / sends, 4) if sends else None,
        conversion_rate=round(conversions / clicks, 4) if clicks else None,
        conversions_per_send=round(conversions / sends, 5) if sends else None,
        roas=round(revenue / cost, 2) if cost > 0 else None,
        profit=None if margin is None else round(revenue * margin - cost, 2),
    )


def _click_lift(one: pd.Series, others: pd.DataFrame) -> tuple[float | None, float | None]:
    """Click rate over the channel's other campaigns' pooled rate, and the raw p-value."""
    base_clicks, base_sends = int(others["clicks"].sum()), int(others["sends"].sum())
    clicks, sends = int(one["clicks"]), int(one["sends"])
    if others.empty or not base_clicks or not sends:
        return None, None
    lift = round((clicks / sends) / (base_clicks / base_sends), 2)
    return lift, two_rates_p(clicks, sends, base_clicks, base_sends)


def standings(campaigns: pd.DataFrame) -> dict[str, tuple[float | None, float | None, Standing]]:
    """Every campaign's click lift over its channel's other campaigns, with Holm-adjusted
    p-values over all the shop's campaigns: twelve campaigns tested at 5% would flag one by
    chance, and whether a campaign stands out must not depend on which ones were asked for."""
    raw: dict[str, tuple[float | None, float | None]] = {}
    for _, one in campaigns.iterrows():
        same = campaigns[
            (campaigns["channel"] == one["channel"])
            & (campaigns["campaign_id"] != one["campaign_id"])
        ]
        raw[str(one["campaign_id"])] = (None, None) if same.empty else _click_lift(one, same)
    tested = sorted((p, cid) for cid, (_, p) in raw.items() if p is not None)
    adjusted: dict[str, float] = {}
    running = 0.0
    for i, (p, cid) in enumerate(tested):
        running = max(running, min(1.0, p * (len(tested) - i)))
        adjusted[cid] = running
    out: dict[str, tuple[float | None, float | None, Standing]] = {}
    for cid, (lift, _) in raw.items():
        p_adj = adjusted.get(cid)
        if lift is None:
            only = campaigns.loc[campaigns["campaign_id"] == cid, "channel"].iloc[0]
            alone = (campaigns["channel"] == only).sum() == 1
            out[cid] = (None, None, "only_one" if alone else "in_line")
        elif p_adj is None or p_adj >= SIGNIFICANT:
            out[cid] = (lift, None if p_adj is None else round(p_adj, 4), "in_line")
        else:
            out[cid] = (lift, round(p_adj, 4), "above" if lift > 1 else "below")
    return out


def _channel(name: str, rows: pd.DataFrame, margin: float | None) -> ChannelRow:
    f = funnel(rows, margin)
    roas = None
    if f.conversions and f.cost > 0:
        per_conversion = f.revenue / f.conversions
        low, high = poisson_interval(f.conversions)
        roas = (round(low * per_conversion / f.cost, 2), round(high * per_conversion / f.cost, 2))
    return ChannelRow(
        channel=name,
        campaigns=len(rows),
        funnel=f,
        click_rate_interval=wilson(f.clicks, f.sends),
        conversions_per_send_interval=wilson(f.conversions, f.sends),
        roas_interval=roas,
    )


def _interval(row: ChannelRow, rank_by: RankBy) -> tuple[float, float] | None:
    return {
        "roas": row.roas_interval,
        "conversions_per_send": row.conversions_per_send_interval,
        "click_rate": row.click_rate_interval,
        "profit": None,
    }[rank_by]


def _rank(rows: list[ChannelRow], rank_by: RankBy) -> tuple[list[ChannelRow], bool | None]:
    def value(row: ChannelRow) -> float:
        v = getattr(row.funnel, rank_by)
        return float("-inf") if v is None else float(v)

    ranked = sorted(rows, key=value, reverse=True)
    if len(ranked) < 2:
        return ranked, None
    first, second = _interval(ranked[0], rank_by), _interval(ranked[1], rank_by)
    if first is None or second is None:
        return ranked, None
    return ranked, first[0] > second[1]


_FILLER = {"campaign", "campaigns", "the", "our", "last", "this", "year", "years", "s", "of", "and"}


def _haystack(campaigns: pd.DataFrame) -> pd.Series:
    """Each campaign's words: name, channel, audience and offer, lower case."""
    cols = ["campaign_id", "name", "channel", "audience", "offer"]
    return campaigns[cols].astype(str).agg(" ".join, axis=1).str.lower()


def _by_festival(campaigns: pd.DataFrame, said: str, data_end: date) -> pd.DataFrame:
    """Campaigns running in the festival ``said`` names ("双十一", "Christmas"), in its latest
    occurrence that had one."""
    try:
        span = resolve_period(said, data_end)
    except ToolError:
        return campaigns.iloc[0:0]
    if span.festival is None:
        return campaigns.iloc[0:0]
    for _ in range(3):  # this year's may not have come yet
        first, last = pd.Timestamp(span.start), pd.Timestamp(span.end)
        hit = campaigns[(campaigns["start_date"] <= last) & (campaigns["end_date"] >= first)]
        if not hit.empty:
            return hit
        span = resolve_period(said, span.start - timedelta(days=1))  # the occurrence before
    return hit


def _named(campaigns: pd.DataFrame, said: str, data_end: date) -> pd.DataFrame:
    """The campaign ``said`` names: its id or name, words of its name, channel and offer
    ("christmas email"), or a festival it ran in ("双十一活动")."""
    key = " ".join(said.lower().split())
    ids = campaigns["campaign_id"].str.lower()
    names = campaigns["name"].str.lower().str.split().str.join(" ")
    for hit in (ids == key, names == key, names.str.contains(key, regex=False)):
        if hit.any():
            return campaigns[hit]
    words = [w for w in re.findall(r"[a-z0-9]+", key) if w not in _FILLER]
    if words:
        hay = _haystack(campaigns)
        every = pd.Series(True, index=campaigns.index)
        for w in words:
            every &= hay.str.contains(rf"\b{re.escape(w)}", regex=True)
        if every.any():
            return campaigns[every]
    festival = _by_festival(campaigns, said, data_end)
    if not festival.empty:
        return festival
    suggestions = close_matches(said, [*campaigns["campaign_id"], *campaigns["name"]])
    shown = ", ".join(suggestions or campaigns["name"].head(3))
    raise ToolError(
        f"no campaign is called {said!r}.",
        f"Ask for every campaign (leave campaign empty) or use one of: {shown}",
        key="refusal.unknown_campaign",
        values={"campaign": said, "suggestions": shown},
    )


def _data_end(ctx: ToolContext, campaigns: pd.DataFrame) -> date:
    """The shop's last order day (campaigns without orders: the last campaign's end)."""
    from tools.sales.lines import data_end

    try:
        return data_end(ctx)
    except ToolError:
        return pd.Timestamp(campaigns["end_date"].max()).date()


def _in_period(
    ctx: ToolContext, campaigns: pd.DataFrame, period: str
) -> tuple[pd.DataFrame, tuple[date, date] | None]:
    if period.strip().lower() in ALL:
        return campaigns, None
    span = resolve_period(period, _data_end(ctx, campaigns))
    first, last = pd.Timestamp(span.start), pd.Timestamp(span.end)
    overlap = (campaigns["start_date"] <= last) & (campaigns["end_date"] >= first)
    return campaigns[overlap], (span.start, span.end)


def _cleaned(campaigns: pd.DataFrame) -> pd.DataFrame:
    """Missing counts and money as 0, missing words as "", a missing end as the start (a
    shop's own campaigns file may leave any of them blank); campaigns without a start are
    left out, as nothing can place them in time."""
    out = campaigns.copy()
    for column in ("sends", "clicks", "conversions", "revenue", "spend"):
        out[column] = pd.to_numeric(out[column], errors="coerce").fillna(0)
    for column in ("campaign_id", "name", "channel", "audience", "offer"):
        out[column] = out[column].fillna("").astype(str)
    out["end_date"] = out["end_date"].fillna(out["start_date"])
    return out[out["start_date"].notna()]


@tool
def campaign_performance(
    ctx: ToolContext,
    campaign: Annotated[str, Field(max_length=80)] = "",
    channel: Annotated[str, Field(max_length=20)] = "any",
    period: Annotated[str, Field(min_length=1, max_length=60)] = "all",
    rank_by: RankBy = "roas",
) -> CampaignReport:
    """How past campaigns performed: sends, open and click rates, conversions, attributed
    revenue, cost, ROAS and profit per campaign, each against its channel's other campaigns,
    and the channels ranked with 95% intervals. Use for "how did the Christmas campaign do",
    "which channel works best", "email campaigns this year", "双十一活动效果怎么样".

    Args:
        campaign: a campaign's name or id ("Christmas gift guide", "CMP-2512-XMAS"); empty for
            every campaign.
        channel: "email", "sms", "push", "social", or "any".
        period: campaigns running in this period, in the user's words ("this year", "2026",
            "last 6 months", "去年"); "all" for every campaign.
        rank_by: what "works best" means when ranking channels: "roas" (revenue per cost),
            "conversions_per_send", "click_rate" or "profit".
    """
    campaigns = ctx.shop.campaigns()
    if campaigns.empty and ctx.shop.is_empty():
        raise no_orders()  # a fresh install: nothing loaded at all
    if campaigns.empty:
        raise ToolError(
            "the shop has no campaign records yet; load a campaigns file first "
            "(`copilot ingest campaigns.csv`).",
            key="refusal.no_campaigns",
        )
    campaigns = _cleaned(campaigns)
    margin = ctx.cached("margin_rate", lambda: _margin_rate(ctx))
    chosen, span = _in_period(ctx, campaigns, period)
    known = sorted(campaigns["channel"].astype(str).unique())
    wanted = channel.strip().lower()
    if wanted not in ("", "any", "all"):
        if wanted not in known:
            raise ToolError(
                f"no campaign ran on the channel {channel!r}.",
                f"Use one of: {', '.join(known)}, or 'any'.",
                key="refusal.unknown_channel",
                values={"channel": channel, "channels": ", ".join(known)},
            )
        chosen = chosen[chosen["channel"] == wanted]
    ranked_pool, unmatched = chosen, None
    if campaign.strip():
        # A name picks its campaign whatever the period. A name that matches none gets the
        # overview with that said: a small model writes "best return on ad spend" as the
        # campaign of "which channel has the best return on ad spend?".
        try:
            chosen = _named(campaigns, campaign, _data_end(ctx, campaigns))
        except ToolError as exc:
            unmatched = (campaign.strip(), str(exc.values.get("suggestions", "")))
    standing_of = standings(campaigns)
    rows = []
    for _, one in chosen.sort_values("start_date").iterrows():
        lift, p, standing = standing_of[str(one["campaign_id"])]
        rows.append(
            CampaignRow(
                campaign_id=str(one["campaign_id"]),
                name=str(one["name"]),
                channel=str(one["channel"]),
                start=pd.Timestamp(one["start_date"]).date(),
                end=pd.Timestamp(one["end_date"]).date(),
                audience=str(one["audience"]),
                offer=str(one["offer"]),
                funnel=funnel(one.to_frame().T, margin),
                click_lift=lift,
                click_lift_p=p,
                standing=standing,
            )
        )
    channels = [_channel(str(k), g, margin) for k, g in ranked_pool.groupby("channel")]
    ranked, separated = _rank(channels, rank_by)
    return CampaignReport(
        period=period,
        span=span,
        channel=None if wanted in ("", "any", "all") else wanted,
        asked=None if unmatched else campaign.strip() or None,
        unmatched=unmatched[0] if unmatched else None,
        closest=unmatched[1] if unmatched else "",
        campaigns=rows,
        revenue=round(sum(r.funnel.revenue for r in rows), 2),
        cost=round(sum(r.funnel.cost for r in rows), 2),
        channels=ranked,
        rank_by=rank_by,
        best_separated=separated,
        margin_rate=margin,
    )
