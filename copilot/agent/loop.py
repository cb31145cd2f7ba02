"""The agent loop: the model picks tools and fills arguments, tools compute and state what
their results mean, and the answer is either those findings (``facts``) or the model's wording
checked against them (``narrative``)."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace

from copilot.agent.answers import facts_answer, findings_text, next_steps, result_evidence
from copilot.agent.arguments import ground_arguments
from copilot.agent.citations import cited_ids, sources_line
from copilot.agent.events import (
    Answered,
    ArgumentsChanged,
    Checked,
    Declined,
    Event,
    Step,
    Token,
    ToolCalled,
    ToolFailed,
    ToolResult,
)
from copilot.agent.grounding import claimed_numbers, rewrite_once, unsupported_numbers
from copilot.agent.guards import repetitive, scrub, whole_sentences
from copilot.agent.intents import corrected
from copilot.agent.prompts import render, routing
from copilot.agent.scope import ScopeGuard
from copilot.agent.search_words import in_users_words
from copilot.agent.types import AgentAnswer, Grounding, ToolTrace
from copilot.core.errors import ToolError
from copilot.core.text import language_of
from copilot.llm.model import Model
from copilot.llm.types import Message, ToolCall
from copilot.llm.untrusted import DATA_NOTE, data_block, outgoing
from tools import TOOLS, Tool, ToolContext, to_llm_brief, to_llm_json, warm_up
from tools.findings import Say, describe
from tools.knowledge_search import KnowledgeResults
from tools.sales.lines import data_end

MAX_TOOL_CHARS = 4000
log = logging.getLogger(__name__)


def _refused(
    name: str,
    arguments: dict[str, object],
    error: str,
    language: str,
    hint: str = "",
    final: bool = False,
) -> ToolTrace:
    """A failed call: the model reads the error with its hint and advice; people read the
    error alone."""
    advice = render("retry_arguments", language, error=f"{error} {hint}".strip())
    return ToolTrace(name, arguments, False, advice, error=error, final=final)


FINAL_REFUSALS = (
    "refusal.unknown",
    "refusal.no_demand",
    "refusal.empty_segment",
    "refusal.budget_too_small",
    "refusal.forecast_worse",
    "refusal.tool_bug",
    # Data the shop lacks: no other argument helps; the user must load more.
    "refusal.empty_shop",
    "refusal.no_customer_ids",
    "refusal.short_history",
    "refusal.too_few_customers",
    "refusal.one_outcome",
    "refusal.nothing_to_recommend",
)
"""Refusals only the user can resolve (the id, the segment or the budget they gave)."""


def summary_of(tool: Tool) -> str:
    """The first sentence of a tool's description (for the system prompt)."""
    first = tool.description.replace("\n", " ").split(". ")[0]
    return first.rstrip(".") + "."


def _words(text: str) -> Iterator[Event]:
    for word in text.split(" "):
        yield Token(text=word + " ")


