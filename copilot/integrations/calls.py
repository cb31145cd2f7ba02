"""One tool call as another host sees it: the findings in words plus the structured result,
or the tool's refusal; contact details removed unless the settings allow them out."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from copilot.core.errors import ToolError
from copilot.core.privacy import redact
from tools import TOOLS, Tool, ToolContext, to_jsonable
from tools.findings import Say, describe


@dataclass(frozen=True)
class Outcome:
    """What a call gave: ``text`` for people and models, ``data`` for programs (None when the
    tool refused; ``text`` then says why and what to do)."""

    text: str
    data: dict[str, Any] | None
    refused: bool


class ToolHost:
    """The registry's tools over one context: models are fitted once per data version and
    shared by every call; calls run one at a time (the fitted caches are not thread-safe)."""

    def __init__(self, ctx: ToolContext, *, language: str = "en") -> None:
        self.ctx = ctx
        self.language = language
        self.tools: dict[str, Tool] = {t.name: t for t in TOOLS}
        self._lock = threading.Lock()

    @property
    def keeps_contacts(self) -> bool:
        """Whether results may carry e-mail addresses and phone numbers (never by default)."""
        return bool(self.ctx.settings.allow_pii_remote)

    def call(self, name: str, arguments: dict[str, Any] | None) -> Outcome:
        """Run tool ``name``; a ``ToolError`` becomes a refusal, any other exception is a bug
        and propagates."""
        tool = self.tools.get(name)
        if tool is None:
            known = ", ".join(sorted(self.tools))
            return Outcome(f"No tool named {name!r}. The tools are: {known}.", None, True)
        try:
            with self._lock:
                result = tool(self.ctx, **(arguments or {}))
                text = describe(result, self.language, self.ctx.settings.currency).text()
        except ToolError as exc:
            said = Say(self.language)(exc.key, **exc.values) if exc.key else exc.message_for_people
            return Outcome(self.scrub(" ".join(p for p in (said, exc.hint) if p)), None, True)
        data = to_jsonable(result)
        return Outcome(
            self.scrub(text),
            self.scrub(data if isinstance(data, dict) else {"result": data}),
            False,
        )

    def scrub(self, value: Any) -> Any:
        """``value`` with contact details replaced, unless the settings let them out."""
        if self.keeps_contacts:
            return value
        if isinstance(value, str):
            return redact(value)
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        return value
