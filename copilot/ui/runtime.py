"""What one UI process shares between browser sessions: settings, shop, tools, one model."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from copilot.agent import Agent
from copilot.agent.events import Event
from copilot.audit import AuditLog, from_events
from copilot.chats import ChatStore
from copilot.core.errors import CopilotError
from copilot.core.settings import Settings
from copilot.llm.model import Model
from copilot.llm.types import Message, ModelTurn
from copilot.shop import ShopData
from knowledge.store import KnowledgeStore
from tools import Tool, ToolContext
from tools.knowledge_search import knowledge_store

log = logging.getLogger(__name__)


class LockedModel:
    """A model shared by every session, one call at a time (llama.cpp is not thread-safe).

    A streamed answer holds the lock until it ends or is closed (Stop): two interleaved
    streams would share one KV cache. The lock is a plain ``Lock`` because Gradio may resume
    a generator on another worker thread, and an ``RLock`` must be released by its owner.
    """

    def __init__(self, inner: Model, lock: threading.Lock | None = None) -> None:
        self.inner = inner
        self.lock = lock or threading.Lock()
        self.name = inner.name
        self.remote = inner.remote

    def __getattr__(self, attribute: str) -> Any:
        # Optional hints the loop reads with getattr (e.g. max_tool_chars).
        return getattr(self.inner, attribute)

    def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
        """The wrapped model's tool choice, under the lock."""
        with self.lock:
            return self.inner.turn(messages, tools)

    def answer(self, messages: Sequence[Message]) -> Iterator[str]:
        """The wrapped model's stream; the lock is held until it ends or is closed."""
        with self.lock:
            yield from self.inner.answer(messages)

    def read_prompt(self, messages: Sequence[Message]) -> None:
        """The wrapped model's prompt warm-up, under the lock."""
        with self.lock:
            self.inner.read_prompt(messages)

    def count_tokens(self, text: str) -> int:
        """Token count, under the lock (tokenising uses the same llama context)."""
        with self.lock:
            return self.inner.count_tokens(text)


class Runtime:
    """Builds the agent on first use, so the page is served before the model loads."""

    def __init__(self, settings: Settings, model: Model | None = None) -> None:
        self.settings = settings
        self.shop = ShopData.open(settings.effective_database_url)
        self.ctx = ToolContext(self.shop, settings)
        self.audit = AuditLog(self.shop.engine)
        self.chats = ChatStore(self.shop.engine)
        self._model = model
        self._agent: Agent | None = None
        self._building = threading.Lock()
        self._loading: tuple[float, float | None, str] | None = None
        """(started, seconds it took or None while loading, error) of the model's warm-up."""

    def agent(self) -> Agent:
        """The shared agent (its model is loaded on the first call)."""
        with self._building:
            if self._agent is None:
                from copilot.agent.factory import build_agent
                from copilot.llm import make_model

                model = self._model or make_model(self.settings)
                self._agent = build_agent(self.settings, LockedModel(model), self.ctx)
            return self._agent

    def warm_up(self) -> threading.Thread:
        """Load the model in the background so the first question does not wait for it."""
        started = time.perf_counter()
        self._loading = (started, None, "")

        def load() -> None:
            try:
                agent = self.agent()
            except CopilotError as error:
                self._loading = (started, time.perf_counter() - started, str(error))
                log.warning("model not loaded (%s); the first question will show why", error)
                return
            try:
                agent.warm_up()
            except CopilotError as error:  # the data's problem (an empty shop), not the model's
                log.warning("tools not warmed up (%s); the questions will say why", error)
            took = time.perf_counter() - started
            self._loading = (started, took, "")
            log.info("model %s ready in %.1f s", self.model_name(), took)

        thread = threading.Thread(target=load, name="copilot-warm-up", daemon=True)
        thread.start()
        return thread

    def model_state(self) -> tuple[str, float, str]:
        """The model's warm-up: ("idle" | "loading" | "ready" | "failed", seconds, error)."""
        if self._loading is None:
            return ("ready", 0.0, "") if self._agent is not None else ("idle", 0.0, "")
        started, took, error = self._loading
        if took is None:
            return "loading", time.perf_counter() - started, ""
        return ("failed" if error else "ready"), took, error

    def loaded(self) -> bool:
        """Whether a question can start without waiting for the model."""
        return self._agent is not None and self.model_state()[0] != "loading"

    def record_turn(
        self, user: str, question: str, events: list[Event], error: BaseException | None
    ) -> None:
        """Append a web chat turn to the audit (in the background: never delays the page)."""
        self.audit.record(from_events(question, events, error, user, "web"))

    def knowledge(self) -> KnowledgeStore:
        """The knowledge base (opened once)."""
        return knowledge_store(self.ctx)

    def model_name(self) -> str:
        """The model the settings select, in words (without loading it)."""
        if self.settings.llm == "openai":
            return self.settings.openai_model
        if self.settings.llm == "scripted":
            return "keyword router (offline demo, no LLM)"
        if self.settings.model_path:
            return str(self.settings.model_path)
        return "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (bundled)"
