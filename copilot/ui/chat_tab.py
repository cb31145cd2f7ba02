"""The chat tab: streaming answers, tool messages, the last result as table and chart, cited
passages, Stop."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from copilot.core.errors import CopilotError
from copilot.ui.audience import offer_label, session_offer
from copilot.ui.charts import plot_updates
from copilot.ui.columns import people_table
from copilot.ui.events import TurnView
from copilot.ui.history import save, sidebar_updates
from copilot.ui.i18n import EXAMPLES, Label, language, page_language, text
from copilot.ui.progress import model_line, step_html, step_label
from copilot.ui.runtime import Runtime
from copilot.ui.session import ChatSession, run_turn
from copilot.ui.sidebar import sidebar, wire_feedback, wire_history
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
    chart = result_chart(view.result, view.language)
    return [table, download, *plot_updates(chart, view.language)]


Respond = Callable[[str, ChatSession, gr.Request], Iterator[list[Any]]]
"""Answers a question into the chat outputs (``OUTPUTS`` order), one update per event."""


def _responder(runtime: Runtime, width: int) -> Respond:
    """The chat's answering generator for ``width`` outputs."""
    currency = runtime.settings.currency

    def respond(text_in: str, state: ChatSession, request: gr.Request) -> Iterator[list[Any]]:
        asked = text_in.strip()
        if not asked or state.question is not None:
            yield [gr.skip()] * width
            return
        lang = language(asked)
        started = time.monotonic()
        # The question moves into the chat at once, even while the model is still loading.
        waiting = not runtime.loaded()
        state.question, state.events = asked, []
        line = step_label([], lang, loading=waiting)
        # The last answer's next steps go until this turn ends: a click on one meanwhile would
        # be ignored, and their coming back is the page's sign that the turn is stored.
        hidden = gr.Dataset(samples=[], visible=False)
        yield [state.messages(), state, "", *[gr.skip()] * 5, hidden, step_html(line, started)]
        # The login name when the page needs one (gr.Request gets it from the session).
        user = request.username or ANONYMOUS
        try:
            agent = runtime.agent()
        except CopilotError as error:
            runtime.record_turn(user, asked, [], error)
            state.question = None
            state.turns.append(
                TurnView(
                    [
                        {"role": "user", "content": asked},
                        {"role": "assistant", "content": text("error", lang, message=error)},
                    ],
                    lang,
                    question=asked,
                )
            )
            yield [state.messages(), state, gr.skip(), *[gr.skip()] * 6, ""]
            return
        shown: int | None = None
        record = partial(runtime.record_turn, user)
        for current in run_turn(agent, state, asked, record):
            view = current.last_result()
            was, line = line, step_label(current.events, lang, waiting and not current.events)
            step = step_html(line, started) if current.question is not None else ""
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
                if current.question is None:
                    save(runtime.chats, current)  # before the page shows the turn as done
                yield [current.messages(), current, gr.skip(), *shown_result, pick, offer, step]
            else:
                moved = step if line != was else gr.skip()
                yield [current.messages(), current, gr.skip(), *[gr.skip()] * 6, moved]

    return respond


