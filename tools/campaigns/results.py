"""What ``campaign_performance`` returns: each campaign's funnel and money, its channel's, and
the channels ranked with intervals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

RankBy = Literal["roas", "conversions_per_send", "click_rate", "profit"]
Standing = Literal["above", "below", "in_line", "only_one"]


@dataclass(frozen=True, kw_only=True)
class Funnel:
    """Counts and money of one campaign or of a channel's campaigns together.

    Rates are per send (a social campaign's sends are impressions); the conversion rate is
    orders per click, as the shop's campaign table counts them.
    """

    sends: int
    opens: int | None
    """None where the channel does not report opens (SMS, social)."""
    clicks: int
    conversions: int
    revenue: float
    """Revenue the campaign table attributes to the campaign."""
    cost: float
    open_rate: float | None
    click_rate: float | None
    conversion_rate: float | None
    """Conversions per click."""
    conversions_per_send: float | None
    roas: float | None
    """Attributed revenue per unit of cost (None without cost)."""
    profit: float | None
    """Attributed revenue x the shop's gross margin - cost; None when product costs are
    unknown."""


@dataclass(frozen=True, kw_only=True)
class CampaignRow:
    """One past campaign and how it compares with the other campaigns of its channel."""

    campaign_id: str
    name: str
    channel: str
    start: date
    end: date
    audience: str
    offer: str
    funnel: Funnel
    click_lift: float | None
    """Click rate / the channel's other campaigns' pooled click rate (None: only campaign)."""
    click_lift_p: float | None
    """Two-sided p-value that the click rate differs from the others', Holm-adjusted over
    all the shop's campaigns."""
    standing: Standing
    """Above, below or in line with the channel's other campaigns (adjusted p < 0.05)."""


@dataclass(frozen=True, kw_only=True)
class ChannelRow:
    """A channel's campaigns together, with 95% intervals where counts allow."""

    channel: str
    campaigns: int
    funnel: Funnel
    click_rate_interval: tuple[float, float] | None
    conversions_per_send_interval: tuple[float, float] | None
    roas_interval: tuple[float, float] | None
    """From the exact Poisson interval of the conversions, at the channel's revenue per
    conversion (None without conversions or cost)."""


@dataclass(frozen=True, kw_only=True)
class CampaignReport:
    """Past campaigns of a period, channel or name, and the channels ranked."""

    period: str
    span: tuple[date, date] | None
    """First and last day of the period asked for (None: every campaign)."""
    channel: str | None
    asked: str | None
    """The campaign the user named, when one was."""
    unmatched: str | None = None
    """A campaign name that matched none (every campaign is listed instead)."""
    closest: str = ""
    """The names closest to ``unmatched``."""
    campaigns: list[CampaignRow] = field(default_factory=list)
    revenue: float = 0.0
    """Attributed revenue of the campaigns listed."""
    cost: float = 0.0
    """Cost of the campaigns listed."""
    channels: list[ChannelRow] = field(default_factory=list)
    rank_by: RankBy = "roas"
    best_separated: bool | None = None
    """Whether the top channel's interval on ``rank_by`` clears the second's (None: fewer than
    two channels, or no interval for the metric)."""
    margin_rate: float | None = None
    """The shop's gross margin on sales, used for profit (None: product costs unknown)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per campaign: its funnel and money beside its channel standing."""
        rows = []
        for r in self.campaigns:
            head = {k: v for k, v in asdict(r).items() if k != "funnel"}
            rows.append({**head, **asdict(r.funnel)})
        return pd.DataFrame(rows)
