"""Run suites: ask the agent every case (repeatedly if asked), score, collect metrics."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from copilot.agent import Agent, AgentAnswer, Message
from copilot.core.errors import InputError
from copilot.core.resources import data_dir
from copilot.evaluation.cases import Case, Suite
from copilot.evaluation.checkpoint import Checkpoint
from copilot.evaluation.results import (
    Attempt,
    CaseResult,
    RunResult,
    SuiteResult,
    Turn,
    suite_metrics,
    threshold_verdicts,
)
from copilot.evaluation.scorers import Grader, Observation, Verdict
from copilot.evaluation.scoring import score
from tools import ToolContext

RESULT_CHARS = 2000
"""Tool output kept per call in the report (the model saw at most MAX_TOOL_CHARS)."""


@dataclass(frozen=True)
class RunOptions:
    """How to run: repeats, the optional rubric grader, progress, checkpoint, report labels."""

    repeat: int = 1
    grader: Grader | None = None
    progress: bool = False
    """A bar on a terminal; one line per case otherwise (CI logs)."""
    backend: str = ""
    model: str = ""
    checkpoint: Checkpoint | None = None


def _turn(question: str, answer: AgentAnswer, seconds: float) -> Turn:
    return Turn(
        question=question,
        answer=answer.text,
        latency_s=seconds,
        language=answer.language,
        tools=[
            {
                "name": t.name,
                "arguments": t.arguments,
                "ok": t.ok,
                "result": t.result_json[:RESULT_CHARS],
            }
            for t in answer.tools
        ],
        grounding={
            "ok": answer.grounding.ok,
            "unsupported": list(answer.grounding.unsupported),
            "attempts": answer.grounding.attempts,
            "fallback": answer.grounding.fallback,
        },
        citations=list(answer.citations),
    )


def run_case(agent: Agent, case: Case, grader: Grader | None = None) -> Attempt:
    """Ask every turn in order with the conversation so far; score the last answer.

    An exception in the agent or a tool ends the attempt as an error, so one broken case does
    not cost the rest of a long run.
    """
    history: list[Message] = []
    turns: list[Turn] = []
    answer: AgentAnswer | None = None
    try:
        for question in case.turns:
            started = time.perf_counter()
            answer = agent.ask(question, history)
            turns.append(_turn(question, answer, time.perf_counter() - started))
            history += [Message("user", question), Message("assistant", answer.text)]
    except Exception as exc:  # noqa: BLE001 - recorded in the report, not swallowed
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(last.filename).name}:{last.lineno}"
        error = f"{type(exc).__name__}: {exc} ({where})"
        return Attempt([Verdict("error", False, error)], turns, error)
    if answer is None:  # pragma: no cover - the schema requires one turn
        raise RuntimeError(f"case {case.id} has no turns")
    earlier = tuple(m.content for m in history[:-2])
    obs = Observation(case.turns[-1], answer, turns[-1].latency_s, earlier)
    return Attempt(score(case.expect, obs, grader), turns)


@contextmanager
def extra_documents(ctx: ToolContext, paths: Sequence[Path]) -> Iterator[None]:
    """For the run, the tools search a private copy of the knowledge base plus ``paths``.

    The configured index is never written: a second eval run on the same data directory
    (or the UI) would otherwise see the fixture documents appear and vanish under it, and
    Chroma then returns ids whose records are gone.
    """
    if not paths:
        yield
        return
    from knowledge.sources import file_sources
    from knowledge.store import KnowledgeStore
    from tools.knowledge_search import knowledge_store

    shared = knowledge_store(ctx)
    with tempfile.TemporaryDirectory(prefix="copilot-eval-") as folder:
        private = ctx.settings.model_copy(update={"home": Path(folder), "chroma_url": None})
        copy = KnowledgeStore(private, embedder=shared.embedder)
        shared.copy_into(copy)
        roots = {str(p.resolve()) for p in paths}
        copy.index([s for p in paths for s in file_sources(p)], roots)
        # knowledge_store() reads this cache entry; the tools and the agent are untouched.
        with ctx.substituted("knowledge", copy):
            yield


def _check_knowledge(ctx: ToolContext) -> None:
    from tools.knowledge_search import knowledge_store

    if knowledge_store(ctx).count() == 0:
        raise InputError(
            "the knowledge base is empty, so every document question would fail: run "
            "`copilot demo` and `copilot index` first"
        )


def _new_conversation(agent: Agent) -> None:
    """A model with a prompt cache starts each case from the same cached state (see
    ``LocalModel.new_conversation``), so a case's verdict does not depend on the one before."""
    reset = getattr(agent.model, "new_conversation", None)
    if callable(reset):
        reset()


