"""Findings of ``campaign_performance``: a campaign's funnel and money against its channel, or
the channels ranked with whether the best is clearly ahead."""

from __future__ import annotations

from tools.campaigns.results import CampaignReport, CampaignRow, ChannelRow, Funnel
from tools.findings.say import Say, catalogue
from tools.findings.types import Findings, NextStep


def _channel(name: str, say: Say) -> str:
    key = f"campaigns.channel.{name}"
    return say(key) if key in catalogue() else name


def _per_thousand(f: Funnel, say: Say) -> str:
    return say.num(1000 * (f.conversions_per_send or 0.0), 1)


def _money_line(f: Funnel, say: Say) -> str:
    roas = "n/a" if f.roas is None else say.num(f.roas, 2)
    profit = say("campaigns.no_profit") if f.profit is None else say.money(f.profit)
    return say(
        "campaigns.money",
        revenue=say.money(f.revenue),
        cost=say.money(f.cost),
        roas=roas,
        profit=profit,
    )


def _campaign(row: CampaignRow, say: Say) -> list[str]:
    f = row.funnel
    opens = "" if f.open_rate is None else say("campaigns.opens", rate=say.pct(f.open_rate, 1))
    lines = [
        say(
            "campaigns.one",
            name=row.name,
            id=row.campaign_id,
            channel=_channel(row.channel, say),
            start=row.start.isoformat(),
            end=row.end.isoformat(),
            audience=row.audience,
            offer=row.offer,
            sends=say.count(f.sends),
            opens=opens,
            click_rate=say.pct(f.click_rate or 0.0, 1),
            conversions=say.count(f.conversions),
            conversion_rate=say.pct(f.conversion_rate or 0.0, 1),
        ),
        _money_line(f, say),
    ]
    if row.standing == "only_one":
        lines.append(say("campaigns.only_one", channel=_channel(row.channel, say)))
    elif row.click_lift is not None:
        p = "n/a" if row.click_lift_p is None else _p(row.click_lift_p, say)
        lines.append(
            say(
                f"campaigns.standing_{row.standing}",
                lift=say.num(row.click_lift, 2),
                p=p,
                channel=_channel(row.channel, say),
            )
        )
    return lines


def _period(result: CampaignReport, say: Say) -> str:
    if result.span is None:
        return say("campaigns.all_time")
    start, end = result.span
    return say("campaigns.period", said=result.period, span=f"{start} – {end}")


def _p(p: float, say: Say) -> str:
    return "< 0.001" if p < 0.001 else say.num(p, 3)


def _metric(row: ChannelRow, rank_by: str, say: Say) -> tuple[str, str]:
    """The ranked value and its interval, worded."""
    f = row.funnel
    if rank_by == "roas":
        value, interval = f.roas, row.roas_interval
        shown = "n/a" if value is None else say.num(value, 2)
        bounds = None if interval is None else (say.num(interval[0], 2), say.num(interval[1], 2))
    elif rank_by == "profit":
        return ("n/a" if f.profit is None else say.money(f.profit)), ""
    elif rank_by == "click_rate":
        interval = row.click_rate_interval
        shown = say.pct(f.click_rate or 0.0, 2)
        bounds = None if interval is None else (say.pct(interval[0], 2), say.pct(interval[1], 2))
    else:
        interval = row.conversions_per_send_interval
        shown = say("campaigns.per_thousand", n=_per_thousand(f, say))
        bounds = (
            None
            if interval is None
            else (say.num(1000 * interval[0], 1), say.num(1000 * interval[1], 1))
        )
    return shown, "" if bounds is None else say("campaigns.ci", interval=say.interval(*bounds))


def _channel_item(row: ChannelRow, rank_by: str, say: Say) -> str:
    shown, ci = _metric(row, rank_by, say)
    f = row.funnel
    return say(
        "campaigns.channel_row",
        channel=_channel(row.channel, say),
        value=shown,
        ci=ci,
        campaigns=row.campaigns,
        sends=say.count(f.sends),
        click_rate=say.pct(f.click_rate or 0.0, 1),
        conversions=say.count(f.conversions),
        revenue=say.money(f.revenue),
        cost=say.money(f.cost),
    )


def _campaign_item(row: CampaignRow, say: Say) -> str:
    f = row.funnel
    return say(
        "campaigns.campaign_row",
        name=row.name,
        start=row.start.isoformat(),
        channel=_channel(row.channel, say),
        click_rate=say.pct(f.click_rate or 0.0, 1),
        conversions=say.count(f.conversions),
        revenue=say.money(f.revenue),
        cost=say.money(f.cost),
        roas="n/a" if f.roas is None else say.num(f.roas, 2),
    )


def _ranking(result: CampaignReport, say: Say) -> list[str]:
    if len(result.channels) < 2:  # one channel: nothing to rank
        return []
    best = result.channels[0]
    metric = say(f"campaigns.rank.{result.rank_by}")
    shown, ci = _metric(best, result.rank_by, say)
    channel = _channel(best.channel, say)
    lines = [say("campaigns.best", metric=metric, channel=channel, value=shown, ci=ci)]
    second = _channel(result.channels[1].channel, say)
    if result.best_separated is True:
        lines.append(say("campaigns.separated", second=second))
    elif result.best_separated is False:
        lines.append(say("campaigns.overlap", second=second))
    if any(c.campaigns < 2 for c in result.channels):
        lines.append(say("campaigns.few"))
    return lines


def campaign_performance(result: CampaignReport, say: Say) -> Findings:
    """One campaign: its funnel, money and standing. Several: the channels ranked, each
    campaign as an item, the campaigns that stand out named."""
    if not result.campaigns:
        return Findings((say("campaigns.none", period=_period(result, say)),))
    if result.asked is not None or len(result.campaigns) == 1:
        sentences = [s for row in result.campaigns for s in _campaign(row, say)]
        if result.margin_rate is not None:
            sentences.append(say("campaigns.margin", margin=say.pct(result.margin_rate, 1)))
        steps = (
            NextStep(
                say("campaigns.next_channels"),
                "campaign_performance",
                {"rank_by": "roas"},
            ),
        )
        return Findings(tuple(sentences), (), steps)
    sentences = (
        []
        if result.unmatched is None
        else [say("campaigns.unmatched", said=result.unmatched, closest=result.closest)]
    )
    sentences += [
        say(
            "campaigns.head",
            n=len(result.campaigns),
            period=_period(result, say),
            revenue=say.money(result.revenue),
            cost=say.money(result.cost),
        ),
        *_ranking(result, say),
    ]
    standouts = [r for r in result.campaigns if r.standing in ("above", "below")]
    for row in standouts:
        sentences.append(
            say(
                f"campaigns.standout_{row.standing}",
                name=row.name,
                lift=say.num(row.click_lift or 0.0, 2),
                channel=_channel(row.channel, say),
                p=_p(row.click_lift_p or 0.0, say),
            )
        )
    if not standouts:
        sentences.append(say("campaigns.no_standout"))
    if result.margin_rate is not None:
        sentences.append(say("campaigns.margin", margin=say.pct(result.margin_rate, 1)))
    if len(result.channels) > 1:
        items = tuple(_channel_item(c, result.rank_by, say) for c in result.channels)
    else:
        items = tuple(_campaign_item(r, say) for r in result.campaigns)
    return Findings(tuple(sentences), items)
