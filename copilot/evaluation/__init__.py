"""Prompt regression suites: cases as YAML data, deterministic scorers, reports, baseline gate.

Data (suites, schemas, baselines) lives in the top-level ``evals/`` folder; this package is the
code that loads, runs, scores and reports them (``copilot eval``). Modules: ``cases`` (load and
validate suites), ``scorers``, ``runner`` (and ``retrieval`` for the retrieval suite kind),
``results`` (values and metrics), ``report`` (JSON, JUnit), ``summary`` (Markdown),
``baseline`` (diff and CI gate), ``command`` (the CLI body). Nothing is re-exported here so
that building the CLI parser does not import the agent and the tools.
"""
