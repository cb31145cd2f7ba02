"""Marketing copilot: an LLM agent that frames and phrases while analytics tools compute."""

__version__ = "0.1.0"
