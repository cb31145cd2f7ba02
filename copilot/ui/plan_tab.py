"""The campaign plan tab: a form -> ``plan_campaign`` -> Markdown to edit and download."""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from copilot.agent.narrative import write_narrative
from copilot.core.errors import CopilotError, ToolError
from copilot.core.text import language_of
from copilot.core.vocabulary import CHANNELS
from copilot.shop.plans import PlanStore
from copilot.ui.i18n import Label, page_language, text
from copilot.ui.plan_form import (
    AUTO,
    audience_choices,
    error_text,
    form_error,
    offer_choices,
    offer_depth,
    start_date,
)
from copilot.ui.plan_whatif import inputs_of, whatif_line
from copilot.ui.runtime import Runtime
from tools.planning import plan_campaign
from tools.profiling.api import segment_overview
from tools.profiling.segments import EVERYONE

log = logging.getLogger(__name__)
CHANNEL_CHOICES = [AUTO, *CHANNELS]


@dataclass(frozen=True)
class PlanFiles:
    """The downloadable plan: Markdown (the edited narrative) and JSON (numbers + narrative)."""

    markdown: Path
    json: Path


def write_plan_files(plan: dict[str, Any], narrative: str, folder: Path) -> PlanFiles:
    """Write the plan as ``campaign-plan.md`` and ``campaign-plan.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "campaign-plan.md"
    md.write_text(narrative, encoding="utf-8")
    data = {**plan, "narrative": narrative}
    js = folder / "campaign-plan.json"
    js.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return PlanFiles(md, js)


def make_plan(
    runtime: Runtime,
    goal: str,
    budget: float | None,
    audience: str,
    channel: str,
    start: str,
    weeks: float,
    filters: dict[str, Any] | None = None,
    offer: str = AUTO,
) -> tuple[dict[str, Any], str]:
    """The plan as JSON values and Markdown in the goal's language, with the model's
    grounding-checked summary on top; ``filters`` narrow the audience to a customer list's.
    Bad input raises a ``CopilotError``."""
    segment, filters = audience_args(audience, filters)
    inputs = {
        "goal": goal.strip(),
        "budget": budget,
        "audience": segment,
        "channel": None if channel == AUTO else channel,
        "start": start.strip() or None,
        "weeks": int(weeks),
    }
    plan = plan_campaign.run(runtime.ctx, inputs, filters=filters, depth_pct=offer_depth(offer))
    language = language_of(goal)
    try:
        model, allow_pii = runtime.agent().model, runtime.settings.allow_pii_remote
        summary = write_narrative(model, plan, language, allow_pii).text
    except CopilotError as error:  # no model: the plan stands without a summary
        log.warning("plan summary skipped: %s", error)
        summary = None
    return plan.to_json_dict(), plan.to_markdown(language, summary)


def audience_args(
    audience: str, filters: dict[str, Any] | None
) -> tuple[str | None, dict[str, Any] | None]:
    """The form's audience as ``plan_campaign`` arguments: a segment key (None: from the goal)
    and the list filters; "all customers" is no segment with the filters, possibly none."""
    if audience == EVERYONE[0]:
        return None, filters or {}
    return (None if audience == AUTO else audience), filters


def plan_outputs(plan: dict[str, Any], markdown: str, status: str) -> list[Any]:
    """The plan on show: state, its files' folder, status line, view, editor, downloads."""
    where = Path(tempfile.mkdtemp(prefix="copilot-plan-"))
    files = write_plan_files(plan, markdown, where)
    return [
        plan,
        str(where),
        status,
        gr.update(value=markdown, visible=True),
        gr.update(value=markdown, visible=False),
        gr.update(value=str(files.markdown), visible=True),
        gr.update(value=str(files.json), visible=True),
    ]


def failed_outputs(problem: str) -> list[Any]:
    """No plan on show, and the reason (a stale plan would no longer match the form)."""
    hidden = gr.update(visible=False)
    return [None, None, problem, "", gr.update(value="", visible=False), hidden, hidden]


