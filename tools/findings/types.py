"""Findings: what a tool result means, in the question's language, written by code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NextStep:
    """A follow-up the marketer can take with one click: a question the copilot answers with
    ``tool`` and ``arguments`` (the question names every argument, so it can also be typed)."""

    question: str
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Findings:
    """The answer a tool result gives: headline sentences (the figure with its correct meaning,
    the comparison that matters, caveats), optional list items, and next steps."""

    sentences: tuple[str, ...]
    items: tuple[str, ...] = ()
    next_steps: tuple[NextStep, ...] = ()
    quoted: tuple[str, ...] = ()
    """Citation ids whose words the findings quote (document answers)."""

    def text(self) -> str:
        """Sentences, then the items as a Markdown list."""
        body = join_sentences(self.sentences)
        if self.items:
            body += "\n" + "\n".join(f"- {item}" for item in self.items)
        return body.strip()


def join_sentences(sentences: tuple[str, ...] | list[str]) -> str:
    """Sentences as one paragraph: a space after English ones, none after Chinese ones."""
    out = ""
    for sentence in (s.strip() for s in sentences if s.strip()):
        gap = "" if not out or out[-1] in "。！？：；）”" else " "
        out += gap + sentence
    return out
