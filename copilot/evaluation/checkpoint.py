"""Finished cases saved as they complete, so a long run that is killed can be resumed.

A run of the ``core`` suite against a local model takes most of an hour on a shared 2-core
machine; losing it to a stray SIGTERM near the end is expensive. Each finished case is
appended to ``progress.jsonl`` in the report folder; ``--resume`` reuses the cases whose
backend, model, repeat count and questions are unchanged and runs the rest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from copilot.evaluation.cases import Case
from copilot.evaluation.report import case_json
from copilot.evaluation.results import Attempt, CaseResult, Turn
from copilot.evaluation.scorers import Verdict


def verdict_from_json(data: dict[str, Any]) -> Verdict:
    """Inverse of ``report.verdict_json``."""
    return Verdict(
        data["scorer"],
        bool(data["passed"]),
        data["reason"],
        dict(data.get("metrics") or {}),
        bool(data.get("deterministic", True)),
    )


def attempt_from_json(data: dict[str, Any]) -> Attempt:
    """Inverse of the full (not slim) attempt JSON."""
    turns = [
        Turn(
            t["question"],
            t["answer"],
            t["latency_s"],
            t.get("language", ""),
            list(t.get("tools") or []),
            dict(t.get("grounding") or {}),
            list(t.get("citations") or []),
        )
        for t in data.get("turns") or []
    ]
    return Attempt([verdict_from_json(v) for v in data["verdicts"]], turns, data.get("error"))


class Checkpoint:
    """Appends finished cases to a JSONL file and hands back the reusable ones."""

    def __init__(self, path: Path, run_key: dict[str, Any], resume: bool) -> None:
        self.path = path
        self.run_key = run_key
        self._done: dict[tuple[str, str], dict[str, Any]] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by the kill
                if row.get("run") == run_key:
                    self._done[(row["suite"], row["case"]["id"])] = row["case"]
        else:
            path.write_text("", encoding="utf-8")

    @property
    def reusable(self) -> int:
        """How many finished cases were found."""
        return len(self._done)

    def lookup(self, suite: str, case: Case, required: bool) -> CaseResult | None:
        """The saved result of ``case`` when its questions did not change."""
        data = self._done.get((suite, case.id))
        if data is None or data.get("input") != list(case.turns):
            return None
        return CaseResult(case, [attempt_from_json(a) for a in data["attempts"]], required)

    def save(self, suite: str, result: CaseResult) -> None:
        """Append one finished case (flushed, so a kill right after keeps it)."""
        row = {"run": self.run_key, "suite": suite, "case": case_json(result)}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
