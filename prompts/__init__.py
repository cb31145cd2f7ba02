"""Prompt templates (data files), found with importlib.resources."""
