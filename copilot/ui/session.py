"""One browser session's chat: its turns, the agent history, streaming and stopping."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

from copilot.agent import Agent, Message
from copilot.agent.events import Answered, Event, ToolCalled, ToolFailed, ToolResult
from copilot.core.errors import CopilotError
from copilot.llm.types import ToolCall
from copilot.ui.events import ChatMessage, TurnView, turn_view
from copilot.ui.i18n import language, text
from tools.findings import NextStep

log = logging.getLogger(__name__)


@dataclass
class ChatSession:
    """Per-session state (a ``gr.State``); sessions never share one."""

    turns: list[TurnView] = field(default_factory=list)
    question: str | None = None
    """The question being answered, None between turns."""
    events: list[Event] = field(default_factory=list)
    stop_requested: bool = False
    owner: str = ""
    """Whose chats these are: the login name, or the id the browser keeps."""
    chat_id: str | None = None
    """The stored chat these turns belong to (None until the first turn is saved)."""
    saved: int = 0
    """How many of ``turns`` are stored as they are."""
    rating_turn: int | None = None
    """The turn a thumbs-down comment, once sent, belongs to."""

    @property
    def history(self) -> list[Message]:
        """The answered turns as the model's conversation history."""
        out: list[Message] = []
        for view in self.turns:
            said = view.answer_text()
            if said is not None:
                out += [Message("user", view.question), Message("assistant", said)]
        return out

    def turn_of(self, message: int) -> int | None:
        """The finished turn that shows chat message number ``message`` (None: none)."""
        start = 0
        for n, view in enumerate(self.turns):
            if start <= message < start + len(view.messages):
                return n
            start += len(view.messages)
        return None

    def forget_from(self, n: int) -> None:
        """Drop turn ``n`` and every later one (a regenerate or an edit replaces them)."""
        del self.turns[n:]
        self.saved = min(self.saved, n)

    def current(self) -> TurnView | None:
        """The turn in progress."""
        return None if self.question is None else turn_view(self.question, self.events)

    def views(self) -> list[TurnView]:
        """Finished turns and the one in progress."""
        now = self.current()
        return [*self.turns, now] if now else list(self.turns)

    def messages(self) -> list[ChatMessage]:
        """Every chat message of the session, oldest first."""
        return [m for view in self.views() for m in view.messages]

    def last_result(self) -> TurnView | None:
        """The latest turn with a tool result (what the table and chart show)."""
        return next((v for v in reversed(self.views()) if v.result is not None), None)

    def next_steps(self) -> list[NextStep]:
        """The follow-ups the last finished answer offers (clickable in the chat)."""
        for view in reversed(self.turns):
            if view.answer is not None:
                return list(view.answer.next_steps)
        return []

    def stop(self) -> None:
        """End the turn in progress, keeping what was shown."""
        self.stop_requested = True
        if self.question is not None:
            self.turns.append(turn_view(self.question, self.events, stopped=True))
            self.question, self.events = None, []

    def _finish(self) -> None:
        if self.question is None:
            return
        self.turns.append(turn_view(self.question, self.events))
        self.question, self.events = None, []

    def _fail(self, error: CopilotError) -> None:
        question = self.question or ""
        view = turn_view(question, self.events, stopped=False)
        note: ChatMessage = {
            "role": "assistant",
            "content": text("error", language(question), message=str(error)),
        }
        self.turns.append(
            TurnView(
                [*view.messages, note],
                view.language,
                view.result,
                view.result_tool,
                question=question,
            )
        )
        self.question, self.events = None, []


def _log(event: Event, seconds: float) -> None:
    # Timings per step tell a slow model from a slow tool when someone reports a wait.
    if isinstance(event, ToolCalled | ToolResult | ToolFailed):
        log.info("%.1f s %s %s", seconds, type(event).__name__, event.name)
    elif isinstance(event, Answered):
        g = event.answer.grounding
        log.info("%.1f s answer (grounding ok=%s, fallback=%s)", seconds, g.ok, g.fallback)


TurnEnd = Callable[[str, list[Event], BaseException | None], None]
"""Told how each turn ended (question, its events, the error if it failed): the audit."""


def run_turn(
    agent: Agent, session: ChatSession, question: str, on_end: TurnEnd | None = None
) -> Iterator[ChatSession]:
    """Stream one question's events into ``session``, yielding it after each event.

    Stopping works twice over: Gradio closes this generator (``cancels=``), which closes the
    agent's generator between tokens and so releases the model; and ``stop`` sets a flag
    checked here between events, in case the close arrives while a tool is still running.
    ``on_end`` hears of every started turn: answered, failed or stopped either way.
    """
    session.question, session.events, session.stop_requested = question, [], False
    yield session
    started = time.perf_counter()
    log.info("question (%d chars, %s)", len(question), language(question))
    # A next step the last answer offered runs its tool directly (its question names every
    # argument, so the argument check passes it unchanged).
    offered = {step.question: step for step in session.next_steps()}
    step = offered.get(question)
    planned = ToolCall(step.tool, dict(step.arguments)) if step else None
    events = agent.run(question, list(session.history), planned)
    seen: list[Event] = []  # stop() clears session.events; the audit wants what happened
    failure: BaseException | None = None
    try:
        for event in events:
            if session.stop_requested:
                log.info("stopped after %.1f s", time.perf_counter() - started)
                break
            _log(event, time.perf_counter() - started)
            session.events.append(event)
            seen.append(event)
            yield session
    except CopilotError as error:
        failure = error
        session._fail(error)
    except Exception as error:  # a bug: recorded below, then shown as before
        failure = error
        raise
    finally:
        if isinstance(events, Generator):
            # Closing the agent's generator closes the model's stream and frees the model.
            events.close()
        if on_end is not None:
            on_end(question, seen, failure)
    session._finish()
    yield session
