"""The agent: loop, grounding check, prompts; backends are in ``copilot.llm``."""

from copilot.agent.events import Event
from copilot.agent.loop import Agent
from copilot.agent.types import AgentAnswer, Grounding, ToolTrace
from copilot.llm.types import Message  # the history an Agent is asked with, one import away

__all__ = ["Agent", "AgentAnswer", "Event", "Grounding", "Message", "ToolTrace"]
