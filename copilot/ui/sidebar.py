"""The chat history sidebar (open, rename, delete; restored on reload) and feedback on
answers, wired to the chat tab's session."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from copilot.ui.history import (
    BROWSER_KEY,
    Sidebar,
    opened,
    owner_of,
    rating_of,
    save,
    sidebar_updates,
)
from copilot.ui.i18n import Label, page_language, text
from copilot.ui.runtime import Runtime
from copilot.ui.session import ChatSession

log = logging.getLogger(__name__)


def sidebar(i18n: Label) -> Sidebar:
    """The history sidebar's controls (the browser keeps its id and open chat)."""
    browser = gr.BrowserState({"client": "", "open": None}, storage_key=BROWSER_KEY)
    with gr.Sidebar(label=i18n("chats"), position="left", elem_id="history"):
        chats = gr.Radio(choices=[], label=i18n("chats"), elem_id="chat-list")
        title = gr.Textbox(label=i18n("chat_title"), max_lines=1, elem_id="chat-title")
        with gr.Row():
            rename = gr.Button(i18n("rename"), size="sm", elem_id="chat-rename")
            remove = gr.Button(i18n("delete_chat"), size="sm", elem_id="chat-delete")
    return Sidebar(browser, chats, title, rename, remove)


def wire_history(
    runtime: Runtime,
    blocks: gr.Blocks,
    side: Sidebar,
    session: gr.State,
    turns: list[Any],
    fresh_outputs: Any,
    outputs: list[Any],
) -> None:
    """Restore the open chat on load, save every finished turn, open, rename and delete."""
    store = runtime.chats
    listed = [side.chats, side.title, side.browser]

    def restore(browser: dict[str, Any] | None, request: gr.Request) -> list[Any]:
        owner, keep = owner_of(request, browser)
        state = opened(store, owner, keep.get("open"))
        return [*fresh_outputs(state), *sidebar_updates(store, state, keep)]

    def after_turn(state: ChatSession, browser: dict[str, Any] | None) -> list[Any]:
        save(store, state)  # a stopped turn (an answered one was saved as it ended: a no-op)
        return sidebar_updates(store, state, browser)

    def open_chat(
        chat_id: str | None, state: ChatSession, browser: dict[str, Any] | None, request: gr.Request
    ) -> list[Any]:
        if state.question is not None:
            gr.Warning(text("chat_busy", page_language(request)))
            unchanged = sidebar_updates(store, state, browser)[0]
            return [*[gr.skip()] * len(outputs), unchanged, gr.skip(), gr.skip()]
        fresh = opened(store, state.owner, chat_id)
        return [*fresh_outputs(fresh), *sidebar_updates(store, fresh, browser)]

    def rename(
        title: str, state: ChatSession, browser: dict[str, Any] | None, request: gr.Request
    ) -> list[Any]:
        # Whose chat, from the request and the browser as on load: not only from the session
        # state (CI once renamed with a session that had no owner and emptied the list).
        owner, keep = owner_of(request, browser)
        chat_id = state.chat_id or keep.get("open")
        if chat_id is not None and title.strip() and store.owns(owner, chat_id):
            store.rename(owner, chat_id, title)
        mine = ChatSession(owner=owner, chat_id=chat_id)
        return sidebar_updates(store, mine, None)[:2]

    def remove(state: ChatSession, browser: dict[str, Any] | None) -> list[Any]:
        if state.question is not None:
            return [*[gr.skip()] * len(outputs), *[gr.skip()] * 3]
        if state.chat_id is not None:
            store.delete(state.owner, state.chat_id)
        fresh = ChatSession(owner=state.owner)
        return [*fresh_outputs(fresh), *sidebar_updates(store, fresh, browser)]

    blocks.load(restore, [side.browser], [*outputs, *listed], show_progress="hidden")
    for event in turns:
        event.then(after_turn, [session, side.browser], listed, show_progress="hidden")
    side.chats.input(open_chat, [side.chats, session, side.browser], [*outputs, *listed])
    renaming = [side.title, session, side.browser]
    side.rename.click(rename, renaming, [side.chats, side.title])
    side.title.submit(rename, renaming, [side.chats, side.title])
    side.remove.click(remove, [session, side.browser], [*outputs, *listed])


def wire_feedback(
    runtime: Runtime,
    chatbot: gr.Chatbot,
    session: gr.State,
    box: gr.Group,
    comment: gr.Textbox,
    send: gr.Button,
) -> None:
    """Thumbs up or down on an answer, stored on its turn; a thumbs down asks for a comment."""
    store = runtime.chats

    def liked(state: ChatSession, like: gr.LikeData) -> list[Any]:
        at = like.index if isinstance(like.index, int) else like.index[0]
        n = state.turn_of(at)
        rating = rating_of(like.liked)
        log.info("rating %s on message %s (turn %s of %d)", rating, at, n, len(state.turns))
        save(store, state)  # a quick click can come before the turn's own save
        if n is None or state.chat_id is None or n >= state.saved:
            return [gr.update(visible=False), gr.skip(), state]
        store.rate(state.owner, state.chat_id, n, rating)
        state.rating_turn = n if rating == -1 else None
        return [gr.update(visible=rating == -1), "", state]

    def commented(note: str, state: ChatSession, request: gr.Request) -> list[Any]:
        n = state.rating_turn
        if n is not None and state.chat_id is not None:
            store.rate(state.owner, state.chat_id, n, -1, note)
            gr.Info(text("feedback_saved", page_language(request)))
        state.rating_turn = None
        return [gr.update(visible=False), "", state]

    chatbot.like(liked, [session], [box, comment, session], show_progress="hidden")
    send.click(commented, [comment, session], [box, comment, session])
    comment.submit(commented, [comment, session], [box, comment, session])
