"""The agent: loop, grounding check, prompts; backends are in ``copilot.llm``."""

from copilot.agent.loop import Agent
from copilot.agent.types import AgentAnswer, Event, Grounding, Message, ToolTrace

__all__ = ["Agent", "AgentAnswer", "Event", "Grounding", "Message", "ToolTrace"]
