"""The agent loop: the model picks tools, tools compute, the answer is grounding-checked."""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from datetime import date

from copilot.agent.citations import cited_ids, sources_line
from copilot.agent.grounding import answer_evidence, rewrite_once, unsupported_numbers
from copilot.agent.model import Model
from copilot.agent.prompts import render, routing
from copilot.agent.render import render_results
from copilot.agent.scope import ScopeGuard
from copilot.agent.types import AgentAnswer, Event, Grounding, Message, ToolTrace
from copilot.errors import ToolError
from knowledge.chunking import language_of
from tools import TOOLS, Tool, ToolContext, to_llm_brief, to_llm_json, warm_up

MAX_TOOL_CHARS = 4000
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?<!\d)\+?\d[\d\s-]{7,}\d(?!\d)")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]")
_LIST_NUMBER = re.compile(r"(?:^|\s)\d{1,2}$")


def whole_sentences(text: str) -> str:
    """``text`` without a trailing fragment (an answer cut by the token cap mid-sentence)."""
    text = text.rstrip()
    if not text or text[-1] in ".!?。！？)]）】" or text.endswith("```"):
        return text
    ends = [m for m in _SENTENCE_END.finditer(text) if not _LIST_NUMBER.search(text[: m.start()])]
    # Keep the fragment when cutting it would leave less than half of the answer.
    if not ends or ends[-1].end() < len(text) // 2:
        return text
    return text[: ends[-1].end()]


def redact(text: str) -> str:
    """E-mail addresses and phone numbers replaced by placeholders."""
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


def _refused(name: str, arguments: dict[str, object], error: str, language: str) -> ToolTrace:
    """A failed call: the model reads the error with advice; the user-facing fallback, the
    error alone."""
    advice = render("retry_arguments", language, error=error)
    return ToolTrace(name, arguments, False, advice, error=error)


