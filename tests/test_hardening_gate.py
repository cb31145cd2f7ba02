"""The model gate gives the same verdict whatever ran before (issue 17, reproducible gate)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from copilot.agent import Agent
from copilot.core.settings import Settings
from copilot.evaluation.runner import _new_conversation
from copilot.llm.local import LocalModel
from copilot.llm.types import Message
from copilot.shop import ShopData
from copilot.testing import ScriptedModel
from tools import ToolContext


class FakeLlama:
    """llama-cpp-python's prompt cache, reduced to what the reuse decision reads: the cached
    tokens (``input_ids[:n_tokens]``); one token per character of the rendered chat."""

    def __init__(self) -> None:
        self.input_ids = np.zeros(4096, dtype=np.intc)
        self.n_tokens = 0
        self.evaluated_from: list[int] = []

    def create_chat_completion(self, messages: Sequence[dict[str, Any]], **_: Any) -> None:
        tokens = [ord(c) for m in messages for c in f"<{m['role']}>{m['content']}"]
        cached = list(self.input_ids[: self.n_tokens])
        shared = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            shared += 1
        self.evaluated_from.append(shared)
        self.input_ids[: len(tokens)] = tokens
        self.n_tokens = len(tokens)


def local_model() -> tuple[LocalModel, FakeLlama]:
    """A local model over a fake llama.cpp, and the fake (to read its prompt cache)."""
    model = LocalModel.__new__(LocalModel)
    llm = FakeLlama()
    model._llm = llm  # type: ignore[assignment]
    model._shared = 0
    return model, llm


def test_each_case_starts_from_the_system_prompt_whatever_came_before() -> None:
    model, llm = local_model()
    system = Message("system", "You are the copilot.")
    model.read_prompt([system, Message("user", "Hello")])
    assert model._shared == len("<system>You are the copilot.<user>")
    # Without a reset, the question after "What are my segments?" reuses "What are my s..."
    # and starts evaluating at another offset than it would alone.
    llm.create_chat_completion(model._chat([system, Message("user", "What are my segments?")]))
    llm.create_chat_completion(model._chat([system, Message("user", "What are my sales?")]))
    drifted = llm.evaluated_from[-1]
    assert drifted > model._shared
    starts = []
    for before in ("What are my segments?", "Plan a campaign", ""):
        if before:
            llm.create_chat_completion(model._chat([system, Message("user", before)]))
        model.new_conversation()
        llm.create_chat_completion(model._chat([system, Message("user", "What are my sales?")]))
        starts.append(llm.evaluated_from[-1])
    assert starts == [model._shared] * 3


def test_the_runner_resets_models_that_have_a_prompt_cache(
    shop: ShopData, settings: Settings
) -> None:
    ctx = ToolContext(shop, settings)
    model, llm = local_model()
    model._shared = 3
    llm.n_tokens = 50
    _new_conversation(Agent(model, ctx))
    assert llm.n_tokens == 3
    # A backend without a cache: nothing to do.
    _new_conversation(Agent(ScriptedModel([]), ctx))
