"""LLM backends chosen by ``COPILOT_LLM``: local (llama.cpp), openai (compatible), scripted."""

from __future__ import annotations

from copilot.core.settings import Settings
from copilot.llm.model import Model


def make_model(settings: Settings) -> Model:
    """The configured backend (imports its SDK only when chosen)."""
    if settings.llm == "openai":
        from copilot.llm.openai_chat import OpenAIModel

        return OpenAIModel(settings)
    if settings.llm == "scripted":
        from copilot.llm.demo_script import demo_model

        return demo_model()
    from copilot.llm.local import LocalModel

    return LocalModel(settings)
