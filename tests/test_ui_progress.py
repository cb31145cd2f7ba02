"""The step line and the model's loading state (no browser)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import pytest

from copilot.agent.events import (
    Answered,
    ArgumentsChanged,
    Checked,
    Event,
    Step,
    Token,
    ToolCalled,
    ToolResult,
)
from copilot.agent.types import AgentAnswer, Grounding
from copilot.core.settings import Settings
from copilot.llm.types import Message, ModelTurn
from copilot.ui.progress import model_line, step_html, step_label
from copilot.ui.runtime import Runtime
from tools import Tool


def test_the_step_line_follows_the_turn_in_either_language() -> None:
    seen: list[Event] = []
    said = [step_label(seen, "en")]
    for event in (
        Step(n=1),
        ArgumentsChanged(tool="find_customers", filled={"country": "Germany"}),
        ToolCalled(name="find_customers", arguments={}),
        ToolResult(name="find_customers"),
        Step(n=2),
        Token(text="There "),
        Checked(ok=True),
    ):
        seen.append(event)
        said.append(step_label(seen, "en"))
    assert said == [
        "⏳ Reading your question, choosing a tool (step 1)",
        "⏳ Reading your question, choosing a tool (step 1)",
        "⏳ Running find_customers",
        "⏳ Running find_customers",
        "⏳ Reading the result of find_customers",
        "⏳ Reading your question, choosing a tool (step 2)",
        "⏳ Writing the answer",
        "⏳ Checking the figures",
    ]
    done = AgentAnswer("Done.", "en", [], Grounding(True, [], 1, False), [])
    assert step_label([*seen, Answered(answer=done)], "en") == ""
    assert step_label([Token(text="有")], "zh") == "⏳ 正在撰写回答"
    assert step_label([], "zh", loading=True) == "⏳ 正在加载模型（仅第一个问题需要）"


def test_the_step_line_carries_its_seconds_for_the_page_to_count_on() -> None:
    shown = step_html("⏳ Running find_customers", started=100.0, now=107.4)
    assert "data-elapsed='7.4'" in shown and "⏳ Running find_customers · 7 s" in shown
    assert "role='status'" in shown  # read out by screen readers as it changes
    assert step_html("<b>", 0.0, 1.0).count("<b>") == 0  # escaped
    assert step_html("", 0.0, 5.0) == ""


class SlowWarmUp:
    """A model whose prompt warm-up waits until released (a model still loading)."""

    name = "slow-warm-up"
    remote = False

    def __init__(self) -> None:
        self.release = threading.Event()

    def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
        return ModelTurn(text="Hello.")

    def answer(self, messages: Sequence[Message]) -> Iterator[str]:
        yield "Hello."

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def read_prompt(self, messages: Sequence[Message]) -> None:
        self.release.wait(timeout=60)


def test_the_model_state_reads_loading_then_ready(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tools' own warm-up (fitting models on the shop's data) is not what is measured here.
    monkeypatch.setattr("copilot.agent.loop.warm_up", lambda ctx: None)
    model = SlowWarmUp()
    runtime = Runtime(settings, model=model)
    assert runtime.model_state()[0] == "idle" and not runtime.loaded()
    thread = runtime.warm_up()
    state, seconds, _ = runtime.model_state()
    assert state == "loading" and seconds >= 0 and not runtime.loaded()
    line = model_line(state, 12.0, "Qwen", "", "en")
    assert line.startswith("⏳ Loading the model Qwen: 12 s so far") and "meanwhile" in line
    model.release.set()
    thread.join(timeout=120)
    state, seconds, error = runtime.model_state()
    assert state == "ready" and seconds > 0 and error == "" and runtime.loaded()
    assert model_line(state, 3.2, "Qwen", "", "zh") == "✔ 模型 Qwen 已就绪（加载用时 3 秒）。"
    assert model_line("failed", 1.0, "Qwen", "no file", "en") == "✖ The model did not load: no file"


def test_an_empty_shop_does_not_read_as_a_model_that_failed(settings: Settings) -> None:
    model = SlowWarmUp()
    model.release.set()
    runtime = Runtime(settings, model=model)
    runtime.warm_up().join(timeout=120)
    assert runtime.model_state()[0] == "ready"  # the tools say what data is missing
