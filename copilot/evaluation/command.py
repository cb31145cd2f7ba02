"""``copilot eval``: arguments and the command body (cli.py only wires them in).

Heavy imports happen inside :func:`run_command`, so building the CLI parser stays cheap.
"""

from __future__ import annotations

import argparse
import fnmatch
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copilot.core.errors import InputError
from copilot.core.settings import BACKENDS, Settings

if TYPE_CHECKING:
    from tools import ToolContext


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``copilot eval``."""
    parser.add_argument(
        "suites",
        nargs="+",
        metavar="SUITE",
        help="core, plans, retrieval or a suite file; or draft-from-feedback: write the web "
        "chat's thumbs-down answers as draft cases",
    )
    parser.add_argument("--backend", choices=BACKENDS, help="override COPILOT_LLM")
    parser.add_argument("--repeat", type=int, default=1, help="run every case N times (flakiness)")
    parser.add_argument(
        "--report", metavar="DIR", help="report folder (default: $COPILOT_HOME/reports/eval)"
    )
    parser.add_argument("--baseline", metavar="FILE", help="compare with this stored run")
    parser.add_argument(
        "--update-baseline", action="store_true", help="write this run to the --baseline file"
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=None,
        help="allowed pass-rate drop against the baseline (default 0.05)",
    )
    parser.add_argument(
        "--rubric", action="store_true", help="also run model-graded rubrics (not deterministic)"
    )
    parser.add_argument("--case", action="append", default=[], help="only case ids matching (glob)")
    parser.add_argument("--tag", action="append", default=[], help="only cases with this tag")
    parser.add_argument(
        "--required-only",
        action="store_true",
        help="only the suites' required cases (the quick gate that make test runs)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse the cases an interrupted run saved in the report folder",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="draft-from-feedback: where to write the drafts "
        "(default: $COPILOT_HOME/evals/feedback-drafts.yaml)",
    )


DRAFTS = "draft-from-feedback"


def draft_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the thumbs-down turns of the web chat as a draft suite and check it loads."""
    from copilot.chats import ChatStore
    from copilot.evaluation.cases import load_suite
    from copilot.evaluation.drafts import write_drafts
    from copilot.shop.store import create_shop_engine

    if len(args.suites) > 1:
        raise InputError(f"{DRAFTS} takes no suite names (got {' '.join(args.suites[1:])})")
    turns = ChatStore(create_shop_engine(settings.effective_database_url)).rated(-1)
    out = Path(args.out) if args.out else settings.home_dir / "evals" / "feedback-drafts.yaml"
    if not turns:
        print("no thumbs-down answers in the web chat yet: nothing to draft")
        return 0
    write_drafts(turns, settings.shop_name or settings.home_dir.resolve().name, out)
    suite = load_suite(out)  # a draft that does not load is no use to an evaluator
    print(f"{len(suite.cases)} draft case(s) written to {out}")
    print(f"add what each answer must state, then run: copilot eval {out}")
    return 0


def model_label(settings: Settings) -> str:
    """Which model answered, for the report."""
    if settings.llm == "openai":
        return settings.openai_model
    if settings.llm == "scripted":
        return "keyword"
    from copilot.llm.model_file import FILENAME

    return settings.model_path.name if settings.model_path else FILENAME


def _select(
    suites: list[Any], patterns: list[str], tags: list[str], required_only: bool = False
) -> list[Any]:
    if not patterns and not tags and not required_only:
        return suites
    out = []
    for suite in suites:
        required = suite.required_ids() if required_only else set()
        cases = tuple(
            c
            for c in suite.cases
            if (not patterns or any(fnmatch.fnmatch(c.id, p) for p in patterns))
            and (not tags or set(tags) & set(c.tags))
            and (not required_only or c.id in required)
        )
        if cases:
            out.append(replace(suite, cases=cases))
    return out


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so the suite's extra documents leave the knowledge base."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (e.g. an embedding app): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_command(
    args: argparse.Namespace,
    settings: Settings,
    build_agent: Callable[[Settings], Any],
    open_tools: Callable[[Settings], ToolContext],
) -> int:
    """Run the suites, write the reports, compare with the baseline; 1 when the gate fails.

    ``build_agent`` and ``open_tools`` come from the CLI, which may share fitted models.
    """
    from copilot.evaluation.baseline import TOLERANCE, diff_runs, gate_problems, load_baseline
    from copilot.evaluation.cases import load_suites
    from copilot.evaluation.checkpoint import Checkpoint
    from copilot.evaluation.report import run_json, write_json, write_junit
    from copilot.evaluation.runner import RunOptions, run_suites
    from copilot.evaluation.scoring import model_grader
    from copilot.evaluation.summary import markdown, write_markdown

    if args.repeat < 1:
        raise InputError("--repeat must be at least 1")
    if args.update_baseline and not args.baseline:
        raise InputError("--update-baseline needs --baseline FILE (where to write it)")
    if args.backend:
        settings = settings.model_copy(update={"llm": args.backend})
    suites = _select(load_suites(args.suites), args.case, args.tag, args.required_only)
    if not suites:
        raise InputError("no case matches --case/--tag")
    baseline_path = Path(args.baseline) if args.baseline else None
    baseline = None
    if baseline_path and (not args.update_baseline or baseline_path.exists()):
        baseline = load_baseline(baseline_path)  # read before a long run, not after
    agent = build_agent(settings) if any(s.kind == "agent" for s in suites) else None
    ctx = agent.ctx if agent is not None else open_tools(settings)
    folder = Path(args.report) if args.report else settings.home_dir / "reports" / "eval"
    label = model_label(settings)
    run_key = {
        "backend": settings.llm,
        "model": label,
        "repeat": args.repeat,
        "rubric": args.rubric,
    }
    checkpoint = Checkpoint(folder / "progress.jsonl", run_key, resume=args.resume)
    if checkpoint.reusable:
        print(f"resuming: {checkpoint.reusable} finished case(s) reused", file=sys.stderr)
    options = RunOptions(
        repeat=args.repeat,
        grader=model_grader(agent.model) if args.rubric and agent is not None else None,
        progress=not args.no_progress,
        backend=settings.llm,
        model=label,
        checkpoint=checkpoint,
    )
    with _sigterm_as_interrupt():
        try:
            run = run_suites(suites, ctx, agent, options)
        except KeyboardInterrupt:
            print(
                f"interrupted; finished cases are saved in {checkpoint.path}: run the same "
                "command with --resume to continue",
                file=sys.stderr,
            )
            return 130
    current = run_json(run)
    diff = diff_runs(current, baseline, str(baseline_path)) if baseline is not None else None
    tolerance = TOLERANCE if args.tolerance is None else args.tolerance
    problems = gate_problems(current, None if args.update_baseline else diff, tolerance)
    write_json(current, folder / "report.json")
    write_junit(run, folder / "junit.xml")
    write_markdown(markdown(run, problems, diff), folder / "summary.md")
    for s in run.suites:
        m = s.metrics
        print(
            f"{s.suite.name}: {m['passed']:.0f}/{m['cases']:.0f} passed ({m['pass_rate']:.1%}), "
            f"{m['flaky']:.0f} flaky, {s.seconds:.0f} s"
        )
    if diff is not None:
        print(
            f"against {baseline_path}: {len(diff.newly_failing)} newly failing, "
            f"{len(diff.newly_passing)} newly passing"
        )
    if args.update_baseline and baseline_path is not None:
        write_json(run_json(run, slim=True), baseline_path)
        print(f"baseline written: {baseline_path}")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    print(f"reports: {folder}/summary.md, report.json, junit.xml")
    return 1 if problems else 0
