"""The demo shop's customers, drawn from latent segments with planted behaviour."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from copilot.demo.catalog import CATEGORIES


@dataclass(frozen=True)
class Segment:
    """A latent customer segment (the planted truth that profiling should recover)."""

    key: str
    share: float
    rate: float
    """Relative purchase activity per week."""
    basket: float
    """Tendency to combine a week's items into one order (expected lines per order)."""
    promo_affinity: float
    """How much more likely the segment is to be the buyer of an item on promotion."""
    taste: tuple[str, ...]
    """Category codes the segment favours."""
    lifecycle: str
    """steady, new (joined in the last 16 weeks) or lapsed (stopped buying early on)."""


SEGMENTS: tuple[Segment, ...] = (
    Segment("vip", 0.08, 6.0, 4.0, 0.7, ("EL", "HD", "AP", "BG"), "steady"),
    Segment("deal_seeker", 0.22, 1.6, 1.5, 5.0, ("SN", "PC", "ST"), "steady"),
    Segment("regular", 0.30, 1.0, 2.0, 1.0, ("CT", "KT", "SN"), "steady"),
    Segment("newcomer", 0.12, 2.5, 2.5, 1.5, ("TY", "ST", "AP"), "new"),
    Segment("lapsed", 0.28, 1.2, 2.0, 1.2, ("HD", "KT", "CT"), "lapsed"),
)

_COUNTRIES = ("China", "United States", "United Kingdom", "Singapore", "Germany", "Australia")
_COUNTRY_P = (0.55, 0.15, 0.1, 0.1, 0.05, 0.05)
_CHANNELS = ("organic", "search", "social", "referral", "email")


def make_customers(
    rng: np.random.Generator, n_customers: int, n_weeks: int, start: pd.Timestamp
) -> pd.DataFrame:
    """Customers with segment, taste vector, activity and the weeks they are active."""
    shares = np.array([s.share for s in SEGMENTS])
    seg = rng.choice(len(SEGMENTS), size=n_customers, p=shares / shares.sum())
    life = np.array([SEGMENTS[s].lifecycle for s in seg])
    first = np.zeros(n_customers, dtype=int)
    last = np.full(n_customers, n_weeks - 1)
    steady = life == "steady"
    # A quarter of steady customers join during the period; the rest were customers before it.
    joins = steady & (rng.random(n_customers) < 0.25)
    first[joins] = rng.integers(0, n_weeks - 20, joins.sum())
    new = life == "new"
    first[new] = rng.integers(n_weeks - 16, n_weeks - 2, new.sum())
    lapsed = life == "lapsed"
    last[lapsed] = rng.integers(8, 40, lapsed.sum())

    signup = start + pd.to_timedelta(first * 7, unit="D")
    before = first == 0
    signup = signup.where(~before, start - pd.to_timedelta(rng.integers(7, 720, n_customers), "D"))
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{10001 + i}" for i in range(n_customers)],
            "country": rng.choice(_COUNTRIES, size=n_customers, p=_COUNTRY_P),
            "signup_date": signup.normalize(),
            "channel": rng.choice(_CHANNELS, size=n_customers),
            "segment": [SEGMENTS[s].key for s in seg],
            "seg_index": seg,
            "first_week": first,
            "last_week": last,
            "activity": np.array([SEGMENTS[s].rate for s in seg])
            * rng.gamma(4.0, 0.25, n_customers),
        }
    )
    return frame


def taste_matrix(rng: np.random.Generator, seg_index: np.ndarray) -> np.ndarray:
    """Customer x category preference weights: the segment's favourites dominate."""
    codes = [c.code for c in CATEGORIES]
    base = np.full((len(SEGMENTS), len(codes)), 0.25)
    for i, s in enumerate(SEGMENTS):
        for code in s.taste:
            base[i, codes.index(code)] = 2.5
    noise = rng.gamma(3.0, 1 / 3.0, size=(len(seg_index), len(codes)))
    taste: np.ndarray = base[seg_index] * noise
    return taste
