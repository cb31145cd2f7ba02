"""The chat tab: streaming answers, tool messages, the last result as table and chart, cited
passages, Stop."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from copilot.core.errors import CopilotError
from copilot.ui.charts import plot_updates
from copilot.ui.columns import people_table
from copilot.ui.events import TurnView
from copilot.ui.i18n import EXAMPLES, Label, browser_language, language, text
from copilot.ui.runtime import Runtime
from copilot.ui.session import ChatSession, run_turn
from copilot.ui.views import result_chart, result_table
from copilot.ui.welcome import welcome

ANONYMOUS = "anonymous"
"""The audit's name for a user of a page served without a login (loopback, no users)."""


def passage_markdown(runtime: Runtime, citation: str | None, lang: str = "en") -> str:
    """The cited passage as Markdown, from the knowledge base by its id."""
    if not citation:
        return ""
    hit = runtime.knowledge().passage(citation)
    if hit is None:
        return text("no_passage", lang, citation=citation)
    quoted = "\n".join(f"> {line}" if line else ">" for line in hit.text.splitlines())
    return f"**[{citation}]** {hit.heading or hit.title} · *{hit.type}, {hit.language}*\n\n{quoted}"


def _csv(frame: pd.DataFrame, name: str) -> str:
    """The whole table (every column) as a CSV file with its header, for spreadsheets."""
    where = Path(tempfile.mkdtemp(prefix="copilot-table-")) / f"{name}.csv"
    frame.to_csv(where, index=False, encoding="utf-8-sig")  # the BOM: Excel reads UTF-8
    return str(where)


def _result_outputs(view: TurnView | None, currency: str) -> list[Any]:
    hidden = gr.update(visible=False)
    if view is None:
        return [gr.update(value=pd.DataFrame(), visible=False), hidden, *plot_updates(None)]
    frame = result_table(view.result)
    if frame.empty:  # the answer says there is nothing; an empty grid adds nothing
        return [gr.update(value=pd.DataFrame(), visible=False), hidden, *plot_updates(None)]
    shown = people_table(frame, type(view.result).__name__, view.language, currency)
    table = gr.update(value=shown, label=view.result_tool, visible=True)
    download = gr.update(value=_csv(frame, view.result_tool or "result"), visible=True)
    return [table, download, *plot_updates(result_chart(view.result, view.language))]


