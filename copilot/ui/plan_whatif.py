"""What-if on a plan: the form's budget, audience, channel, offer or weeks changed, the plan is
recomputed by the tools (no model), and the page says how the expected result moved."""

from __future__ import annotations

from typing import Any

from copilot.ui.i18n import Language, text
from tools.findings import Say

FIGURES: tuple[tuple[str, str, str, str], ...] = (
    ("fig_profit", "expected", "profit", "money"),
    ("fig_revenue", "expected", "revenue", "money"),
    ("fig_offer_cost", "budget", "offer_cost", "money"),
    ("fig_unallocated", "budget", "unallocated", "money"),
    ("fig_treated", "ab_test", "treated", "count"),
    ("fig_lift", "ab_test", "detectable_lift_pct", "points"),
)
"""The figures a what-if reports, as (label key, section, field of the plan's JSON, how the
number is written)."""


def _shown(say: Say, kind: str, value: float) -> str:
    if kind == "money":
        return say.money(value)
    return say.count(value) if kind == "count" else say.num(value, 1)


def inputs_of(plan: dict[str, Any]) -> dict[str, Any]:
    """The ``plan_campaign`` arguments that reproduce ``plan`` (saved with it), with the
    customer list's ``filters`` its audience was narrowed by and the manager's ``depth_pct``
    (both passed to ``Tool.run``)."""
    return {
        "goal": plan["goal"],
        "budget": plan["budget"]["total"],
        "audience": plan["audience"]["segment"],
        "channel": plan["channel"]["name"],
        "start": plan["timing"]["start"],
        "weeks": plan["timing"]["weeks"],
        "holdout_share": plan["ab_test"]["holdout_share"],
        "filters": plan["audience"].get("filters") or None,
        "depth_pct": _chosen_depth(plan),
    }


def _chosen_depth(plan: dict[str, Any]) -> float | None:
    """The depth the manager chose (0: no price offer); None when the analysis chose."""
    offer = plan["offer"]
    if offer.get("chosen_by") != "manager":
        return None
    return float(offer["depth_pct"] or 0.0)


def whatif_line(before: dict[str, Any], after: dict[str, Any], lang: Language) -> str:
    """The figures that moved between two versions of a plan, in the page's language."""
    say = Say(lang)
    changes = []
    for key, section, name, kind in FIGURES:
        a, b = float(before[section][name]), float(after[section][name])
        if round(a, 2) != round(b, 2):
            changes.append(text(key, lang, a=_shown(say, kind, a), b=_shown(say, kind, b)))
    if not changes:
        return text("whatif_same", lang)
    return text("whatif", lang, changes=("；" if lang == "zh" else "; ").join(changes))