def summary_of(tool: Tool) -> str:
    """The first sentence of a tool's description (for the system prompt)."""
    first = tool.description.replace("\n", " ").split(". ")[0]
    return first.rstrip(".") + "."


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

    def warm_up(self) -> None:
        """Fit the tools' models and, for a local model, read the system prompt once (llama.cpp
        keeps it in its prompt cache), so that the first question is not the slow one."""
        warm_up(self.ctx)
        greeting = [Message("system", self.system_prompt("en")), Message("user", "Hello")]
        self.model.read_prompt(greeting)

    def ask(self, question: str, history: Sequence[Message] = ()) -> AgentAnswer:
        """Run to completion and return the answer."""
        for event in self.run(question, history):
            if event.kind == "answer":
                answer: AgentAnswer = event.data["answer"]
                return answer
        raise RuntimeError("the agent loop ended without an answer")  # a bug, not user error

    def run(self, question: str, history: Sequence[Message] = ()) -> Iterator[Event]:
        """Stream events: guard, step, tool_call, tool_result/tool_error, token, grounding,
        answer."""
        language = language_of(question)
        system = self.system_prompt(language)
        asked = f"{question}\n{render('answer_language', language)}"
        messages = [Message("system", system), *history, Message("user", asked)]
        traces: list[ToolTrace] = []
        scope = self.scope.check(question) if self.scope is not None else None
        if scope is not None and scope.declined:
            yield Event("guard", {"declined": True, "nearest": scope.nearest})
            text: str | None = render("decline", language, shop_name=self.shop_name)
            finished = True
        else:
            text, finished = yield from self._use_tools(messages, traces, language)
        if not finished:
            final = render_results(traces, language)
            verdict = Grounding(True, [], 0, True)
            yield Event("grounding", {"ok": True, "fallback": True, "reason": "step limit"})
            yield Event("answer", {"answer": AgentAnswer(final, language, traces, verdict, [])})
            return
        if text is None:
            if traces:
                # A request the tools refused (unknown id, budget too small) is explained, not
                # answered around; a failed extra call after a result does not hide the result.
                key = "write_answer" if any(t.ok for t in traces) else "explain_error"
                messages.append(Message("user", render(key, language, question=question)))
            text = yield from self._stream(messages)
        else:
            for word in text.split(" "):
                yield Event("token", {"text": word + " "})
        if not text.strip():
            text = render_results(traces, language)  # a model with nothing to add
        said = [question, *(m.content for m in history if m.role in ("user", "assistant"))]
        answer = yield from self._grounded(said, text, messages, traces, language)
        sources = "" if answer.grounding.fallback else sources_line(answer.text, traces, language)
        if sources:
            yield Event("token", {"text": sources})
            full = answer.text + sources
            answer = replace(answer, text=full, citations=cited_ids(full, traces))
        yield Event("answer", {"answer": answer})

    def _use_tools(
        self, messages: list[Message], traces: list[ToolTrace], language: str
    ) -> Generator[Event, None, tuple[str | None, bool]]:
        """Tool steps until the model answers: (its text or None to stream, finished)."""
        for step in range(1, self.settings.max_steps + 1):
            yield Event("step", {"n": step})
            turn = self.model.turn(self._outgoing(messages), list(self.tools.values()))
            repeat = turn.tool_call is not None and any(
                t.ok and t.name == turn.tool_call.name and t.arguments == turn.tool_call.arguments
                for t in traces
            )
            if turn.decline and not traces:
                # Out of scope: a fixed polite refusal, not the model's own words.
                return render("decline", language, shop_name=self.shop_name), True
            if turn.tool_call is None or repeat:
                # Asking again for a result already in the conversation means: answer now.
                return (turn.text if not repeat else None), True
            call = turn.tool_call
            # Announced before it runs: fitting a model can take seconds, and the UI shows it.
            yield Event("tool_call", {"name": call.name, "arguments": call.arguments})
            trace = self._run_tool(call.name, call.arguments, language)
            traces.append(trace)
            yield Event(
                "tool_result" if trace.ok else "tool_error",
                {"name": trace.name, "result": trace.result, "text": trace.result_json},
            )
            messages.append(
                Message(
                    "assistant",
                    json.dumps(
                        {"tool": trace.name, "arguments": trace.arguments}, ensure_ascii=False
                    ),
                )
            )
            limit = getattr(self.model, "max_tool_chars", MAX_TOOL_CHARS)
            shown = (to_llm_brief(trace.result, language) if trace.ok else trace.result_json)[
                :limit
            ]
            hint = render("after_tool", language)
            messages.append(
                Message("user", f"Tool result ({trace.name}):\n{shown}\n{hint}", name=trace.name)
            )
        return None, False

    def system_prompt(self, language: str) -> str:
        """The system prompt in ``language`` with tool hints and worked examples."""
        hints = routing()["hints"]
        examples = [
            {"q": e["q"], "a": json.dumps(e["a"], ensure_ascii=False)}
            for e in routing()["examples"]
            if e["a"]["tool"] in {*self.tools, "respond", "decline"}
        ]
        return render(
            "system",
            language,
            today=date.today().isoformat(),
            shop_name=self.shop_name,
            examples=examples,
            tools=[
                {"name": t.name, "summary": hints.get(t.name) or summary_of(t)}
                for t in self.tools.values()
            ],
        )

    def _run_tool(self, name: str, arguments: dict[str, object], language: str) -> ToolTrace:
        tool = self.tools.get(name)
        if tool is None:
            error = f"there is no tool named {name!r}; use one of: {', '.join(self.tools)}."
            return _refused(name, arguments, error, language)
        try:
            result = tool(self.ctx, **arguments)
        except ToolError as exc:
            return _refused(name, arguments, str(exc), language)
        return ToolTrace(name, arguments, True, to_llm_json(result), result)

    def _stream(self, messages: list[Message]) -> Generator[Event, None, str]:
        parts = []
        for token in self.model.answer(self._outgoing(messages)):
            parts.append(token)
            yield Event("token", {"text": token})
        return whole_sentences("".join(parts))

    def _grounded(
        self,
        said: list[str],
        text: str,
        messages: list[Message],
        traces: list[ToolTrace],
        language: str,
    ) -> Generator[Event, None, AgentAnswer]:
        evidence = answer_evidence(traces, said)
        citations = cited_ids(text, traces)
        if not self.settings.grounding:
            return AgentAnswer(text, language, traces, Grounding(True, [], 0, False), citations)
        bad = unsupported_numbers(text, evidence)
        if not bad:
            yield Event("grounding", {"ok": True})
            return AgentAnswer(text, language, traces, Grounding(True, [], 1, False), citations)
        yield Event("grounding", {"ok": False, "unsupported": bad, "retry": True})
        second, still = rewrite_once(
            lambda m: self.model.answer(self._outgoing(m)), messages, text, bad, evidence, language
        )
        if not still:
            yield Event("grounding", {"ok": True, "attempts": 2})
            return AgentAnswer(
                second,
                language,
                traces,
                Grounding(True, [], 2, False),
                cited_ids(second, traces),
            )
        yield Event("grounding", {"ok": False, "unsupported": still, "fallback": True})
        return AgentAnswer(
            render_results(traces, language),
            language,
            traces,
            Grounding(False, still, 2, True),
            citations,
        )

    def _outgoing(self, messages: list[Message]) -> list[Message]:
        """What is sent to the model: within the context budget, PII redacted if remote."""
        budget = self.settings.n_ctx - self.settings.max_tokens - 256
        out = [Message(m.role, m.content, m.name) for m in messages]

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
        if self.model.remote and not self.settings.allow_pii_remote:
            for m in out:
                m.content = redact(m.content)
        return out