def build_chat_tab(runtime: Runtime, i18n: Label, blocks: gr.Blocks) -> None:
    """Lay out the chat tab and wire its events (inside ``blocks``)."""
    # A factory, not the class: Gradio calls it once per browser session.
    session = gr.State(lambda: ChatSession())
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            intro = gr.Markdown(elem_id="welcome")
            # Example questions above the fold, in the browser's language; a click asks one.
            starters = gr.Dataset(
                components=[gr.Textbox(visible=False)],
                samples=[],
                label=i18n("examples"),
                elem_id="starters",
            )
            chatbot = gr.Chatbot(
                label=i18n("tab_chat"),
                height=640,
                elem_id="chat",
                buttons=["copy"],
                feedback_options=None,
                group_consecutive_messages=False,
            )
            with gr.Row():
                question = gr.Textbox(
                    label=i18n("question"),
                    placeholder=i18n("placeholder"),
                    scale=5,
                    lines=1,
                    max_lines=4,
                    elem_id="question",
                )
                send = gr.Button(i18n("send"), variant="primary", scale=1, elem_id="send")
                stop = gr.Button(i18n("stop"), variant="stop", scale=1, elem_id="stop")
            next_steps = gr.Dataset(
                components=[question],
                samples=[],
                label=i18n("next_steps"),
                visible=False,
                elem_id="next-steps",
            )
            new_chat = gr.Button(i18n("new_chat"), size="sm", elem_id="new-chat")
        with gr.Column(scale=2):
            table = gr.Dataframe(
                label=i18n("last_result"),
                interactive=False,
                wrap=True,
                max_height=320,
                visible=False,
                elem_id="result-table",
            )
            download = gr.DownloadButton(
                i18n("download_csv"), visible=False, size="sm", elem_id="download-csv"
            )
            line = gr.LinePlot(visible=False, elem_id="result-line")
            bar = gr.BarPlot(visible=False, elem_id="result-bar")
            citation = gr.Dropdown(
                label=i18n("passage"), choices=[], interactive=True, elem_id="citation"
            )
            passage = gr.Markdown(elem_id="passage")

    outputs = [chatbot, session, question, table, download, line, bar, citation, next_steps]
    currency = runtime.settings.currency

    def respond(text_in: str, state: ChatSession, request: gr.Request) -> Iterator[list[Any]]:
        asked = text_in.strip()
        if not asked or state.question is not None:
            yield [gr.skip()] * len(outputs)
            return
        lang = language(asked)
        # The login name when the page needs one (gr.Request gets it from the session).
        user = request.username or ANONYMOUS
        try:
            agent = runtime.agent()
        except CopilotError as error:
            runtime.record_turn(user, asked, [], error)
            state.turns.append(
                TurnView(
                    [
                        {"role": "user", "content": asked},
                        {"role": "assistant", "content": text("error", lang, message=error)},
                    ],
                    lang,
                )
            )
            yield [state.messages(), state, "", *[gr.skip()] * 6]
            return
        shown: int | None = None
        record = partial(runtime.record_turn, user)
        for current in run_turn(agent, state, asked, record):
            view = current.last_result()
            # Tables and charts only when the result changes or the turn ends, not per token.
            changed = view is not None and id(view.result) != shown
            if changed or current.question is None:
                shown = id(view.result) if view is not None else None
                ids = current.views()[-1].citations
                pick = gr.update(choices=ids, value=ids[0] if ids else None)
                steps = (
                    [[s.question] for s in current.next_steps()] if current.question is None else []
                )
                offer = gr.Dataset(samples=steps, visible=bool(steps))
                shown_result = _result_outputs(view, currency)
                yield [current.messages(), current, "", *shown_result, pick, offer]
            else:
                yield [current.messages(), current, gr.skip(), *[gr.skip()] * 6]

    def stopped(state: ChatSession) -> list[Any]:
        state.stop()
        return [state.messages(), state]

    def reset() -> list[Any]:
        fresh = ChatSession()
        return [
            [],
            fresh,
            "",
            *_result_outputs(None, currency),
            gr.update(choices=[], value=None),
            gr.Dataset(samples=[], visible=False),
        ]

    submitted = gr.on(
        [send.click, question.submit],
        respond,
        inputs=[question, session],
        outputs=outputs,
        concurrency_limit=4,
        concurrency_id="chat",
    )
    # A clicked next step is asked like a typed question (and runs its tool directly).
    clicked = next_steps.click(
        lambda sample: sample[0], inputs=[next_steps], outputs=[question]
    ).then(
        respond,
        inputs=[question, session],
        outputs=outputs,
        concurrency_limit=4,
        concurrency_id="chat",
    )
    started = starters.click(lambda sample: sample[0], inputs=[starters], outputs=[question]).then(
        respond,
        inputs=[question, session],
        outputs=outputs,
        concurrency_limit=4,
        concurrency_id="chat",
    )

    def landing(request: gr.Request) -> list[Any]:
        lang = browser_language(request.headers.get("accept-language"))
        shown = welcome(runtime.settings, runtime.shop, lang)
        return [shown, gr.Dataset(samples=[[q] for q in EXAMPLES[lang]])]

    blocks.load(landing, outputs=[intro, starters], show_progress="hidden")
    stop.click(
        stopped,
        inputs=[session],
        outputs=[chatbot, session],
        cancels=[submitted, clicked, started],
    )
    new_chat.click(reset, outputs=outputs, cancels=[submitted, clicked, started])
    citation.change(
        lambda cid: passage_markdown(runtime, cid), inputs=[citation], outputs=[passage]
    )
