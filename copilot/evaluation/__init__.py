"""Prompt regression suites: cases as YAML data, deterministic scorers, reports, baseline gate.

Data (suites, schemas, baselines) lives in the top-level ``evals/`` folder; this package is the
code that loads, runs, scores and reports them (``copilot eval``). Modules: ``cases`` (load and
validate suites), ``scorers``, ``runner`` (and ``retrieval`` for the retrieval suite kind),
``results`` (values and metrics), ``report`` (JSON, JUnit), ``summary`` (Markdown),
``baseline`` (diff and CI gate), ``command`` (the CLI body). ``routing`` (a model's first
tool choice on labelled questions) and ``injection`` (``python -m copilot.evaluation.injection``:
does a model obey instructions planted in documents) measure the model itself. Nothing is
re-exported here so that building the CLI parser does not import the agent and the tools.
"""
