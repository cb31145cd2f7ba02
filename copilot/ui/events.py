"""Agent events -> chat messages: one pure function, tested without a browser.

A turn is rendered from scratch from its event list on every update. That keeps the function
pure and the streaming code trivial; a turn has a few hundred events at most.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from copilot.agent.citations import without_sources_line
from copilot.agent.events import (
    Answered,
    ArgumentsChanged,
    Checked,
    Event,
    Step,
    Token,
    ToolCalled,
    ToolFailed,
    ToolResult,
)
from copilot.agent.types import AgentAnswer, Grounding
from copilot.agent.verdict import verdict_text
from copilot.ui.i18n import Language, language, text
from copilot.ui.views import result_summary

ChatMessage = dict[str, Any]
"""A Gradio 6 chat message: role, content and optional metadata (title, status, id)."""

PASSAGE_ROUTE = "/passage/"


@dataclass(frozen=True)
class TurnView:
    """What one question looks like in the UI so far."""

    messages: list[ChatMessage]
    language: Language
    result: Any = None
    """The last successful tool result (for the table and chart beside the chat)."""
    result_tool: str | None = None
    answer: AgentAnswer | None = None
    citations: list[str] = field(default_factory=list)
    """Passage ids the user can open: cited in the answer or returned by a search."""
    question: str = ""
    said: str | None = None
    """The answer's text when the turn was restored from storage (``answer`` is not kept)."""

    def answer_text(self) -> str | None:
        """What the model answered (its history on the next question); None: no answer."""
        return self.answer.text if self.answer is not None else self.said


def passage_url(citation: str) -> str:
    """Where the passage viewer serves ``citation``."""
    return PASSAGE_ROUTE + quote(citation, safe="")


def badge(grounding: Grounding, lang: Language) -> str:
    """What was checked, in words (never a tick for text with nothing checkable)."""
    return verdict_text(grounding, lang)


def _arguments(arguments: dict[str, Any], lang: Language) -> str:
    if not arguments:
        return text("no_arguments", lang)
    return "`" + json.dumps(arguments, ensure_ascii=False) + "`"


def _tool_message(name: str, arguments: dict[str, Any], n: int, lang: Language) -> ChatMessage:
    return {
        "role": "assistant",
        "content": f"**{text('arguments', lang)}:** {_arguments(arguments, lang)}",
        "metadata": {
            "title": f"⚙ {text('tool', lang)}: {name}",
            "status": "pending",
            "id": f"tool-{n}",
        },
    }


def _finish_tool(
    message: ChatMessage, event: ToolResult | ToolFailed, lang: Language
) -> ChatMessage:
    meta = dict(message["metadata"], status="done")
    if isinstance(event, ToolFailed):
        meta["title"] = f"⚠ {text('tool_failed', lang)}: {event.name}"
        detail = event.text[:400]
    else:
        detail = result_summary(event.result, lang)
    body = f"{message['content']}\n\n**{text('result', lang)}:**\n{detail}"
    return {**message, "content": body, "metadata": meta}


def _arguments_message(change: ArgumentsChanged, lang: Language) -> ChatMessage:
    """What the argument check changed: filters dropped, values filled, values missing."""

    def items(values: Any) -> str:
        if isinstance(values, dict):
            return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in values.items())
        return ", ".join(str(v) for v in values)

    changed = {"dropped": change.dropped, "filled": change.filled, "missing": change.missing}
    lines = [text(f"args_{key}", lang, items=items(v)) for key, v in changed.items() if v]
    if change.instead_of:
        lines.insert(0, text("args_instead", lang, tool=change.tool, was=change.instead_of))
    return {
        "role": "assistant",
        "content": "\n".join(f"- {line}" for line in lines),
        "metadata": {"title": f"⚖ {text('args_checked', lang)}", "status": "done"},
    }


def _search_ids(result: Any) -> list[str]:
    return [str(p.citation) for p in getattr(result, "passages", []) or []]