class Agent:
    """Runs one question at a time; ``run`` streams events, ``ask`` returns the answer."""

    def __init__(
        self,
        model: Model,
        ctx: ToolContext,
        tools: Sequence[Tool] = TOOLS,
        shop_name: str = "the shop",
        scope: ScopeGuard | None = None,
    ) -> None:
        self.model = model
        self.ctx = ctx
        self.tools = {t.name: t for t in tools}
        self.settings = ctx.settings
        self.shop_name = shop_name
        self.scope = scope

    @property
    def style(self) -> str:
        """``facts`` or ``narrative`` (``auto``: narrative only for a remote, strong model)."""
        if self.settings.answer_style != "auto":
            return self.settings.answer_style
        return "narrative" if self.model.remote else "facts"

    def warm_up(self) -> None:
        """Fit the tools' models and, for a local model, read the system prompt once (llama.cpp
        keeps it in its prompt cache), so that the first question is not the slow one."""
        warm_up(self.ctx)
        greeting = [Message("system", self.system_prompt("en")), Message("user", "Hello")]
        self.model.read_prompt(greeting)

    def ask(
        self, question: str, history: Sequence[Message] = (), planned: ToolCall | None = None
    ) -> AgentAnswer:
        """Run to completion and return the answer."""
        for event in self.run(question, history, planned):
            if isinstance(event, Answered):
                return event.answer
        raise RuntimeError("the agent loop ended without an answer")  # a bug, not user error

    def run(
        self, question: str, history: Sequence[Message] = (), planned: ToolCall | None = None
    ) -> Iterator[Event]:
        """Stream events: guard, step, arguments, tool_call, tool_result/tool_error, token,
        grounding, answer. ``planned`` runs that tool first instead of asking the model (a next
        step the user clicked)."""
        language = language_of(question)
        messages = [Message("system", self.system_prompt(language)), *history]
        messages.append(Message("user", question))
        said = [question, *(m.content for m in history if m.role in ("user", "assistant"))]
        # Arguments must come from the user's own words (this turn or an earlier one).
        words = [question, *(m.content for m in history if m.role == "user" and m.name is None)]
        traces: list[ToolTrace] = []
        scope = self.scope.check(question) if self.scope is not None and not planned else None
        if scope is not None and scope.declined:
            yield Declined(nearest=scope.nearest)
            yield from self._fixed(render("decline", language, shop_name=self.shop_name), language)
            return
        text, finished = yield from self._use_tools(messages, traces, language, words, planned)
        if text == "\0decline":
            yield from self._fixed(render("decline", language, shop_name=self.shop_name), language)
            return
        if traces and (self.style == "facts" or not finished):
            if not finished:
                yield Checked(ok=True, fallback=True, reason="step limit")
            answer = facts_answer(traces, language, said)
            if self.style == "narrative":  # the model never got to write: a fallback
                answer = replace(answer, grounding=replace(answer.grounding, fallback=True))
            yield Checked(ok=answer.grounding.ok, source="findings")
            yield Answered(answer=answer)
            return
        if text is None:
            if traces:
                key = "write_answer" if any(t.ok for t in traces) else "explain_error"
                messages.append(Message("user", render(key, language, question=question)))
            else:
                # A reply without tools (thanks, a greeting): the language request comes after
                # the routing decision, so it never reaches a tool argument or a search.
                messages.append(Message("user", render("reply_language", language)))
            text = yield from self._stream(messages)
        else:
            yield from _words(text)
        answer = yield from self._checked(said, text, messages, traces, language)
        sources = "" if answer.grounding.fallback else sources_line(answer.text, traces, language)
        if sources:
            yield Token(text=sources)
            full = answer.text + sources
            answer = replace(answer, text=full, citations=cited_ids(full, traces))
        yield Answered(answer=answer)

    def _fixed(self, text: str, language: str) -> Iterator[Event]:
        """A fixed message (a polite decline): nothing to check, and the verdict says so."""
        yield from _words(text)
        verdict = Grounding(True, [], 0, False, "fixed")
        yield Answered(answer=AgentAnswer(text, language, [], verdict, []))

    def _use_tools(
        self,
        messages: list[Message],
        traces: list[ToolTrace],
        language: str,
        words: list[str],
        planned: ToolCall | None,
    ) -> Generator[Event, None, tuple[str | None, bool]]:
        """Tool steps until the model answers: (its text or None to stream, finished)."""
        for step in range(1, self.settings.max_steps + 1):
            yield Step(n=step)
            if planned is not None and step == 1:
                call: ToolCall | None = planned
                text = None
            else:
                turn = self.model.turn(self._outgoing(messages), list(self.tools.values()))
                if turn.decline and not traces:
                    return "\0decline", True  # out of scope: a fixed polite refusal
                call, text = turn.tool_call, turn.text
            # Asking again for a result already in the conversation, or repeating a call that
            # was just refused, means: answer now.
            repeat = call is not None and any(
                t.name == call.name and t.arguments == call.arguments for t in traces
            )
            if call is None or repeat:
                return (text if not repeat else None), True
            trace = yield from self._call(call, language, words)
            traces.append(trace)
            if trace.final:
                return None, True
            messages.append(
                Message(
                    "assistant",
                    json.dumps(
                        {"tool": trace.name, "arguments": trace.arguments}, ensure_ascii=False
                    ),
                )
            )
            hint = render("after_tool", language)
            shown = self._shown(trace, language)
            messages.append(Message("user", f"{shown}\n{hint}", name=trace.name))
        return None, False

    def _call(
        self, call: ToolCall, language: str, words: list[str]
    ) -> Generator[Event, None, ToolTrace]:
        """Ground the arguments in the user's words, run the tool, state its findings."""
        tool = self.tools.get(call.name)
        if tool is None:
            hint = f"There is no tool named {call.name!r}; use one of: {', '.join(self.tools)}."
            return _refused(
                call.name, call.arguments, "that request is not supported.", language, hint
            )
        fixed = corrected(call.name, call.arguments, words, self.tools)
        if fixed is not None:
            yield ArgumentsChanged(tool=fixed[0], instead_of=call.name)
            tool, call = self.tools[fixed[0]], ToolCall(*fixed)
        grounded = ground_arguments(tool, call.arguments, words, self._categories())
        if grounded.changed:
            yield grounded.event()
        # Announced before it runs: fitting a model can take seconds, and the UI shows it.
        yield ToolCalled(name=call.name, arguments=grounded.arguments)
        if grounded.missing:
            trace = _refused(call.name, grounded.arguments, grounded.need(language), language)
        else:
            trace = self._run_tool(tool, grounded.arguments, language)
            again = in_users_words(
                trace, words[0], lambda arguments: self._run_tool(tool, arguments, language)
            )
            if again is not None:
                yield ArgumentsChanged(
                    tool=tool.name,
                    dropped={"query": trace.arguments.get("query")},
                    filled={"query": again.arguments["query"]},
                )
                trace = again
        if trace.ok:
            yield ToolResult(
                name=trace.name,
                result=trace.result,
                text=trace.result_json,
                findings=trace.findings,
            )
        else:
            yield ToolFailed(name=trace.name, text=trace.error or trace.result_json)
        if trace.ok and trace.findings is not None and self.style == "facts":
            # The answer starts as soon as the tool has run.
            yield from _words(trace.findings.text() + "\n\n")
        return trace

    def _shown(self, trace: ToolTrace, language: str) -> str:
        """What the model reads of a result. A refusal is the copilot's own advice; a result
        is data in a fence (names, titles and passages come from the shop, not from us): with
        facts, the findings' sentences (the model only decides whether another tool is
        needed); with narrative, the brief and the findings. Passages go as quotes under their
        citation ids."""
        if not trace.ok:
            return f"Tool result ({trace.name}):\n{trace.result_json}"
        sentences = " ".join(trace.findings.sentences) if trace.findings else ""
        limit = getattr(self.model, "max_tool_chars", MAX_TOOL_CHARS)
        result, facts = trace.result, self.style == "facts"
        if isinstance(result, KnowledgeResults) and result.passages:
            answered = result.covered and bool(result.quotes)
            if facts:
                body = result.quoted(full=False) if answered else sentences
            else:
                body = result.quoted(full=True)[:limit]
                body += "" if answered else f"\nMeaning: {sentences}"
        elif facts:
            body = sentences
        else:
            body = f"{to_llm_brief(result, language)[:limit]}\nMeaning: {sentences}"
        return f"Tool result ({trace.name}), {DATA_NOTE}:\n{data_block(body)}"

    def system_prompt(self, language: str) -> str:
        """The system prompt with tool hints and worked examples (one text for both languages,
        so llama.cpp's prompt cache serves every question)."""
        hints = routing()["hints"]
        examples = [
            {"q": e["q"], "a": json.dumps(e["a"], ensure_ascii=False)}
            for e in routing()["examples"]
            if e["a"]["tool"] in {*self.tools, "respond", "decline"}
        ]
        return render(
            "system",
            language,
            data_end=self._data_end(),
            shop_name=self.shop_name,
            examples=examples,
            tools=[
                {"name": t.name, "summary": hints.get(t.name) or summary_of(t)}
                for t in self.tools.values()
            ],
        )

    def _data_end(self) -> str:
        """The last day of the shop's orders, what "last month" counts from. Not the wall
        clock: a prompt that changes every day changes the local model's choices with it."""
        try:
            return str(data_end(self.ctx))
        except ToolError:  # no orders yet
            return ""

    def _categories(self) -> list[str]:
        """The shop's category names (what a sales filter may name)."""
        catalog = self.ctx.catalog()
        if "category" not in catalog:
            return []
        return [str(c) for c in catalog["category"].dropna().unique() if c != "non-merchandise"]

    def _run_tool(self, tool: Tool, arguments: dict[str, object], language: str) -> ToolTrace:
        try:
            result = tool(self.ctx, **arguments)
            # Stating a result is part of the tool: a bug there must not end the turn either.
            findings = describe(result, language, self.settings.currency)
            text = to_llm_json(result)
        except ToolError as exc:
            said = Say(language)(exc.key, **exc.values) if exc.key else exc.message_for_people
            final = exc.key.startswith(FINAL_REFUSALS)
            return _refused(tool.name, arguments, said, language, exc.hint, final)
        except Exception:  # a bug in a tool: logged with its traceback, turn survives
            # The user sees only the reference; it finds the traceback in the log.
            reference = secrets.token_hex(4)
            log.exception(
                "tool %s failed on %s (reference %s)",
                tool.name,
                arguments,
                reference,
                extra={"reference": reference},
            )
            said = Say(language)("refusal.tool_bug", tool=tool.name, reference=reference)
            return _refused(tool.name, arguments, said, language, final=True)
        return ToolTrace(tool.name, arguments, True, text, result, None, findings)

    def _stream(self, messages: list[Message]) -> Generator[Event, None, str]:
        parts = []
        for token in self.model.answer(self._outgoing(messages)):
            parts.append(token)
            yield Token(text=token)
        return whole_sentences("".join(parts))

    def _checked(
        self,
        said: list[str],
        text: str,
        messages: list[Message],
        traces: list[ToolTrace],
        language: str,
    ) -> Generator[Event, None, AgentAnswer]:
        """The model's text through the guards: scaffolding removed, loops and ungrounded
        numbers replaced (one rewrite for numbers, then the findings)."""
        text = scrub(text, self.tools)
        evidence = result_evidence(traces, said)
        if repetitive(text) or not text.strip():
            yield Checked(ok=False, repetition=repetitive(text), fallback=True)
            return self._fallback(traces, language, said)
        if not self.settings.grounding:
            verdict = Grounding(True, [], 0, False, "model")
            return AgentAnswer(text, language, traces, verdict, cited_ids(text, traces))
        bad = unsupported_numbers(text, evidence)
        if bad:
            yield Checked(ok=False, unsupported=bad, retry=True)
            text, bad = rewrite_once(
                lambda m: self.model.answer(self._outgoing(m)),
                messages,
                text,
                bad,
                evidence,
                language,
            )
            text = scrub(text, self.tools)
            if bad or repetitive(text) or not text.strip():
                yield Checked(ok=False, unsupported=bad, fallback=True)
                return self._fallback(traces, language, said)
            attempts = 2
        else:
            attempts = 1
        yield Checked(ok=True, attempts=attempts)
        verdict = Grounding(True, [], attempts, False, "model", len(claimed_numbers(text)))
        return AgentAnswer(
            text, language, traces, verdict, cited_ids(text, traces), next_steps(traces)
        )

    def _fallback(self, traces: list[ToolTrace], language: str, said: list[str]) -> AgentAnswer:
        """The findings instead of a model text that failed a check."""
        answer = facts_answer(traces, language, said)
        verdict = replace(answer.grounding, fallback=True, attempts=2)
        if not traces:
            text = findings_text(traces, language)
            return AgentAnswer(text, language, [], Grounding(True, [], 2, True, "fixed"), [])
        return replace(answer, grounding=verdict)

    def _outgoing(self, messages: list[Message]) -> list[Message]:
        """What is sent to the model: control tokens neutralised, PII redacted if remote,
        within the context budget."""
        budget = self.settings.n_ctx - self.settings.max_tokens - 256
        out = outgoing(messages, remote=self.model.remote, allow_pii=self.settings.allow_pii_remote)

        def size() -> int:
            return sum(self.model.count_tokens(m.content) for m in out)

        # Oldest tool outputs go first, then the oldest turns (never the system prompt or the
        # latest question).
        for m in out[1:-1]:
            if size() <= budget:
                break
            if m.name is not None:
                m.content = f"Tool result ({m.name}): (earlier output omitted to save space)"
        while size() > budget and len(out) > 2:
            del out[1]
        return out