def build_chat_tab(runtime: Runtime, i18n: Label, blocks: gr.Blocks) -> ChatHandles:
    """Lay out the chat tab and the chat history sidebar, and wire their events; returns what
    the plan tab takes an audience from."""
    # A factory, not the class: Gradio calls it once per browser session.
    session = gr.State(lambda: ChatSession())
    store = runtime.chats
    side = sidebar(i18n)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            intro = gr.Markdown(elem_id="welcome")
            status = gr.Markdown(elem_id="model-status")
            ticking = gr.Timer(1.0)
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
                editable="user",
                group_consecutive_messages=False,
            )
            step = gr.HTML(elem_id="step-line")
            with gr.Group(visible=False, elem_id="feedback") as feedback:
                comment = gr.Textbox(
                    label=i18n("feedback_comment"), lines=2, elem_id="feedback-comment"
                )
                send_feedback = gr.Button(i18n("feedback_save"), size="sm", elem_id="feedback-save")
            with gr.Row(elem_id="ask-row"):
                question = gr.Textbox(
                    label=i18n("question"),
                    placeholder=i18n("placeholder"),
                    scale=5,
                    lines=1,
                    max_lines=4,
                    elem_id="question",
                )
                # Narrow buttons, so Stop stays beside Send on an 800 px screen.
                send = gr.Button(
                    i18n("send"), variant="primary", scale=1, min_width=70, elem_id="send"
                )
                stop = gr.Button(
                    i18n("stop"), variant="stop", scale=1, min_width=70, elem_id="stop"
                )
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
            with gr.Row():
                download = gr.DownloadButton(
                    i18n("download_csv"), visible=False, size="sm", elem_id="download-csv"
                )
                use = gr.Button(visible=False, size="sm", elem_id="use-audience")
            line = gr.LinePlot(visible=False, elem_id="result-line")
            bar = gr.BarPlot(visible=False, elem_id="result-bar")
            citation = gr.Dropdown(
                label=i18n("passage"), choices=[], interactive=True, elem_id="citation"
            )
            passage = gr.Markdown(elem_id="passage")

    outputs = [chatbot, session, question, table, download, line, bar, citation, next_steps, step]
    currency = runtime.settings.currency

    respond = _responder(runtime, len(outputs))

    def ask_again(
        state: ChatSession, n: int, asked: str, request: gr.Request
    ) -> Iterator[list[Any]]:
        """Replace turn ``n`` and the ones after it by the answer to ``asked``."""
        if state.question is not None or not 0 <= n < len(state.turns) or not asked.strip():
            yield [gr.skip()] * len(outputs)
            return
        state.forget_from(n)
        if state.chat_id is not None:
            store.forget_from(state.owner, state.chat_id, n)
        yield from respond(asked, state, request)

    def regenerate(state: ChatSession, request: gr.Request) -> Iterator[list[Any]]:
        last = len(state.turns) - 1
        asked = state.turns[last].question if state.turns else ""
        yield from ask_again(state, last, asked, request)

    def edited(state: ChatSession, edit: gr.EditData, request: gr.Request) -> Iterator[list[Any]]:
        n = state.turn_of(edit.index if isinstance(edit.index, int) else edit.index[0])
        yield from ask_again(state, -1 if n is None else n, str(edit.value), request)

    def stopped(state: ChatSession) -> list[Any]:
        state.stop()
        return [state.messages(), state, ""]

    def fresh_outputs(state: ChatSession, question_box: Any = None) -> list[Any]:
        # A question typed while a chat loads stays; New chat empties the box.
        return [
            state.messages(),
            state,
            gr.skip() if question_box is None else question_box,
            *_result_outputs(None, currency),
            gr.update(choices=[], value=None),
            gr.Dataset(samples=[], visible=False),
            "",
        ]

    def reset(state: ChatSession) -> list[Any]:
        return fresh_outputs(ChatSession(owner=state.owner), "")

    runs: dict[str, Any] = {"concurrency_limit": 4, "concurrency_id": "chat"}
    submitted = gr.on([send.click, question.submit], respond, [question, session], outputs, **runs)
    # A clicked next step is asked like a typed question (and runs its tool directly).
    clicked = next_steps.click(
        lambda sample: sample[0], inputs=[next_steps], outputs=[question]
    ).then(respond, [question, session], outputs, **runs)
    started = starters.click(lambda sample: sample[0], inputs=[starters], outputs=[question]).then(
        respond, [question, session], outputs, **runs
    )
    retried = chatbot.retry(regenerate, [session], outputs, **runs)
    changed = chatbot.edit(edited, [session], outputs, **runs)
    turns = [submitted, clicked, started, retried, changed]

    def landing(request: gr.Request) -> list[Any]:
        lang = page_language(request)
        shown = welcome(runtime.settings, runtime.shop, lang)
        return [shown, gr.Dataset(samples=[[q] for q in EXAMPLES[lang]])]

    blocks.load(landing, outputs=[intro, starters], show_progress="hidden")

    def model_status(request: gr.Request) -> list[Any]:
        lang = page_language(request)
        state, seconds, error = runtime.model_state()
        if state == "idle":
            return ["", gr.Timer(active=False)]
        # A model file by its name: the page never shows a server path.
        name = runtime.model_name()
        name = Path(name).name if runtime.settings.model_path else name
        shown = model_line(state, seconds, name, error, lang)
        return [shown, gr.Timer(active=state == "loading")]

    ticking.tick(model_status, outputs=[status, ticking], show_progress="hidden")
    blocks.load(model_status, outputs=[status, ticking], show_progress="hidden")
    halted = stop.click(stopped, inputs=[session], outputs=[chatbot, session, step], cancels=turns)
    # The chat's own Clear button starts a new chat too (the old one stays in the list).
    gr.on([new_chat.click, chatbot.clear], reset, [session], outputs, cancels=turns).then(
        lambda state, browser: sidebar_updates(store, state, browser),
        [session, side.browser],
        [side.chats, side.title, side.browser],
    )
    citation.change(
        lambda cid: passage_markdown(runtime, cid), inputs=[citation], outputs=[passage]
    )
    wire_history(runtime, blocks, side, session, [*turns, halted], fresh_outputs, outputs)
    wire_feedback(runtime, chatbot, session, feedback, comment, send_feedback)
    table.change(_offered, [session], [use], show_progress="hidden")
    return ChatHandles(session, use)


def _offered(state: ChatSession, request: gr.Request) -> Any:
    """The "plan for this segment" button under a customer list that names one."""
    offer = session_offer(state)
    if offer is None:
        return gr.update(visible=False)
    lang = page_language(request)
    return gr.update(visible=True, value=offer_label(offer, lang))


@dataclass(frozen=True)
class ChatHandles:
    """Chat tab components other tabs wire to."""

    session: gr.State
    use_audience: gr.Button
    """Shown under a customer list filtered by one segment: plan a campaign for it."""
