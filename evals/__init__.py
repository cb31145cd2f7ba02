"""Evaluation data (suites, schemas, baselines, fixtures, labelled sets): no code.

A package only so that ``importlib.resources`` finds it, like ``prompts``; the code that reads
it lives in ``copilot.evaluation``.
"""
