"""The campaigns tab: saved plans with their status; approve one (audience frozen, holdout split
off), download its audience, simulate its campaign on the demo shop, and read it out (a
complete read-out writes the lesson into the knowledge base)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from copilot.core.errors import CopilotError
from copilot.demo.campaign_sim import simulate_campaign
from copilot.demo.docs import POLICY
from copilot.shop.plans import PlanRecord, PlanStore
from copilot.ui.i18n import Label, Language, page_language, text
from copilot.ui.plan_form import error_text
from copilot.ui.runtime import Runtime
from tools.campaigns.approval import approve_plan, audience_frame
from tools.campaigns.lessons import remember_lesson
from tools.campaigns.readout import campaign_readout
from tools.findings import Say, describe
from tools.findings.profiling import segment_name

COLUMNS = (
    "camp_plan",
    "camp_status",
    "camp_goal",
    "camp_audience",
    "camp_budget",
    "camp_profit",
    "camp_created",
)


def plan_rows(records: list[PlanRecord], lang: Language) -> pd.DataFrame:
    """One row per saved plan, labelled and formatted for people in ``lang``."""
    say = Say(lang)
    rows = [
        [
            r.id,
            text(f"status_{r.status}", lang),
            r.goal,
            segment_name(r.plan["audience"]["segment"], say),
            say.money(float(r.plan["budget"]["total"])),
            say.money(float(r.plan["expected"]["profit"])),
            f"{r.created_at:%Y-%m-%d %H:%M}",
        ]
        for r in records
    ]
    return pd.DataFrame(rows, columns=[text(c, lang) for c in COLUMNS])


def plan_choices(records: list[PlanRecord], lang: Language) -> list[tuple[str, int]]:
    """(label, id) of every saved plan: "#3 · goal · status"."""
    return [(f"#{r.id} · {r.goal} · {text(f'status_{r.status}', lang)}", r.id) for r in records]


def approve(runtime: Runtime, plan_id: int, lang: Language) -> str:
    """Approve a draft; say what was frozen (or why nothing was)."""
    record = PlanStore(runtime.shop.engine).get(plan_id)
    if record.status != "draft":
        return text("camp_frozen", lang, id=plan_id, status=text(f"status_{record.status}", lang))
    done = approve_plan(runtime.ctx, plan_id)
    return text(
        "camp_approved",
        lang,
        id=plan_id,
        treated=f"{done.treatment:,}",
        holdout=f"{done.holdout:,}",
        code=done.record.offer_code,
    )


def audience_file(runtime: Runtime, plan_id: int, with_email: bool = False) -> Path | None:
    """The approved audience as a CSV to download (None for a draft); ``with_email`` adds the
    addresses the shop keeps."""
    if PlanStore(runtime.shop.engine).get(plan_id).status == "draft":
        return None
    path = Path(tempfile.mkdtemp(prefix="copilot-audience-")) / f"plan-{plan_id}-audience.csv"
    audience_frame(runtime.ctx, plan_id, with_email=with_email).to_csv(path, index=False)
    return path


def simulate(runtime: Runtime, plan_id: int, lang: Language) -> str:
    """Play the approved plan's campaign on the demo shop."""
    done = simulate_campaign(runtime.shop, plan_id)
    return text(
        "camp_simulated", lang, id=plan_id, orders=f"{done.orders:,}", uplift=f"{done.uplift:.0%}"
    )


def readout(runtime: Runtime, plan_id: int, lang: Language) -> str:
    """The read-out in the page's language; a complete one also keeps its lesson."""
    result = campaign_readout(runtime.ctx, plan_id=plan_id)
    words = describe(result, lang, runtime.settings.currency).text()
    if result.complete:
        remember_lesson(runtime.ctx, result)
        words += "\n\n" + text("camp_lesson", lang)
    return words


def build_campaigns_tab(runtime: Runtime, i18n: Label) -> None:
    """The campaigns tab and its events."""
    is_demo = runtime.shop.name() == POLICY["shop"]
    with gr.Tab(i18n("tab_campaigns"), id="campaigns") as tab:
        gr.Markdown(i18n("camp_intro"))
        listed = gr.Dataframe(interactive=False, wrap=True, elem_id="campaign-list")
        with gr.Row():
            pick = gr.Dropdown(
                choices=[], label=i18n("camp_pick"), scale=3, elem_id="campaign-pick"
            )
            go_approve = gr.Button(i18n("camp_approve"), scale=1, elem_id="campaign-approve")
            download = gr.DownloadButton(
                i18n("camp_download"), visible=False, scale=1, elem_id="campaign-download"
            )
            with_email = gr.Checkbox(
                label=i18n("camp_with_email"),
                value=False,
                visible=False,  # shown by the tab's listing while the shop keeps addresses
                scale=1,
                elem_id="campaign-email",
            )
            go_simulate = gr.Button(
                i18n("camp_simulate"), visible=is_demo, scale=1, elem_id="campaign-simulate"
            )
            go_readout = gr.Button(
                i18n("camp_readout"), variant="primary", scale=1, elem_id="campaign-readout"
            )
        result = gr.Markdown(elem_id="campaign-result")

    def listing(request: gr.Request) -> list[Any]:
        lang = page_language(request)
        records = PlanStore(runtime.shop.engine).plans()
        note = "" if records else text("camp_none", lang)
        # Read on every visit: addresses kept by an ingest since the page was built count.
        keeps = runtime.shop.counts()["customer_contacts"] > 0
        return [
            plan_rows(records, lang),
            gr.update(choices=plan_choices(records, lang)),
            note,
            gr.update(visible=keeps),
        ]

    def relisted(plan_id: int | None, request: gr.Request) -> list[Any]:
        """The list after an action (statuses move), the same plan still chosen."""
        lang = page_language(request)
        records = PlanStore(runtime.shop.engine).plans()
        choices = gr.update(choices=plan_choices(records, lang), value=plan_id)
        return [plan_rows(records, lang), choices]

    def act(what: Any) -> Any:
        def handle(plan_id: int | None, request: gr.Request) -> str:
            lang = page_language(request)
            if plan_id is None:
                return text("camp_choose", lang)
            try:
                return str(what(runtime, int(plan_id), lang))
            except CopilotError as error:
                return "✖ " + error_text(error, lang)

        return handle

    def picked(plan_id: int | None, email: bool) -> Any:
        path = audience_file(runtime, int(plan_id), email) if plan_id is not None else None
        return gr.update(value=str(path) if path else None, visible=path is not None)

    refresh = [listed, pick, result]
    tab.select(listing, outputs=[*refresh, with_email])
    pick.input(picked, [pick, with_email], [download])
    with_email.input(picked, [pick, with_email], [download])
    for button, what in ((go_approve, approve), (go_simulate, simulate), (go_readout, readout)):
        button.click(act(what), [pick], [result]).then(relisted, [pick], [listed, pick]).then(
            picked, [pick, with_email], [download]
        )