def run_agent_suite(
    suite: Suite, agent: Agent, options: RunOptions, bar: tqdm[Any] | None = None
) -> SuiteResult:
    """Every case of an agent suite, ``options.repeat`` times each."""
    started = time.perf_counter()
    _check_knowledge(agent.ctx)
    required = suite.required_ids()
    saved = options.checkpoint
    lines = options.progress and not sys.stderr.isatty()
    results = []
    warm = time.perf_counter()
    agent.warm_up()  # untimed: the first case would otherwise pay for fitting and the prompt
    if lines:
        print(f"[{suite.name}] warm-up {time.perf_counter() - warm:.1f} s", file=sys.stderr)
    plain = [c for c in suite.cases if c.setup is None]
    played = [c for c in suite.cases if c.setup is not None]

    def run_all(cases: list[Case], asked: Agent) -> None:
        for case in cases:
            began = time.perf_counter()
            result = saved.lookup(suite.name, case, case.id in required) if saved else None
            if result is None:
                attempts = []
                for _ in range(options.repeat):
                    if bar is not None:
                        bar.set_postfix_str(case.id[:30])
                    _new_conversation(asked)
                    attempts.append(run_case(asked, case, options.grader))
                    if bar is not None:
                        bar.update(1)
                result = CaseResult(case, attempts, case.id in required)
                if saved is not None:
                    saved.save(suite.name, result)
            elif bar is not None:
                bar.update(options.repeat)
            results.append(result)
            if lines:
                verdict = "pass" if result.passed else ("flaky" if result.flaky else "FAIL")
                print(
                    f"[{suite.name} {len(results)}/{len(suite.cases)}] {case.id}: {verdict} "
                    f"({time.perf_counter() - began:.1f} s)",
                    file=sys.stderr,
                    flush=True,
                )

    with extra_documents(agent.ctx, suite.documents):
        run_all(plain, agent)
    if played:
        from copilot.evaluation.played import played_world

        with played_world(agent) as world, extra_documents(world.ctx, suite.documents):
            run_all(played, world)
    return SuiteResult(
        suite,
        results,
        suite_metrics(results),
        threshold_verdicts(suite, results),
        time.perf_counter() - started,
    )


def run_suites(
    suites: Sequence[Suite],
    ctx: ToolContext,
    agent: Agent | None,
    options: RunOptions = RunOptions(),
) -> RunResult:
    """Run every suite; ``agent`` may be None when only retrieval suites are given."""
    from copilot.evaluation.retrieval import retrieval_units, run_retrieval_suite

    started = time.perf_counter()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    total = sum(
        len(s.cases) * options.repeat if s.kind == "agent" else retrieval_units(s) for s in suites
    )
    out = []
    with tqdm(
        total=total,
        desc="eval",
        unit="case",
        file=sys.stderr,
        disable=None if options.progress else True,  # None: only on a terminal
        leave=False,
    ) as bar:
        for suite in suites:
            bar.set_description(suite.name)
            if suite.kind == "retrieval":
                out.append(run_retrieval_suite(suite, ctx, bar))
            elif agent is None:
                raise InputError(f"suite {suite.name} needs a model backend")
            else:
                out.append(run_agent_suite(suite, agent, options, bar))
    return RunResult(
        out,
        stamp,
        time.perf_counter() - started,
        options.backend,
        options.model,
        options.repeat,
        _commit(),
    )


def _commit() -> str:
    """The checked-out commit, so a baseline says what code it measured (best effort)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=data_dir("copilot"),
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
