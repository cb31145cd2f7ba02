"""The model gate gives the same verdict whatever ran before (issue 17, reproducible gate)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from copilot.evaluation.runner import _new_conversation
from copilot.llm.local import LocalModel
from copilot.llm.types import Message


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


def local_model() -> LocalModel:
    model = LocalModel.__new__(LocalModel)
    model._llm = FakeLlama()  # type: ignore[assignment]
    model._shared = 0
    return model


def test_each_case_starts_from_the_system_prompt_whatever_came_before() -> None:
    model = local_model()
    system = Message("system", "You are the copilot.")
    model.read_prompt([system, Message("user", "Hello")])
    llm = model._llm
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


def test_the_runner_resets_models_that_have_a_prompt_cache() -> None:
    class Agentish:
        def __init__(self, model: object) -> None:
            self.model = model

    model = local_model()
    model._shared = 3
    model._llm.n_tokens = 50  # type: ignore[attr-defined]
    _new_conversation(Agentish(model))  # type: ignore[arg-type]
    assert model._llm.n_tokens == 3  # type: ignore[attr-defined]
    _new_conversation(Agentish(object()))  # a backend without a cache: nothing to do
