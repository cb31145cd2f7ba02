"""The demo shop's past campaigns, with results drawn from planted channel response rates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ChannelRates:
    """Planted response rates of a channel (opens per send, clicks per send, orders per click)."""

    open_rate: float | None
    click_rate: float
    conversion_rate: float
    cost_per_send: float


CHANNEL_RATES: dict[str, ChannelRates] = {
    "email": ChannelRates(0.24, 0.05, 0.14, 0.004),
    "sms": ChannelRates(None, 0.08, 0.10, 0.03),
    "push": ChannelRates(0.12, 0.06, 0.12, 0.001),
    "social": ChannelRates(None, 0.012, 0.05, 0.008),
}

PLANTED_CLICK_LIFT: dict[str, float] = {"CMP-2608-WELCOME": 2.5}
"""A campaign whose click rate is planted above its channel's (the welcome series, drawn last
so that no other campaign's draws change)."""

# (id, name, channel, start offset in days from the data start, length in days, audience, offer,
#  audience size as a share of customers, average order value multiplier)
_PLAN: tuple[tuple[str, str, str, int, int, str, str, float, float], ...] = (
    (
        "CMP-2505-SPRINGTEA",
        "Spring tea tasting",
        "email",
        10,
        14,
        "regular",
        "15% off Coffee & Tea",
        0.5,
        0.9,
    ),
    (
        "CMP-2506-618",
        "618 mid-year sale",
        "social",
        40,
        10,
        "all customers",
        "20% off sitewide",
        1.0,
        1.1,
    ),
    (
        "CMP-2507-WINBACK",
        "Summer win-back",
        "sms",
        70,
        14,
        "lapsed",
        "10 off orders over 50",
        0.3,
        1.0,
    ),
    (
        "CMP-2509-SCHOOL",
        "Back to school stationery",
        "email",
        120,
        21,
        "newcomer and deal_seeker",
        "buy 2 get 1 free on Stationery",
        0.35,
        0.7,
    ),
    (
        "CMP-2510-MIDAUTUMN",
        "Mid-Autumn gift boxes",
        "push",
        140,
        10,
        "vip",
        "free gift wrap and 10% off Snacks",
        0.1,
        1.3,
    ),
    (
        "CMP-2511-DOUBLE11",
        "Double 11 Singles' Day",
        "social",
        185,
        7,
        "all customers",
        "25% off sitewide",
        1.0,
        1.2,
    ),
    (
        "CMP-2512-XMAS",
        "Christmas gift guide",
        "email",
        215,
        20,
        "all customers",
        "free shipping over 30",
        0.9,
        1.4,
    ),
    (
        "CMP-2601-NEWYEAR",
        "Lunar New Year",
        "push",
        270,
        14,
        "regular and vip",
        "red-packet coupon 8 off 60",
        0.4,
        1.2,
    ),
    (
        "CMP-2603-VIP",
        "VIP early access",
        "email",
        310,
        7,
        "vip",
        "early access to new Home Decor",
        0.08,
        1.6,
    ),
    ("CMP-2605-WINBACK", "We miss you", "email", 370, 14, "lapsed", "15% off next order", 0.3, 0.9),
    (
        "CMP-2606-618",
        "618 mid-year sale",
        "social",
        405,
        10,
        "all customers",
        "20% off sitewide",
        1.0,
        1.1,
    ),
    (
        "CMP-2608-WELCOME",
        "New customer welcome series",
        "email",
        460,
        28,
        "newcomer",
        "10% off first repeat order",
        0.12,
        0.8,
    ),
)


def make_campaigns(
    rng: np.random.Generator, start: pd.Timestamp, n_customers: int, avg_order_value: float
) -> pd.DataFrame:
    """Past campaigns with sends, opens, clicks, conversions, revenue and spend."""
    rows = []
    for cid, name, channel, offset, days, audience, offer, share, aov in _PLAN:
        rates = CHANNEL_RATES[channel]
        sends = int(max(50, round(n_customers * share * rng.uniform(0.85, 1.0))))
        if channel == "social":
            sends *= 12  # impressions rather than messages
        opens = None if rates.open_rate is None else int(rng.binomial(sends, rates.open_rate))
        clicks = int(rng.binomial(sends, rates.click_rate * PLANTED_CLICK_LIFT.get(cid, 1.0)))
        conversions = int(rng.binomial(clicks, rates.conversion_rate * rng.uniform(0.8, 1.2)))
        revenue = round(conversions * avg_order_value * aov * rng.uniform(0.85, 1.15), 2)
        spend = round(sends * rates.cost_per_send + rng.uniform(50, 400), 2)
        first = start + pd.Timedelta(days=offset)
        rows.append(
            {
                "campaign_id": cid,
                "name": name,
                "channel": channel,
                "start_date": first,
                "end_date": first + pd.Timedelta(days=days - 1),
                "audience": audience,
                "offer": offer,
                "spend": spend,
                "sends": sends,
                "opens": opens,
                "clicks": clicks,
                "conversions": conversions,
                "revenue": revenue,
                "notes": f"{channel} campaign for {audience}: {offer}",
            }
        )
    frame = pd.DataFrame(rows)
    frame["opens"] = frame["opens"].astype("Int64")
    return frame


ZH_TERMS: dict[str, str] = {
    "Spring tea tasting": "春季品茶季",
    "618 mid-year sale": "618 年中大促",
    "Summer win-back": "夏季老客召回",
    "Back to school stationery": "开学季文具",
    "Mid-Autumn gift boxes": "中秋礼盒",
    "Double 11 Singles' Day": "双十一购物节",
    "Christmas gift guide": "圣诞礼物指南",
    "Lunar New Year": "春节",
    "VIP early access": "VIP 抢先购",
    "We miss you": "想念你",
    "New customer welcome series": "新客欢迎系列",
    "email": "邮件",
    "sms": "短信",
    "push": "App 推送",
    "social": "社交媒体",
    "all customers": "全部顾客",
    "lapsed": "流失顾客",
    "regular": "常规顾客",
    "vip": "VIP 顾客",
    "newcomer": "新顾客",
    "newcomer and deal_seeker": "新顾客和价格敏感顾客",
    "regular and vip": "常规顾客和 VIP 顾客",
    "15% off Coffee & Tea": "咖啡与茶 85 折",
    "20% off sitewide": "全场 8 折",
    "10 off orders over 50": "满 50 减 10",
    "buy 2 get 1 free on Stationery": "文具买二送一",
    "free gift wrap and 10% off Snacks": "免费礼品包装，零食 9 折",
    "25% off sitewide": "全场 75 折",
    "free shipping over 30": "满 30 包邮",
    "red-packet coupon 8 off 60": "红包券满 60 减 8",
    "early access to new Home Decor": "家居装饰新品抢先购",
    "15% off next order": "下单 85 折",
    "10% off first repeat order": "首次复购 9 折",
}
"""Chinese wording of campaign names, channels, audiences and offers for Chinese documents."""