def linkify(answer: str, citations: Iterable[str]) -> str:
    """Known citation ids in ``answer`` as links to their passage, bracketed or bare."""
    for cid in sorted(set(citations), key=len, reverse=True):
        # Bare ids come from the deterministic fallback ("citation: x"); ids are bounded by
        # characters that cannot be part of an id so a short id never matches inside a long one.
        pattern = re.compile(
            r"\[?(?<![\w#:.\-\u3400-\u9fff/%])" + re.escape(cid) + r"(?![\w#:\-\u3400-\u9fff])\]?"
        )
        answer = pattern.sub(f"[[{cid}]]({passage_url(cid)})", answer)
    return answer


def _answer_text(answer: AgentAnswer, known: list[str], lang: Language) -> tuple[str, list[str]]:
    cited = [c for c in dict.fromkeys([*answer.citations, *known]) if c in answer.text]
    body = linkify(without_sources_line(answer.text), cited)
    if cited:
        links = " · ".join(f"[{c}]({passage_url(c)})" for c in cited)
        body += f"\n\n**{text('sources', lang)}:** {links}"
    body += f"\n\n*{badge(answer.grounding, lang)}*"
    return body, cited


def turn_view(question: str, events: Iterable[Event], stopped: bool = False) -> TurnView:  # noqa: C901 - one branch per event kind
    """The chat messages, last result and answer of one turn, from its events so far."""
    lang = language(question)
    messages: list[ChatMessage] = [{"role": "user", "content": question}]
    tools: dict[int, int] = {}  # tool number -> index in messages
    answer_at: int | None = None
    streamed = ""
    result: Any = None
    result_tool: str | None = None
    answer: AgentAnswer | None = None
    known: list[str] = []
    thinking = False
    for event in events:
        if thinking:
            messages.pop()
            thinking = False
        if isinstance(event, Step):
            messages.append(
                {
                    "role": "assistant",
                    "content": "…",
                    "metadata": {
                        "title": "… " + text("thinking", lang, n=event.n),
                        "status": "pending",
                    },
                }
            )
            thinking = True
        elif isinstance(event, ArgumentsChanged):
            messages.append(_arguments_message(event, lang))
        elif isinstance(event, ToolCalled):
            n = len(tools) + 1
            tools[n] = len(messages)
            messages.append(_tool_message(event.name, event.arguments, n, lang))
        elif isinstance(event, ToolResult | ToolFailed) and tools:
            at = tools[len(tools)]
            messages[at] = _finish_tool(messages[at], event, lang)
            if isinstance(event, ToolResult):
                result, result_tool = event.result, event.name
                known += _search_ids(result)
        elif isinstance(event, Token):
            streamed += event.text
            if answer_at is None:
                answer_at = len(messages)
                messages.append({"role": "assistant", "content": ""})
            messages[answer_at] = {"role": "assistant", "content": streamed.strip()}
        elif isinstance(event, Checked) and event.retry:
            numbers = ", ".join(str(n) for n in event.unsupported)
            messages.append(
                {
                    "role": "assistant",
                    "content": text("regenerating", lang, numbers=numbers),
                    "metadata": {"title": "⚠ " + text("checking", lang), "status": "done"},
                }
            )
        elif isinstance(event, Answered):
            answer = event.answer
            body, cited = _answer_text(answer, known, lang)
            known = list(dict.fromkeys([*cited, *known]))
            if answer_at is None:
                messages.append({"role": "assistant", "content": body})
            else:
                # The final text replaces the stream: a regenerated or fallback answer differs.
                messages.pop(answer_at)
                messages.append({"role": "assistant", "content": body})
    if stopped and answer is None:
        if thinking:
            messages.pop()
        messages = [_stop_pending(m) for m in messages]
        messages.append({"role": "assistant", "content": text("stopped", lang)})
    return TurnView(messages, lang, result, result_tool, answer, known, question)


def _stop_pending(message: ChatMessage) -> ChatMessage:
    meta = message.get("metadata")
    if meta and meta.get("status") == "pending":
        return {**message, "metadata": {**meta, "status": "done"}}
    return message
