"""``copilot eval draft-from-feedback``: thumbs-down answers from the web chat as draft cases.

Each draft asks the disliked question again (after the questions before it in its chat) and
keeps what can be said for sure: the tools the chat called, that the answer must be grounded,
that it must answer in the question's language. What the answer got wrong is the evaluator's
call: the note quotes the user's comment and the answer they disliked, and the case is tagged
``draft`` until someone adds the facts it must state (``states``, ``contains``) and the
misreadings it must not make (``not_contains``). The file is a valid suite, so
``copilot eval FILE`` runs it as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from copilot.chats import RatedTurn

ANSWER_CHARS = 400
"""How much of the disliked answer the note quotes."""

HEADER = """\
# Draft regression cases from thumbs-down answers in the web chat (copilot eval
# draft-from-feedback). Before moving a case into a suite, add what the answer must state
# (states/contains) and the misreading it must not make (not_contains), then drop the
# "draft" tag. Run as it is: copilot eval {path}
"""


def _case_id(turn: RatedTurn) -> str:
    return f"feedback-{turn.chat_id[:8]}-{turn.turn.n}"


def _note(turn: RatedTurn) -> str:
    t = turn.turn
    said = " ".join((t.answer or "(no answer: the turn was stopped or failed)").split())
    if len(said) > ANSWER_CHARS:
        said = said[: ANSWER_CHARS - 1] + "…"
    comment = (t.comment or "").strip() or "(no comment)"
    when = t.asked_at.date().isoformat()
    return f"Thumbs down in the web chat ({when}). Comment: {comment} Answer given: {said}"


def draft_case(turn: RatedTurn) -> dict[str, Any]:
    """One thumbs-down turn as a draft case (schema: evals/case.schema.json)."""
    t = turn.turn
    tools = list(dict.fromkeys(c["name"] for c in t.tools if c.get("ok", True)))
    language = "zh" if t.language == "zh" else "en"
    expect: dict[str, Any] = {"grounded": True, "language": language}
    if tools:
        expect["tools"] = tools
    tags = ["feedback", "draft", *(name for name in tools if re.fullmatch(r"[a-z_]+", name))]
    return {
        "id": _case_id(turn),
        "tags": tags,
        "language": language,
        "input": [*turn.earlier, t.question] if turn.earlier else t.question,
        "note": _note(turn),
        "expect": expect,
    }


def draft_suite(turns: list[RatedTurn], shop: str) -> dict[str, Any]:
    """The draft cases as one suite document."""
    return {
        "suite": "feedback-drafts",
        "description": "Questions users rated thumbs-down in the web chat (drafts).",
        "shop": shop,
        "cases": [draft_case(turn) for turn in turns],
    }


def write_drafts(turns: list[RatedTurn], shop: str, path: Path) -> None:
    """Write the drafts as YAML to ``path`` (replacing it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(draft_suite(turns, shop), allow_unicode=True, sort_keys=False, width=100)
    path.write_text(HEADER.format(path=path) + body, encoding="utf-8")
