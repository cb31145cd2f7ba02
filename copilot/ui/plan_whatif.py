"""What-if on a plan: the form's budget, audience, channel or weeks changed, the plan is
recomputed by the tools (no model), and the page says how the expected result moved."""

from __future__ import annotations

from typing import Any

from copilot.ui.i18n import Language, text
from tools.findings import Say

FIGURES: tuple[tuple[str, str, str], ...] = (
    ("fig_profit", "expected", "profit"),
    ("fig_revenue", "expected", "revenue"),
    ("fig_offer_cost", "budget", "offer_cost"),
    ("fig_unallocated", "budget", "unallocated"),
    ("fig_treated", "ab_test", "treated"),
    ("fig_lift", "ab_test", "detectable_lift_pct"),
)
"""The figures a what-if reports, as (label key, section, field) of the plan's JSON."""


def inputs_of(plan: dict[str, Any]) -> dict[str, Any]:
    """The ``plan_campaign`` arguments that reproduce ``plan`` (saved with it)."""
    return {
        "goal": plan["goal"],
        "budget": plan["budget"]["total"],
        "audience": plan["audience"]["segment"],
        "channel": plan["channel"]["name"],
        "start": plan["timing"]["start"],
        "weeks": plan["timing"]["weeks"],
        "holdout_share": plan["ab_test"]["holdout_share"],
    }


def whatif_line(before: dict[str, Any], after: dict[str, Any], lang: Language) -> str:
    """The figures that moved between two versions of a plan, in the page's language."""
    say = Say(lang)
    changes = []
    for key, section, name in FIGURES:
        a, b = float(before[section][name]), float(after[section][name])
        if round(a, 2) == round(b, 2):
            continue
        if section == "ab_test":
            shown = (
                (say.count(a), say.count(b))
                if name == "treated"
                else (
                    say.num(a, 1),
                    say.num(b, 1),
                )
            )
        else:
            shown = (say.money(a), say.money(b))
        changes.append(text(key, lang, a=shown[0], b=shown[1]))
    if not changes:
        return text("whatif_same", lang)
    return text("whatif", lang, changes=("；" if lang == "zh" else "; ").join(changes))
