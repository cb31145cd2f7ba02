"""The model's summary around a campaign plan; the plan's numbers stay the tools' numbers.

The narrative passes the same grounding check as chat answers: numbers not in the plan get
one rewrite, then the narrative is left out (the plan stands on its own). The plan goes to
the model as quoted data (its goal, names and titles are the user's and the shop's words),
through the same ``outgoing`` as chat messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from copilot.agent.grounding import evidence_numbers, rewrite_once, unsupported_numbers
from copilot.agent.prompts import render
from copilot.agent.types import Grounding
from copilot.llm.model import Model
from copilot.llm.types import Message
from copilot.llm.untrusted import DATA_NOTE, data_block, outgoing
from tools import to_llm_brief, to_llm_json
from tools.plan_types import CampaignPlan


@dataclass(frozen=True)
class Narrative:
    """The summary (None when it failed the check twice) and the check's verdict."""

    text: str | None
    grounding: Grounding


def write_narrative(
    model: Model, plan: CampaignPlan, language: str, allow_pii: bool = False
) -> Narrative:
    """A short manager-facing summary of ``plan`` in ``language``, grounding-checked;
    ``allow_pii`` (the ``allow_pii_remote`` setting) lets contact details reach a remote
    model."""
    evidence = evidence_numbers([to_llm_json(plan)])
    brief = data_block(to_llm_brief(plan, language))
    messages = [
        Message("system", render("plan_system", language)),
        Message("user", f"Plan, {DATA_NOTE}:\n{brief}\n\n{render('plan_narrative', language)}"),
    ]

    def answer(sent: list[Message]) -> Iterator[str]:
        return model.answer(outgoing(sent, remote=model.remote, allow_pii=allow_pii))

    text = "".join(answer(messages)).strip()
    if not text:  # a backend with nothing to add (the offline scripted one)
        return Narrative(None, Grounding(True, [], 1, False))
    bad = unsupported_numbers(text, evidence)
    if not bad:
        return Narrative(text, Grounding(True, [], 1, False))
    second, still = rewrite_once(answer, messages, text, bad, evidence, language)
    if not still:
        return Narrative(second, Grounding(True, [], 2, False))
    return Narrative(None, Grounding(False, still, 2, True))