def whatif(
    runtime: Runtime,
    plan: dict[str, Any] | None,
    budget: float | None,
    audience: str,
    channel: str,
    offer: str,
    weeks: float,
    request: gr.Request,
    moved_only: bool = False,
) -> list[Any]:
    """The plan on show recomputed with the form's new numbers by the tools (no model), and
    how its expected result moved. With ``moved_only`` (the budget box lost focus, the weeks
    slider was let go) nothing happens unless the budget or the weeks differ from the plan's:
    leaving the box to press Save must not replace the plan or its status line."""
    unmoved = plan is not None and (budget, int(weeks)) == (
        plan["budget"]["total"],
        plan["timing"]["weeks"],
    )
    if plan is None or (moved_only and unmoved):
        return [gr.skip()] * 7
    lang = page_language(request)
    problem = form_error(plan["goal"], budget, None, lang)
    if problem is not None:
        return failed_outputs(problem)
    inputs = {
        **inputs_of(plan),
        "budget": budget,
        "channel": None if channel == AUTO else channel,
        "weeks": int(weeks),
    }
    # A customer list's filters stay while its audience does; another segment drops them.
    kept = inputs.pop("filters", None)
    inputs.pop("depth_pct", None)  # the form's offer is the one in use
    same = audience == plan["audience"]["segment"]
    inputs["audience"], filters = audience_args(audience, kept if same else None)
    try:
        fresh = plan_campaign.run(
            runtime.ctx, inputs, filters=filters, depth_pct=offer_depth(offer)
        )
    except CopilotError as error:
        return failed_outputs("✖ " + error_text(error, lang))
    after = fresh.to_json_dict()
    markdown = fresh.to_markdown(language_of(plan["goal"]))
    return plan_outputs(after, markdown, whatif_line(plan, after, lang))


def whatif_handler(runtime: Runtime, moved_only: bool) -> Callable[..., list[Any]]:
    """``whatif`` as an event handler (Gradio finds the request by its annotation: a typed
    function, not a partial)."""

    def handle(
        plan: dict[str, Any] | None,
        budget: float | None,
        audience: str,
        channel: str,
        offer: str,
        weeks: float,
        request: gr.Request,
    ) -> list[Any]:
        return whatif(runtime, plan, budget, audience, channel, offer, weeks, request, moved_only)

    return handle


def saved(runtime: Runtime, plan: dict[str, Any] | None, request: gr.Request) -> str:
    """Store the plan on show as a draft to approve in the campaigns tab."""
    lang = page_language(request)
    if plan is None:
        return text("plan_none", lang)
    store = PlanStore(runtime.shop.engine)
    plan_id = store.save(inputs_of(plan), plan, runtime.shop.version(), request.username or "web")
    return text("plan_saved", lang, id=plan_id)


@dataclass(frozen=True)
class PlanHandles:
    """Plan form components other tabs fill in."""

    audience: gr.Dropdown
    status: gr.Markdown
    list_filters: gr.State
    """The filters of the customer list handed over as the audience (None: the segment)."""


def build_plan_tab(runtime: Runtime, i18n: Label, blocks: gr.Blocks) -> PlanHandles:
    """Lay out the plan tab and wire its events (inside ``blocks``)."""
    plan_state = gr.State(None)
    folder = gr.State(None)
    list_filters = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            goal = gr.Textbox(
                label=i18n("goal"),
                value="Win back lapsed customers before the holidays",
                elem_id="plan-goal",
            )
            # No minimum here: Gradio would refuse a negative budget in English; the form's own
            # check says it in the page's language.
            budget = gr.Number(label=i18n("budget"), value=5000, elem_id="plan-budget")
            # Labels with sizes in the page's language are filled in when the page loads.
            audience = gr.Dropdown(
                [AUTO], value=AUTO, label=i18n("audience"), elem_id="plan-audience"
            )
            channel = gr.Dropdown(
                CHANNEL_CHOICES, value=AUTO, label=i18n("channel"), elem_id="plan-channel"
            )
            # Labels in the page's language are filled in when the page loads.
            offer = gr.Dropdown([AUTO], value=AUTO, label=i18n("offer"), elem_id="plan-offer")
            start = gr.DateTime(
                include_time=False, type="string", label=i18n("start"), elem_id="plan-start"
            )
            weeks = gr.Slider(1, 12, value=4, step=1, label=i18n("weeks"))
            run = gr.Button(i18n("make_plan"), variant="primary", elem_id="make-plan")
            status = gr.Markdown(elem_id="plan-status")
        with gr.Column(scale=3):
            with gr.Row():
                download_md = gr.DownloadButton(
                    i18n("download_md"), visible=False, elem_id="download-md"
                )
                download_json = gr.DownloadButton(
                    i18n("download_json"), visible=False, elem_id="download-json"
                )
                edit = gr.Button(i18n("edit_plan"), visible=False, size="sm", elem_id="plan-edit")
                done = gr.Button(
                    i18n("done_editing"), visible=False, size="sm", elem_id="plan-done"
                )
                save = gr.Button(i18n("save_plan"), visible=False, size="sm", elem_id="plan-save")
            # One plan: the rendered view, or its text in an editor while editing.
            shown = gr.Markdown(label=i18n("plan"), elem_id="plan-view")
            narrative = gr.Textbox(
                label=i18n("narrative"),
                lines=14,
                max_lines=40,
                visible=False,
                elem_id="plan-narrative",
            )

    def generate(
        goal_in: str,
        budget_in: float | None,
        audience_in: str,
        channel_in: str,
        offer_in: str,
        start_in: str | None,
        weeks_in: float,
        filters_in: dict[str, Any] | None,
        request: gr.Request,
    ) -> list[Any]:
        lang = page_language(request)
        problem = form_error(goal_in, budget_in, start_in, lang)
        if problem is None:
            day = start_date(start_in)  # "2026/12/7" as the tool reads it: 2026-12-07
            try:
                plan, markdown = make_plan(
                    runtime,
                    goal_in,
                    budget_in,
                    audience_in,
                    channel_in,
                    day.isoformat() if day else "",
                    weeks_in,
                    filters_in,
                    offer_in,
                )
            except CopilotError as error:
                problem = "✖ " + error_text(error, lang)
        if problem is not None:  # the last plan goes too: it no longer matches the form
            return failed_outputs(problem)
        return plan_outputs(plan, markdown, "")

    def edited(text_in: str, plan: dict[str, Any] | None, where: str | None) -> list[Any]:
        if plan is None or where is None:
            return [gr.skip(), gr.skip(), gr.skip()]
        files = write_plan_files(plan, text_in, Path(where))
        return [text_in, str(files.markdown), str(files.json)]

    def editor(on: bool) -> list[Any]:
        """The view or the editor, and the button that switches back."""
        return [
            gr.update(visible=not on),
            gr.update(visible=on),
            gr.update(visible=not on),
            gr.update(visible=on),
        ]

    def landing(request: gr.Request) -> list[Any]:
        lang = page_language(request)
        try:
            overview = segment_overview(runtime.ctx)
        except ToolError:  # no customers yet: only "chosen from the goal"
            overview = None
        return [
            gr.update(choices=audience_choices(overview, lang), value=AUTO),
            gr.update(choices=offer_choices(lang), value=AUTO),
        ]

    # Gradio finds the request by its annotation: a typed wrapper, not a partial.
    def on_save(plan: dict[str, Any] | None, request: gr.Request) -> str:
        return saved(runtime, plan, request)

    blocks.load(landing, outputs=[audience, offer], show_progress="hidden")
    switched = [shown, narrative, edit, done]
    shown_plan = [plan_state, folder, status, shown, narrative, download_md, download_json]
    form = [plan_state, budget, audience, channel, offer, weeks]
    for triggers, handler in (
        ([budget.blur, budget.submit, weeks.release], whatif_handler(runtime, moved_only=True)),
        ([audience.input, channel.input, offer.input], whatif_handler(runtime, moved_only=False)),
    ):
        gr.on(triggers, handler, inputs=form, outputs=shown_plan, trigger_mode="always_last").then(
            lambda plan: [gr.update(visible=plan is not None)] * 2,
            inputs=[plan_state],
            outputs=[edit, save],
        )
    save.click(on_save, [plan_state], [status])
    audience.input(lambda: None, outputs=[list_filters])  # another segment: not the list's
    run.click(
        generate,
        inputs=[goal, budget, audience, channel, offer, start, weeks, list_filters],
        outputs=[plan_state, folder, status, shown, narrative, download_md, download_json],
    ).then(
        lambda plan: [
            gr.update(visible=plan is not None),
            gr.update(visible=False),
            gr.update(visible=plan is not None),
        ],
        inputs=[plan_state],
        outputs=[edit, done, save],
    )
    edit.click(lambda: editor(True), outputs=switched)
    done.click(lambda: editor(False), outputs=switched)
    narrative.input(
        edited,
        inputs=[narrative, plan_state, folder],
        outputs=[shown, download_md, download_json],
        trigger_mode="always_last",
    )
    return PlanHandles(audience, status, list_filters)
